"""The matching engine: candidates from an index, readable scores, hard rules, and an optimal
(min-cost flow) or stable (deferred acceptance) assignment under capacities.

It works on plain values (`OfferUnit`, `NeedUnit`), so the same engine serves the pages, the
`harambee match` command, the API and the benchmark. Nothing here touches the database.

Candidates: an offer is only scored against a need if the index brings them together, by
occupation (the need's ISCO minor group, widened to the sub-major group when that finds too
few), else by skill, else by country or remote work; then the hard rules are applied (consent,
required languages at the minimum level, place or remote, dates that overlap) and the best
`max_candidates` per need are kept. All pairs are never formed.

Scores (out of 100) are a sum of parts, each shown with its reason:
occupation 35, skills 25 (a required skill counts twice an optional one), languages 10,
place 10, availability 10, experience 5, verification 5.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from scipy import sparse

WEIGHTS = {
    "occupation": 35.0,
    "skills": 25.0,
    "languages": 10.0,
    "place": 10.0,
    "availability": 10.0,
    "experience": 5.0,
    "verification": 5.0,
}
OCCUPATION_LEVELS = {"same": 1.0, "unit": 0.8, "minor": 0.5, "sub_major": 0.25}
REQUIRED_SKILL_WEIGHT = 2.0
OPTIONAL_SKILL_WEIGHT = 1.0
REMOTE_PLACE = 0.6  # share of the place points for remote work (the rest for close time zones)
MAX_TZ_GAP = 8.0
FULL_EXPERIENCE_YEARS = 10.0
CEFR_NAMES = {1: "A1", 2: "A2", 3: "B1", 4: "B2", 5: "C1", 6: "C2"}


@dataclass
class OfferUnit:
    id: str
    capacity: int = 1
    occupations: Sequence[tuple[str, int]] = ()  # (ISCO or ESCO code, years of experience)
    skills: frozenset[str] = frozenset()
    languages: dict[str, tuple[int, int]] = field(default_factory=dict)  # code: (spoken, written)
    country: str | None = None
    remote: bool = False
    available_from: date | None = None
    available_to: date | None = None
    consent: bool = True
    organisation: str | None = None
    nationality: str | None = None
    verification: float = 0.0  # 0 self-declared, 0.5 document seen, 1 verified
    utc_offset: float | None = None
    preferences: Sequence[str] = ()  # need ids, most preferred first (stable mode)


@dataclass
class NeedUnit:
    id: str
    posts: int = 1
    occupations: Sequence[str] = ()
    skills_required: frozenset[str] = frozenset()
    skills_optional: frozenset[str] = frozenset()
    languages: dict[str, tuple[int, bool]] = field(default_factory=dict)  # code: (min, written)
    country: str | None = None
    remote_ok: bool = False
    start: date | None = None
    end: date | None = None
    utc_offset: float | None = None
    exclude: frozenset[str] = frozenset()  # offers that declined or were declined
    preferences: Sequence[str] = ()  # offer ids, most preferred first (stable mode)

    def __post_init__(self) -> None:
        # A skill both required and optional counts as required.
        self.skills_required = frozenset(self.skills_required)
        self.skills_optional = frozenset(self.skills_optional) - self.skills_required


@dataclass
class Part:
    name: str
    points: float
    maximum: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {
            "part": self.name,
            "points": round(self.points, 2),
            "max": self.maximum,
            "detail": self.detail,
        }


@dataclass
class PassedOver:
    offer_id: str
    score: float
    reason: str
    lowest_accepted: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "offer": self.offer_id,
            "score": self.score,
            "reason": self.reason,
            "lowest_accepted": self.lowest_accepted,
        }


@dataclass
class Assignment:
    need_id: str
    offer_id: str
    score: float
    parts: list[Part]
    passed_over: list[PassedOver]

    @property
    def reasons(self) -> str:
        return "; ".join(f"{p.name} {p.points:.1f}/{p.maximum:g} ({p.detail})" for p in self.parts)


@dataclass
class Candidates:
    """The scored candidate graph: parallel arrays of need index, offer index, score (in
    hundredths of a point, integers so that solvers agree exactly)."""

    needs: list[NeedUnit]
    offers: list[OfferUnit]
    need_index: np.ndarray
    offer_index: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.score)


@dataclass
class Result:
    assignments: list[Assignment]
    candidates: Candidates
    total: int  # hundredths of a point
    timings: dict[str, float]
    unfilled: dict[str, int]

    @property
    def total_score(self) -> float:
        return self.total / 100


class EngineError(ValueError):
    pass


# --- occupation codes ----------------------------------------------------------------------


def isco_digits(code: str) -> str:
    return code.split(".", 1)[0]


def ancestors(code: str) -> list[str]:
    """ "2221.1.3" -> ["2", "22", "222", "2221", "2221.1", "2221.1.3"]."""
    digits = isco_digits(code)
    result = [digits[:i] for i in range(1, len(digits) + 1)]
    parts = code.split(".")
    for i in range(2, len(parts) + 1):
        result.append(".".join(parts[:i]))
    return result


def occupation_similarity(need_code: str, offer_code: str) -> tuple[float, str]:
    """How close an offer's occupation is to the one asked, through the ISCO-08 tree."""
    if not offer_code:
        return 0.0, "none"
    if (
        offer_code == need_code
        or offer_code.startswith(need_code + ".")
        or ("." not in need_code and isco_digits(offer_code).startswith(need_code))
    ):
        return OCCUPATION_LEVELS["same"], "same"
    a, b = isco_digits(need_code), isco_digits(offer_code)
    if len(a) >= 4 and len(b) >= 4 and a[:4] == b[:4]:
        return OCCUPATION_LEVELS["unit"], "unit"
    if len(a) >= 3 and len(b) >= 3 and a[:3] == b[:3]:
        return OCCUPATION_LEVELS["minor"], "minor"
    if len(a) >= 2 and len(b) >= 2 and a[:2] == b[:2]:
        return OCCUPATION_LEVELS["sub_major"], "sub_major"
    return 0.0, "none"


