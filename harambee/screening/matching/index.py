"""The in-memory screening index: every name of the active list versions, normalised once.

Candidate search goes through inverted keys, never a scan of all names:
- `t:` token romanisation keys, and the keys of two adjacent tokens joined (split/joined names);
- `p:` phonetic keys (metaphone) of tokens of three letters or more;
- `g:` character trigrams of tokens of five letters or more, and `d:` the token with one letter
  left out (4 to 8 letters), for typos; such keys held by more than `MAX_GRAM_SHARE` of the
  names are dropped;
- `s:` consonant skeletons, looked up for queries written in scripts without vowels.
The postings are one sparse keys x names matrix: a batch of queries, as a (queries x keys)
matrix of the keys' IDF, times it gives every query's tallies at once (`candidates_many`), and
the best `CANDIDATES` names of each are scored (first against a cheap upper bound of the score,
`batch.bounds_many`, then in full only if that bound reaches the threshold).

Memory: for UN + OFAC SDN + non-SDN (about 29,000 names of 10,400 entries, 147,000 keys) the
index takes about 100 MB and builds in about 3 seconds; it is built once per set of active
list versions and kept in the process (see `cached_index`).
"""

from __future__ import annotations

import datetime
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy.sparse import csr_matrix

from .batch import Names, Vocabulary
from .normalize import NormName, make_token, normalize

CANDIDATES = 16
MIN_SHARE = 0.35  # a candidate's key tally must reach this share of the best one's
MAX_GRAM_SHARE = 0.02
_ID_CLEAN = re.compile(r"[^A-Z0-9]")


def normalise_identifier(value: str) -> str:
    return _ID_CLEAN.sub("", (value or "").upper())


@dataclass(slots=True)
class IndexedEntry:
    entry_id: int
    version_id: int
    source: str  # publisher kind: un, ofac, eu, uk
    list_code: str
    ref: str
    entity_type: str
    primary_name: str
    birth_dates: tuple[tuple[datetime.date, datetime.date], ...]
    nationalities: frozenset[str]
    identifiers: tuple[tuple[str, str, str], ...]  # (kind, number, normalised)


@dataclass(slots=True)
class IndexedName:
    entry: int  # position in ListIndex.entries
    name: str
    kind: str
    quality: str
    norm: NormName


def _schema(entity_type: str) -> str:
    return entity_type if entity_type in {"person", "organisation"} else "organisation"


@lru_cache(maxsize=262144)
def token_keys(text: str, alone: bool = False, skeleton: bool = True) -> tuple[str, ...]:
    """The keys of one token (a function of its text): `alone` when it is the whole name,
    `skeleton` to include its consonant skeleton."""
    tok = make_token(text)
    keys: dict[str, None] = {}
    if not tok.particle or alone:
        keys["t:" + tok.key] = None
    if tok.phon:
        keys["p:" + tok.phon] = None
    if len(tok.key) >= 5:
        keys.update(dict.fromkeys("g:" + tok.key[k : k + 3] for k in range(len(tok.key) - 2)))
    if 4 <= len(text) <= 8 and not text.isdigit():
        # One letter left out: typos and swapped letters (Afiz/Faiz, Lakahl/Lakhal).
        keys.update(dict.fromkeys("d:" + text[:k] + text[k + 1 :] for k in range(len(text))))
    if len(tok.skel) >= 2 and skeleton:
        keys["s:" + tok.skel] = None
    return tuple(keys)


def name_keys(norm: NormName, *, query: bool = False) -> list[str]:
    """The keys of a name, each once: its tokens' keys, adjacent tokens joined, and for names
    written without word breaks, trigrams of the joined letters."""
    tokens = norm.tokens
    alone = len(tokens) == 1
    skeleton = not query or norm.abjad
    keys: dict[str, None] = {}
    for i, tok in enumerate(tokens):
        keys.update(dict.fromkeys(token_keys(tok.text, alone, skeleton)))
        if i + 1 < len(tokens):
            keys["t:" + tok.key + tokens[i + 1].key] = None
            if query and norm.abjad:
                keys["s:" + tok.skel + tokens[i + 1].skel] = None
    if norm.loose:
        joined = norm.joined
        keys.update(dict.fromkeys("g:" + joined[k : k + 3] for k in range(max(len(joined) - 2, 0))))
    return list(keys)


