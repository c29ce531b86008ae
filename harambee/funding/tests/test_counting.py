"""The counting rule on small hand-built cases: each rule, and groups adding up to the total."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from harambee.places.models import Country

from .. import counting
from ..choices import Channel, FundStage, PartyKind, Side
from ..models import AggregateFlow, Flow, PooledFund
from ..services import aggregate_flow_create, pooled_fund_entry_create
from .helpers import flow, party, place, sector, year

pytestmark = pytest.mark.django_db


def summary() -> dict:
    return counting.summary(Flow.objects.all(), country="JOR", year=2020)


def test_only_incoming_committed_or_paid_single_flows_count_and_pledges_apart():
    flow(100, status="paid")
    flow(50, status="commitment")
    flow(7, status="pledge")
    flow(1000, boundary="internal")
    flow(2000, boundary="outgoing")
    flow(3000, on_boundary="shared")
    flow(4000, status="other")
    result = summary()
    assert result["funding_total_usd"] == Decimal(150)
    assert result["pledge_total_usd"] == Decimal(7)
    assert result["flows_total"] == 7
    assert result["flows_counted"] == 2
    assert result["flows_pledged"] == 1


def test_scope_is_country_and_usage_year():
    flow(100)
    flow(10, parties=[place("AFG"), year()])
    flow(1, parties=[place(), year(2019)])
    assert summary()["funding_total_usd"] == Decimal(100)
    assert counting.summary(Flow.objects.all(), country="AFG", year=2020)["funding_total_usd"] == 10


def test_parked_parent_holds_what_its_children_do_not_so_all_count():
    # FTS: the parked parent's amount is what is not yet passed on to its children.
    flow(40, flow_type="parked", source_id="P")
    flow(30, parent="P", source_id="C1")
    flow(30, parent="P", source_id="C2")
    assert summary()["funding_total_usd"] == Decimal(100)


def test_shared_multi_year_parent_is_carried_by_its_children():
    flow(300, flow_type="parked", on_boundary="shared", source_id="P")
    flow(60, parent="P")
    flow(40, parent="P")
    assert summary()["funding_total_usd"] == Decimal(100)


def test_money_repeated_down_a_chain_counts_once():
    flow(100, source_id="donor")
    flow(100, parent="donor", repeats_parent=True, source_id="agency")
    flow(100, parent="agency", repeats_parent=True, source_id="ngo")
    assert summary()["funding_total_usd"] == Decimal(100)
    assert Flow.objects.filter(counted_upstream=True).count() == 2


def test_a_repeat_counts_when_its_parent_is_not_counted():
    flow(100, status="pledge", source_id="pledged")
    flow(80, parent="pledged", repeats_parent=True)
    result = summary()
    assert result["funding_total_usd"] == Decimal(80)
    assert result["pledge_total_usd"] == Decimal(100)


def test_missing_parent_is_flagged_kept_and_linked_when_it_arrives():
    child = flow(100, parent="late", repeats_parent=True, source_id="child")
    assert child.parent_missing and child.parent is None
    assert summary()["funding_total_usd"] == Decimal(100)
    assert summary()["flows_parent_missing"] == 1
    parent = flow(100, source_id="late")
    child.refresh_from_db()
    assert child.parent == parent and not child.parent_missing
    # The money now arrives with the parent: still 100, not 200.
    assert summary()["funding_total_usd"] == Decimal(100)


def test_money_into_a_pooled_fund_and_out_of_it_counts_once():
    fund = PooledFund.objects.create(name="Jordan Humanitarian Fund")
    fund_party = {"kind": PartyKind.POOLED_FUND, "name": fund.name, "pooled_fund_id": fund.pk}
    flow(
        100,
        channel=Channel.POOLED_FUND,
        parties=[place(), year(), {**fund_party, "side": Side.DESTINATION}],
    )
    for amount in (60, 30):
        flow(
            amount,
            boundary="internal",
            channel=Channel.NGO,
            parties=[place(), year(), {**fund_party, "side": Side.SOURCE}],
        )
    result = summary()
    assert result["funding_total_usd"] == Decimal(100)
    assert result["by_channel"] == {Channel.POOLED_FUND: Decimal(100)}
    rows = counting.grouped(Flow.objects.all(), "pooled_fund")
    assert [(r["label"], r["amount_usd"]) for r in rows] == [("Jordan Humanitarian Fund", 100)]


def test_sector_groups_have_not_specified_and_shared_rows_and_add_up():
    flow(10, parties=[place(), year(), sector("Health")])
    flow(20, parties=[place(), year(), sector("Health")])
    flow(5, parties=[place(), year(), sector("Education")])
    flow(7, parties=[place(), year(), sector("Health"), sector("Education")])
    flow(3)
    flow(1000, status="pledge", parties=[place(), year(), sector("Health")])
    result = summary()
    assert result["by_sector"] == {
        "Health": Decimal(30),
        "Education": Decimal(5),
        "shared": Decimal(7),
        "not specified": Decimal(3),
    }
    assert sum(result["by_sector"].values()) == result["funding_total_usd"]


def test_grouped_by_donor_and_sources_sector_on_source_side_ignored():
    donor = party(PartyKind.ORGANISATION, "Germany", Side.SOURCE)
    flow(10, parties=[place(), year(), donor, party(PartyKind.SECTOR, "Health", Side.SOURCE)])
    flow(5, parties=[place(), year()])
    rows = {r["label"]: r["amount_usd"] for r in counting.grouped(Flow.objects.all(), "donor")}
    assert rows == {"Germany": 10, "not specified": 5}
    assert summary()["by_sector"] == {"not specified": Decimal(15)}


def test_unknown_dimension_is_an_error():
    with pytest.raises(ValueError):
        counting.grouped(Flow.objects.all(), "colour")


def test_diaspora_money_is_never_in_aid_totals():
    flow(100)
    aggregate_flow_create(
        actor=None,
        data={
            "kind": "remittances",
            "destination_country": Country.objects.get(pk="JOR"),
            "period_start": datetime.date(2020, 1, 1),
            "period_end": datetime.date(2020, 12, 31),
            "original_amount": Decimal("5000000"),
            "original_currency": "USD",
            "source": "World Bank",
        },
    )
    assert AggregateFlow.objects.get().amount_usd == Decimal("5000000.00")
    assert summary()["funding_total_usd"] == Decimal(100)


def test_pooled_fund_stages_and_balances():
    fund = PooledFund.objects.create(name="Fund")
    for stage, amount in [
        (FundStage.COMMITMENT, 100),
        (FundStage.DEPOSIT, 80),
        (FundStage.TRANSFER, 50),
        (FundStage.EXPENDITURE, 20),
    ]:
        pooled_fund_entry_create(
            actor=None,
            data={
                "fund": fund,
                "stage": stage,
                "date": datetime.date(2020, 5, 1),
                "original_amount": Decimal(amount),
                "original_currency": "USD",
            },
        )
    stages = counting.pooled_fund_stages(fund)
    assert stages["awaiting_deposit"] == 20
    assert stages["in_fund"] == 30
    assert stages["unspent_with_partners"] == 30
    assert stages["commitment"] == 100


def test_worked_example_of_docs_funding_md():
    fund = PooledFund.objects.create(name="Jordan Humanitarian Fund")
    jhf = {"kind": PartyKind.POOLED_FUND, "name": fund.name, "pooled_fund_id": fund.pk}
    flow(300, status="commitment", flow_type="parked", on_boundary="shared", source_id="A")
    flow(60, parent="A", parties=[place(), year(), sector("Health")], source_id="B")
    flow(40, parent="A", parties=[place(), year(), sector("Health"), sector("Education")])
    flow(25, status="commitment", flow_type="parked", source_id="D")
    flow(100, parties=[place(), year(), {**jhf, "side": Side.DESTINATION}], source_id="E")
    flow(70, boundary="internal", parties=[place(), year(), {**jhf, "side": Side.SOURCE}])
    flow(50, status="pledge")
    flow(100, parent="E", repeats_parent=True, source_id="H")
    result = summary()
    assert result["funding_total_usd"] == 225
    assert result["pledge_total_usd"] == 50
    assert result["by_sector"] == {"Health": 60, "shared": 40, "not specified": 125}
