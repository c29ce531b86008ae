"""Likely duplicate organisations: the same body under a slightly different name.

Names are normalised (case, accents, punctuation, legal-form and stop words, word order) and
compared with rapidfuzz against an in-process index of every organisation. The index is rebuilt
only when the organisations table changes, checked by one cheap aggregate query per search, so a
search over tens of thousands of organisations is a few milliseconds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from normality import normalize
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from harambee.core.errors import ErrorCode, ServiceError

from .models import Organisation

# Words that say what legal form a body has, not which body it is.
LEGAL_FORMS = frozenset(
    [
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "plc",
        "pty",
        "pvt",
        "corp",
        "corporation",
        "co",
        "company",
        "cie",
        "gmbh",
        "ggmbh",
        "ev",
        "ag",
        "kg",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "aps",
        "cic",
        "asbl",
        "aisbl",
        "vzw",
    ]
)
STOP_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "in",
        "on",
        "at",
        "to",
        "a",
        "an",
        "by",
        "with",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "pour",
        "en",
        "au",
        "aux",
        "der",
        "die",
        "das",
        "und",
        "fur",
        "von",
        "el",
        "los",
        "las",
        "y",
        "del",
    ]
)
# Spelling variants that mean the same word.
SYNONYMS = {
    "organization": "organisation",
    "organizations": "organisations",
    "program": "programme",
    "programs": "programmes",
    "center": "centre",
    "centers": "centres",
}

# A candidate needs this similarity (0-100) between normalised names ...
NAME_THRESHOLD = 88.0
# ... or one typing mistake in a name of 5+ letters, two in one of 10+ (shorter names that
# differ by a letter or two are as often different bodies as typos).
TYPOS_ALLOWED = ((10, 2), (5, 1))
ACRONYM_SCORE = 90.0
# Above this, names are alike whatever words differ; below it, the words that differ must look
# like typos of each other: "Kenya Red Cross Society" is not "Zambia Red Cross Society".
SURE_SCORE = 95.0
# rapidfuzz's own cut-off, the lowest similarity the rules above can accept: two typos in the
# shortest name they are allowed in (10 letters) still leave 1 - 4/20 = 80% (one in 5: 80%).
_PREFILTER = 80.0

_DROP_INSIDE_WORDS = re.compile("[.'\u2019`]")


@lru_cache(maxsize=65536)
def normalise_name(text: str | None) -> str:
    """A name reduced to what identifies the body: 'The Danish Refugee Council Ltd.' and
    'danish refugee council' give the same string. Words are sorted, so order does not count.
    Cached: an import asks for the same few hundred names tens of thousands of times."""
    return " ".join(sorted(_tokens(text)))


def _tokens(text: str | None) -> list[str]:
    if not text:
        return []
    # "e.V.", "S.A.", "U.N.H.C.R." and "d'Ivoire" are single words, not letters.
    plain = normalize(_DROP_INSIDE_WORDS.sub("", str(text).replace("&", " and ")), ascii=True)
    if not plain:
        return []
    words = [SYNONYMS.get(word, word) for word in plain.split()]
    kept = [w for w in words if w not in LEGAL_FORMS and w not in STOP_WORDS]
    # A name made only of such words ("The Company") is still a name.
    return kept or words


def _differences_are_typos(tokens: list[str], other: str) -> bool:
    """Whether the words only one of two names has are misspellings of each other's."""
    mine, theirs = Counter(tokens), Counter(other.split())
    only_mine = " ".join(sorted((mine - theirs).elements()))
    only_theirs = " ".join(sorted((theirs - mine).elements()))
    if not only_mine or not only_theirs:
        return True  # reordered, or one name has extra words: the score decides
    allowed = 2 if min(len(only_mine), len(only_theirs)) >= 6 else 1
    return Levenshtein.distance(only_mine, only_theirs) <= allowed


@lru_cache(maxsize=65536)
def normalise_acronym(text: str | None) -> str:
    """Letters and digits only, upper case, accents removed: 'u.n.h.c.r' -> 'UNHCR'."""
    if not text:
        return ""
    plain = normalize(str(text), ascii=True) or ""
    return re.sub(r"[^a-z0-9]", "", plain).upper()


@dataclass(frozen=True)
class DuplicateCandidate:
    """An existing organisation that may be the one being entered, with why we think so."""

    organisation: Organisation
    score: float
    reasons: list[str] = field(default_factory=list)


class DuplicateSuspected(ServiceError):
    """Raised by organisation_create when likely duplicates exist; `.candidates` lists them."""

    code = ErrorCode.DUPLICATE_SUSPECTED

    def __init__(self, candidates: list[DuplicateCandidate], message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "This organisation may already be registered. Check the similar organisations "
                "and confirm that it is a different one."
            )
        )
        self.candidates = candidates


@dataclass
class _Index:
    """Parallel lists, one entry per name (main name and each other name) of each organisation."""

    key: tuple[Any, ...]
    pks: list[int] = field(default_factory=list)
    sorted_names: list[str] = field(default_factory=list)
    ordered_names: list[str] = field(default_factory=list)
    is_other_name: list[bool] = field(default_factory=list)
    acronyms: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    compact_names: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, pk: int, name: str, other: bool) -> None:
        tokens = _tokens(name)
        if not tokens:
            return
        self.pks.append(pk)
        self.sorted_names.append(" ".join(sorted(tokens)))
        self.ordered_names.append(" ".join(tokens))
        self.is_other_name.append(other)
        self.compact_names[normalise_acronym(name)].append(pk)


_lock = threading.Lock()
_index: _Index | None = None
_generation = 0


def _bump_generation(**kwargs: Any) -> None:
    global _generation
    _generation += 1


