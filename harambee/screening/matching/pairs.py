"""Scoring name pairs (for `harambee screen-pairs` and the evaluation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .normalize import normalize
from .scorer import DEFAULT_THRESHOLD, compare_names

_SCHEMAS = {
    "person": "person",
    "organization": "organisation",
    "organisation": "organisation",
    "company": "organisation",
    "legalentity": "organisation",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


def score_pair(name1: str, name2: str, schema: str = "") -> float:
    schema = _SCHEMAS.get((schema or "").strip().lower(), "")
    return compare_names(normalize(name1, schema), normalize(name2, schema), schema).score


def score_pairs(
    rows: Iterable[Mapping[str, str]], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, float, bool]]:
    out = []
    for number, row in enumerate(rows, start=1):
        score = score_pair(row.get("name1") or "", row.get("name2") or "", row.get("schema") or "")
        out.append((row.get("id") or str(number), score, score >= threshold))
    return out
