"""Which HXL hashtag feeds which activity field, read tolerantly.

`#org +acronym`, `#ORG+Acronym` and `#org+acronym` are the same tag; attributes come in any order;
the pre-1.0 tags (`#adm1_id`, `#lat_deg`, `#period_date`, `#activity_id`, `#org_name`...) are
rewritten to their current form first. A column's *field* is what the importer does with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harambee.places.hxl import Tag, parse_tag

# Pre-1.0 names -> (name, attributes) of the current tag.
OLD_TAGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lat_deg": ("geo", ("lat",)),
    "lon_deg": ("geo", ("lon",)),
    "long_deg": ("geo", ("lon",)),
    "period_date": ("date", ("reported",)),
    "report_date": ("date", ("reported",)),
    "start_date": ("date", ("start",)),
    "end_date": ("date", ("end",)),
    "activity_id": ("activity", ("code",)),
    "org_id": ("org", ("code",)),
    "org_name": ("org", ("name",)),
    "org_acronym": ("org", ("acronym",)),
    "org_type": ("org", ("type",)),
    "sector_id": ("sector", ("code",)),
    "sector_name": ("sector", ("name",)),
    "country_id": ("country", ("code",)),
    "country_code": ("country", ("code",)),
    "country_name": ("country", ("name",)),
    "targeted_num": ("targeted", ()),
    "reached_num": ("reached", ()),
    "inneed_num": ("inneed", ()),
    "beneficiary_num": ("reached", ()),
    "glide": ("crisis", ("code",)),
    "loc": ("loc", ("name",)),
}
_OLD_ADM = re.compile(r"^adm([1-4])_(id|code|pcode|name)$")
_FIGURES = {"inneed": "in_need", "targeted": "targeted", "reached": "reached"}
# Attributes that say which organisation a #org column is about (not the implementing one).
_ORG_ROLES = {
    "funding": "funding",
    "funder": "funding",
    "donor": "funding",
    "reporting": "reporting",
    "partner": "partner",
    "impl": "",
    "implementing": "",
}
SEX = {"f": "female", "female": "female", "m": "male", "male": "male"}
AGE = {
    "children": "0-17",
    "child": "0-17",
    "adults": "18-59",
    "adult": "18-59",
    "elderly": "60+",
    "older": "60+",
}


@dataclass(frozen=True)
class Field:
    """What a column gives: `name` (e.g. 'org_name', 'adm', 'figure') and details."""

    name: str
    level: int = 0  # admin level for 'adm_code' / 'adm_name'
    role: str = ""  # other organisation's role, or figure kind
    sex: str = "all"
    age: str = "all"

    @property
    def label(self) -> str:
        """Stable text for the report's `used_as`."""
        if self.name in {"adm_code", "adm_name"}:
            return f"{self.name.replace('adm', f'adm{self.level}')}"
        if self.name == "figure":
            return f"{self.role}:{self.sex}:{self.age}"
        if self.name.startswith("other_org"):
            return f"{self.name}:{self.role}"
        return self.name


def normalise_tag(text: str) -> Tag | None:
    """Parse a hashtag and rewrite pre-1.0 forms to the current name and attributes."""
    tag = parse_tag(text)
    if tag is None:
        return None
    match = _OLD_ADM.match(tag.name)
    if match:
        suffix = "code" if match.group(2) in {"id", "code", "pcode"} else "name"
        return Tag(f"adm{match.group(1)}", tag.attributes | {suffix})
    if tag.name in OLD_TAGS:
        name, extra = OLD_TAGS[tag.name]
        return Tag(name, tag.attributes | frozenset(extra))
    return tag


def tag_text(tag: Tag) -> str:
    """The canonical written form: name then sorted attributes, e.g. '#org+acronym'."""
    return "#" + "+".join([tag.name, *sorted(tag.attributes)])


