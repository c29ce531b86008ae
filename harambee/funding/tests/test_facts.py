"""The counting facts (the pages' summary of each flow) equal counting.py's totals computed
from the flows themselves, and every write path keeps them current."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from harambee.core.choices import Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory

from .. import counting, selectors
from ..choices import Channel, PartyKind, Side
from ..models import Flow, FlowFact
from ..services import import_fts, link_flows
from .helpers import DATA, flow, fts_flow, fts_page, party, place, sector, year

pytestmark = pytest.mark.django_db


def donor(name: str) -> dict:
    return party(PartyKind.ORGANISATION, name, Side.SOURCE)


def from_scratch(flows, country: str, year_: int | None = None) -> dict:
    scoped = counting.in_scope(flows, country=country, year=year_)
    return {
        "funding": counting.total(scoped),
        "pledges": counting.pledge_total(scoped),
        "flows": scoped.count(),
        "counted": scoped.filter(counting.counted_condition()).count(),
        **{
            name: {r["key"]: r["amount_usd"] for r in counting.grouped(scoped, name)}
            for name in ("sector", "donor", "year", "channel")
        },
    }


def from_facts(user, country: str, year_: int | None = None) -> dict:
    money = selectors.country_money(user=user, country=country, year=year_)
    return {
        "funding": money["funding_total_usd"],
        "pledges": money["pledge_total_usd"],
        "flows": money["flows_total"],
        "counted": money["flows_counted"],
        "sector": {r["key"]: r["amount_usd"] for r in money["by_sector"]},
        "donor": {r["key"]: r["amount_usd"] for r in money["by_donor"] if r["amount_usd"]},
        "year": {r["key"]: r["amount_usd"] for r in money["by_year"] if r["amount_usd"]},
        "channel": {r["key"]: r["amount_usd"] for r in money["by_channel"]},
    }


def assert_same(user=None, country: str = "JOR", year_: int | None = None) -> dict:
    visible = selectors.visible_flows(user=user)
    expected = from_scratch(visible, country, year_)
    assert from_facts(user, country, year_) == expected
    return expected


def test_worked_example_from_the_docs_pages_equal_counting():
    jor = [place(), year()]
    flow(300, flow_type="parked", on_boundary="shared", status="commitment", source_id="A",
         parties=[*jor, donor("Germany")])  # fmt: skip
    flow(
        60,
        parent="A",
        parties=[*jor, donor("Germany"), sector("Health")],
        channel=Channel.UN_AGENCY,
    )
    flow(40, parent="A", parties=[*jor, donor("Germany"), sector("Health"), sector("Education")])
    flow(25, status="commitment", parties=[*jor, donor("ECHO")])
    flow(100, source_id="E", parties=[*jor, donor("UK")], channel=Channel.POOLED_FUND)
    flow(70, boundary="internal", parties=jor)
    flow(50, status="pledge", parties=[*jor, donor("Kuwait")])
    flow(100, parent="E", repeats_parent=True, parties=jor)
    result = assert_same()
    assert result["funding"] == Decimal(225)
    assert result["pledges"] == Decimal(50)
    money = selectors.country_money(user=None, country="JOR", year=2020)
    assert money["committed_usd"] == Decimal(25)
    assert money["paid_usd"] == Decimal(200)
    assert money["by_reason"]["upstream"] == {"amount_usd": Decimal(100), "flows": 1}
    assert money["by_reason"]["shared"]["amount_usd"] == Decimal(300)
    donors = {r["label"]: r for r in money["by_donor"]}
    assert donors["Kuwait"]["pledged_usd"] == Decimal(50)
    assert donors["Germany"]["amount_usd"] == Decimal(100)


def test_scope_by_year_on_either_side_and_all_years():
    flow(10, parties=[place(), year(2019)])
    flow(20, parties=[place(), year(2020, Side.SOURCE)])
    flow(30, parties=[place(), year(2020), year(2021)])
    flow(5, parties=[place("AFG"), year()])
    assert assert_same(year_=2020)["funding"] == Decimal(50)
    assert assert_same()["funding"] == Decimal(60)
    assert assert_same(country="AFG")["funding"] == Decimal(5)


def test_on_budget_share():
    flow(100, channel=Channel.GOVERNMENT_BUDGET)
    flow(50, budget_classification_code="0410")
    flow(30, parties=[place(), year(), party(PartyKind.BUDGET_LINE, "Ministry of Health")])
    flow(20)
    money = selectors.country_money(user=None, country="JOR")
    assert money["on_budget_usd"] == Decimal(180)
    assert money["off_budget_usd"] == Decimal(20)


def test_hidden_flows_are_left_out_of_every_total():
    owner = OrganisationFactory()
    flow(100)
    hidden = flow(1000)
    Flow.objects.filter(pk=hidden.pk).update(
        visibility=Visibility.ORGANISATION, owner_organisation=owner
    )
    assert assert_same(user=None)["funding"] == Decimal(100)
    assert assert_same(user=UserFactory())["funding"] == Decimal(100)
    insider = UserFactory(organisation=owner)
    assert assert_same(user=insider)["funding"] == Decimal(1100)


def test_jordan_2020_from_the_facts_matches_fts_to_the_dollar():
    import_fts(actor=None, paths=[DATA / "fts_jordan_2020"])
    result = assert_same(year_=2020)
    assert result["funding"] == Decimal(714246261)
    assert result["pledges"] == Decimal(81128)
    assert_same()  # all years


def test_reimport_with_a_higher_version_updates_the_facts(tmp_path):
    import_fts(actor=None, paths=[fts_page(tmp_path, "a.json", [fts_flow(1, 100), fts_flow(2, 7)])])
    assert assert_same()["funding"] == Decimal(107)
    newer = fts_flow(1, 100, versionId=2, onBoundary="shared")
    import_fts(actor=None, paths=[fts_page(tmp_path, "b.json", [newer])])
    assert assert_same()["funding"] == Decimal(7)
    assert FlowFact.objects.get(flow__source_id="1").reason == "shared"


def test_parent_arriving_later_marks_its_repeat_counted_upstream_and_the_facts_follow():
    child = flow(100, parent="P", repeats_parent=True)
    assert FlowFact.objects.get(flow=child).reason == "counted"
    flow(100, source_id="P")
    assert FlowFact.objects.get(flow=child).reason == "upstream"
    assert assert_same()["funding"] == Decimal(100)


def test_stale_or_missing_facts_are_rebuilt_by_link_flows():
    made = flow(100)
    FlowFact.objects.all().delete()
    Flow.objects.filter(pk=made.pk).update(status="pledge", version=made.version + 1)
    link_flows()
    assert FlowFact.objects.get(flow=made).reason == "pledge"
    assert counting.refresh_facts() == 1  # a full rebuild
    assert counting.stale_fact_ids() == []


def test_counted_upstream_follows_chains_of_repeats_only():
    flow(100, source_id="D")  # the donor's disbursement, counted
    flow(100, source_id="I", parent="D", repeats_parent=True)  # the implementer repeats it
    flow(60, source_id="S", parent="I", repeats_parent=True)  # a sub-grantee repeats that
    flow(40, source_id="N", parent="I")  # new money below a repeat: counted
    upstream = set(Flow.objects.filter(counted_upstream=True).values_list("source_id", flat=True))
    assert upstream == {"I", "S"}
    assert assert_same()["funding"] == Decimal(140)


def test_an_iati_import_keeps_the_facts_equal_to_counting(tmp_path):
    """IATI marks repeats, internal and shared transactions its own way: the pages' facts
    must still equal counting.py on the same flows (the import ends in link_flows)."""
    from ..currency import import_rates
    from ..importers.iati_writer import import_iati

    lines = (DATA / "fx_monthly_rates.csv").read_text().splitlines()
    gbp = [lines[0]] + [line for line in lines[1:] if ",GBP," in line and ",GB," in line]
    import_rates(name="fx_gbp.csv", content="\n".join(gbp).encode())
    earlier = Path(__file__).parent / "data" / "gbp_2009_2014.csv"
    import_rates(name="gbp_2009_2014.csv", content=earlier.read_bytes())
    import_iati(actor=None, path=DATA.parent / "iati" / "dfid_haiti_iati_2.01.xml")
    result = assert_same(country="HTI")
    assert result["funding"] > 0 and result["counted"] < result["flows"]