# --- scoring of one pair (explanations, tests) -----------------------------------------------


def _days(d: date | None) -> int | None:
    return d.toordinal() if d is not None else None


def availability_share(need: NeedUnit, offer: OfferUnit) -> float:
    s, e = _days(need.start), _days(need.end)
    f, t = _days(offer.available_from), _days(offer.available_to)
    if s is None and e is None:
        return 1.0
    lo = s if s is not None else -(10**9)
    hi = e if e is not None else 10**9
    lo2 = max(lo, f) if f is not None else lo
    hi2 = min(hi, t) if t is not None else hi
    if hi2 < lo2:
        return 0.0
    if s is None or e is None:
        return 1.0
    return (hi2 - lo2 + 1) / (e - s + 1)


def place_share(need: NeedUnit, offer: OfferUnit) -> float:
    """1 for the same country (or a need anywhere); remote work 0.6 plus up to 0.4 for close
    time zones; 0 when neither (a hard rule: no candidate)."""
    if need.country is None or offer.country == need.country:
        return 1.0
    if need.remote_ok and offer.remote:
        if need.utc_offset is None or offer.utc_offset is None:
            return REMOTE_PLACE
        gap = min(abs(need.utc_offset - offer.utc_offset), MAX_TZ_GAP)
        return REMOTE_PLACE + (1.0 - REMOTE_PLACE) * (1.0 - gap / MAX_TZ_GAP)
    return 0.0


def language_share(need: NeedUnit, offer: OfferUnit) -> float | None:
    """None when a required language is below its minimum (a hard rule)."""
    if not need.languages:
        return 1.0
    total = 0.0
    for code, (minimum, written) in need.languages.items():
        spoken_level, written_level = offer.languages.get(code, (0, 0))
        level = min(spoken_level, written_level) if written else spoken_level
        if level < minimum:
            return None
        total += 0.75 + 0.25 * min(1.0, (level - minimum) / 2.0)
    return total / len(need.languages)


def best_occupation(need: NeedUnit, offer: OfferUnit) -> tuple[float, str, str, int]:
    """(similarity, level, offer code, years) of the offer's occupation closest to the need."""
    best = (0.0, "none", "", 0)
    for need_code in need.occupations:
        for code, years in offer.occupations or [("", 0)]:
            sim, level = occupation_similarity(need_code, code)
            if sim > best[0] or (sim == best[0] and sim > 0 and years > best[3]):
                best = (sim, level, code, years)
    return best


def skill_share(need: NeedUnit, offer: OfferUnit) -> tuple[float, int, int]:
    asked = (
        len(need.skills_required) * REQUIRED_SKILL_WEIGHT
        + len(need.skills_optional) * OPTIONAL_SKILL_WEIGHT
    )
    required = len(need.skills_required & offer.skills)
    optional = len(need.skills_optional & offer.skills)
    if not asked:
        return 0.0, 0, 0
    got = required * REQUIRED_SKILL_WEIGHT + optional * OPTIONAL_SKILL_WEIGHT
    return got / asked, required, optional


def eligible(need: NeedUnit, offer: OfferUnit) -> str | None:
    """Why this pair can never be matched (a hard rule), or None."""
    if not offer.consent:
        return "no consent to be matched"
    if offer.id in need.exclude:
        return "declined before"
    if language_share(need, offer) is None:
        return "a required language below the minimum level"
    if place_share(need, offer) == 0.0:
        return "not in the country and no remote work"
    if availability_share(need, offer) == 0.0:
        return "not available during the dates"
    return None


