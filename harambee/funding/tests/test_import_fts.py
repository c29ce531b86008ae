"""FTS import: the real files reproduce FTS's totals to the dollar; upsert by id and version;
missing parents kept and linked later; bad input writes nothing."""

from __future__ import annotations

import collections
import json
from decimal import Decimal

import pytest

from harambee.core.models import ChangeRecord

from .. import counting
from ..choices import PartyKind, PlanKind
from ..importers.fts import FtsFileError
from ..models import Flow, FlowParty, FundingImport, Plan, PooledFund
from ..services import import_fts
from .helpers import DATA, fts_flow, fts_page

pytestmark = pytest.mark.django_db

COUNTRIES = {
    "JOR": ("fts_jordan_2020", 714246261, 81128, 478),
    "AFG": ("fts_afg_2020", 725591299, 0, 484),
    "PSE": ("fts_pse_2020", 381508179, 29621, 424),
}


def fts_by_sector(folder: str) -> dict[str, int]:
    """FTS's by-sector table computed straight from the files (destination global clusters)."""
    totals: collections.Counter[str] = collections.Counter()
    for page in sorted((DATA / folder).glob("*.json")):
        for f in json.loads(page.read_text())["data"]["flows"]:
            if (
                f["boundary"] != "incoming"
                or f["status"] == "pledge"
                or f["onBoundary"] != "single"
            ):
                continue
            clusters = {
                o["id"]: o["name"] for o in f["destinationObjects"] if o["type"] == "GlobalCluster"
            }
            key = (
                "not specified"
                if not clusters
                else next(iter(clusters.values()))
                if len(clusters) == 1
                else "shared"
            )
            totals[key] += f["amountUSD"]
    return dict(totals)


def summary(iso3: str) -> dict:
    return counting.summary(Flow.objects.all(), country=iso3, year=2020)


def test_three_real_countries_match_fts_to_the_dollar():
    import_fts(actor=None, paths=[DATA / "fts_plan_overview_progress_2020.json"])
    for iso3, (folder, funding, pledges, count) in COUNTRIES.items():
        import_fts(actor=None, paths=[DATA / folder])
        result = summary(iso3)
        assert result["funding_total_usd"] == Decimal(funding), iso3
        assert result["pledge_total_usd"] == Decimal(pledges), iso3
        assert result["flows_total"] == count, iso3
        assert result["by_sector"] == fts_by_sector(folder), iso3
        assert result["by_sector"]["not specified"] > 0 and result["by_sector"]["shared"] > 0
    # Each file's own header agrees.
    header = json.loads((DATA / "fts_jordan_2020" / "flows-page1.json").read_text())["data"]
    assert summary("JOR")["funding_total_usd"] == header["incoming"]["fundingTotal"]
    # Plans loaded and linked to the flows that name them.
    assert Plan.objects.get(code="RSYR20").kind == PlanKind.REFUGEE_RESPONSE_PLAN
    assert set(Plan.objects.get(code="RSYR20").countries.values_list("pk", flat=True)) == {
        "TUR",
        "EGY",
        "JOR",
        "IRQ",
        "LBN",
    }
    assert not FlowParty.objects.filter(
        kind=PartyKind.PLAN, plan__isnull=True, source_id="943"
    ).exists()
    assert PooledFund.objects.filter(fund_type="country_based").exists()


def test_reimport_changes_nothing():
    first = import_fts(actor=None, paths=[DATA / "fts_jordan_2020"])
    assert first["flows"]["created"] == 478
    flows, parties = Flow.objects.count(), FlowParty.objects.count()
    records = ChangeRecord.objects.count()
    again = import_fts(actor=None, paths=[DATA / "fts_jordan_2020"])
    assert again["flows"] == {"created": 0, "updated": 0, "unchanged": 478, "older_in_file": 0}
    assert (Flow.objects.count(), FlowParty.objects.count()) == (flows, parties)
    assert ChangeRecord.objects.count() == records
    assert summary("JOR")["funding_total_usd"] == 714246261


def test_higher_version_replaces_lower_is_ignored(tmp_path):
    import_fts(actor=None, paths=[fts_page(tmp_path, "v1.json", [fts_flow(1, 100)])])
    newer = fts_flow(1, 250, versionId=2, status="commitment")
    report = import_fts(actor=None, paths=[fts_page(tmp_path, "v2.json", [newer])])
    assert report["flows"]["updated"] == 1
    stored = Flow.objects.get(source_id="1")
    assert (stored.amount_usd, stored.status, stored.source_version) == (250, "commitment", 2)
    assert stored.parties.count() == 5  # replaced, not added to
    report = import_fts(actor=None, paths=[fts_page(tmp_path, "v1b.json", [fts_flow(1, 100)])])
    assert report["flows"]["older_in_file"] == 1
    assert Flow.objects.get(source_id="1").amount_usd == 250


