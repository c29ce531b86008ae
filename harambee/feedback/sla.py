"""Service levels: hours to acknowledge, to answer and to escalate, per type and sensitivity.

Defaults live in settings.FEEDBACK_SERVICE_LEVELS (configurable per deployment); a
ServiceLevel row overrides them. An open item is *on track*, *at risk* (less than a quarter of
its time left) or *breached*; an answered one *met* its level or *breached* it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from .choices import SlaState
from .framework import FeedbackType

AT_RISK_SHARE = 0.25


@dataclass(frozen=True)
class Level:
    acknowledge: int
    resolve: int
    escalate: int


# (acknowledge, answer, escalate) in hours. Sensitive cases: 72 hours to act on them.
DEFAULT_LEVELS: dict[str, tuple[int, int, int]] = {
    "sensitive": (24, 72, 48),
    FeedbackType.QUESTION: (48, 168, 120),
    FeedbackType.REQUEST: (72, 336, 240),
    FeedbackType.COMPLAINT: (48, 168, 120),
    FeedbackType.PRAISE: (168, 336, 336),
    FeedbackType.OBSERVATION: (24, 72, 48),
    FeedbackType.INCOMPLETE: (72, 168, 168),
}


def defaults() -> dict[str, tuple[int, int, int]]:
    return {**DEFAULT_LEVELS, **getattr(settings, "FEEDBACK_SERVICE_LEVELS", {})}


def _pick(rows: dict[tuple[str, bool], Any], feedback_type: str, sensitive: bool) -> Any:
    """The row for this type and sensitivity, else the row for any type; None: the default."""
    return rows.get((feedback_type, sensitive)) or rows.get(("", sensitive))


def _default(feedback_type: str, sensitive: bool) -> Level:
    table = defaults()
    hours = table["sensitive"] if sensitive else table.get(feedback_type, table["incomplete"])
    return Level(*hours)


def level_for(feedback_type: str, sensitive: bool) -> Level:
    from .models import ServiceLevel

    rows = {
        (row.feedback_type, row.sensitive): row
        for row in ServiceLevel.objects.filter(
            feedback_type__in=[feedback_type, ""], sensitive=sensitive
        )
    }
    row = _pick(rows, feedback_type, sensitive)
    if row is not None:
        return Level(row.hours_to_acknowledge, row.hours_to_resolve, row.hours_to_escalate)
    return _default(feedback_type, sensitive)


def effective_levels(rows: Any) -> list[dict[str, Any]]:
    """What each type gets, ordinary and sensitive, from the given ServiceLevel rows (one
    query) or the defaults, in the order of the types: for the service levels page."""
    by_key = {(row.feedback_type, row.sensitive): row for row in rows}
    result = []
    for sensitive in (False, True):
        for feedback_type, label in FeedbackType.choices:
            row = _pick(by_key, feedback_type, sensitive)
            level = (
                Level(row.hours_to_acknowledge, row.hours_to_resolve, row.hours_to_escalate)
                if row is not None
                else _default(feedback_type, sensitive)
            )
            result.append({"type": label, "sensitive": sensitive, "level": level, "row": row})
    return result


def due_dates(feedback_type: str, sensitive: bool, start: datetime.datetime) -> dict[str, Any]:
    level = level_for(feedback_type, sensitive)
    return {
        "acknowledge_due": start + datetime.timedelta(hours=level.acknowledge),
        "resolve_due": start + datetime.timedelta(hours=level.resolve),
        "escalate_at": start + datetime.timedelta(hours=level.escalate),
    }


def _window(start: datetime.datetime, due: datetime.datetime, now: datetime.datetime) -> str:
    if now > due:
        return SlaState.BREACHED
    total = (due - start).total_seconds()
    left = (due - now).total_seconds()
    if total > 0 and left / total < AT_RISK_SHARE:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def sla_state(item: Any, now: datetime.datetime | None = None) -> str:
    """On track / at risk / breached for an open item; met / breached for an answered one."""
    now = now or timezone.now()
    if item.resolve_due is None:
        return SlaState.ON_TRACK
    start = item.received_at
    if not item.is_open:
        done = item.answered_at or item.closed_at or now
        return SlaState.MET if done <= item.resolve_due else SlaState.BREACHED
    if item.acknowledged_at is None and item.acknowledge_due is not None:
        state = _window(start, item.acknowledge_due, now)
        if state == SlaState.BREACHED:
            return state
        resolve = _window(start, item.resolve_due, now)
        return SlaState.AT_RISK if SlaState.AT_RISK in (state, resolve) else resolve
    return _window(start, item.resolve_due, now)
