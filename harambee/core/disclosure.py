"""Statistical disclosure control for everything public or exported in aggregate.

Two tools, both pure Python (no pandas at run time):

1. `suppress(cells)` — small-cell suppression of a two-way table of counts.
   - Primary: every cell with 0 < value < threshold (DISCLOSURE_THRESHOLD, default 5) is hidden.
     Zeros are shown (an empty cell says nothing about anyone).
   - Secondary: a row or column total is published, so a line with exactly one hidden cell
     would give it away by subtraction. For every such line the smallest other non-zero cell
     of that line is hidden too (ties: the one whose other line already has a hidden cell,
     then the first); repeated over rows and columns until nothing changes (a fixed point:
     each pass only adds, so it ends). A line with one hidden cell and no other cell to hide
     has its total hidden instead. Totals below the threshold are hidden themselves.
   - Lines may be declared non-additive (their total is a maximum, not a sum: the activities
     matrix rolls people figures up that way); a non-additive line needs no secondary cell.
   Known limit: like every simple heuristic it does not prove that no linear combination
   narrows a hidden cell down to an interval; with two hidden cells per line and the totals
   it leaves at least two unknowns per equation, the level statistical offices ask of
   routine tables.

2. `k_anonymise(records, quasi_identifiers)` — record-level exports. Records are grouped by
   their quasi-identifiers; a group smaller than k (DISCLOSURE_K, default 5) could single a
   person out. Datafly-style greedy search: while the records in groups below k are more
   than `max_suppression` (default 5 %) of the rows, generalise one level further the
   quasi-identifier with the most distinct values (age to 5-, 10-, 20-year bands, dates to
   months then years, admin areas one level up, anything to "*"; each level maps the original
   value); then the records still in
   small groups are suppressed (left out). The report says which level each quasi-identifier
   reached, how many records were left out, and the smallest group.

Apps use them on what leaves for anonymous or bulk readers:

    from harambee.core.disclosure import suppress
    table = suppress({(row, col): count, ...})
    table.value(row, col)   # None where hidden: show "<5" or "—"
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

Key = tuple[Hashable, Hashable]
HIDDEN = None


def default_threshold() -> int:
    return int(getattr(settings, "DISCLOSURE_THRESHOLD", 5))


def default_k() -> int:
    return int(getattr(settings, "DISCLOSURE_K", 5))


# --- small-cell suppression -------------------------------------------------------------------


@dataclass
class SuppressedTable:
    cells: dict[Key, int]
    threshold: int
    primary: set[Key] = field(default_factory=set)
    secondary: set[Key] = field(default_factory=set)
    row_totals: dict[Hashable, int | None] = field(default_factory=dict)
    column_totals: dict[Hashable, int | None] = field(default_factory=dict)
    grand_total: int | None = None
    passes: int = 0

    @property
    def hidden(self) -> set[Key]:
        return self.primary | self.secondary

    def value(self, row: Hashable, column: Hashable) -> int | None:
        """The cell as it may be published: None where hidden."""
        key = (row, column)
        if key in self.primary or key in self.secondary:
            return HIDDEN
        return self.cells.get(key, 0)

    def published(self) -> dict[Key, int | None]:
        return {key: self.value(*key) for key in self.cells}


def _lines(cells: Mapping[Key, int]) -> tuple[dict[Hashable, list[Key]], dict[Hashable, list[Key]]]:
    rows: dict[Hashable, list[Key]] = {}
    columns: dict[Hashable, list[Key]] = {}
    for key in cells:
        rows.setdefault(key[0], []).append(key)
        columns.setdefault(key[1], []).append(key)
    return rows, columns


def suppress(
    cells: Mapping[Any, int | None],
    *,
    threshold: int | None = None,
    additive_rows: bool = True,
    additive_columns: bool = True,
) -> SuppressedTable:
    """Primary and secondary suppression of a (row, column) -> count table (see module doc).

    `additive_rows`: row totals are sums of the row's cells (False: maxima, or not shown).
    """
    threshold = default_threshold() if threshold is None else threshold
    values = {key: int(v or 0) for key, v in cells.items()}
    table = SuppressedTable(cells=values, threshold=threshold)
    table.primary = {key for key, v in values.items() if 0 < v < threshold}
    rows, columns = _lines(values)
    # A line whose total is itself small is published without its total: no subtraction.
    hidden_totals: set[tuple[str, Hashable]] = {
        (kind, name)
        for kind, lines_of in (("row", rows), ("column", columns))
        for name, keys in lines_of.items()
        if 0 < sum(values[k] for k in keys) < threshold
    }
    hidden = set(table.primary)
    lines: list[tuple[str, Hashable, list[Key]]] = []
    if additive_rows:
        lines += [("row", r, keys) for r, keys in rows.items()]
    if additive_columns:
        lines += [("column", c, keys) for c, keys in columns.items()]
    # How many hidden cells each line holds, kept up to date as cells are hidden.
    count: Counter[tuple[str, Hashable]] = Counter()
    for key in hidden:
        count[("row", key[0])] += 1
        count[("column", key[1])] += 1

    def hide(key: Key) -> None:
        hidden.add(key)
        table.secondary.add(key)
        count[("row", key[0])] += 1
        count[("column", key[1])] += 1

    changed = True
    while changed:
        changed = False
        table.passes += 1
        for kind, name, keys in lines:
            if count[(kind, name)] != 1 or (kind, name) in hidden_totals:
                continue
            candidates = [k for k in keys if k not in hidden and values[k] > 0]
            if not candidates:
                candidates = [k for k in keys if k not in hidden]
            if not candidates:
                hidden_totals.add((kind, name))
                continue
            other = "column" if kind == "row" else "row"

            def cost(k: Key, other: str = other) -> tuple[int, int]:
                crossing = k[1] if other == "column" else k[0]
                return (values[k], 0 if count[(other, crossing)] else 1)

            hide(min(candidates, key=cost))
            changed = True

    def total(kind: str, name: Hashable, keys: list[Key], additive: bool) -> int | None:
        raw = (
            sum(values[k] for k in keys) if additive else max((values[k] for k in keys), default=0)
        )
        if (kind, name) in hidden_totals or 0 < raw < threshold:
            return None
        if not additive and any(k in hidden and values[k] == raw for k in keys):
            return None  # a maximum equal to a hidden cell would show it
        return raw

    table.row_totals = {r: total("row", r, keys, additive_rows) for r, keys in rows.items()}
    table.column_totals = {
        c: total("column", c, keys, additive_columns) for c, keys in columns.items()
    }
    grand = sum(values.values())
    table.grand_total = None if 0 < grand < threshold else grand
    return table


def suppress_series(
    counts: Mapping[Any, int | None], *, threshold: int | None = None
) -> dict[Any, int | None]:
    """A one-way table (counts by week, by type...) published with its total: small counts
    hidden, and when only one is hidden the next smallest too."""
    table = suppress(
        {(name, "_"): v for name, v in counts.items()}, threshold=threshold, additive_rows=False
    )
    return {name: table.value(name, "_") for name in counts}


# --- k-anonymity ------------------------------------------------------------------------------

Generaliser = Callable[[Any], Any]
STAR = "*"


def age_band(width: int) -> Generaliser:
    def band(value: Any) -> Any:
        if value is None or value == "":
            return value
        low = int(value) // width * width
        return f"{low}-{low + width - 1}"

    return band


def to_month(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    return str(value)[:7] if value else value


def to_year(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return str(value.year)
    return str(value)[:4] if value else value


def star(value: Any) -> Any:
    return STAR


def parent_of(parents: Mapping[Any, Any]) -> Generaliser:
    """One administrative level up (a P-code's parent), from a {code: parent code} map."""

    def up(value: Any) -> Any:
        return parents.get(value, STAR)

    return up


AGE = [age_band(5), age_band(10), age_band(20), star]
DATE = [to_month, to_year, star]


@dataclass
class KAnonymityReport:
    k: int
    rows: int
    quasi_identifiers: list[str]
    levels: dict[str, int]
    suppressed: int
    groups: int
    smallest_group: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "rows": self.rows,
            "quasi_identifiers": self.quasi_identifiers,
            "generalisation_levels": self.levels,
            "suppressed_rows": self.suppressed,
            "groups": self.groups,
            "smallest_group": self.smallest_group,
        }


