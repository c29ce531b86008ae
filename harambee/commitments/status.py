"""Computed status: what an indicator has reached, what was expected by then, and how far along.

Everything about how reports add up lives in this one module (docs/commitments.md explains
it with worked examples). Only approved reports count. For an indicator, as of a date:

1. Disaggregation, per cell (organisation × place) and period: a row with no category is the
   cell's total for that period and wins; otherwise the period's value is the sum over its
   category rows.
2. Time, per cell: `sum` adds the values of the periods ending on or before the as-of date;
   `latest` takes the value of the period with the latest end on or before it (ties: the
   latest start, i.e. the shortest period).
3. Places and organisations: `sum` adds the cells; `max` takes the largest.
   Percentages: steps 1-2 run on numerators and denominators separately, each is added
   across cells, then actual = 100 × numerator / denominator. Percentages are never averaged.
4. Expected: linear between the baseline (date, value) and the next dated target, then
   between consecutive targets; the baseline before its date, the last target after it.
5. Progress = (actual − baseline) / (expected − baseline); direction is respected (for a
   decrease both terms change sign, so the ratio holds). When expected equals the baseline
   (nothing was due to change yet) progress is 1 if actual is no worse than the baseline, 0 if
   it is worse.
6. Status: no_data without an approved report that counts; achieved when the final target is
   met (reached or passed in the indicator's direction); else on_track at progress ≥ the
   framework's on_track_at (0.85), at_risk at ≥ at_risk_at (0.60), off_track below.

Two implementations of steps 1-3 share the rest: `actual_from_rows` (plain Python, the
reference, used for small sets) and `summarise` (one SQL statement for a whole framework:
steps 1-3 are GROUP BYs and a window, so a million rows never leave the database).
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router

from .choices import (
    Direction,
    IndicatorStatus,
    PlaceAggregation,
    ReportStatus,
    TimeAggregation,
    Unit,
)

DIGITS = 6  # figures are rounded to this many decimals in results


@dataclass(frozen=True)
class IndicatorSpec:
    """What the rules need to know about an indicator."""

    code: str
    unit: str = Unit.NUMBER
    time_aggregation: str = TimeAggregation.SUM
    place_aggregation: str = PlaceAggregation.SUM
    direction: str = Direction.INCREASE
    baseline_value: float = 0.0
    baseline_date: datetime.date = datetime.date(2000, 1, 1)
    targets: tuple[tuple[datetime.date, float], ...] = ()  # sorted by date
    on_track_at: float = 0.85
    at_risk_at: float = 0.60
    pk: int | None = None

    @property
    def final_target(self) -> float | None:
        return self.targets[-1][1] if self.targets else None

    @classmethod
    def of(cls, indicator: Any) -> IndicatorSpec:
        """From an Indicator (targets prefetched or read) and its framework's thresholds."""
        framework = indicator.framework
        targets = sorted((t.date, float(t.value)) for t in indicator.targets.all())
        return cls(
            code=indicator.code,
            unit=indicator.unit,
            time_aggregation=indicator.time_aggregation,
            place_aggregation=indicator.place_aggregation,
            direction=indicator.direction,
            baseline_value=float(indicator.baseline_value),
            baseline_date=indicator.baseline_date,
            targets=tuple(targets),
            on_track_at=framework.on_track_at,
            at_risk_at=framework.at_risk_at,
            pk=indicator.pk,
        )


@dataclass(frozen=True)
class Row:
    """One approved report row, as the rules see it."""

    organisation: Any
    place: str
    period_start: datetime.date
    period_end: datetime.date
    is_total: bool = True
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None


@dataclass
class Totals:
    """Steps 1-3 reduced per indicator: what `finish` needs (the SQL returns exactly this)."""

    cells: int = 0
    value_sum: float | None = None
    value_max: float | None = None
    numerator_sum: float | None = None
    denominator_sum: float | None = None


@dataclass
class Result:
    code: str
    actual: float | None
    expected: float
    baseline: float
    target: float | None
    progress: float | None
    status: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "actual": self.actual,
            "expected": self.expected,
            "baseline": self.baseline,
            "target": self.target,
            "progress": self.progress,
            "status": self.status,
        }


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    rounded = round(value, DIGITS)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


# Steps 1-3 in plain Python ------------------------------------------------------------------


