"""Checks shared by forms, the API, the model and the importers, so each says the same thing."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from .choices import Dimension, SmartElement, Unit

CATEGORY_FIELDS = ("sex", "age", "population_group")


def report_problems(
    *,
    indicator: Any,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    categories: dict[str, str],
) -> dict[str, str]:
    """{field: message} for a report that cannot count; empty when it is sound."""
    problems: dict[str, str] = {}
    if period_start and period_end and period_end < period_start:
        problems["period_end"] = _("The period cannot end before it starts.")
    if indicator is None:
        return problems
    if indicator.unit == Unit.PERCENTAGE:
        if denominator is None:
            problems["denominator"] = _(
                "A percentage is reported as a numerator and a denominator: the denominator "
                "is missing."
            )
        elif denominator <= 0:
            problems["denominator"] = _("The denominator must be more than zero.")
        if numerator is None:
            problems["numerator"] = _(
                "A percentage is reported as a numerator and a denominator: the numerator is "
                "missing."
            )
        elif numerator < 0:
            problems["numerator"] = _("The numerator cannot be negative.")
    elif value is None:
        problems["value"] = _("Give the value.")
    allowed = set(indicator.disaggregations or [])
    for name in CATEGORY_FIELDS:
        if categories.get(name) and name not in allowed:
            problems[name] = _("Indicator %(code)s is not disaggregated by %(dimension)s.") % {
                "code": indicator.code,
                "dimension": Dimension(name).label,
            }
    return problems


def smart_missing(
    *,
    has_place: bool,
    has_population: bool,
    has_indicator: bool,
    has_target: bool,
    has_date: bool,
) -> list[str]:
    """The SMART elements a commitment lacks, in a fixed order."""
    present = {
        SmartElement.PLACE: has_place,
        SmartElement.POPULATION: has_population,
        SmartElement.INDICATOR: has_indicator,
        SmartElement.TARGET: has_target,
        SmartElement.DATE: has_date,
    }
    return [str(element) for element, ok in present.items() if not ok]
