"""The in-memory screening index: every name of the active list versions, normalised once.

Candidate search goes through inverted keys, never a scan of all names:
- `t:` token romanisation keys, and the keys of two adjacent tokens joined (split/joined names);
- `p:` phonetic keys (metaphone) of tokens of three letters or more;
- `g:` character trigrams of tokens of five letters or more, and `d:` the token with one letter
  left out (4 to 8 letters), for typos; such keys held by more than `MAX_GRAM_SHARE` of the
  names are dropped;
- `s:` consonant skeletons, looked up for queries written in scripts without vowels.
Each posting list is a numpy array of name numbers; a query adds each key's IDF to its names'
tallies and the best `CANDIDATES` names are scored (first against a cheap upper bound of the
score, `scorer.score_bound`, then in full only if that bound reaches the threshold).

Memory: for UN + OFAC SDN + non-SDN (about 29,000 names of 10,400 entries) the index takes
about 60 MB of Python objects and builds in about 3 seconds; it is built once per set of
active list versions and kept in the process (see `get_index`).
"""

from __future__ import annotations

import datetime
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .normalize import NormName, normalize

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


def name_keys(norm: NormName, *, query: bool = False) -> set[str]:
    keys: set[str] = set()
    tokens = norm.tokens
    for i, tok in enumerate(tokens):
        if not tok.particle or len(tokens) == 1:
            keys.add("t:" + tok.key)
        if tok.phon:
            keys.add("p:" + tok.phon)
        if len(tok.key) >= 5:
            keys.update("g:" + tok.key[k : k + 3] for k in range(len(tok.key) - 2))
        if 4 <= len(tok.text) <= 8 and not tok.text.isdigit():
            # One letter left out: typos and swapped letters (Afiz/Faiz, Lakahl/Lakhal).
            text = tok.text
            keys.update("d:" + text[:k] + text[k + 1 :] for k in range(len(text)))
        if len(tok.skel) >= 2 and (not query or norm.abjad):
            keys.add("s:" + tok.skel)
        if i + 1 < len(tokens):
            keys.add("t:" + tok.key + tokens[i + 1].key)
            if query and norm.abjad:
                keys.add("s:" + tok.skel + tokens[i + 1].skel)
    if norm.loose:
        joined = norm.joined
        keys.update("g:" + joined[k : k + 3] for k in range(max(len(joined) - 2, 0)))
    return keys


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
        self.postings: dict[str, np.ndarray] = {}
        self.idf: dict[str, float] = {}
        for key, numbers in postings.items():
            if key[0] in "gd" and len(numbers) > cap:
                continue
            self.postings[key] = np.asarray(numbers, dtype=np.int32)
            self.idf[key] = math.log(1 + total / len(numbers))
        self.by_identifier: dict[str, list[int]] = defaultdict(list)
        for position, entry in enumerate(entries):
            for _kind, _number, norm_id in entry.identifiers:
                if len(norm_id) >= 4:
                    self.by_identifier[norm_id].append(position)
        self.version_ids = tuple(sorted({e.version_id for e in entries}))

    def __len__(self) -> int:
        return len(self.names)

    def candidates(self, norm: NormName, limit: int = CANDIDATES) -> list[int]:
        """Numbers of the names that share the most (IDF-weighted) keys with the query."""
        postings, idf = self.postings, self.idf
        keys = [k for k in name_keys(norm, query=True) if k in postings]
        if not keys or not self.names:
            return []
        # Tally only the names the keys reach (not an array of every name): the same float32
        # sums, added key by key in the same order, as a dense tally would hold.
        arrays = [postings[k] for k in keys]
        numbers = np.concatenate(arrays)
        weights = np.repeat(
            np.array([idf[k] for k in keys], dtype=np.float32), [len(a) for a in arrays]
        )
        hit, inverse = np.unique(numbers, return_inverse=True)
        values = np.zeros(len(hit), dtype=np.float32)
        np.add.at(values, inverse, weights)
        floor = MIN_SHARE * float(values.max())
        if len(hit) > limit:
            keep = np.argpartition(values, -limit)[-limit:]
            hit, values = hit[keep], values[keep]
        best = hit[values >= floor]
        return best.tolist()


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