def score_pair(need: NeedUnit, offer: OfferUnit) -> tuple[float, list[Part]]:
    """The score of one pair and its parts, in words. The vectorised scoring below gives the
    same numbers (a test holds them together)."""
    sim, level, code, years = best_occupation(need, offer)
    skills, required, optional = skill_share(need, offer)
    languages = language_share(need, offer) or 0.0
    place = place_share(need, offer)
    availability = availability_share(need, offer)
    experience = min(float(years), FULL_EXPERIENCE_YEARS) / FULL_EXPERIENCE_YEARS if sim else 0.0
    values = {
        "occupation": sim,
        "skills": skills,
        "languages": languages,
        "place": place,
        "availability": availability,
        "experience": experience,
        "verification": offer.verification,
    }
    points = {k: WEIGHTS[k] * v for k, v in values.items()}
    total = _round_total(
        points["occupation"]
        + points["skills"]
        + points["languages"]
        + points["place"]
        + points["availability"]
        + points["experience"]
        + points["verification"]
    )
    level_words = {
        "same": f"same occupation {code}",
        "unit": f"related occupation {code}, same ISCO unit group",
        "minor": f"related occupation {code}, same ISCO minor group",
        "sub_major": f"related occupation {code}, same ISCO sub-major group",
        "none": "no occupation in common" if need.occupations else "no occupation asked",
    }
    if need.languages:
        said = []
        for lang, (minimum, written) in need.languages.items():
            spoken_level, written_level = offer.languages.get(lang, (0, 0))
            level_value = min(spoken_level, written_level) if written else spoken_level
            said.append(
                f"{lang} {CEFR_NAMES.get(level_value, '-')} ≥ {CEFR_NAMES.get(minimum, '-')}"
            )
        language_words = ", ".join(said)
    else:
        language_words = "none required"
    if need.country is None:
        place_words = "anywhere"
    elif offer.country == need.country:
        place_words = f"in {need.country}"
    else:
        place_words = f"remote from {offer.country or 'elsewhere'}"
        if need.utc_offset is not None and offer.utc_offset is not None:
            place_words += f", {abs(need.utc_offset - offer.utc_offset):g} h time difference"
    asked_skills = len(need.skills_required) + len(need.skills_optional)
    skill_words = (
        f"{required}/{len(need.skills_required)} required, "
        f"{optional}/{len(need.skills_optional)} optional"
        if asked_skills
        else "no skills asked"
    )
    verification_words = {0.0: "self-declared", 0.5: "document seen", 1.0: "verified"}.get(
        offer.verification, f"{offer.verification:g}"
    )
    parts = [
        Part("occupation", points["occupation"], WEIGHTS["occupation"], level_words[level]),
        Part("skills", points["skills"], WEIGHTS["skills"], skill_words),
        Part("languages", points["languages"], WEIGHTS["languages"], language_words),
        Part("place", points["place"], WEIGHTS["place"], place_words),
        Part(
            "availability",
            points["availability"],
            WEIGHTS["availability"],
            f"{availability:.0%} of the period",
        ),
        Part("experience", points["experience"], WEIGHTS["experience"], f"{years} years"),
        Part("verification", points["verification"], WEIGHTS["verification"], verification_words),
    ]
    return total, parts


def _round_total(value: float) -> float:
    return math.floor(value * 100 + 0.5) / 100


# --- the index and vectorised scoring --------------------------------------------------------


