"""Charts of the money pages, laid out in Python and drawn as inline SVG by the templates:
no script, readable without one, and the numbers are in a table beside every chart.

* `flow_diagram`: a Sankey-like diagram from donors through channels to sectors.
* `gap_bars`: requirements against funding, one bar per sector.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .choices import Channel
from .counting import NOT_SPECIFIED, SHARED

WIDTH = 900
HEIGHT = 420
NODE_WIDTH = 14
GAP = 6
TOP = 8  # donors and sectors shown by name; the rest in one "other" node


@dataclass(eq=False)
class Node:
    key: str
    label: str
    column: int
    value: Decimal = Decimal(0)
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0
    out_offset: float = 0.0
    in_offset: float = 0.0

    @property
    def label_x(self) -> float:
        return self.x - 6 if self.column == 0 else self.x + NODE_WIDTH + 6

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2

    @property
    def anchor(self) -> str:
        return "end" if self.column == 0 else "start"


@dataclass
class Link:
    source: Node
    target: Node
    value: Decimal
    path: str = ""
    width: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _label(key: str, label: str) -> str:
    if key == NOT_SPECIFIED:
        return _("not specified")
    if key == SHARED:
        return _("shared")
    return label


def _top(values: dict[str, Decimal], limit: int) -> set[str]:
    ranked = sorted(values, key=lambda k: -values[k])
    return set(ranked[:limit])


def flow_diagram(
    links: dict[str, list[dict[str, Any]]], *, top: int = TOP
) -> dict[str, Any] | None:
    """Nodes and link paths for donors -> channels -> sectors, from counting.money_picture's
    `links` (each counted flow's money once: what enters a channel leaves it)."""
    first = [link for link in links["donor_channel"] if link["amount_usd"] > 0]
    second = [link for link in links["channel_sector"] if link["amount_usd"] > 0]
    if not first:
        return None
    donor_totals: dict[str, Decimal] = {}
    sector_totals: dict[str, Decimal] = {}
    for link in first:
        key = link["source"][0]
        donor_totals[key] = donor_totals.get(key, Decimal(0)) + link["amount_usd"]
    for link in second:
        key = link["target"][0]
        sector_totals[key] = sector_totals.get(key, Decimal(0)) + link["amount_usd"]
    top_donors, top_sectors = _top(donor_totals, top), _top(sector_totals, top)
    channels = dict(Channel.choices)
    nodes: dict[tuple[int, str], Node] = {}

    def node(column: int, key: str, label: str) -> Node:
        found = nodes.get((column, key))
        if found is None:
            found = nodes[column, key] = Node(key=key, label=label, column=column)
        return found

    def channel(key: str) -> Node:
        return node(1, key, str(channels.get(key, _("not specified"))))

    pairs: dict[tuple[Node, Node], Decimal] = {}
    for link in first:
        donor_key, donor_label = link["source"]
        if donor_key not in top_donors:
            donor_key, donor_label = "other", _("other donors")
        pair = (node(0, donor_key, _label(donor_key, donor_label)), channel(link["target"]))
        pairs[pair] = pairs.get(pair, Decimal(0)) + link["amount_usd"]
    for link in second:
        sector_key, sector_label = link["target"]
        if sector_key not in top_sectors:
            sector_key, sector_label = "other", _("other sectors")
        pair = (channel(link["source"]), node(2, sector_key, _label(sector_key, sector_label)))
        pairs[pair] = pairs.get(pair, Decimal(0)) + link["amount_usd"]
    for (source, _target), value in pairs.items():
        if source.column == 0:
            source.value += value
    for (_source, target), value in pairs.items():
        target.value += value
    columns: list[list[Node]] = [[], [], []]
    for item in nodes.values():
        columns[item.column].append(item)
    total = sum((n.value for n in columns[0]), Decimal(0))
    tallest = max(len(c) for c in columns)
    scale = (HEIGHT - GAP * (tallest - 1)) / float(total)
    label_room = 190
    xs = [label_room, (WIDTH - NODE_WIDTH) / 2, WIDTH - label_room - NODE_WIDTH]
    for column, items in enumerate(columns):
        # Largest first; "other" and "not specified" last.
        items.sort(key=lambda n: (n.key in ("other", NOT_SPECIFIED, SHARED), -n.value, n.label))
        y = 0.0
        for item in items:
            item.x = xs[column]
            item.y = y
            item.height = max(float(item.value) * scale, 1.0)
            y += item.height + GAP
    drawn: list[Link] = []
    ordered = sorted(pairs.items(), key=lambda p: (p[0][0].column, p[0][0].y, p[0][1].y))
    for (source, target), value in ordered:
        width = max(float(value) * scale, 0.5)
        sy = source.y + source.out_offset
        ty = target.y + target.in_offset
        source.out_offset += width
        target.in_offset += width
        x0, x1 = source.x + NODE_WIDTH, target.x
        middle = (x0 + x1) / 2
        path = (
            f"M{x0:.1f},{sy:.1f} C{middle:.1f},{sy:.1f} {middle:.1f},{ty:.1f} {x1:.1f},{ty:.1f} "
            f"L{x1:.1f},{ty + width:.1f} C{middle:.1f},{ty + width:.1f} {middle:.1f},"
            f"{sy + width:.1f} {x0:.1f},{sy + width:.1f} Z"
        )
        drawn.append(Link(source=source, target=target, value=value, path=path, width=width))
    height = max((n.y + n.height for column in columns for n in column), default=float(HEIGHT))
    return {
        "width": WIDTH,
        "height": round(height + 2, 1),
        "node_width": NODE_WIDTH,
        "nodes": [n for column in columns for n in column],
        "links": drawn,
        "total": total,
    }


def gap_bars(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bars on one scale (the largest requirement or funding): funded part and gap, in %."""
    rows = list(rows)
    largest = max((max(r["required_usd"], r["funding_usd"]) for r in rows), default=Decimal(0))
    bars = []
    for row in rows:
        if not largest:
            funded = gap = 0.0
        else:
            funded = float(min(row["funding_usd"], max(row["required_usd"], row["funding_usd"])))
            funded = funded / float(largest) * 100
            gap = float(row["gap_usd"]) / float(largest) * 100
        bars.append({**row, "funded_pct": round(funded, 2), "gap_pct": round(gap, 2)})
    return bars
