"""Matching what a 3W file names (countries, organisations, sectors, places) to what we hold.

Each resolver works on distinct values and caches its answers: a file of 10,000 rows names a
few hundred organisations and places, and each is looked up once.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from harambee.network.choices import OrganisationType
from harambee.network.duplicates import (
    _tokens,
    clear_index,
    get_index,
    normalise_acronym,
    normalise_name,
    score_candidates,
)
from harambee.network.models import Organisation
from harambee.places.models import AdminArea, Country

from .importers.rows import OrgRef, plain
from .models import Sector

# --- countries --------------------------------------------------------------------------------

# Words around a country name that do not change which country it is.
_COUNTRY_NOISE = {"situation", "crisis", "response", "regional", "region", "operation", "the"}
_COUNTRY_ALIASES = {
    "congo brazzaville": "COG",
    "congo brazaville": "COG",
    "republic of congo": "COG",
    "congo kinshasa": "COD",
    "drc": "COD",
    "dr congo": "COD",
    "rdc": "COD",
    "car": "CAF",
    "rca": "CAF",
    "ivory coast": "CIV",
    "cote divoire": "CIV",
    "cote d ivoire": "CIV",
    "turkiye": "TUR",
    "turkey": "TUR",
    "opt": "PSE",
    "palestine": "PSE",
    "syria": "SYR",
    "south sudan": "SSD",
    "tchad": "TCD",
    "mali": "MLI",
    "niger": "NER",
    "nigeria": "NGA",
    "senegal": "SEN",
    "cameroun": "CMR",
    "mauritanie": "MRT",
    "burkina": "BFA",
}


class CountryResolver:
    """ISO3 for a country as a file writes it: code, English or French name, a misspelling."""

    def __init__(self) -> None:
        rows = list(Country.objects.order_by().values_list("iso3", "iso2", "name", "official_name"))
        self.known = {iso3 for iso3, *_rest in rows}
        self.names: dict[str, str] = {}
        for iso3, iso2, name, official in rows:
            self.names[iso3.lower()] = iso3
            self.names[iso2.lower()] = iso3
            for text in (name, official):
                if text:
                    self.names.setdefault(plain(text), iso3)
        for country in pycountry.countries:
            if country.alpha_3 not in self.known:
                continue
            for attr in ("name", "official_name", "common_name"):
                text = getattr(country, attr, None)
                if text:
                    self.names.setdefault(plain(text), country.alpha_3)
        for alias, iso3 in _COUNTRY_ALIASES.items():
            if iso3 in self.known:
                self.names.setdefault(alias, iso3)
        self._choices = list(self.names)
        self._cache: dict[str, list[str]] = {}

    def exact(self, text: str) -> str | None:
        return self.names.get(plain(text))

    def candidates(self, text: str) -> list[str]:
        """Every country the text may mean, most likely first ('Thailand-Myanmar': two)."""
        if text in self._cache:
            return self._cache[text]
        found: list[str] = []
        whole = self.exact(text)
        if whole:
            found.append(whole)
        else:
            for part in re.split(r"\s*[-/,&+]\s*|\s+and\s+", text):
                words = [w for w in plain(part).split() if w not in _COUNTRY_NOISE]
                key = " ".join(words)
                if not key:
                    continue
                iso3 = self.names.get(key)
                if iso3 is None and len(key) > 4:
                    best = process.extractOne(
                        key, self._choices, scorer=fuzz.ratio, score_cutoff=88
                    )
                    iso3 = self.names[best[0]] if best else None
                if iso3 and iso3 not in found:
                    found.append(iso3)
        self._cache[text] = found
        return found


# --- places -----------------------------------------------------------------------------------

# Words that say what kind of area it is, not which one.
_AREA_NOISE = {
    "governorate",
    "govenorate",
    "province",
    "region",
    "state",
    "district",
    "county",
    "prefecture",
    "gouvernorat",
    "cercle",
    "commune",
    "departement",
    "department",
    "wilaya",
}
PLACE_SCORE = 88.0


@lru_cache(maxsize=16384)
def area_name_key(text: str) -> str:
    words = [w for w in plain(text).split() if w not in _AREA_NOISE]
    return " ".join(words) or plain(text)


@dataclass
class Area:
    id: int
    pcode: str
    level: int
    name: str
    parent_id: int | None


@dataclass
class PlaceMatch:
    area: Area | None  # the smallest area found
    matched_level: int  # 0 when nothing matched
    deepest_level: int  # the smallest level the file names
    error: tuple[str, str] | None = None  # (column key, message)


class PlaceResolver:
    """Admin areas of one country by P-code (and its common variants) and by name under a parent."""

    def __init__(self, iso3: str, iso2: str, all_codes: dict[str, str] | None = None) -> None:
        self.iso3, self.iso2 = iso3, iso2
        self.by_code: dict[str, Area] = {}
        self.by_digits: dict[str, list[Area]] = defaultdict(list)
        self.names: dict[tuple[int, int | None], dict[str, list[Area]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.level_names: dict[int, dict[str, list[Area]]] = defaultdict(lambda: defaultdict(list))
        self.prefixes = {iso3, iso2}
        rows = AdminArea.objects.filter(country_id=iso3).order_by()
        for row in rows.values_list("id", "pcode", "level", "name", "other_names", "parent_id"):
            pk, pcode, level, name, other_names, parent_id = row
            area = Area(pk, pcode, level, name, parent_id)
            self.by_code[pcode.upper()] = area
            prefix, digits = _split_code(pcode.upper())
            self.prefixes.add(prefix)
            self.by_digits[digits].append(area)
            for text in [name, *(other_names or [])]:
                key = area_name_key(str(text))
                self.names[(level, parent_id)][key].append(area)
                self.level_names[level][key].append(area)
        self._all_codes = all_codes
        self._cache: dict[tuple[Any, ...], PlaceMatch] = {}

    def _code(self, code: str) -> Area | None:
        area = self.by_code.get(code)
        if area is not None:
            return area
        prefix, digits = _split_code(code)
        if prefix in self.prefixes and digits:
            # NGA008 / NG008, AFG01 / AF01: the same digits under another form of the prefix.
            found = self.by_digits.get(digits, [])
            if len(found) == 1:
                return found[0]
            stripped = [a for a in self.by_digits.get(digits.lstrip("0"), [])]
            if len(stripped) == 1:
                return stripped[0]
        return None

    def _name(self, name: str, level: int, parent: Area | None) -> Area | None:
        key = area_name_key(name)
        pool = (
            self.names.get((level, parent.id))
            if parent is not None
            else self.level_names.get(level)
        )
        if not pool:
            return None
        exact = pool.get(key, [])
        if len({a.id for a in exact}) == 1:
            return exact[0]
        if exact:
            return None  # two areas of that name: the parent must say which
        scored = process.extract(
            key, list(pool), scorer=fuzz.ratio, limit=2, score_cutoff=PLACE_SCORE
        )
        if not scored and len(key) >= 5:
            # One typing mistake ('Kabol'), two in longer names, when only one name is that close.
            allowed = 2 if len(key) >= 10 else 1
            near = process.extract(
                key, list(pool), scorer=Levenshtein.distance, limit=2, score_cutoff=allowed
            )
            scored = [(name, 100.0 - distance, i) for name, distance, i in near]
        if not scored:
            return None
        if len(scored) > 1 and scored[0][1] - scored[1][1] < 1:
            return None
        areas = pool[scored[0][0]]
        return areas[0] if len({a.id for a in areas}) == 1 else None

    def resolve(self, codes: dict[int, str], names: dict[int, str]) -> PlaceMatch:
        key = (tuple(sorted(codes.items())), tuple(sorted(names.items())))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        levels = sorted(set(codes) | set(names))
        deepest = levels[-1] if levels else 0
        found: Area | None = None
        matched = 0
        error: tuple[str, str] | None = None
        for level in levels:
            area: Area | None = None
            code = codes.get(level)
            if code:
                area = self._code(code)
                if area is not None and area.level != level:
                    area = None
                if area is None and error is None:
                    other = self._other_country(code)
                    if other:
                        error = (
                            f"adm{level}",
                            _("P-code %(pcode)s belongs to %(other)s, not to %(country)s.")
                            % {"pcode": code, "other": other, "country": self.iso3},
                        )
            if area is None and names.get(level):
                area = self._name(names[level], level, found)
            if area is not None and found is not None and area.parent_id != found.id:
                area = None  # contradicts the area above: keep the larger one
            if area is None:
                break
            found, matched = area, level
        result = PlaceMatch(found, matched, deepest, error)
        self._cache[key] = result
        return result

    def _other_country(self, code: str) -> str | None:
        if self._all_codes is None:
            self._all_codes = dict(
                AdminArea.objects.order_by().values_list("pcode", "country_id").iterator(5000)
            )
            self._all_codes = {k.upper(): v for k, v in self._all_codes.items()}
        other = self._all_codes.get(code)
        return other if other and other != self.iso3 else None


def _split_code(code: str) -> tuple[str, str]:
    match = re.match(r"^([A-Z]+)(.*)$", code)
    return (match.group(1), match.group(2)) if match else ("", code)


# --- sectors ----------------------------------------------------------------------------------

_SECTOR_PREFIX = re.compile(r"^operat\w*\s+presence\s*:?\s*", re.IGNORECASE)
_SECTOR_NOISE = {"cluster", "sector", "secteur", "op", "aor", "wg"}
SECTOR_SCORE = 90.0
# Names and codes seen in real 3W files that the reference aliases do not list yet.
EXTRA_SECTOR_ALIASES: dict[str, list[str]] = {
    "ERY": ["ERL", "Early Recovery and Livelihoods", "Income Generation"],
    "SHL": ["ESNFI", "Core Relief Items", "Core Relief Items (CRIs)", "CRI"],
    "FSC": ["Food", "Food Distribution", "Agriculture", "Crop Production"],
    "HEA": ["HIV/AIDS", "Reproductive Health", "Malaria Prevention and Control"],
    "LOG": ["Transport", "Transportation", "Transport / Logistics"],
    "ETC": ["Telecom", "Telecoms"],
    "PRO": ["Legal Assistance / Protection", "Protection Cluster"],
}


@lru_cache(maxsize=4096)
def sector_key(text: str) -> str:
    text = _SECTOR_PREFIX.sub("", text or "")
    text = re.sub(r"_op$", "", text, flags=re.IGNORECASE).replace("&", " and ")
    words = [w for w in plain(text.replace("_", " ")).split() if w not in _SECTOR_NOISE]
    return " ".join(w for w in words if w not in {"and", "et", "of", "de", "des", "la"})


@dataclass
class SectorMatch:
    sector_id: int | None
    code: str
    name: str
    is_new: bool = False


class SectorResolver:
    """Global clusters (and the country's own sectors) by code, name or any alias, any language."""

    def __init__(self, iso3: str) -> None:
        self.iso3 = iso3
        self.keys: dict[str, tuple[int, str, str]] = {}
        self.compact: dict[str, tuple[int, str, str]] = {}
        rows = Sector.objects.filter(country__isnull=True).order_by("pk")
        own = Sector.objects.filter(country_id=iso3).order_by("pk")
        for sector in [*own, *rows]:
            entry = (sector.pk, sector.code, sector.name)
            extra = EXTRA_SECTOR_ALIASES.get(sector.code, []) if sector.country_id is None else []
            for text in [sector.code, sector.name, *(sector.aliases or []), *extra]:
                key = sector_key(str(text))
                if key:
                    self.keys.setdefault(key, entry)
                    self.compact.setdefault(key.replace(" ", ""), entry)
        self._choices = list(self.keys)
        self._cache: dict[tuple[str, str], SectorMatch] = {}
        self.new: dict[str, SectorMatch] = {}

    def _lookup(self, text: str) -> tuple[int, str, str] | None:
        key = sector_key(text)
        if not key:
            return None
        entry = self.keys.get(key) or self.compact.get(key.replace(" ", ""))
        if entry:
            return entry
        best = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=SECTOR_SCORE)
        if best:
            return self.keys[best[0]]
        # 'Water & Sanitation', 'Reproductive Health': every word of one is in the other.
        words = set(key.split())
        contained = [
            (fuzz.token_sort_ratio(key, choice), choice)
            for choice in self._choices
            if words
            and (words <= set(choice.split()) or set(choice.split()) <= words)
            and len(choice) > 3
        ]
        if contained:
            return self.keys[max(contained)[1]]
        return None

    def resolve(self, code: str, name: str) -> SectorMatch | None:
        cache_key = (code, name)
        if cache_key in self._cache:
            return self._cache[cache_key]
        entry = (self._lookup(code) if code else None) or (self._lookup(name) if name else None)
        if entry is not None:
            match = SectorMatch(entry[0], entry[1], entry[2])
        elif code or name:
            label = name or code
            new_code = (
                re.sub(r"[^A-Z0-9]+", "_", plain(code).upper()).strip("_")
                if code
                else re.sub(r"[^A-Z0-9]+", "-", plain(name).upper()).strip("-")
            )[:32] or "OTHER"
            match = self.new.setdefault(new_code, SectorMatch(None, new_code, label[:200], True))
        else:
            return None
        self._cache[cache_key] = match
        return match