def _add(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def totals_from_rows(spec: IndicatorSpec, rows: Iterable[Row], as_of: datetime.date) -> Totals:
    """Steps 1-3 over approved rows of one indicator (the reference implementation)."""
    # 1. Per cell and period: the total row wins, else the sum of the categories.
    periods: dict[tuple[Any, str, datetime.date, datetime.date], dict[str, Any]] = {}
    for row in rows:
        if row.period_end > as_of:
            continue
        key = (row.organisation, row.place, row.period_end, row.period_start)
        slot = periods.setdefault(key, {"total": None, "parts": [None, None, None]})
        triple = (row.value, row.numerator, row.denominator)
        if row.is_total:
            slot["total"] = triple
        else:
            slot["parts"] = [_add(a, b) for a, b in zip(slot["parts"], triple, strict=True)]
    # 2. Per cell over time.
    cells: dict[tuple[Any, str], list[float | None]] = {}
    latest: dict[tuple[Any, str], tuple[datetime.date, datetime.date]] = {}
    for (org, place, end, start), slot in sorted(periods.items(), key=lambda kv: kv[0][2:]):
        triple = slot["total"] if slot["total"] is not None else slot["parts"]
        cell = (org, place)
        if spec.time_aggregation == TimeAggregation.LATEST:
            if cell not in latest or (end, start) >= latest[cell]:
                latest[cell] = (end, start)
                cells[cell] = list(triple)
        else:
            current = cells.get(cell, [None, None, None])
            cells[cell] = [_add(a, b) for a, b in zip(current, triple, strict=True)]
    # 3. Across cells.
    totals = Totals(cells=len(cells))
    for value, numerator, denominator in cells.values():
        totals.value_sum = _add(totals.value_sum, value)
        if value is not None and (totals.value_max is None or value > totals.value_max):
            totals.value_max = value
        totals.numerator_sum = _add(totals.numerator_sum, numerator)
        totals.denominator_sum = _add(totals.denominator_sum, denominator)
    return totals


def actual_from_totals(spec: IndicatorSpec, totals: Totals) -> float | None:
    if not totals.cells:
        return None
    if spec.unit == Unit.PERCENTAGE:
        if not totals.denominator_sum or totals.numerator_sum is None:
            return None
        return 100.0 * totals.numerator_sum / totals.denominator_sum
    if spec.place_aggregation == PlaceAggregation.MAX:
        return totals.value_max
    return totals.value_sum


def actual_from_rows(
    spec: IndicatorSpec, rows: Iterable[Row], as_of: datetime.date
) -> float | None:
    return actual_from_totals(spec, totals_from_rows(spec, rows, as_of))


# Steps 4-6 -----------------------------------------------------------------------------------


def expected_value(spec: IndicatorSpec, as_of: datetime.date) -> float:
    """Linear from the baseline to the next target, then target to target; flat outside."""
    points = [(spec.baseline_date, spec.baseline_value), *spec.targets]
    if as_of <= points[0][0]:
        return spec.baseline_value
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if as_of <= d1:
            share = (as_of - d0).days / (d1 - d0).days
            return v0 + (v1 - v0) * share
    return points[-1][1]


def _sign(spec: IndicatorSpec) -> int:
    return -1 if spec.direction == Direction.DECREASE else 1


def progress_of(spec: IndicatorSpec, actual: float | None, expected: float) -> float | None:
    if actual is None:
        return None
    due = expected - spec.baseline_value
    if due == 0:
        return 1.0 if (actual - spec.baseline_value) * _sign(spec) >= 0 else 0.0
    return (actual - spec.baseline_value) / due


def status_of(spec: IndicatorSpec, actual: float | None, progress: float | None) -> str:
    if actual is None or progress is None:
        return IndicatorStatus.NO_DATA
    final = spec.final_target
    if final is not None and (actual - final) * _sign(spec) >= 0:
        return IndicatorStatus.ACHIEVED
    if progress >= spec.on_track_at:
        return IndicatorStatus.ON_TRACK
    if progress >= spec.at_risk_at:
        return IndicatorStatus.AT_RISK
    return IndicatorStatus.OFF_TRACK


def finish(spec: IndicatorSpec, actual: float | None, as_of: datetime.date) -> Result:
    """Expected value, progress and status, from the actual value."""
    actual = _round(actual)
    expected = expected_value(spec, as_of)
    progress = progress_of(spec, actual, expected)
    return Result(
        code=spec.code,
        actual=actual,
        expected=_round(expected),  # type: ignore[arg-type]
        baseline=spec.baseline_value,
        target=spec.final_target,
        progress=_round(progress),
        status=status_of(spec, actual, progress),
    )


def evaluate(spec: IndicatorSpec, rows: Iterable[Row], as_of: datetime.date) -> Result:
    """Everything for one indicator from its approved rows (plain Python)."""
    return finish(spec, actual_from_rows(spec, rows, as_of), as_of)


# Steps 1-3 in SQL, for a whole framework at once ----------------------------------------------

_SUMMARY_SQL = """
WITH periods AS (
    SELECT r.indicator_id AS ind, r.organisation_id AS org, r.place_code AS place,
           r.period_end AS pe, r.period_start AS ps,
           COALESCE(SUM(CASE WHEN r.is_total THEN r.value END), SUM(r.value)) AS v,
           COALESCE(SUM(CASE WHEN r.is_total THEN r.numerator END), SUM(r.numerator)) AS n,
           COALESCE(SUM(CASE WHEN r.is_total THEN r.denominator END), SUM(r.denominator)) AS d
    FROM {reports} r
    WHERE r.status = %s AND r.period_end <= %s AND r.indicator_id IN ({indicators})
    GROUP BY r.indicator_id, r.organisation_id, r.place_code, r.period_end, r.period_start
), ranked AS (
    SELECT ind, org, place, v, n, d,
           ROW_NUMBER() OVER (PARTITION BY ind, org, place ORDER BY pe DESC, ps DESC) AS rn
    FROM periods
), cells AS (
    SELECT ind, org, place, SUM(v) AS v, SUM(n) AS n, SUM(d) AS d
    FROM ranked
    WHERE {time_rule}
    GROUP BY ind, org, place
)
SELECT ind, COUNT(*), SUM(v), MAX(v), SUM(n), SUM(d) FROM cells GROUP BY ind
"""


def totals_in_database(
    specs: Sequence[IndicatorSpec], as_of: datetime.date, *, using: str | None = None
) -> dict[int, Totals]:
    """Steps 1-3 for many indicators (by pk) in one statement: {indicator pk: Totals}."""
    from .models import ProgressReport

    pks = [s.pk for s in specs if s.pk is not None]
    if not pks:
        return {}
    using = using or router.db_for_read(ProgressReport)
    connection = connections[using]
    latest = [
        s.pk for s in specs if s.pk is not None and s.time_aggregation == TimeAggregation.LATEST
    ]
    summed = [
        int(s.pk)
        for s in specs
        if s.pk is not None and s.time_aggregation != TimeAggregation.LATEST
    ]
    if not latest:
        time_rule = "1 = 1"
    elif not summed:
        time_rule = "rn = 1"
    else:
        time_rule = f"(rn = 1 OR ind IN ({', '.join(str(int(pk)) for pk in summed)}))"
    sql = _SUMMARY_SQL.format(
        reports=connection.ops.quote_name(ProgressReport._meta.db_table),
        indicators=", ".join(str(int(pk)) for pk in pks),
        time_rule=time_rule,
    )
    found: dict[int, Totals] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [ReportStatus.APPROVED, as_of])
        for ind, cells, v_sum, v_max, n_sum, d_sum in cursor.fetchall():
            found[ind] = Totals(
                cells=cells,
                value_sum=None if v_sum is None else float(v_sum),
                value_max=None if v_max is None else float(v_max),
                numerator_sum=None if n_sum is None else float(n_sum),
                denominator_sum=None if d_sum is None else float(d_sum),
            )
    return found


