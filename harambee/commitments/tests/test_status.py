"""The status rules on a scenario worked out by hand (docs/commitments.md walks through it).

Every indicator: baseline on 2025-01-01, a target on 2025-04-11 (100 days later), as of
2025-03-02 (60 days after the baseline), so expected = baseline + 0.6 × (target − baseline).
Monthly periods: January (01-01..01-31), February (02-01..02-28); March (03-01..03-31) ends
after the as-of date and does not count. Places: P1 and P2 (P-codes), organisations X and Y.

Both implementations are checked: the SQL one (`summarise`, used by pages, commands and the
API) and the plain-Python reference (`evaluate`).
"""

from __future__ import annotations

import datetime

import pytest

from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import AdminArea, Country

from .. import status as rules
from ..choices import (
    Direction,
    IndicatorStatus,
    PlaceAggregation,
    ReportStatus,
    TimeAggregation,
    Unit,
)
from .factories import FrameworkFactory, IndicatorFactory, ReportFactory, TargetFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 3, 2)
JAN = (datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
FEB = (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))
MAR = (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
Q1 = (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
TARGET_DAY = datetime.date(2025, 4, 11)


@pytest.fixture
def world():
    uga = Country.objects.get(iso3="UGA")
    p1 = AdminArea.objects.create(pcode="UG901", country=uga, level=1, name="P1")
    p2 = AdminArea.objects.create(pcode="UG902", country=uga, level=1, name="P2")
    x = OrganisationFactory(name="X Relief")
    y = OrganisationFactory(name="Y Aid")
    framework = FrameworkFactory(code="HAND")
    return {"P1": p1, "P2": p2, "X": x, "Y": y, "framework": framework}


def report(world, indicator, org, place, period, status=ReportStatus.APPROVED, **values):
    area = world[place]
    return ReportFactory(
        indicator=indicator,
        organisation=world[org],
        country=area.country,
        admin_area=area,
        place_code=area.pcode,
        period_start=period[0],
        period_end=period[1],
        status=status,
        **values,
    )


def indicator(world, code, target, baseline=0.0, **fields):
    ind = IndicatorFactory(
        framework=world["framework"], code=code, baseline_value=baseline, **fields
    )
    TargetFactory(indicator=ind, date=TARGET_DAY, value=target)
    return ind


def test_hand_worked_scenario(world):
    # A — people reached: number, sum over time, sum over places. Target 1000.
    a = indicator(world, "A", 1000, disaggregations=["sex"])
    report(world, a, "X", "P1", JAN, value=100)
    # February at X/P1 comes only by sex: no total row, so the categories add up: 80 + 70.
    report(world, a, "X", "P1", FEB, value=80, sex="female")
    report(world, a, "X", "P1", FEB, value=70, sex="male")
    report(world, a, "X", "P1", MAR, value=500)  # ends 03-31, after the as-of date: ignored
    # January at X/P2 has a total (50) and categories (20 + 25): the total wins.
    report(world, a, "X", "P2", JAN, value=50)
    report(world, a, "X", "P2", JAN, value=20, sex="female")
    report(world, a, "X", "P2", JAN, value=25, sex="male")
    report(world, a, "X", "P2", FEB, value=999, status=ReportStatus.DRAFT)  # not approved
    report(world, a, "Y", "P1", JAN, value=130)
    report(world, a, "Y", "P1", FEB, value=200, status=ReportStatus.SUBMITTED)  # not approved
    # Cells: X/P1 = 100 + (80 + 70) = 250; X/P2 = 50; Y/P1 = 130.  Actual = 250 + 50 + 130 = 430.
    # Expected = 0 + (1000 − 0) × 60/100 = 600.  Progress = (430 − 0)/(600 − 0) = 0.716667.
    # 0.60 ≤ 0.716667 < 0.85: at_risk.

    # B — classrooms in use: number, latest over time, max over places. Baseline 10, target 60.
    b = indicator(
        world,
        "B",
        60,
        baseline=10,
        time_aggregation=TimeAggregation.LATEST,
        place_aggregation=PlaceAggregation.MAX,
    )
    report(world, b, "X", "P1", JAN, value=20)
    report(world, b, "X", "P1", FEB, value=35)  # latest at X/P1: 35
    report(world, b, "Y", "P1", JAN, value=38)  # only period at Y/P1: 38
    report(world, b, "Y", "P2", FEB, value=30)
    report(world, b, "Y", "P2", Q1, value=90)  # ends 03-31: ignored, so Y/P2 = 30
    # Max over cells (35, 38, 30) = 38.  Expected = 10 + (60 − 10) × 0.6 = 40.
    # Progress = (38 − 10)/(40 − 10) = 28/30 = 0.933333: on_track.

    # C — percentage, latest over time. Baseline 50%, target 90%.
    c = indicator(
        world,
        "C",
        90,
        baseline=50,
        unit=Unit.PERCENTAGE,
        time_aggregation=TimeAggregation.LATEST,
        disaggregations=["sex"],
    )
    report(world, c, "X", "P1", JAN, value=None, numerator=30, denominator=60)
    report(world, c, "X", "P1", FEB, value=None, numerator=45, denominator=60)  # latest: 45/60
    report(world, c, "Y", "P2", JAN, value=None, numerator=40, denominator=40)
    report(world, c, "Y", "P2", FEB, value=None, numerator=10, denominator=20, sex="female")
    report(world, c, "Y", "P2", FEB, value=None, numerator=12, denominator=20, sex="male")
    # Y/P2 latest is February, by sex: numerator 10 + 12 = 22, denominator 20 + 20 = 40.
    # Numerators 45 + 22 = 67, denominators 60 + 40 = 100: actual = 100 × 67/100 = 67%.
    # (Averaging the cells' percentages, (75% + 55%)/2 = 65%, would be wrong.)
    # Expected = 50 + 40 × 0.6 = 74.  Progress = (67 − 50)/(74 − 50) = 17/24 = 0.708333: at_risk.

    # D — children out of school: a decrease, latest over time, sum over places.
    d = indicator(
        world,
        "D",
        500,
        baseline=1000,
        direction=Direction.DECREASE,
        time_aggregation=TimeAggregation.LATEST,
    )
    report(world, d, "X", "P1", FEB, value=400)
    report(world, d, "Y", "P1", FEB, value=250)
    # Actual = 400 + 250 = 650.  Expected = 1000 − 500 × 0.6 = 700.
    # Progress = (650 − 1000)/(700 − 1000) = −350/−300 = 1.166667; 650 > 500, final target not
    # met: on_track.

    # E — met its final target early: achieved. Actual 120 ≥ 100.
    e = indicator(world, "E", 100)
    report(world, e, "X", "P1", JAN, value=120)

    # F — only a submitted report: no_data (never "on track").
    f = indicator(world, "F", 100)
    report(world, f, "X", "P1", JAN, value=50, status=ReportStatus.SUBMITTED)

    # G — behind: actual 100 against an expected 600. Progress 0.166667: off_track.
    g = indicator(world, "G", 1000)
    report(world, g, "Y", "P2", FEB, value=100)

    results = rules.summarise(world["framework"], AS_OF)
    got = {code: r.as_json() for code, r in results.items()}
    assert got == {
        "A": {
            "actual": 430.0,
            "expected": 600.0,
            "baseline": 0.0,
            "target": 1000.0,
            "progress": 0.716667,
            "status": IndicatorStatus.AT_RISK,
        },
        "B": {
            "actual": 38.0,
            "expected": 40.0,
            "baseline": 10.0,
            "target": 60.0,
            "progress": 0.933333,
            "status": IndicatorStatus.ON_TRACK,
        },
        "C": {
            "actual": 67.0,
            "expected": 74.0,
            "baseline": 50.0,
            "target": 90.0,
            "progress": 0.708333,
            "status": IndicatorStatus.AT_RISK,
        },
        "D": {
            "actual": 650.0,
            "expected": 700.0,
            "baseline": 1000.0,
            "target": 500.0,
            "progress": 1.166667,
            "status": IndicatorStatus.ON_TRACK,
        },
        "E": {
            "actual": 120.0,
            "expected": 60.0,
            "baseline": 0.0,
            "target": 100.0,
            "progress": 2.0,
            "status": IndicatorStatus.ACHIEVED,
        },
        "F": {
            "actual": None,
            "expected": 60.0,
            "baseline": 0.0,
            "target": 100.0,
            "progress": None,
            "status": IndicatorStatus.NO_DATA,
        },
        "G": {
            "actual": 100.0,
            "expected": 600.0,
            "baseline": 0.0,
            "target": 1000.0,
            "progress": 0.166667,
            "status": IndicatorStatus.OFF_TRACK,
        },
    }

    # The plain-Python reference gives the same, indicator by indicator.
    framework = world["framework"]
    for ind in framework.indicators.select_related("framework").prefetch_related("targets"):
        spec = rules.IndicatorSpec.of(ind)
        rows = [
            rules.Row(
                r.organisation_id,
                r.place_code,
                r.period_start,
                r.period_end,
                r.is_total,
                r.value,
                r.numerator,
                r.denominator,
            )
            for r in ind.reports.filter(status=ReportStatus.APPROVED)
        ]
        assert rules.evaluate(spec, rows, AS_OF).as_json() == got[ind.code], ind.code


def test_expected_value_is_linear_between_targets_and_flat_outside():
    spec = rules.IndicatorSpec(
        code="T",
        baseline_value=0,
        baseline_date=datetime.date(2025, 1, 1),
        # 2025-04-11 is 100 days after the baseline; 2025-07-20 is 100 days after that.
        targets=((datetime.date(2025, 4, 11), 100.0), (datetime.date(2025, 7, 20), 300.0)),
    )
    assert rules.expected_value(spec, datetime.date(2024, 12, 1)) == 0  # before the baseline
    assert rules.expected_value(spec, datetime.date(2025, 3, 2)) == pytest.approx(60)  # 0.6 × 100
    assert rules.expected_value(spec, datetime.date(2025, 4, 11)) == 100
    # 50 days into the second stretch: 100 + (300 − 100) × 50/100 = 200.
    assert rules.expected_value(spec, datetime.date(2025, 5, 31)) == pytest.approx(200)
    assert rules.expected_value(spec, datetime.date(2026, 1, 1)) == 300  # after the last target


def test_thresholds_are_the_frameworks(world):
    framework = world["framework"]
    framework.on_track_at, framework.at_risk_at = 0.7, 0.5
    framework.save()
    g = indicator(world, "A", 1000)
    report(world, g, "X", "P1", FEB, value=430)  # progress 430/600 = 0.716667 ≥ 0.7
    assert rules.summarise(framework, AS_OF)["A"].status == IndicatorStatus.ON_TRACK


def test_progress_when_nothing_was_due_yet():
    spec = rules.IndicatorSpec(
        code="T",
        baseline_value=5,
        direction=Direction.DECREASE,
        targets=((datetime.date(2030, 1, 1), 1.0),),
    )
    # Expected equals the baseline: no worse than the baseline counts as full progress.
    assert rules.progress_of(spec, 5, 5) == 1.0
    assert rules.progress_of(spec, 4, 5) == 1.0
    assert rules.progress_of(spec, 6, 5) == 0.0


def test_a_commitment_takes_the_worst_status_of_its_indicators():
    assert rules.combined_status([]) == IndicatorStatus.NO_DATA
    assert rules.combined_status(["no_data", "no_data"]) == IndicatorStatus.NO_DATA
    assert rules.combined_status(["achieved", "on_track", "no_data"]) == "on_track"
    assert rules.combined_status(["achieved", "off_track", "at_risk"]) == "off_track"