# --- organisations ----------------------------------------------------------------------------

SURE_SCORE = 97.0
ORG_TYPES: list[tuple[str, str]] = [
    (r"red cross|red crescent|croix rouge|croissant rouge|mouv.* cr|rcrc|ifrc|icrc", "red_cross"),
    (r"^(un|un agency|united nations|agence un|agence onu|onu|nations unies)$", "un_agency"),
    (r"\bun agency\b|united nations|agence (un|onu|des nations)", "un_agency"),
    (r"^ingo$|international ngo|ong int|ong internationale|international", "international_ngo"),
    (r"^nngo$|national ngo|ong nat|ong nationale|local ngo|^lngo$|^cso$|^cbo$", "national_ngo"),
    (r"gov|gouv|ministr|authorit", "host_government"),
    (r"private|prive|company|entreprise", "private"),
    (r"donor|bailleur", "donor_government"),
    (r"academ|universit|research", "academic"),
    (r"foundation|fondation", "foundation"),
]


def org_type_for(text: str) -> str:
    words = plain(text)
    if not words:
        return OrganisationType.OTHER
    for pattern, value in ORG_TYPES:
        if re.search(pattern, words):
            return value
    return OrganisationType.OTHER


@lru_cache(maxsize=16384)
def org_item_key(name: str, acronym: str) -> str:
    text = f"{normalise_name(name)}|{normalise_acronym(acronym)}"
    return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass
