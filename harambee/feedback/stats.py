"""Small-cell suppression for everything published about people in aggregate.

One function, `suppress_small_cells`, used by the public dashboard. It runs the platform's
statistical disclosure control (`harambee.core.disclosure.suppress`) and then a closing pass
over the table's relations, margins included, so it is never weaker than either.

The table is seen with its margins: every row, every column and the line of totals is a sum
("relation") whose members are its cells and its total. Primary suppression hides every member
from 1 to threshold - 1 (a zero reveals nobody). Secondary suppression then looks at each
relation: one hidden member alone could be worked out by subtraction, so the smallest other
non-zero member is hidden too; repeated until no relation has exactly one hidden member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from harambee.core.disclosure import default_threshold, suppress

DEFAULT_THRESHOLD = 5
TOTAL = "__total__"


def threshold() -> int:
    """The stricter of FEEDBACK_SMALL_CELL_THRESHOLD and the platform's DISCLOSURE_THRESHOLD."""
    return max(
        int(getattr(settings, "FEEDBACK_SMALL_CELL_THRESHOLD", DEFAULT_THRESHOLD)),
        default_threshold(),
    )


@dataclass
class SuppressedTable:
    """Counts by row and column, `None` where suppressed; totals too."""

    rows: list[Any]
    columns: list[Any]
    cells: dict[tuple[Any, Any], int | None]
    row_totals: dict[Any, int | None]
    column_totals: dict[Any, int | None]
    total: int | None
    suppressed: set[tuple[Any, Any]] = field(default_factory=set)

    def row(self, key: Any) -> list[int | None]:
        return [self.cells[(key, c)] for c in self.columns]

    @property
    def one_way(self) -> list[tuple[Any, int | None]]:
        """(row, count) of a one-way table."""
        return [(r, self.cells[(r, self.columns[0])]) for r in self.rows]


def suppress_small_cells(
    counts: Mapping[tuple[Any, Any], int],
    *,
    rows: Sequence[Any] | None = None,
    columns: Sequence[Any] | None = None,
    limit: int | None = None,
) -> SuppressedTable:
    """Counts keyed by (row, column), with primary and secondary suppression.

    A one-way table has a single column: its rows and their total are one relation.
    """
    limit = threshold() if limit is None else limit
    row_keys = list(rows) if rows is not None else sorted({r for r, _ in counts}, key=str)
    col_keys = list(columns) if columns is not None else sorted({c for _, c in counts}, key=str)
    values: dict[tuple[Any, Any], int] = {
        (r, c): int(counts.get((r, c), 0)) for r in row_keys for c in col_keys
    }
    one_column = len(col_keys) == 1
    # The platform's suppression (harambee.core.disclosure) decides primary and secondary cells
    # and hidden totals; a one-way table's rows are single cells (no row relation).
    core = suppress(values, threshold=limit, additive_rows=not one_column)
    hidden = set(core.hidden)
    for c in col_keys:
        values[(TOTAL, c)] = sum(values[(r, c)] for r in row_keys)
        if core.column_totals.get(c) is None and values[(TOTAL, c)]:
            hidden.add((TOTAL, c))
    relations = [[*((r, c) for r in row_keys), (TOTAL, c)] for c in col_keys]
    if not one_column:
        for r in row_keys:
            values[(r, TOTAL)] = sum(values[(r, c)] for c in col_keys)
            if core.row_totals.get(r) is None and values[(r, TOTAL)]:
                hidden.add((r, TOTAL))
            relations.append([*((r, c) for c in col_keys), (r, TOTAL)])
        values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in row_keys)
        if core.grand_total is None:
            hidden.add((TOTAL, TOTAL))
        relations.append([*((r, TOTAL) for r in row_keys), (TOTAL, TOTAL)])
        relations.append([*((TOTAL, c) for c in col_keys), (TOTAL, TOTAL)])

    # Closing pass over every relation, margins included (the totals of the totals are
    # published too): a relation with exactly one hidden member hides its smallest other
    # non-zero member. Only adds to what the platform hid, so never weaker.
    changed = True
    while changed:
        changed = False
        for members in relations:
            if sum(1 for k in members if k in hidden) != 1:
                continue
            others = [k for k in members if k not in hidden and values[k] > 0]
            if others:
                hidden.add(min(others, key=lambda k: (values[k], str(k))))
                changed = True

    def shown(key: tuple[Any, Any]) -> int | None:
        return None if key in hidden else values[key]

    grand = (TOTAL, col_keys[0]) if one_column and col_keys else (TOTAL, TOTAL)
    return SuppressedTable(
        rows=row_keys,
        columns=col_keys,
        cells={(r, c): shown((r, c)) for r in row_keys for c in col_keys},
        row_totals={r: shown((r, col_keys[0]) if one_column else (r, TOTAL)) for r in row_keys},
        column_totals={c: shown((TOTAL, c)) for c in col_keys},
        total=shown(grand) if col_keys else 0,
        suppressed={k for k in hidden if TOTAL not in k},
    )


def suppress_counts(counts: Mapping[Any, int], *, limit: int | None = None) -> SuppressedTable:
    """A one-way table (e.g. items by type): rows are the keys, one column "n"."""
    return suppress_small_cells(
        {(k, "n"): v for k, v in counts.items()}, rows=list(counts), columns=["n"], limit=limit
    )
