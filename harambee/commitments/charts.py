"""Inline SVG charts: an indicator's baseline, targets and actuals; the shared timeline (Gantt).

Plain SVG built here (labels escaped), no JavaScript: readable without scripts and printable.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD = 640, 220, 40


def _scale(lo: float, hi: float, size: int, invert: bool = False) -> Any:
    span = (hi - lo) or 1.0

    def at(value: float) -> float:
        share = (value - lo) / span
        return round(PAD + (1 - share if invert else share) * (size - 2 * PAD), 1)

    return at


def indicator_chart(
    *,
    title: str,
    baseline: tuple[datetime.date, float],
    targets: Sequence[tuple[datetime.date, float]],
    actuals: Sequence[tuple[datetime.date, float | None]],
) -> SafeString:
    """Planned line (baseline to targets), target points and the actual line."""
    shown = [(d, v) for d, v in actuals if v is not None]
    points = [baseline, *targets, *shown]
    days = [p[0].toordinal() for p in points]
    values = [p[1] for p in points]
    x = _scale(min(days), max(days) if len(set(days)) > 1 else min(days) + 1, WIDTH)
    y = _scale(
        min(0.0, *values),
        max(values) if max(values) != min(0.0, *values) else 1.0,
        HEIGHT,
        invert=True,
    )
    planned = " ".join(f"{x(d.toordinal())},{y(v)}" for d, v in [baseline, *targets])
    actual = " ".join(f"{x(d.toordinal())},{y(v)}" for d, v in shown)
    parts = [
        format_html(
            '<svg class="indicator-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">',
            WIDTH,
            HEIGHT,
            title,
        ),
        format_html("<title>{}</title>", title),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>',
            PAD,
            HEIGHT - PAD,
            WIDTH - PAD,
            HEIGHT - PAD,
        ),
        format_html('<polyline points="{}" class="planned"/>', planned),
    ]
    for d, v in targets:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="5" class="target"><title>{}</title></circle>',
                x(d.toordinal()),
                y(v),
                _("Target %(value)s by %(date)s") % {"value": f"{v:g}", "date": d},
            )
        )
    parts.append(
        format_html(
            '<circle cx="{}" cy="{}" r="4" class="baseline"><title>{}</title></circle>',
            x(baseline[0].toordinal()),
            y(baseline[1]),
            _("Baseline %(value)s on %(date)s")
            % {"value": f"{baseline[1]:g}", "date": baseline[0]},
        )
    )
    if len(shown) > 1:
        parts.append(format_html('<polyline points="{}" class="actual"/>', actual))
    for d, v in shown:
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="4" class="actual-point"><title>{}</title></circle>',
                x(d.toordinal()),
                y(v),
                _("Actual %(value)s as of %(date)s") % {"value": f"{v:g}", "date": d},
            )
        )
    first, last = min(days), max(days)
    parts.append(
        format_html(
            '<text x="{}" y="{}" class="label">{}</text><text x="{}" y="{}" class="label end">{}</text>',
            PAD,
            HEIGHT - 10,
            datetime.date.fromordinal(first),
            WIDTH - PAD,
            HEIGHT - 10,
            datetime.date.fromordinal(last),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


ROW = 28
LABEL = 220


def gantt(milestones: Sequence[Any], today: datetime.date) -> SafeString:
    """One bar per milestone from its start (or first planned date) to its due date; the slip
    beyond the first plan in another colour; arrows from what each one depends on."""
    if not milestones:
        return mark_safe("")
    starts = [m.start_date or m.planned_date for m in milestones]
    ends = [max(m.due_date, m.done_on or m.due_date) for m in milestones]
    lo = min(*starts, today) - datetime.timedelta(days=7)
    hi = max(*ends, today) + datetime.timedelta(days=7)
    width = 960
    span = (hi - lo).days or 1

    def x(day: datetime.date) -> float:
        return round(LABEL + (day - lo).days / span * (width - LABEL - 20), 1)

    height = ROW * len(milestones) + 40
    row_of = {m.pk: i for i, m in enumerate(milestones)}
    parts = [
        format_html(
            '<svg class="gantt" viewBox="0 0 {} {}" role="img" aria-label="{}">',
            width,
            height,
            _("Shared timeline"),
        )
    ]
    for i, m in enumerate(milestones):
        top = 20 + i * ROW
        start = m.start_date or m.planned_date
        late = m.slippage_days(today) > 0
        klass = "done" if m.done_on else ("late" if late else "planned")
        who = f" — {m.organisation}" if m.organisation_id else ""
        parts.append(
            format_html(
                '<text x="4" y="{}" class="label">{}</text>', top + 16, f"{m.title}{who}"[:40]
            )
        )
        planned_end = max(m.planned_date, start)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" class="bar {}"><title>{}</title></rect>',
                x(start),
                top + 3,
                max(4.0, x(planned_end) - x(start)),
                klass,
                _("%(what)s: due %(due)s, first planned %(planned)s, %(days)s days' slippage")
                % {
                    "what": m.title,
                    "due": m.due_date,
                    "planned": m.planned_date,
                    "days": m.slippage_days(today),
                },
            )
        )
        if late:
            end = m.done_on or max(m.due_date, today)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="18" class="slip"/>',
                    x(planned_end),
                    top + 3,
                    max(2.0, x(end) - x(planned_end)),
                )
            )
        for dep in m.depends_on.all():
            if dep.pk in row_of:
                j = row_of[dep.pk]
                parts.append(
                    format_html(
                        '<path d="M{} {} C{} {} {} {} {} {}" class="dependency"/>',
                        x(dep.due_date),
                        20 + j * ROW + 12,
                        x(dep.due_date) + 20,
                        20 + j * ROW + 12,
                        x(start) - 20,
                        top + 12,
                        x(start),
                        top + 12,
                    )
                )
    parts.append(
        format_html(
            '<line x1="{}" y1="10" x2="{}" y2="{}" class="today"><title>{}</title></line>',
            x(today),
            x(today),
            height - 10,
            _("Today"),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


__all__ = ["escape", "gantt", "indicator_chart"]
