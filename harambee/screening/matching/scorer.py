"""Scoring two names, and a query against a list entry, with the explanation of each score.

Name score (0..1): query and list tokens are aligned one to one (token order does not matter),
highest similarity first; two adjacent tokens may align with one ("Abdul Hai" / "Abdulhai").
Token similarity: 1 for the same token, 0.95 for the same romanisation key, else the Levenshtein
similarity of the keys (a phonetic-key match counts as at least 0.85), kept only from 0.7 up;
tokens of three letters or fewer never fuzzy-match. Each side's coverage is the weighted share
of its tokens matched; the score is 0.6 x the larger coverage + 0.4 x the smaller.
Then:
- a person's name matched on one token only, when the other side has more, is capped at 0.7;
- a match made only of very common given names, when the list name has more, is capped at 0.6;
- names from scripts that leave vowels out (Arabic, Persian, Hebrew, Thai) are also compared
  on consonant skeletons (x 0.95), names from scripts without word breaks (Chinese, Korean,
  Japanese, Thai) on their joined letters (x 0.9); the better score counts.
Entry score: the best of its names; a weak alias counts x 0.92; date of birth that disagrees
lowers it (0.15; 0.05 when a year off by one; 0.08 same year other day), nationality that
disagrees lowers it by 0.10; neither ever raises it. An identical identifier (passport,
registration number...) is a hit at 1.0 whatever the name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA, Indel, Levenshtein

from .normalize import NormName, Token

DEFAULT_THRESHOLD = 0.80
TOKEN_CUTOFF = 0.70
SHORT = 3
WEAK_ALIAS_FACTOR = 0.92
SKELETON_FACTOR = 0.95
JOINED_FACTOR = 0.90
SINGLE_TOKEN_CAP = 0.70
COMMON_NAME_CAP = 0.60
DOB_MISMATCH = 0.15
DOB_NEAR = 0.05
DOB_SAME_YEAR = 0.08
NATIONALITY_MISMATCH = 0.10
CONFLICT_PENALTY = 0.10
INITIAL = 0.8


# Words that do not tell one organisation from another.
GENERIC_WORDS = frozenset(
    [
        "movement",
        "group",
        "company",
        "trading",
        "trade",
        "bank",
        "foundation",
        "organization",
        "organisation",
        "party",
        "front",
        "brigade",
        "brigades",
        "army",
        "association",
        "society",
        "international",
        "industries",
        "industrial",
        "holding",
        "holdings",
        "enterprise",
        "enterprises",
        "services",
        "service",
        "network",
        "committee",
        "council",
        "union",
        "institute",
        "center",
        "centre",
        "charity",
        "relief",
        "fund",
        "agency",
        "office",
        "general",
        "national",
        "islamic",
        "shipping",
        "airlines",
        "airline",
        "airways",
        "exchange",
        "investment",
        "investments",
        "development",
        "import",
        "export",
        "commercial",
        "management",
        "partners",
        "resources",
    ]
)


@lru_cache(maxsize=1_000_000)
def _key_sim(a: str, b: str, pa: str, pb: str) -> float:
    if a == b:
        return 0.95
    phonetic = bool(pa) and pa == pb and a[0] == b[0]
    if len(a) <= SHORT or len(b) <= SHORT:
        # Short tokens never fuzzy-match; a sound-alike of 3+ letters (Jon/John) may.
        return 0.85 if phonetic and min(len(a), len(b)) >= SHORT else 0.0
    score = OSA.normalized_similarity(a, b)
    if phonetic:
        score = max(score, 0.85)
    return score if score >= TOKEN_CUTOFF else 0.0


_SIMS: dict[tuple[str, str], float] = {}
_SIMS_MAX = 2_000_000


def token_sim(a: Token, b: Token) -> float:
    """Similarity of two tokens, remembered by their texts (a token is a function of its text,
    see `normalize.make_token`), so a batch computes each pair of words once."""
    pair = (a.text, b.text)
    score = _SIMS.get(pair)
    if score is None:
        if len(_SIMS) >= _SIMS_MAX:
            _SIMS.clear()
        score = _SIMS[pair] = _token_sim(a, b)
    return score


def _token_sim(a: Token, b: Token) -> float:
    if a.text == b.text:
        return 1.0
    if len(a.text) == 1 or len(b.text) == 1:  # an initial: N. / Nursultan
        return INITIAL if a.text[0] == b.text[0] else 0.0
    score = _key_sim(a.key, b.key, a.phon, b.phon)
    if score < 0.95 and len(a.text) > SHORT and len(b.text) > SHORT:
        # A typo can hide a variant the key folds (Adbul/Abdul): the letters as written too.
        score = max(score, _key_sim(a.text, b.text, "", ""))
    return score


@lru_cache(maxsize=200_000)
def _skel_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0 if a else 0.0
    if len(a) < SHORT or len(b) < SHORT:
        return 0.0
    score = Levenshtein.normalized_similarity(a, b)
    return score if score >= 0.75 else 0.0


@dataclass
class Alignment:
    score: float
    parts: list[dict[str, Any]]
    unmatched_query: list[str]
    unmatched_list: list[str]
    method: str = "tokens"
    caps: list[str] = field(default_factory=list)


def _align(qt: tuple[Token, ...], ct: tuple[Token, ...], skel: bool = False) -> Alignment:
    pairs: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            s = _skel_sim(a.skel, b.skel) if skel else token_sim(a, b)
            if s > 0:
                pairs.append((s, (i,), (j,)))
    pairs.sort(key=lambda p: -p[0])
    used_q: set[int] = set()
    used_c: set[int] = set()
    chosen: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for s, qi, cj in pairs:
        if qi[0] in used_q or cj[0] in used_c:
            continue
        used_q.add(qi[0])
        used_c.add(cj[0])
        chosen.append((s, qi, cj))
    # Joined or split tokens: an unmatched token against two adjacent unmatched ones.
    free_q, free_c = len(qt) - len(used_q), len(ct) - len(used_c)
    if free_q >= 1 and free_c >= 2:
        chosen.extend(_joins(qt, ct, used_q, used_c, skel))
        free_q, free_c = len(qt) - len(used_q), len(ct) - len(used_c)
    if free_c >= 1 and free_q >= 2:
        chosen.extend((s, qi, cj) for s, cj, qi in _joins(ct, qt, used_c, used_q, skel))
    wq = sum(t.weight for t in qt) or 1.0
    wc = sum(t.weight for t in ct) or 1.0
    mq = mc = 0.0
    parts: list[dict[str, Any]] = []
    for s, qi, cj in chosen:
        mq += s * sum(qt[i].weight for i in qi)
        mc += s * sum(ct[j].weight for j in cj)
        parts.append(
            {
                "query": " ".join(qt[i].text for i in qi),
                "list": " ".join(ct[j].text for j in cj),
                "score": round(s, 3),
            }
        )
    cov_q, cov_c = min(mq / wq, 1.0), min(mc / wc, 1.0)
    score = 0.6 * max(cov_q, cov_c) + 0.4 * min(cov_q, cov_c)
    # A name part on each side that matches nothing on the other is a different name, not a
    # missing one (Ahmed/Mohamed in "Abd el Kader Mahmoud X el Sayed").
    conflicts = min(
        sum(1 for i, t in enumerate(qt) if i not in used_q and not t.particle),
        sum(1 for j, t in enumerate(ct) if j not in used_c and not t.particle),
    )
    caps = []
    if conflicts and score > 0:
        score = max(score - CONFLICT_PENALTY * conflicts, 0.0)
        caps.append(f"{conflicts} name part(s) differ (-{CONFLICT_PENALTY * conflicts:.2f})")
    return Alignment(
        score=score,
        caps=caps,
        parts=parts,
        unmatched_query=[t.text for i, t in enumerate(qt) if i not in used_q],
        unmatched_list=[t.text for j, t in enumerate(ct) if j not in used_c],
        method="consonant skeleton" if skel else "tokens",
    )


def _joins(
    qt: tuple[Token, ...],
    ct: tuple[Token, ...],
    used_q: set[int],
    used_c: set[int],
    skel: bool,
) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    found: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for i, a in enumerate(qt):
        if i in used_q:
            continue
        left = a.skel if skel else a.key
        if len(left) < 4:
            continue
        best: tuple[float, tuple[int, ...]] | None = None
        for j in range(len(ct) - 1):
            # Two adjacent tokens, or two around a particle ("Abd al Rahman" / "Abdelrahman").
            spans: list[tuple[int, ...]] = [(j, j + 1)]
            if j + 2 < len(ct) and ct[j + 1].particle:
                spans.append((j, j + 1, j + 2))
            for span in spans:
                if any(k in used_c for k in span):
                    continue
                ends = (ct[span[0]], ct[span[-1]])
                right = "".join(t.skel if skel else t.key for t in ends)
                s = 1.0 if left == right else OSA.normalized_similarity(left, right)
                if s >= 0.8 and (best is None or s > best[0]):
                    best = (s, span)
        if best is not None:
            s, span = best
            used_q.add(i)
            used_c.update(span)
            found.append((s, (i,), span))
    return found


_BOUND_SLACK = 1e-9  # float rounding: the bound is summed in another order than the score


def _join_bound(
    left: tuple[Token, ...],
    right: NormName,
    ub_l: list[float],
    ub_r: list[float],
    skel: bool,
) -> None:
    """Raise the bounds of the tokens a join (one token of `left` against two or three
    adjacent tokens of `right`, see `_joins`) could match to the similarity of that join."""
    spans = right.spans
    for i, a in enumerate(left):
        key = a.skel if skel else a.key
        la = len(key)
        if la < 4:
            continue
        la4, la5 = 4 * la, 5 * la
        for run, joined_key, joined_skel in spans:
            joined = joined_skel if skel else joined_key
            lr = len(joined)
            if 5 * lr < la4 or la5 < 4 * lr:
                continue  # a similarity is at most the ratio of the lengths (here < 0.8)
            ratio = 1.0 if joined == key else OSA.normalized_similarity(key, joined)
            if ratio < 0.8:
                continue
            if ratio > ub_l[i]:
                ub_l[i] = ratio
            for k in run:
                if ratio > ub_r[k]:
                    ub_r[k] = ratio


def _align_bound(query: NormName, candidate: NormName, skel: bool = False) -> float:
    """An upper bound of `_align(qt, ct, skel).score`: each token is matched at most once (by
    a pair or a join), so its part of the coverage is at most its weight times its best pair
    or join similarity; conflicts only lower the score."""
    qt, ct = query.tokens, candidate.tokens
    ub_q, ub_c = _pair_bounds(qt, ct, skel)
    if candidate.spans:
        _join_bound(qt, candidate, ub_q, ub_c, skel)
    if query.spans:
        _join_bound(ct, query, ub_c, ub_q, skel)
    wq = sum(t.weight for t in qt) or 1.0
    wc = sum(t.weight for t in ct) or 1.0
    cov_q = min(sum(t.weight * u for t, u in zip(qt, ub_q, strict=True)) / wq, 1.0)
    cov_c = min(sum(t.weight * u for t, u in zip(ct, ub_c, strict=True)) / wc, 1.0)
    return 0.6 * max(cov_q, cov_c) + 0.4 * min(cov_q, cov_c)


def _pair_bounds(
    qt: tuple[Token, ...], ct: tuple[Token, ...], skel: bool
) -> tuple[list[float], list[float]]:
    """The best pair similarity of each token of either side."""
    ub_q = [0.0] * len(qt)
    ub_c = [0.0] * len(ct)
    sims = _SIMS
    for i, a in enumerate(qt):
        at, ask = a.text, a.skel
        for j, b in enumerate(ct):
            if skel:
                s = _skel_sim(ask, b.skel)
            else:
                found = sims.get((at, b.text))
                s = token_sim(a, b) if found is None else found
            if s > ub_q[i]:
                ub_q[i] = s
            if s > ub_c[j]:
                ub_c[j] = s
    return ub_q, ub_c


_BOUND_SLACK = 1e-9  # float rounding: the bound is summed in another order than the score


def score_bound(query: NormName, candidate: NormName) -> float:
    """A cheap upper bound of `compare_names(query, candidate).score`, used to skip the full
    alignment (and its explanation) of candidates that cannot reach the threshold.

    Every way `compare_names` scores is bounded: token alignment and consonant skeletons by
    `_align_bound`, joined letters and letters end to end computed as they are; the caps only
    lower the score. This is the reference: screening computes the same bound for a whole
    batch of pairs in arrays (`batch.bounds_many`).
    """
    qt, ct = query.tokens, candidate.tokens
    if not qt or not ct:
        return 0.0
    bound = _align_bound(query, candidate)
    if query.abjad or candidate.abjad:
        bound = max(bound, _align_bound(query, candidate, skel=True) * SKELETON_FACTOR)
    if query.loose or candidate.loose:
        joined = Indel.normalized_similarity(query.joined, candidate.joined) * JOINED_FACTOR
        bound = max(bound, joined)
    if bound < 0.9:
        left = "".join(t.key for t in qt)
        right = "".join(t.key for t in ct)
        joined = Levenshtein.normalized_similarity(left, right)
        if joined >= 0.9:
            bound = max(bound, joined * SKELETON_FACTOR)
    return bound + _BOUND_SLACK


def compare_names(query: NormName, candidate: NormName, schema: str = "") -> Alignment:
    """Score two normalised names (symmetric but for the caps' wording)."""
    if not query.tokens or not candidate.tokens:
        return Alignment(0.0, [], [], [])
    best = _align(query.tokens, candidate.tokens)
    if query.abjad or candidate.abjad:
        alt = _align(query.tokens, candidate.tokens, skel=True)
        alt.score *= SKELETON_FACTOR
        if alt.score > best.score:
            best = alt
    if query.loose or candidate.loose:
        joined = Indel.normalized_similarity(query.joined, candidate.joined) * JOINED_FACTOR
        if joined > best.score:
            best = Alignment(
                joined,
                [{"query": query.joined, "list": candidate.joined, "score": round(joined, 3)}],
                [],
                [],
                method="joined letters",
            )
    if best.score < 0.9 and (best.unmatched_query or best.unmatched_list):
        # Tokens split in other places ("Myongc Hin" / "Myong Chin"): the letters end to end.
        left = "".join(t.key for t in query.tokens)
        right = "".join(t.key for t in candidate.tokens)
        joined = Levenshtein.normalized_similarity(left, right)
        if joined >= 0.9 and joined * SKELETON_FACTOR > best.score:
            best = Alignment(
                joined * SKELETON_FACTOR,
                [{"query": query.latin, "list": candidate.latin, "score": round(joined, 3)}],
                [],
                [],
                method="letters end to end",
            )
    if best.method == "tokens":
        matched_q = [t for t in query.tokens if t.text not in best.unmatched_query]
        meaningful = [t for t in matched_q if not t.particle]
        matched_c = [
            t for t in candidate.tokens if t.text not in best.unmatched_list and not t.particle
        ]
        # Numbers (Victory 3) do not make a second name part for this rule.
        longer = max(
            sum(1 for t in query.tokens if not t.particle and not t.text.isdigit()),
            sum(1 for t in candidate.tokens if not t.particle and not t.text.isdigit()),
        )
        generic = schema in {"organisation", "vessel", "aircraft"} and all(
            t in GENERIC_WORDS for t in best.unmatched_query + best.unmatched_list
        )
        single = max(len(meaningful), len(matched_c)) <= 1
        if single and longer >= 2 and not generic and best.score > SINGLE_TOKEN_CAP:
            best.score = SINGLE_TOKEN_CAP
            best.caps.append("only one name part matches")
        unmatched_list = [
            t for t in candidate.tokens if t.text in best.unmatched_list and not t.particle
        ]
        if (
            meaningful
            and all(t.common for t in meaningful)
            and unmatched_list
            and best.score > COMMON_NAME_CAP
        ):
            best.score = COMMON_NAME_CAP
            best.caps.append("only common given names match")
    return best


# --- dates of birth and nationality -------------------------------------------------------


def parse_query_date(value: str | None) -> tuple[datetime.date, datetime.date, bool] | None:
    """'YYYY' or 'YYYY-MM-DD' (or 'YYYY-MM') -> (from, to, exact_day)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 4 and value.isdigit():
            year = int(value)
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31), False
        if len(value) == 7:
            first = datetime.date.fromisoformat(value + "-01")
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            return first, last, False
        day = datetime.date.fromisoformat(value[:10])
        return day, day, True
    except ValueError:
        return None


def dob_penalty(
    query: tuple[datetime.date, datetime.date, bool] | None,
    listed: tuple[tuple[datetime.date, datetime.date], ...],
) -> tuple[float, str]:
    """How much a date of birth lowers the score, and why ('' when it does not)."""
    if query is None or not listed:
        return 0.0, ""
    q_from, q_to, _exact = query
    best = None
    for d_from, d_to in listed:
        if d_from <= q_to and q_from <= d_to:
            return 0.0, "date of birth agrees"
        if d_from.year <= q_to.year and q_from.year <= d_to.year:
            penalty = DOB_SAME_YEAR
        else:
            gap = min(abs(q_from.year - d_to.year), abs(d_from.year - q_to.year))
            penalty = DOB_NEAR if gap <= 1 else DOB_MISMATCH
        best = penalty if best is None else min(best, penalty)
    assert best is not None
    return best, "date of birth differs"


def nationality_penalty(query: str | None, listed: frozenset[str]) -> tuple[float, str]:
    if not query or not listed:
        return 0.0, ""
    if query in listed:
        return 0.0, "nationality agrees"
    return NATIONALITY_MISMATCH, "nationality differs"