def field_for(tag: Tag | None) -> Field | None:
    """The field a tag feeds, or None for columns the importer does not use."""
    if tag is None:
        return None
    name, attrs = tag.name, tag.attributes
    is_code = bool(attrs & {"code", "id", "pcode"})
    if name == "org":
        role = next((_ORG_ROLES[a] for a in attrs if a in _ORG_ROLES), "")
        if attrs & {"type"}:
            return Field("org_type") if not role else None
        if role:
            if attrs & {"acronym", "code"}:
                return Field("other_org_acronym", role=role)
            return Field("other_org_name", role=role)
        if attrs & {"acronym"} or (is_code and "name" not in attrs):
            return Field("org_acronym")
        return Field("org_name")
    if name == "sector" or name == "cluster":
        if attrs & {"type"}:
            return None
        return Field("sector_code" if is_code else "sector_name")
    if name == "activity" or name == "project":
        if is_code:
            return Field("activity_code")
        if attrs & {"description", "desc", "details"}:
            return Field("description")
        return Field("title") if name == "activity" else Field("project_name")
    match = re.fullmatch(r"adm([1-4])", name)
    if match:
        level = int(match.group(1))
        if attrs & {"alt"} or (any(a.startswith("i_") for a in attrs) and not is_code):
            return Field("adm_alt_name", level=level)
        return Field("adm_code" if is_code else "adm_name", level=level)
    if name == "geo":
        if attrs & {"lat"}:
            return Field("latitude")
        if attrs & {"lon", "long"}:
            return Field("longitude")
        return None
    if name in {"lat"}:
        return Field("latitude")
    if name in {"lon", "long"}:
        return Field("longitude")
    if name == "country":
        return Field("country")
    if name == "status":
        return Field("status")
    if name == "date":
        if attrs & {"start"}:
            return Field("start_date")
        if attrs & {"end"}:
            return Field("end_date")
        return None  # reporting period, month, year: not a fact about the activity
    if name in _FIGURES:
        if attrs & {"pct", "percent", "type"}:
            return None
        sex = next((SEX[a] for a in attrs if a in SEX), "all")
        age = next((AGE[a] for a in attrs if a in AGE), "all")
        return Field("figure", role=_FIGURES[name], sex=sex, age=age)
    if name in {"population", "affected"} and attrs & {"type", "group"}:
        return Field("population_group")
    if name == "crisis" or (name == "event" and is_code):
        return Field("crisis")
    if name == "meta" and attrs & {"id", "key"}:
        return Field("key")
    return None


# Header text -> tag, to suggest a mapping for files without hashtags (lower case, no accents).
HEADER_SUGGESTIONS: list[tuple[str, str]] = [
    (r"^(org|organi[sz]ation)s?( name)?$|^nom( de l)? ?organisation$", "#org+name"),
    (r"acronym|accronym|sigle", "#org+acronym"),
    (r"(org|organi[sz]ation).*type|type.*organi[sz]ation", "#org+type"),
    (r"donor|bailleur|funding org", "#org+funding+name"),
    (r"partner|partenaire", "#org+partner+name"),
    (r"sector.*code|cluster.*code", "#sector+code"),
    (r"^(sector|cluster|secteur)", "#sector+name"),
    (r"^activit", "#activity+name"),
    (r"description", "#activity+description"),
    (r"project.*code|code.*projet", "#activity+code"),
    (r"(admin ?1|province|region|state|prov).*(p?code|pcod)", "#adm1+code"),
    (r"(admin ?2|district|dist|cercle|lga).*(p?code|pcod)", "#adm2+code"),
    (r"(admin ?3|commune).*(p?code|pcod)", "#adm3+code"),
    (r"^(admin ?1|province|region|state|etat)$", "#adm1+name"),
    (r"^(admin ?2|district|cercle|lga|departement|county)$", "#adm2+name"),
    (r"^(admin ?3|commune|sub-?district)$", "#adm3+name"),
    (r"^lat", "#geo+lat"),
    (r"^(lon|lng)", "#geo+lon"),
    (r"^(country|pays)", "#country+name"),
    (r"^(status|statut)", "#status"),
    (r"start|debut", "#date+start"),
    (r"end date|date fin|^fin$|^end$", "#date+end"),
    (r"in need|dans le besoin", "#inneed"),
    (r"target|cible", "#targeted"),
    (r"reached|atteint|achieved|beneficiar", "#reached"),
    (r"population (type|group)", "#population+type"),
    (r"glide|crisis code", "#crisis+code"),
]


def suggest_tag(header: str) -> str | None:
    """A likely tag for a column header, to pre-fill the mapping form (never applied silently)."""
    from normality import normalize

    plain = normalize(header or "", ascii=True) or ""
    plain = " ".join(plain.replace("_", " ").split())
    if not plain:
        return None
    for pattern, tag in HEADER_SUGGESTIONS:
        if re.search(pattern, plain):
            return tag
    return None