def test_same_flow_twice_in_one_run_keeps_the_highest_version(tmp_path):
    paths = [
        fts_page(tmp_path, "a.json", [fts_flow(1, 100, versionId=3)]),
        fts_page(tmp_path, "b.json", [fts_flow(1, 50, versionId=2)]),
    ]
    report = import_fts(actor=None, paths=paths)
    assert report["duplicates_in_files"] == 1
    assert Flow.objects.get(source_id="1").amount_usd == 100


def test_flow_with_missing_parent_is_flagged_then_linked(tmp_path):
    child = fts_flow(2, 100, parentFlowId=1)
    import_fts(actor=None, paths=[fts_page(tmp_path, "child.json", [child])])
    stored = Flow.objects.get(source_id="2")
    assert stored.parent_missing and stored.parent is None and stored.parent_source_id == "1"
    assert summary("JOR")["funding_total_usd"] == 100
    parent = fts_flow(1, 40, flowType="Parked", childFlowIds=[2])
    import_fts(actor=None, paths=[fts_page(tmp_path, "parent.json", [parent])])
    stored.refresh_from_db()
    assert stored.parent == Flow.objects.get(source_id="1") and not stored.parent_missing
    assert summary("JOR")["funding_total_usd"] == 140


def test_fields_kept_as_the_source_gives_them(tmp_path):
    record = fts_flow(
        9,
        1075,
        originalAmount=1000,
        originalCurrency="EUR",
        exchangeRate=0.93,
        status="commitment",
        flowType="Pass through",
        contributionType="in kind",
    )
    import_fts(actor=None, paths=[fts_page(tmp_path, "p.json", [record])])
    stored = Flow.objects.get(source_id="9")
    assert stored.original_amount == 1000 and stored.original_currency == "EUR"
    assert stored.exchange_rate == Decimal("0.93") and stored.exchange_rate_source == "FTS"
    assert str(stored.exchange_rate_date) == "2020-02-15"
    assert stored.status_original == "commitment" and stored.flow_type == "pass_through"
    assert stored.contribution_type == "in_kind" and stored.channel == "un_agency"
    assert stored.reporting_organisation_name == "Germany, Government of"
    assert stored.extra["flowType"] == "Pass through"
    location = stored.parties.get(kind=PartyKind.LOCATION)
    assert (location.country_id, location.source_id, location.name) == ("JOR", "114", "Jordan")


def _nothing_written() -> bool:
    return not Flow.objects.exists() and not FundingImport.objects.exists()


def test_malformed_json_names_file_and_line(tmp_path):
    good = fts_page(tmp_path, "good.json", [fts_flow(1, 100)])
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": {"flows": [\n  {"id": 1,,}\n]}}')
    with pytest.raises(FtsFileError, match=r"bad.json is not valid JSON.*line 2"):
        import_fts(actor=None, paths=[good, bad])
    assert _nothing_written()


def test_wrong_kind_of_file_is_refused(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"status": "ok", "data": {"activities": []}}))
    with pytest.raises(FtsFileError, match="not an FTS flow page"):
        import_fts(actor=None, paths=[fts_page(tmp_path, "good.json", [fts_flow(1, 1)]), other])
    csv = tmp_path / "rates.json"
    csv.write_bytes((DATA / "fx_monthly_rates.csv").read_bytes()[:200])
    with pytest.raises(FtsFileError, match="not valid JSON"):
        import_fts(actor=None, paths=[csv])
    assert _nothing_written()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"originalCurrency": "XYZ", "originalAmount": 5}, "Unknown currency"),
        ({"status": "promised"}, "status"),
        ({"amountUSD": "lots"}, "not a number"),
        ({"boundary": None}, "boundary"),
        ({"flowType": "Odd"}, "flowType"),
    ],
)
def test_bad_record_names_file_and_flow_and_nothing_is_written(tmp_path, overrides, message):
    page = fts_page(tmp_path, "p.json", [fts_flow(1, 100), fts_flow(77, 5, **overrides)])
    with pytest.raises(FtsFileError) as error:
        import_fts(actor=None, paths=[page])
    assert "p.json, flow 77" in error.value.message and message in error.value.message
    assert _nothing_written()


def test_missing_pages_are_warned_about(tmp_path):
    path = tmp_path / "page1.json"
    path.write_text(json.dumps({"data": {"flows": [fts_flow(1, 1)]}, "meta": {"count": 3}}))
    report = import_fts(actor=None, paths=[path])
    assert "1 of the 3" in report["warnings"][0]
