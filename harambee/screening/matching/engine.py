"""Screening a query against an index: candidate names, entry scores, hits with explanations.

Pure Python over the in-memory index (no database), so that batches can run in worker
processes that share the index built by their parent.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .batch import bounds_many
from .countries import country_code
from .index import IndexedName, ListIndex, normalise_identifier
from .normalize import NormName, normalize
from .scorer import (
    DEFAULT_THRESHOLD,
    WEAK_ALIAS_FACTOR,
    compare_names,
    dob_penalty,
    nationality_penalty,
    parse_query_date,
)

MAX_HITS = 10
SCHEMAS = ("person", "organisation", "vessel", "aircraft")


@dataclass
class Query:
    name: str
    id: str = ""
    schema: str = ""
    date_of_birth: str = ""
    nationality: str = ""
    identifiers: Sequence[str] = field(default_factory=tuple)


def _type_allowed(schema: str, entity_type: str) -> bool:
    if not schema:
        return True
    if schema == "person":
        return entity_type == "person"
    if schema == "organisation":
        return entity_type != "person"
    return entity_type == schema


def screen(
    index: ListIndex,
    query: Query,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    max_hits: int = MAX_HITS,
) -> list[dict[str, Any]]:
    """Hits for one query, best first, those at or above `threshold` only."""
    return screen_queries(index, [query], threshold, max_hits=max_hits)[0]


def screen_queries(
    index: ListIndex,
    queries: Sequence[Query],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    max_hits: int = MAX_HITS,
) -> list[list[dict[str, Any]]]:
    """Hits of each query: candidates and score bounds for the whole batch in arrays, then
    the full alignment (with its explanation) only where the bound reaches the threshold."""
    schemas = [q.schema if q.schema in SCHEMAS else "" for q in queries]
    norms = [normalize(q.name, schema) for q, schema in zip(queries, schemas, strict=True)]
    pair_query: list[int] = []
    pair_name: list[int] = []
    for number, (schema, found) in enumerate(
        zip(schemas, index.candidates_many(norms), strict=True)
    ):
        if schema:
            found = [
                c
                for c in found
                if _type_allowed(schema, index.entries[index.names[c].entry].entity_type)
            ]
        pair_query.extend([number] * len(found))
        pair_name.extend(found)
    survivors: list[list[int]] = [[] for _ in queries]
    if pair_name:
        pq = np.asarray(pair_query, dtype=np.int64)
        pn = np.asarray(pair_name, dtype=np.int64)
        bounds = bounds_many(norms, index.arrays, pq, pn, index.vocabulary)
        bounds[index.weak[pn]] *= WEAK_ALIAS_FACTOR
        for p in np.flatnonzero(bounds >= threshold).tolist():
            survivors[pair_query[p]].append(pair_name[p])
    return [
        _hits(index, query, norm, schema, [index.names[n] for n in names], threshold)[:max_hits]
        for query, norm, schema, names in zip(queries, norms, schemas, survivors, strict=True)
    ]


def _hits(
    index: ListIndex,
    query: Query,
    norm: NormName,
    schema: str,
    names: list[IndexedName],
    threshold: float,
) -> list[dict[str, Any]]:
    """Hits of one query among the candidate names whose score bound reached the threshold."""
    q_dob = parse_query_date(query.date_of_birth)
    q_nat = country_code(query.nationality) if query.nationality else None
    best: dict[int, tuple[float, IndexedName, Any]] = {}
    for cand in names:
        entry = index.entries[cand.entry]
        alignment = compare_names(norm, cand.norm, schema or entry.entity_type)
        score = alignment.score
        if cand.quality == "weak":
            score *= WEAK_ALIAS_FACTOR
        previous = best.get(cand.entry)
        if previous is None or score > previous[0]:
            best[cand.entry] = (score, cand, alignment)
    hits: list[dict[str, Any]] = []
    id_hits = _identifier_hits(index, query)
    for position, (name_score, cand, alignment) in best.items():
        if position in id_hits:
            continue
        entry = index.entries[position]
        if name_score < threshold:
            continue  # penalties only lower a score: nothing below the line can come back
        adjustments: list[dict[str, Any]] = []
        agreements: list[str] = []
        dob_cut, dob_why = dob_penalty(q_dob, entry.birth_dates)
        if dob_cut:
            adjustments.append(
                {
                    "reason": dob_why,
                    "change": -dob_cut,
                    "query": query.date_of_birth,
                    "list": [_date_text(d) for d in entry.birth_dates],
                }
            )
        elif dob_why:
            agreements.append(dob_why)
        nat_cut, nat_why = nationality_penalty(q_nat, entry.nationalities)
        if nat_cut:
            adjustments.append(
                {
                    "reason": nat_why,
                    "change": -nat_cut,
                    "query": q_nat,
                    "list": sorted(entry.nationalities),
                }
            )
        elif nat_why:
            agreements.append(nat_why)
        score = max(name_score - dob_cut - nat_cut, 0.0)
        if score < threshold:
            continue
        hits.append(
            _hit(
                entry,
                cand.name,
                score,
                {
                    "query_name": query.name,
                    "query_normalised": norm.latin,
                    "query_script": norm.script,
                    "list_name": cand.name,
                    "list_name_kind": cand.kind,
                    "list_name_quality": cand.quality,
                    "method": alignment.method,
                    "name_score": round(alignment.score, 3),
                    "parts": alignment.parts,
                    "unmatched_query": alignment.unmatched_query,
                    "unmatched_list": alignment.unmatched_list,
                    "removed_words": list(norm.removed),
                    "caps": alignment.caps
                    + (["weak alias (x0.92)"] if cand.quality == "weak" else []),
                    "adjustments": adjustments,
                    "agreements": agreements,
                },
            )
        )
    for position, identifier in id_hits.items():
        entry = index.entries[position]
        hits.append(
            _hit(
                entry,
                entry.primary_name,
                1.0,
                {
                    "query_name": query.name,
                    "method": "identifier",
                    "identifier": {"kind": identifier[0], "number": identifier[1]},
                    "name_score": None,
                    "parts": [],
                    "adjustments": [],
                    "agreements": ["identical identifier"],
                },
            )
        )
    hits.sort(key=lambda h: (-h["score"], h["source"], h["ref"]))
    return hits


def _identifier_hits(index: ListIndex, query: Query) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for value in query.identifiers:
        norm_id = normalise_identifier(value)
        for position in index.by_identifier.get(norm_id, []) if len(norm_id) >= 4 else []:
            for kind, number, listed in index.entries[position].identifiers:
                if listed == norm_id:
                    found[position] = (kind, number)
    return found


def _date_text(span: tuple[Any, Any]) -> str:
    first, last = span
    if first == last:
        return first.isoformat()
    if first.year == last.year and first.month == 1 and last.month == 12:
        return str(first.year)
    if first.year == last.year:
        return f"{first.year}-{first.month:02d}"
    return f"{first.year}-{last.year}"


def _hit(entry: Any, matched: str, score: float, explanation: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": entry.source,
        "list": entry.list_code,
        "ref": entry.ref,
        "name": entry.primary_name,
        "entity_type": entry.entity_type,
        "matched_name": matched,
        "score": round(score, 4),
        "explanation": explanation,
    }


# --- many queries, optionally on several processes ----------------------------------------

_worker_index: ListIndex | None = None
_worker_threshold = DEFAULT_THRESHOLD


def _work(chunk: list[Query]) -> list[list[dict[str, Any]]]:
    assert _worker_index is not None
    return screen_queries(_worker_index, chunk, _worker_threshold)


def screen_many(
    index: ListIndex,
    queries: Iterable[Query],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    workers: int = 1,
    chunk_size: int = 500,
) -> Iterator[tuple[Query, list[dict[str, Any]]]]:
    """Screen queries in order, `chunk_size` at a time (see `screen_queries`); with workers > 1,
    forked processes share the index."""
    global _worker_index, _worker_threshold
    items = list(queries)
    chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield from zip(chunk, screen_queries(index, chunk, threshold), strict=True)
        return
    _worker_index, _worker_threshold = index, threshold
    context = multiprocessing.get_context("fork")
    # Objects that exist before the fork are left out of the children's garbage collections:
    # otherwise each collection writes to every page of the shared index and the children
    # end up copying it (measured: 2 processes 6,600 -> names/s in the bench process).
    gc.freeze()
    try:
        with context.Pool(workers) as pool:
            for chunk, results in zip(chunks, pool.imap(_work, chunks), strict=True):
                yield from zip(chunk, results, strict=True)
    finally:
        gc.unfreeze()