class ListIndex:
    def __init__(self, entries: list[IndexedEntry], names: list[IndexedName]) -> None:
        self.entries = entries
        self.names = names
        postings: dict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(names):
            for key in name_keys(name.norm):
                postings[key].append(number)
        total = max(len(names), 1)
        cap = max(int(total * MAX_GRAM_SHARE), 50)
        # Keys x names, one row per key: a batch's tallies are one sparse product.
        self.key_ids: dict[str, int] = {}
        idf: list[float] = []
        rows: list[list[int]] = []
        for key, numbers in postings.items():
            if key[0] in "gd" and len(numbers) > cap:
                continue
            self.key_ids[key] = len(rows)
            rows.append(numbers)
            idf.append(math.log(1 + total / len(numbers)))
        self.idf = np.asarray(idf, dtype=np.float32)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(r) for r in rows])
        self.key_names = csr_matrix(
            (
                np.ones(int(indptr[-1]), dtype=np.float32),
                np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1])),
                indptr,
            ),
            shape=(len(rows), len(names)),
        )
        self.vocabulary = Vocabulary()
        self.arrays = Names.of([n.norm for n in names], self.vocabulary, learn=True)
        self.weak = np.array([n.quality == "weak" for n in names], dtype=bool)
        self._token_columns: dict[tuple[str, bool, bool], list[int]] = {}
        self.by_identifier: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(entries):
            for _kind, _number, norm_id in entry.identifiers:
                if len(norm_id) >= 4:
                    self.by_identifier[norm_id].append(position)
        self.version_ids = tuple(sorted({e.version_id for e in entries}))

    def __len__(self) -> int:
        return len(self.names)

    def _query_columns(self, norm: NormName) -> list[int]:
        """The key numbers of a query name (`name_keys(norm, query=True)` of this index), each
        once; each token's own keys looked up once per process."""
        key_ids, known = self.key_ids, self._token_columns
        tokens = norm.tokens
        alone = len(tokens) == 1
        columns: dict[int, None] = {}
        for i, tok in enumerate(tokens):
            found = known.get((tok.text, alone, norm.abjad))
            if found is None:
                keys = token_keys(tok.text, alone, norm.abjad)
                found = known[(tok.text, alone, norm.abjad)] = [
                    key_ids[k] for k in keys if k in key_ids
                ]
            columns.update(dict.fromkeys(found))
            if i + 1 < len(tokens):
                extra = ["t:" + tok.key + tokens[i + 1].key]
                if norm.abjad:
                    extra.append("s:" + tok.skel + tokens[i + 1].skel)
                columns.update((key_ids[k], None) for k in extra if k in key_ids)
        if norm.loose:
            joined = norm.joined
            grams = ("g:" + joined[k : k + 3] for k in range(max(len(joined) - 2, 0)))
            columns.update((key_ids[k], None) for k in grams if k in key_ids)
        return list(columns)

    def candidates(self, norm: NormName, limit: int = CANDIDATES) -> list[int]:
        """Numbers of the names that share the most (IDF-weighted) keys with the query."""
        return self.candidates_many([norm], limit)[0]

    def candidates_many(
        self, norms: Sequence[NormName], limit: int = CANDIDATES
    ) -> list[list[int]]:
        """`candidates` of each query: the names whose key tally reaches MIN_SHARE of the best
        one's, the `limit` best (ties: the lower name number), for a batch in one sparse
        product (queries x keys) x (keys x names)."""
        columns: list[int] = []
        indptr = [0]
        for norm in norms:
            columns.extend(self._query_columns(norm))
            indptr.append(len(columns))
        if not columns or not self.names:
            return [[] for _ in norms]
        cols = np.asarray(columns, dtype=np.int32)
        query_keys = csr_matrix(
            (self.idf[cols], cols, np.asarray(indptr, dtype=np.int64)),
            shape=(len(norms), self.key_names.shape[0]),
        )
        tally = query_keys @ self.key_names
        indptr_t, values, numbers = tally.indptr, tally.data, tally.indices
        counts = np.diff(indptr_t)
        best = np.zeros(len(norms), dtype=np.float32)
        reached = counts > 0
        best[reached] = np.maximum.reduceat(values, indptr_t[:-1][reached])
        kept = np.flatnonzero(values >= np.repeat(MIN_SHARE * best.astype(np.float64), counts))
        row = np.searchsorted(indptr_t, kept, side="right") - 1
        values, numbers = values[kept], numbers[kept]
        if len(norms) < 1 << 12 and len(self.names) < 1 << 20:
            # Sorted by query, tally (highest first), name number in one sort of 63-bit keys:
            # a non-negative float32's bits order as the float does.
            lower = np.uint64(0x7FFFFFFF) - values.view(np.uint32).astype(np.uint64)
            keys = row.astype(np.uint64) << np.uint64(51)
            keys |= (lower << np.uint64(20)) | numbers.astype(np.uint64)
            keys.sort()
            row = (keys >> np.uint64(51)).astype(np.int64)
            numbers = (keys & np.uint64(0xFFFFF)).astype(np.int64)
        else:
            order = np.lexsort((numbers, -values, row))
            row, numbers = row[order], numbers[order]
        first = np.searchsorted(row, row)  # where each query's run starts
        chosen = np.arange(len(row)) - first < limit
        found = numbers[chosen].tolist()
        sizes = np.minimum(np.bincount(row, minlength=len(norms)), limit).tolist()
        out: list[list[int]] = []
        start = 0
        for size in sizes:
            out.append(found[start : start + size])
            start += size
        return out


def build_index(rows: Iterable[tuple[IndexedEntry, list[tuple[str, str, str]]]]) -> ListIndex:
    """Build from (entry, [(name, kind, quality), ...]) pairs."""
    entries: list[IndexedEntry] = []
    names: list[IndexedName] = []
    for entry, entry_names in rows:
        position = len(entries)
        entries.append(entry)
        schema = _schema(entry.entity_type)
        for name, kind, quality in entry_names:
            norm = normalize(name, schema)
            if norm.tokens:
                names.append(IndexedName(position, name, kind, quality, norm))
    return ListIndex(entries, names)


_lock = threading.Lock()
_cache: dict[tuple[int, ...], ListIndex] = {}


def cached_index(version_ids: tuple[int, ...], build: Callable[[], ListIndex]) -> ListIndex:
    """The index of these list versions, built once per process."""
    with _lock:
        index = _cache.get(version_ids)
        if index is None:
            index = build()
            _cache.clear()  # only the current set of versions is kept
            _cache[version_ids] = index
        return index


def clear_cache() -> None:
    with _lock:
        _cache.clear()