def k_anonymise(
    records: Sequence[Mapping[str, Any]],
    quasi_identifiers: Sequence[str],
    *,
    k: int | None = None,
    hierarchies: Mapping[str, Sequence[Generaliser]] | None = None,
    max_suppression: float = 0.05,
) -> tuple[list[dict[str, Any]], KAnonymityReport]:
    """Generalise then suppress until every combination of quasi-identifiers is shared by at
    least k records. Returns the released records (new dicts) and the report."""
    k = default_k() if k is None else k
    qis = list(quasi_identifiers)
    ladders = {q: list((hierarchies or {}).get(q, ())) or [star] for q in qis}
    levels = dict.fromkeys(qis, 0)
    # Values of each quasi-identifier, column by column, generalised level by level.
    original = {q: [r.get(q) for r in records] for q in qis}
    current = {q: list(col) for q, col in original.items()}
    n = len(records)

    def generalise(q: str) -> None:
        # Each level of a ladder maps the original value (age -> 10-year band, not 5-year
        # band -> 10-year band).
        step = ladders[q][levels[q]]
        memo: dict[Any, Any] = {}
        column = current[q]
        for i, v in enumerate(original[q]):
            if v not in memo:
                memo[v] = step(v)
            column[i] = memo[v]
        levels[q] += 1

    while True:
        keys = list(zip(*(current[q] for q in qis), strict=True)) if qis else [()] * n
        sizes = Counter(keys)
        small = sum(size for size in sizes.values() if size < k)
        if small <= max_suppression * n:
            break
        open_qis = [q for q in qis if levels[q] < len(ladders[q])]
        if not open_qis:
            break
        widest = max(open_qis, key=lambda q: (len(set(current[q])), -qis.index(q)))
        generalise(widest)
    released = []
    for i, record in enumerate(records):
        if sizes[keys[i]] < k:
            continue
        row = dict(record)
        for q in qis:
            row[q] = current[q][i]
        released.append(row)
    kept = [size for size in sizes.values() if size >= k]
    report = KAnonymityReport(
        k=k,
        rows=n,
        quasi_identifiers=qis,
        levels=levels,
        suppressed=n - len(released),
        groups=len(kept),
        smallest_group=min(kept, default=0),
    )
    return released, report


def group_counts(records: Iterable[Mapping[str, Any]], row: str, column: str) -> dict[Key, int]:
    """Counts of records by two fields, ready for `suppress`."""
    return dict(Counter((r[row], r[column]) for r in records))