class OfferIndex:
    """Offers as arrays, and an inverted index from occupation codes (every ancestor in the
    ISCO tree), skills, countries and remote work to rows. A row is one (offer, occupation)."""

    def __init__(self, offers: Sequence[OfferUnit]) -> None:
        self.offers = list(offers)
        row_offer: list[int] = []
        row_code: list[str] = []
        row_years: list[int] = []
        for i, offer in enumerate(self.offers):
            if not offer.consent:
                continue  # no consent, no match: never indexed
            for code, years in offer.occupations or [("", 0)]:
                row_offer.append(i)
                row_code.append(code)
                row_years.append(years)
        self.row_offer = np.asarray(row_offer, dtype=np.int64)
        self.row_years = np.asarray(row_years, dtype=np.float64)
        n = len(row_offer)
        self.prefix = {k: np.full(n, -1, dtype=np.int64) for k in (1, 2, 3, 4)}
        by_code: dict[str, list[int]] = defaultdict(list)
        for r, code in enumerate(row_code):
            if not code:
                continue
            digits = isco_digits(code)
            for k in (1, 2, 3, 4):
                if len(digits) >= k:
                    self.prefix[k][r] = int(digits[:k])
            for ancestor in ancestors(code):
                by_code[ancestor].append(r)
        self.by_code = {k: np.asarray(v, dtype=np.int64) for k, v in by_code.items()}
        # Skills: a sparse rows x skills matrix, and skill -> rows.
        self.skill_ids: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        by_skill: dict[int, list[int]] = defaultdict(list)
        for r, i in enumerate(row_offer):
            for skill in self.offers[i].skills:
                sid = self.skill_ids.setdefault(skill, len(self.skill_ids))
                indices.append(sid)
                by_skill[sid].append(r)
            indptr.append(len(indices))
        self.skills = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float64), indices, indptr),
            shape=(n, max(1, len(self.skill_ids))),
        )
        self.by_skill = {k: np.asarray(v, dtype=np.int64) for k, v in by_skill.items()}
        # Languages: levels as a dense rows x languages array (a few dozen languages).
        self.language_ids: dict[str, int] = {}
        for i in set(row_offer):
            for code in self.offers[i].languages:
                self.language_ids.setdefault(code, len(self.language_ids))
        self.spoken = np.zeros((n, max(1, len(self.language_ids))), dtype=np.int8)
        self.written = np.zeros_like(self.spoken)
        for r, i in enumerate(row_offer):
            for code, (spoken, written) in self.offers[i].languages.items():
                j = self.language_ids[code]
                self.spoken[r, j] = spoken
                self.written[r, j] = written
        countries: dict[str | None, int] = {None: -1}
        self.country = np.asarray(
            [countries.setdefault(self.offers[i].country, len(countries)) for i in row_offer],
            dtype=np.int64,
        )
        self.country_ids = countries
        self.remote = np.asarray([self.offers[i].remote for i in row_offer], dtype=bool)
        big = 10**9
        self.available_from = np.asarray(
            [_days(self.offers[i].available_from) or -big for i in row_offer], dtype=np.int64
        )
        self.available_to = np.asarray(
            [_days(self.offers[i].available_to) or big for i in row_offer], dtype=np.int64
        )
        self.utc = np.asarray(
            [
                np.nan if self.offers[i].utc_offset is None else self.offers[i].utc_offset
                for i in row_offer
            ],
            dtype=np.float64,
        )
        self.verification = np.asarray(
            [self.offers[i].verification for i in row_offer], dtype=np.float64
        )
        by_country: dict[int, list[int]] = defaultdict(list)
        for r, c in enumerate(self.country.tolist()):
            by_country[c].append(r)
        self.by_country = {k: np.asarray(v, dtype=np.int64) for k, v in by_country.items()}
        self.remote_rows = np.flatnonzero(self.remote)
        self.all_rows = np.arange(n, dtype=np.int64)
        self.offer_ids = {o.id: i for i, o in enumerate(self.offers)}

    def pool(self, need: NeedUnit, wanted: int) -> np.ndarray:
        """Rows worth scoring for this need: by occupation, else skill, else place."""
        empty = np.empty(0, dtype=np.int64)
        if need.occupations:
            parts = []
            for code in need.occupations:
                digits = isco_digits(code)
                key = digits[:3] if len(digits) >= 3 else digits
                rows = self.by_code.get(key, empty)
                if len(rows) < wanted and len(digits) >= 2:
                    rows = self.by_code.get(digits[:2], empty)
                parts.append(rows)
            return np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        skills = [self.skill_ids[s] for s in need.skills_required if s in self.skill_ids]
        if skills:
            return np.unique(np.concatenate([self.by_skill[s] for s in skills]))
        if need.country is None:
            return self.all_rows
        rows = self.by_country.get(self.country_ids.get(need.country, -2), empty)
        if need.remote_ok:
            rows = np.union1d(rows, self.remote_rows)
        return rows

    def score_rows(
        self, need: NeedUnit, rows: np.ndarray, skill_rows: sparse.csr_matrix | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores (float points) of the rows for this need, and which rows pass the hard rules.
        `skill_rows` is self.skills[rows] when the caller has it already (needs sharing a pool
        share that slice)."""
        n = len(rows)
        ok = np.ones(n, dtype=bool)
        # Occupation.
        if need.occupations:
            sim = np.zeros(n)
            for code in need.occupations:
                digits = isco_digits(code)
                if "." in code:
                    exact = np.isin(rows, self.by_code.get(code, np.empty(0, dtype=np.int64)))
                else:
                    exact = self.prefix[min(len(digits), 4)][rows] == int(digits)
                levels = [exact]
                values = [OCCUPATION_LEVELS["same"]]
                for k, name in ((4, "unit"), (3, "minor"), (2, "sub_major")):
                    if len(digits) >= k:
                        levels.append(self.prefix[k][rows] == int(digits[:k]))
                        values.append(OCCUPATION_LEVELS[name])
                sim = np.maximum(sim, np.select(levels, values, 0.0))
        else:
            sim = np.zeros(n)
        # Skills.
        asked = (
            len(need.skills_required) * REQUIRED_SKILL_WEIGHT
            + len(need.skills_optional) * OPTIONAL_SKILL_WEIGHT
        )
        if asked:
            weights = np.zeros(self.skills.shape[1])
            for s in need.skills_required:
                if s in self.skill_ids:
                    weights[self.skill_ids[s]] = REQUIRED_SKILL_WEIGHT
            for s in need.skills_optional:
                if s in self.skill_ids:
                    weights[self.skill_ids[s]] = OPTIONAL_SKILL_WEIGHT
            if skill_rows is None:
                skill_rows = self.skills[rows]
            skills = (skill_rows @ weights) / asked
        else:
            skills = np.zeros(n)
        # Languages (hard rule and score).
        if need.languages:
            total = np.zeros(n)
            for code, (minimum, written) in need.languages.items():
                j = self.language_ids.get(code)
                if j is None:
                    return np.zeros(n), np.zeros(n, dtype=bool)
                level = self.spoken[rows, j].astype(np.float64)
                if written:
                    level = np.minimum(level, self.written[rows, j])
                ok &= level >= minimum
                total += 0.75 + 0.25 * np.minimum(1.0, (level - minimum) / 2.0)
            languages = total / len(need.languages)
        else:
            languages = np.ones(n)
        # Place (hard rule and score).
        if need.country is None:
            place = np.ones(n)
        else:
            same = self.country[rows] == self.country_ids.get(need.country, -2)
            if need.remote_ok:
                remote = self.remote[rows] & ~same
                if need.utc_offset is None:
                    remote_share = np.full(n, REMOTE_PLACE)
                else:
                    gap = np.minimum(np.abs(self.utc[rows] - need.utc_offset), MAX_TZ_GAP)
                    remote_share = REMOTE_PLACE + (1.0 - REMOTE_PLACE) * (1.0 - gap / MAX_TZ_GAP)
                    remote_share = np.where(np.isnan(remote_share), REMOTE_PLACE, remote_share)
                place = np.where(same, 1.0, np.where(remote, remote_share, 0.0))
            else:
                place = np.where(same, 1.0, 0.0)
            ok &= place > 0
        # Availability (hard rule and score).
        first, last = _days(need.start), _days(need.end)
        if first is None and last is None:
            availability = np.ones(n)
        else:
            lo = np.maximum(first if first is not None else -(10**9), self.available_from[rows])
            hi = np.minimum(last if last is not None else 10**9, self.available_to[rows])
            if first is None or last is None:
                availability = np.where(hi >= lo, 1.0, 0.0)
            else:
                availability = np.maximum(0, hi - lo + 1) / (last - first + 1)
            ok &= availability > 0
        experience = (
            np.where(sim > 0, np.minimum(self.row_years[rows], FULL_EXPERIENCE_YEARS), 0.0)
            / FULL_EXPERIENCE_YEARS
        )
        total = (
            WEIGHTS["occupation"] * sim
            + WEIGHTS["skills"] * skills
            + WEIGHTS["languages"] * languages
            + WEIGHTS["place"] * place
            + WEIGHTS["availability"] * availability
            + WEIGHTS["experience"] * experience
            + WEIGHTS["verification"] * self.verification[rows]
        )
        if need.exclude:
            excluded = [self.offer_ids[o] for o in need.exclude if o in self.offer_ids]
            ok &= ~np.isin(self.row_offer[rows], excluded)
        return np.floor(total * 100 + 0.5) / 100, ok


def generate_candidates(
    needs: Sequence[NeedUnit],
    offers: Sequence[OfferUnit],
    *,
    max_candidates: int = 25,
    progress: Callable[[float], None] | None = None,
) -> Candidates:
    """The scored candidate graph: for each need, its best eligible offers (one row each)."""
    index = OfferIndex(offers)
    need_parts: list[np.ndarray] = []
    offer_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    step = max(1, len(needs) // 50)
    # Needs asking for the same occupations share a pool, and its slice of the skill matrix.
    pools: dict[tuple[Any, ...], tuple[np.ndarray, sparse.csr_matrix]] = {}
    for k, need in enumerate(needs):
        wanted = max(max_candidates, 2 * need.posts)
        skill_rows = None
        if need.occupations:
            key = (tuple(need.occupations), wanted)
            if key not in pools:
                found = index.pool(need, wanted)
                pools[key] = (found, index.skills[found])
            rows, skill_rows = pools[key]
        else:
            rows = index.pool(need, wanted)
        if len(rows):
            scores, ok = index.score_rows(need, rows, skill_rows)
            rows, scores = rows[ok], scores[ok]
            offer_of = index.row_offer[rows]
            if len(offer_of) and len(np.unique(offer_of)) != len(offer_of):
                order = np.lexsort((-scores, offer_of))
                offer_of, scores = offer_of[order], scores[order]
                first = np.r_[True, offer_of[1:] != offer_of[:-1]]
                offer_of, scores = offer_of[first], scores[first]
            if len(scores) > wanted:
                # Ties at the cut are broken by offer order, so the graph is reproducible.
                keep = np.lexsort((offer_of, -scores))[:wanted]
                offer_of, scores = offer_of[keep], scores[keep]
            need_parts.append(np.full(len(offer_of), k, dtype=np.int64))
            offer_parts.append(offer_of)
            score_parts.append(np.rint(scores * 100).astype(np.int64))
        if progress is not None and k % step == 0:
            progress(k / max(1, len(needs)))
    empty = np.empty(0, dtype=np.int64)
    return Candidates(
        needs=list(needs),
        offers=list(offers),
        need_index=np.concatenate(need_parts) if need_parts else empty,
        offer_index=np.concatenate(offer_parts) if offer_parts else empty,
        score=np.concatenate(score_parts) if score_parts else empty,
    )


# --- assignment ----------------------------------------------------------------------------


def cap_key(offer: OfferUnit, cap_by: str | None) -> str | None:
    if cap_by == "organisation":
        return offer.organisation
    if cap_by == "nationality":
        return offer.nationality
    if cap_by:
        raise EngineError(f"Cannot cap by {cap_by!r}: choose organisation or nationality.")
    return None


def solve_optimal(
    graph: Candidates, *, cap_by: str | None = None, cap: int | None = None
) -> np.ndarray:
    """Chosen candidate edges (a boolean array) maximising the total score under the needs'
    posts, the offers' capacities and, optionally, a cap per organisation or nationality.

    Min-cost flow (OR-Tools): source -> need (posts) -> offer (1 per pair, cost -score) ->
    [cap group] -> sink (capacity); a zero-cost arc from source to sink lets posts go unfilled.
    """
    from ortools.graph.python import min_cost_flow

    n_needs, n_offers = len(graph.needs), len(graph.offers)
    if len(graph) == 0:
        return np.zeros(0, dtype=bool)
    source, sink = 0, 1
    need_node = 2 + np.arange(n_needs)
    offer_node = 2 + n_needs + np.arange(n_offers)
    groups: dict[str, int] = {}
    offer_group = np.full(n_offers, -1, dtype=np.int64)
    if cap_by and cap is not None:
        for i, offer in enumerate(graph.offers):
            key = cap_key(offer, cap_by)
            if key:
                offer_group[i] = groups.setdefault(key, len(groups))
    group_node = 2 + n_needs + n_offers + np.arange(len(groups))
    posts = np.asarray([n.posts for n in graph.needs], dtype=np.int64)
    capacity = np.asarray([o.capacity for o in graph.offers], dtype=np.int64)
    total_posts = int(posts.sum())

    flow = min_cost_flow.SimpleMinCostFlow()
    edge_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        need_node[graph.need_index],
        offer_node[graph.offer_index],
        np.ones(len(graph), dtype=np.int64),
        -graph.score,
    )
    used_needs = np.unique(graph.need_index)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(len(used_needs), source), need_node[used_needs], posts[used_needs],
        np.zeros(len(used_needs), dtype=np.int64),
    )  # fmt: skip
    used_offers = np.unique(graph.offer_index)
    heads = np.where(
        offer_group[used_offers] >= 0,
        group_node[np.maximum(offer_group[used_offers], 0)] if len(groups) else sink,
        sink,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        offer_node[used_offers], heads, capacity[used_offers],
        np.zeros(len(used_offers), dtype=np.int64),
    )  # fmt: skip
    if groups:
        flow.add_arcs_with_capacity_and_unit_cost(
            group_node, np.full(len(groups), sink), np.full(len(groups), cap),
            np.zeros(len(groups), dtype=np.int64),
        )  # fmt: skip
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total_posts, 0)
    flow.set_node_supply(source, total_posts)
    flow.set_node_supply(sink, -total_posts)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise EngineError(f"The min-cost flow solver stopped with status {status}.")
    return flow.flows(edge_arcs) > 0


def solve_stable(graph: Candidates) -> np.ndarray:
    """Deferred acceptance, needs proposing; each side ranks by its own stated preferences
    first, then by score. Many-to-many with posts and capacities: an offer holds its best
    `capacity` proposals, a need proposes until its posts are held or its list ends. The
    result has no blocking pair among the candidates."""
    n_needs, n_offers = len(graph.needs), len(graph.offers)
    offer_ids = {o.id: i for i, o in enumerate(graph.offers)}
    need_ids = {n.id: i for i, n in enumerate(graph.needs)}
    big = 10**6
    need_lists: list[list[tuple[int, int, int, int]]] = [[] for _ in range(n_needs)]
    need_rank_of = [
        {offer_ids[o]: r for r, o in enumerate(n.preferences) if o in offer_ids}
        for n in graph.needs
    ]
    offer_rank_of = [
        {need_ids[x]: r for r, x in enumerate(o.preferences) if x in need_ids} for o in graph.offers
    ]
    offer_key: dict[tuple[int, int], tuple[int, int, int]] = {}
    for e, (n, o, s) in enumerate(
        zip(
            graph.need_index.tolist(), graph.offer_index.tolist(), graph.score.tolist(), strict=True
        )
    ):
        need_lists[n].append((need_rank_of[n].get(o, big), -s, o, e))
        offer_key[(o, n)] = (offer_rank_of[o].get(n, big), -s, n)
    for entries in need_lists:
        entries.sort()
    pointer = [0] * n_needs
    held_by_need = [0] * n_needs
    held: list[list[tuple[tuple[int, int, int], int, int]]] = [[] for _ in range(n_offers)]
    free = [n for n in range(n_needs) if need_lists[n]]
    posts = [n.posts for n in graph.needs]
    capacity = [o.capacity for o in graph.offers]
    edge_of: dict[tuple[int, int], int] = {}
    while free:
        n = free.pop()
        while held_by_need[n] < posts[n] and pointer[n] < len(need_lists[n]):
            _rank, _s, _o, e = need_lists[n][pointer[n]]
            pointer[n] += 1
            o = int(graph.offer_index[e])
            key = offer_key[(o, n)]
            # A max-heap of held proposals by the offer's preference (worst on top).
            inverse = (-key[0], -key[1], -key[2])
            if len(held[o]) < capacity[o]:
                heapq.heappush(held[o], (inverse, n, e))
                held_by_need[n] += 1
                edge_of[(n, o)] = e
            else:
                worst_inverse, worst_n, _worst_e = held[o][0]
                if inverse > worst_inverse:  # this need is preferred to the worst held
                    heapq.heapreplace(held[o], (inverse, n, e))
                    held_by_need[n] += 1
                    held_by_need[worst_n] -= 1
                    edge_of.pop((worst_n, o), None)
                    edge_of[(n, o)] = e
                    free.append(worst_n)
    chosen = np.zeros(len(graph), dtype=bool)
    for e in edge_of.values():
        chosen[e] = True
    return chosen


def run(
    needs: Sequence[NeedUnit],
    offers: Sequence[OfferUnit],
    *,
    mode: str = "optimal",
    cap_by: str | None = None,
    cap: int | None = None,
    max_candidates: int = 25,
    explain_passed_over: int = 3,
    progress: Callable[[str, float], None] | None = None,
) -> Result:
    """Candidates, scores, assignment and explanations."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if mode == "stable" and cap_by:
        raise EngineError("Caps per organisation or nationality apply to the optimal mode only.")
    if cap_by:
        cap_key(offers[0] if offers else OfferUnit(id=""), cap_by)
        if cap is None or cap < 1:
            raise EngineError("Give a cap of at least 1.")
    graph = generate_candidates(
        needs,
        offers,
        max_candidates=max_candidates,
        progress=(lambda f: progress("candidates", f)) if progress else None,
    )
    timings["candidates"] = time.perf_counter() - started
    if progress:
        progress("assignment", 0.0)
    t = time.perf_counter()
    chosen = (
        solve_stable(graph) if mode == "stable" else solve_optimal(graph, cap_by=cap_by, cap=cap)
    )
    timings["assignment"] = time.perf_counter() - t
    t = time.perf_counter()
    assignments = explain(
        graph, chosen, cap_by=cap_by, cap=cap, limit=explain_passed_over, mode=mode
    )
    timings["explanations"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    filled: dict[int, int] = defaultdict(int)
    for n in graph.need_index[chosen].tolist():
        filled[n] += 1
    unfilled = {
        need.id: need.posts - filled.get(i, 0)
        for i, need in enumerate(needs)
        if need.posts > filled.get(i, 0)
    }
    return Result(
        assignments=assignments,
        candidates=graph,
        total=int(graph.score[chosen].sum()) if len(graph) else 0,
        timings=timings,
        unfilled=unfilled,
    )


def explain(
    graph: Candidates,
    chosen: np.ndarray,
    *,
    cap_by: str | None = None,
    cap: int | None = None,
    limit: int = 3,
    mode: str = "optimal",
) -> list[Assignment]:
    """Each chosen pair with its parts, and the better-scoring options the need did not get,
    with why (the offer's capacity taken and the lowest score it accepted, or a cap)."""
    if not len(graph):
        return []
    offer_load: dict[int, list[int]] = defaultdict(list)
    need_chosen: dict[int, list[int]] = defaultdict(list)
    group_load: dict[str, int] = defaultdict(int)
    for e in np.flatnonzero(chosen).tolist():
        n, o = int(graph.need_index[e]), int(graph.offer_index[e])
        offer_load[o].append(int(graph.score[e]))
        need_chosen[n].append(e)
        key = cap_key(graph.offers[o], cap_by) if cap_by else None
        if key:
            group_load[key] += 1
    by_need: dict[int, list[int]] = {}
    order = np.argsort(graph.need_index, kind="stable")
    bounds = np.flatnonzero(np.diff(graph.need_index[order])) + 1
    for group in np.split(order, bounds):
        if len(group):
            by_need[int(graph.need_index[group[0]])] = group.tolist()
    result: list[Assignment] = []
    for n, edges in sorted(need_chosen.items()):
        need = graph.needs[n]
        lowest_own = min(int(graph.score[e]) for e in edges)
        taken = {int(graph.offer_index[e]) for e in edges}
        passed: list[PassedOver] = []
        for e in sorted(by_need[n], key=lambda e: (-graph.score[e], e)):
            if len(passed) >= limit or graph.score[e] <= lowest_own:
                break
            o = int(graph.offer_index[e])
            if o in taken:
                continue
            offer = graph.offers[o]
            load = offer_load.get(o, [])
            key = cap_key(offer, cap_by) if cap_by else None
            if len(load) >= offer.capacity:
                passed.append(
                    PassedOver(
                        offer.id,
                        int(graph.score[e]) / 100,
                        f"capacity taken ({len(load)} of {offer.capacity}); lowest accepted "
                        f"score there {min(load) / 100:.2f}",
                        min(load) / 100,
                    )
                )
            elif key and cap is not None and group_load.get(key, 0) >= cap:
                passed.append(
                    PassedOver(
                        offer.id,
                        int(graph.score[e]) / 100,
                        f"cap of {cap} matches per {cap_by} reached ({key})",
                    )
                )
            else:
                passed.append(
                    PassedOver(
                        offer.id,
                        int(graph.score[e]) / 100,
                        "ranked below the need's own preferences"
                        if mode == "stable"
                        else "not chosen: a higher total score overall",
                    )
                )
        for e in sorted(edges, key=lambda e: -graph.score[e]):
            offer = graph.offers[int(graph.offer_index[e])]
            _total, parts = score_pair(need, offer)
            result.append(
                Assignment(
                    need_id=need.id,
                    offer_id=offer.id,
                    score=int(graph.score[e]) / 100,
                    parts=parts,
                    passed_over=passed,
                )
            )
    return result


def blocking_pairs(graph: Candidates, chosen: np.ndarray) -> list[tuple[str, str]]:
    """Candidate pairs that would both rather be together (for checking stability)."""
    offer_ids = {o.id: i for i, o in enumerate(graph.offers)}
    need_ids = {n.id: i for i, n in enumerate(graph.needs)}
    big = 10**6

    def need_pref(n: int, o: int, s: int) -> tuple[int, int, int]:
        ranks = {
            offer_ids[x]: r for r, x in enumerate(graph.needs[n].preferences) if x in offer_ids
        }
        return (ranks.get(o, big), -s, o)

    def offer_pref(o: int, n: int, s: int) -> tuple[int, int, int]:
        ranks = {need_ids[x]: r for r, x in enumerate(graph.offers[o].preferences) if x in need_ids}
        return (ranks.get(n, big), -s, n)

    need_held: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    offer_held: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for e in np.flatnonzero(chosen).tolist():
        n, o, s = int(graph.need_index[e]), int(graph.offer_index[e]), int(graph.score[e])
        need_held[n].append(need_pref(n, o, s))
        offer_held[o].append(offer_pref(o, n, s))
    found = []
    for e in range(len(graph)):
        if chosen[e]:
            continue
        n, o, s = int(graph.need_index[e]), int(graph.offer_index[e]), int(graph.score[e])
        need_wants = len(need_held[n]) < graph.needs[n].posts or need_pref(n, o, s) < max(
            need_held[n]
        )
        offer_wants = len(offer_held[o]) < graph.offers[o].capacity or offer_pref(o, n, s) < max(
            offer_held[o]
        )
        if need_wants and offer_wants:
            found.append((graph.needs[n].id, graph.offers[o].id))
    return found


def iter_rows(result: Result) -> Iterable[tuple[str, str, float, str]]:
    """need_id, offer_id, score, reasons — one per assigned post (the MATCHES.csv rows)."""
    for a in result.assignments:
        yield a.need_id, a.offer_id, a.score, a.reasons
