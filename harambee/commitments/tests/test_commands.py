"""The console commands: results-load, results-report-import, results-summary, exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from harambee.network.models import Organisation
from harambee.network.tests.factories import OrganisationFactory

from ..models import Commitment, Indicator, ProgressReport, ResultsFramework
from .factories import ForumFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    OrganisationFactory(name="Windle International Uganda", acronym="WIU")
    run("results-load", str(DATA / "framework.yaml"))
    return ResultsFramework.objects.get(code="UGA-CRRF")


def test_load_import_and_summary(loaded):
    assert list(loaded.indicators.values_list("code", flat=True)) == ["ENROL", "PASS"]
    output = run("results-report-import", str(DATA / "reports.csv"), "--framework", "UGA-CRRF")
    assert "5 report(s) imported" in output
    printed = run("results-summary", "--framework", "UGA-CRRF", "--as-of", "2025-03-02", "--json")
    # ENROL: 100 + (80 + 70) = 250 (March is submitted and ends later); expected 600.
    # PASS: 45/60 = 75%; expected 50 + 40 × 0.6 = 74; progress (75 − 50)/(74 − 50) = 1.041667.
    assert json.loads(printed) == {
        "indicators": {
            "ENROL": {
                "actual": 250.0,
                "expected": 600.0,
                "baseline": 0.0,
                "target": 1000.0,
                "progress": 0.416667,
                "status": "off_track",
            },
            "PASS": {
                "actual": 75.0,
                "expected": 74.0,
                "baseline": 50.0,
                "target": 90.0,
                "progress": 1.041667,
                "status": "on_track",
            },
        }
    }


def test_loading_again_updates_in_place(loaded, tmp_path):
    text = (DATA / "framework.yaml").read_text().replace("value: 1000", "value: 2000")
    path = tmp_path / "fw.yaml"
    path.write_text(text)
    assert "0 indicator(s) created, 2 updated" in run("results-load", str(path))
    assert Indicator.objects.get(code="ENROL").targets.get().value == 2000


def test_a_target_before_the_baseline_is_refused_and_nothing_written(tmp_path):
    text = (
        (DATA / "framework.yaml")
        .read_text()
        .replace("2025-04-11, value: 1000", "2024-12-01, value: 1000")
    )
    path = tmp_path / "fw.yaml"
    path.write_text(text)
    with pytest.raises(
        CommandError,
        match=r"indicators\[0\]\.targets\[0\]\.date: target date 2024-12-01 is not after the baseline date 2025-01-01",
    ):
        run("results-load", str(path))
    assert not ResultsFramework.objects.exists()


def bad_import(loaded, tmp_path, lines: list[str], *extra: str) -> str:
    header = (DATA / "reports.csv").read_text().splitlines()[0]
    path = tmp_path / "r.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    with pytest.raises(CommandError) as caught:
        run("results-report-import", str(path), "--framework", "UGA-CRRF", *extra)
    assert ProgressReport.objects.count() == 0
    return str(caught.value)


def test_bad_reports_are_refused_by_row_and_column(loaded, tmp_path):
    message = bad_import(
        loaded,
        tmp_path,
        [
            "ENROL,WIU,UGA,2025-01-01,2025-01-31,100,,,,,,approved",
            "PASS,WIU,UGA,2025-01-01,2025-01-31,,45,,,,,approved",  # no denominator
            "OTHER,WIU,UGA,2025-01-01,2025-01-31,1,,,,,,approved",  # not in the framework
            "ENROL,WIU,UGA,2025-01-01,2025-01-31,7,,,,,,draft",  # same cell and period as row 2
            "ENROL,WIU,XX999,2025-01-01,2025-01-31,7,,,,,,draft",  # unknown place
            "ENROL,WIU,UGA,2025-01-01,2025-01-31,7,,,,0-17,,draft",  # not disaggregated by age
        ],
    )
    assert (
        "row 3, column denominator: A percentage is reported as a numerator and a denominator"
        in message
    )
    assert "row 4, column indicator: 'OTHER' is not an indicator of framework UGA-CRRF" in message
    assert "row 5, column period_end: the same cell and period as row 2 (a duplicate)" in message
    assert "row 6, column place" in message
    assert "row 7, column age: Indicator ENROL is not disaggregated by Age" in message


def test_a_duplicate_of_a_stored_report_is_refused(loaded, tmp_path):
    run("results-report-import", str(DATA / "reports.csv"), "--framework", "UGA-CRRF")
    header = (DATA / "reports.csv").read_text().splitlines()[0]
    path = tmp_path / "again.csv"
    path.write_text(header + "\nENROL,WIU,UGA,2025-01-01,2025-01-31,3,,,,,,draft\n")
    with pytest.raises(CommandError, match="already in Harambee"):
        run("results-report-import", str(path), "--framework", "UGA-CRRF")
    assert ProgressReport.objects.count() == 5


def test_unknown_organisations_are_errors_unless_created_unverified(loaded, tmp_path):
    line = "ENROL,Lutheran World Federation,UGA,2025-01-01,2025-01-31,5,,,,,,approved"
    message = bad_import(loaded, tmp_path, [line])
    assert (
        "row 2, column organisation: 'Lutheran World Federation' is not an organisation" in message
    )
    path = tmp_path / "r.csv"
    output = run(
        "results-report-import", str(path), "--framework", "UGA-CRRF", "--create-organisations"
    )
    assert "Organisations created (unverified):\n  Lutheran World Federation" in output
    created = Organisation.objects.get(name="Lutheran World Federation")
    assert created.verified is False
    assert ProgressReport.objects.get().organisation == created


def test_commitments_round_trip_through_csv_and_xlsx(loaded, tmp_path):
    ForumFactory(name="Global Refugee Forum 2023")
    source = tmp_path / "in.csv"
    source.write_text(
        "code,title,type,forum,organisations,countries,population_groups,indicators,targets,schedule,due_date\n"
        "GRF-1,Schools for refugees,financial,Global Refugee Forum 2023,WIU:60,UGA,refugees,"
        "UGA-CRRF/ENROL,2025-04-11=1000 children,2025 USD 1000000; 2026 USD 500000,2026-12-31\n"
    )
    assert "1 created" in run("commitments-import", str(source))
    commitment = Commitment.objects.get(code="GRF-1")
    assert commitment.is_smart and commitment.shares.get().share == 60
    for name in ("out.csv", "out.xlsx"):
        run("commitments-export", str(tmp_path / name))
    exported = (tmp_path / "out.csv").read_text()
    assert (
        "GRF-1,Schools for refugees" in exported and "2025 USD 1000000; 2026 USD 500000" in exported
    )
    # The exported file imports again: same commitment, updated in place.
    assert "1 updated" in run("commitments-import", str(tmp_path / "out.xlsx"))


def test_bad_commitment_rows_write_nothing(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("code,title,type,countries\nX-1,Something,gift,ZZZ\n")
    with pytest.raises(CommandError) as caught:
        run("commitments-import", str(source))
    assert "row 2, column type" in str(caught.value) and "row 2, column countries" in str(
        caught.value
    )
    assert not Commitment.objects.exists()


def test_iati_export_has_results_and_indicators(loaded, tmp_path):
    run("results-report-import", str(DATA / "reports.csv"), "--framework", "UGA-CRRF")
    target = tmp_path / "iati.xml"
    run("results-export-iati", str(target), "--framework", "UGA-CRRF", "--as-of", "2025-06-30")
    xml = target.read_text()
    assert '<result type="2"' in xml and 'measure="2"' in xml
    assert '<baseline year="2025" iso-date="2025-01-01" value="0"' in xml
    assert (
        '<target value="1000"' in xml and '<actual value="250"' in xml
    )  # March was only submitted