def specs_for(indicators: Iterable[Any]) -> list[IndicatorSpec]:
    return [IndicatorSpec.of(i) for i in indicators]


def summarise_specs(
    specs: Sequence[IndicatorSpec], as_of: datetime.date, *, using: str | None = None
) -> dict[str, Result]:
    totals = totals_in_database(specs, as_of, using=using)
    return {
        s.code: finish(s, actual_from_totals(s, totals.get(s.pk or 0, Totals())), as_of)
        for s in specs
    }


def summarise_by_pk(
    specs: Sequence[IndicatorSpec], as_of: datetime.date, *, using: str | None = None
) -> dict[int, Result]:
    """As summarise_specs, keyed by indicator pk (codes repeat across frameworks)."""
    totals = totals_in_database(specs, as_of, using=using)
    return {
        s.pk: finish(s, actual_from_totals(s, totals.get(int(s.pk), Totals())), as_of)
        for s in specs
        if s.pk is not None
    }


def summarise(framework: Any, as_of: datetime.date) -> dict[str, Result]:
    """Every indicator of a framework, as of a date: {code: Result}."""
    indicators = framework.indicators.select_related("framework").prefetch_related("targets")
    return summarise_specs(specs_for(indicators), as_of)


def summary_json(results: dict[str, Result]) -> dict[str, Any]:
    """The shape `harambee results-summary --json` prints and the API returns."""
    return {"indicators": {code: r.as_json() for code, r in sorted(results.items())}}


def indicator_series(indicator: Any, dates: Iterable[datetime.date]) -> list[tuple[Any, Any]]:
    """(date, actual) for a chart: the actual as of each date (one query for all)."""
    spec = IndicatorSpec.of(indicator)
    rows = [
        Row(
            organisation=r["organisation_id"],
            place=r["place_code"],
            period_start=r["period_start"],
            period_end=r["period_end"],
            is_total=r["is_total"],
            value=r["value"],
            numerator=r["numerator"],
            denominator=r["denominator"],
        )
        for r in indicator.reports.filter(status=ReportStatus.APPROVED).values(
            "organisation_id",
            "place_code",
            "period_start",
            "period_end",
            "is_total",
            "value",
            "numerator",
            "denominator",
        )
    ]
    return [(day, _round(actual_from_rows(spec, rows, day))) for day in dates]


STATUS_ORDER = [
    IndicatorStatus.OFF_TRACK,
    IndicatorStatus.AT_RISK,
    IndicatorStatus.ON_TRACK,
    IndicatorStatus.ACHIEVED,
]


def combined_status(statuses: Iterable[str]) -> str:
    """A commitment's status from its indicators': the worst of those with data; no_data when
    none has any."""
    known = [s for s in statuses if s != IndicatorStatus.NO_DATA]
    if not known:
        return IndicatorStatus.NO_DATA
    return min(known, key=lambda s: STATUS_ORDER.index(s))  # type: ignore[arg-type]


def count_by(results: Iterable[Result]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.status] += 1
    return dict(counts)