class OrgItem:
    key: str
    name: str
    acronym: str
    org_type: str
    rows: int = 0
    status: str = "new"
    organisation: tuple[int, str] | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    same_as: str | None = None  # another item of this file that is the same new organisation

    def as_dict(self, decision: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "acronym": self.acronym,
            "org_type": self.org_type,
            "rows": self.rows,
            "status": self.status,
            "organisation": (
                {"id": self.organisation[0], "name": self.organisation[1]}
                if self.organisation
                else None
            ),
            "candidates": self.candidates,
            "same_as": self.same_as,
            "decision": decision,
        }


class OrganisationReconciler:
    """Each distinct (name, acronym) of a file against every organisation of the network."""

    def __init__(self) -> None:
        self.items: dict[str, OrgItem] = {}

    def add(self, ref: OrgRef) -> str:
        key = org_item_key(ref.name, ref.acronym)
        item = self.items.get(key)
        if item is None:
            item = self.items[key] = OrgItem(key, ref.name, ref.acronym, org_type_for(ref.org_type))
        elif item.org_type == OrganisationType.OTHER and ref.org_type:
            item.org_type = org_type_for(ref.org_type)
        item.rows += 1
        return key

    def run(self) -> None:
        # Rebuilt from the database: an index cached by this process may still hold
        # organisations from a transaction that was rolled back (a failed commit).
        clear_index()
        index = get_index()
        exact: dict[str, set[int]] = defaultdict(set)
        for pk, sorted_name in zip(index.pks, index.sorted_names, strict=True):
            exact[sorted_name].add(pk)
        wanted: set[int] = set()
        scored: dict[str, list[tuple[int, float, list[str]]]] = {}
        for item in self.items.values():
            same = exact.get(normalise_name(item.name), set())
            if len(same) == 1:
                item.status = "matched"
                item.organisation = (next(iter(same)), "")
                wanted |= same
                continue
            found = score_candidates(index, item.name, item.acronym)
            ranked = sorted(
                ((pk, s, r) for pk, (s, r) in found.items()), key=lambda x: (-x[1], x[0])
            )[:5]
            scored[item.key] = ranked
            wanted |= {pk for pk, _s, _r in ranked}
        orgs = {
            o["id"]: o
            for o in Organisation._base_manager.filter(pk__in=wanted).values(
                "id", "name", "acronym"
            )
        }
        for item in self.items.values():
            if item.status == "matched" and item.organisation:
                pk = item.organisation[0]
                row: Any = orgs.get(pk) or {}
                item.organisation = (pk, row.get("name", ""))
                continue
            ranked = scored.get(item.key, [])
            item.candidates = [
                {
                    "id": pk,
                    "name": orgs[pk]["name"],
                    "acronym": orgs[pk]["acronym"],
                    "score": score,
                    "reasons": reasons,
                }
                for pk, score, reasons in ranked
                if pk in orgs
            ]
            if not item.candidates:
                item.status = "new"
                continue
            best = item.candidates[0]
            strong = [c for c in item.candidates if c["score"] >= SURE_SCORE]
            acronym = normalise_acronym(item.acronym)
            if (
                len(strong) == 1
                and best["score"] >= SURE_SCORE
                and acronym
                and normalise_acronym(best["acronym"]) == acronym
            ):
                item.status = "matched"
                item.organisation = (best["id"], best["name"])
            else:
                item.status = "uncertain"
        self._group_new()

    def _group_new(self) -> None:
        """New names of one file that are one body ('Save the Children Int.' and 'Save the
        Children International', both SCI) become one organisation, not two."""
        leaders: list[OrgItem] = []
        by_name: dict[str, OrgItem] = {}
        new = sorted(
            (i for i in self.items.values() if i.status == "new"), key=lambda i: (-i.rows, i.key)
        )
        for item in new:
            name = normalise_name(item.name)
            leader = by_name.get(name)
            if leader is None:
                acronym = normalise_acronym(item.acronym)
                tokens = set(_tokens(item.name))
                for other in leaders:
                    if not acronym or normalise_acronym(other.acronym) != acronym:
                        continue
                    other_tokens = set(_tokens(other.name))
                    similar = fuzz.ratio(name, normalise_name(other.name)) >= PLACE_SCORE
                    if similar or tokens <= other_tokens or other_tokens <= tokens:
                        leader = other
                        break
            if leader is None:
                leaders.append(item)
                by_name[name] = item
            else:
                item.same_as = leader.key