post_save.connect(_bump_generation, sender=Organisation, dispatch_uid="duplicates-index-save")
post_delete.connect(_bump_generation, sender=Organisation, dispatch_uid="duplicates-index-delete")


def _current_key() -> tuple[Any, ...]:
    # Other processes change the table too: a count, the newest key and the latest edit tell.
    stats = Organisation._base_manager.aggregate(
        n=Count("pk"), last=Max("pk"), changed=Max("updated_at")
    )
    return (_generation, stats["n"], stats["last"], stats["changed"])


def build_index(rows: Iterable[tuple[int, str, str, list[str] | None]], key: Any = None) -> _Index:
    """The search index for (pk, name, acronym, other names) rows."""
    index = _Index(key=key if isinstance(key, tuple) else (key,))
    for pk, name, acronym, other_names in rows:
        index.add(pk, name, other=False)
        for other in other_names or []:
            index.add(pk, str(other), other=True)
        if acronym and normalise_acronym(acronym):
            index.acronyms[normalise_acronym(acronym)].append(pk)
    return index


# Changes made in this process are seen at once (signals); changes made by other processes
# (workers, importers) are looked for in the database at most this often.
RECHECK_SECONDS = 2.0
_checked_at = 0.0


def get_index() -> _Index:
    """The index of every organisation, rebuilt when the table has changed since last time."""
    global _index, _checked_at
    current = _index
    now = time.monotonic()
    if (
        current is not None
        and current.key[0] == _generation
        and now - _checked_at < RECHECK_SECONDS
    ):
        return current
    key = _current_key()
    _checked_at = now
    if current is not None and current.key == key:
        return current
    with _lock:
        if _index is not None and _index.key == key:
            return _index
        rows = Organisation._base_manager.values_list("pk", "name", "acronym", "other_names")
        _index = build_index(rows.iterator(chunk_size=5000), key=key)
        return _index


def clear_index() -> None:
    global _index, _checked_at
    with _lock:
        _index = None
        _checked_at = 0.0


def score_candidates(
    index: _Index, name: str, acronym: str = "", *, exclude_pk: int | None = None
) -> dict[int, tuple[float, list[str]]]:
    """Score every organisation in the index against a name and acronym: {pk: (score, reasons)}."""
    tokens = _tokens(name)
    query_sorted = " ".join(sorted(tokens))
    query_ordered = " ".join(tokens)
    found: dict[int, tuple[float, list[str]]] = {}

    def note(pk: int, score: float, reason: str) -> None:
        if pk == exclude_pk:
            return
        best, reasons = found.get(pk, (0.0, []))
        if reason not in reasons:
            reasons = [*reasons, reason]
        found[pk] = (max(best, score), reasons)

    if query_sorted:
        hits: dict[int, float] = {}
        # Sorted words catch reordering; words in their order catch a typo that moves a word.
        for query, names in (
            (query_sorted, index.sorted_names),
            (query_ordered, index.ordered_names),
        ):
            for _choice, score, i in process.extract(
                query, names, scorer=fuzz.ratio, score_cutoff=_PREFILTER, limit=None
            ):
                hits[i] = max(hits.get(i, 0.0), score)
        for i, score in hits.items():
            other = index.is_other_name[i]
            if score < NAME_THRESHOLD:
                shortest = min(len(query_sorted), len(index.sorted_names[i]))
                allowed = next((n for length, n in TYPOS_ALLOWED if shortest >= length), 0)
                typos = min(
                    Levenshtein.distance(query_sorted, index.sorted_names[i], score_cutoff=3),
                    Levenshtein.distance(query_ordered, index.ordered_names[i], score_cutoff=3),
                )
                if typos > allowed:
                    continue
            if score < SURE_SCORE and not _differences_are_typos(tokens, index.sorted_names[i]):
                continue
            if score >= 99.99:
                reason = _("Same name as one of its other names") if other else _("Same name")
            else:
                reason = (
                    _("Name %(score)d%% similar to one of its other names")
                    if other
                    else _("Name %(score)d%% similar")
                ) % {"score": round(score)}
            note(index.pks[i], round(score, 1), reason)

    code = normalise_acronym(acronym)
    if code:
        for pk in index.acronyms.get(code, []):
            note(pk, ACRONYM_SCORE, _("Same acronym (%(acronym)s)") % {"acronym": code})
        for pk in index.compact_names.get(code, []):
            note(pk, ACRONYM_SCORE, _("Its name is this acronym (%(acronym)s)") % {"acronym": code})
    compact = normalise_acronym(name)
    if compact and len(tokens) == 1:
        for pk in index.acronyms.get(compact, []):
            note(
                pk,
                ACRONYM_SCORE,
                _("This name is its acronym (%(acronym)s)") % {"acronym": compact},
            )
    return found


def find_duplicates(
    name: str,
    acronym: str = "",
    *,
    exclude_pk: int | None = None,
    limit: int = 5,
    queryset: QuerySet[Organisation] | None = None,
) -> list[DuplicateCandidate]:
    """Existing organisations whose name or acronym is close to these, best first.

    `queryset` limits candidates to those rows (e.g. what the user may see); scoring runs over
    the cached index of all organisations and only the best few rows are read from the database.
    """
    scored = score_candidates(get_index(), name, acronym, exclude_pk=exclude_pk)
    if not scored:
        return []
    ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[0]))
    # Some of the best may be hidden from the user: read a few more than needed.
    wanted = [pk for pk, _score in ranked[: max(limit * 4, 20)]]
    base = queryset if queryset is not None else Organisation._base_manager.all()
    rows = {org.pk: org for org in base.filter(pk__in=wanted).select_related("hq_country")}
    result = [
        DuplicateCandidate(organisation=rows[pk], score=score, reasons=reasons)
        for pk, (score, reasons) in ranked
        if pk in rows
    ]
    return result[:limit]
