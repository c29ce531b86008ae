"""The money pages: every page renders what counting.py says, hides what the user may not see,
and list pages run a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from harambee.activities.models import Sector
from harambee.core.choices import Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import GroupKind
from harambee.network.tests.factories import GroupFactory, OrganisationFactory
from harambee.places.models import Country

from ..choices import AggregateKind, Channel, FundStage, PartyKind, PlanKind, Side
from ..models import AggregateFlow, Flow, Plan, PlanRequirement, PooledFund, PooledFundEntry
from .helpers import flow, party, place, sector, year

pytestmark = pytest.mark.django_db


def donor(name: str) -> dict:
    return party(PartyKind.ORGANISATION, name, Side.SOURCE)


def fund_party(fund: PooledFund, side: str) -> dict:
    return party(PartyKind.POOLED_FUND, fund.name, side, pooled_fund=fund)


@pytest.fixture
def money():
    jor = [place(), year()]
    fund = PooledFund.objects.create(name="Jordan Humanitarian Fund", country_id="JOR")
    plan = Plan.objects.create(name="Jordan Response Plan 2020", kind=PlanKind.REFUGEE_RESPONSE_PLAN,
                               year=2020, requirements_usd=Decimal(500))  # fmt: skip
    plan.countries.set(["JOR"])
    plan_party = party(PartyKind.PLAN, plan.name, plan=plan)
    parent = flow(300, flow_type="parked", on_boundary="shared", status="commitment",
                  source_id="A", parties=[*jor, donor("Germany")])  # fmt: skip
    child = flow(60, parent="A", source_id="B", channel=Channel.UN_AGENCY,
                 parties=[*jor, donor("Germany"), sector("Health"), plan_party])  # fmt: skip
    grandchild = flow(20, parent="B", source_id="B2", boundary="internal",
                      parties=[*jor, party(PartyKind.ORGANISATION, "Local NGO")])  # fmt: skip
    flow(100, source_id="E", channel=Channel.POOLED_FUND,
         parties=[*jor, donor("UK"), fund_party(fund, Side.DESTINATION), plan_party])  # fmt: skip
    flow(70, boundary="internal", parent="E", source_id="F",
         parties=[*jor, fund_party(fund, Side.SOURCE), party(PartyKind.ORGANISATION, "NGO X")])  # fmt: skip
    flow(50, status="pledge", parties=[*jor, donor("Kuwait")])
    flow(25, status="commitment", channel=Channel.GOVERNMENT_BUDGET,
         parties=[*jor, donor("ECHO")], reporting_organisation_name="ECHO")  # fmt: skip
    hidden = flow(9000, source_id="H", parties=[*jor, donor("Secret donor")])
    owner = OrganisationFactory()
    Flow.objects.filter(pk=hidden.pk).update(
        visibility=Visibility.ORGANISATION, owner_organisation=owner
    )
    PooledFundEntry.objects.create(fund=fund, stage=FundStage.COMMITMENT, date=datetime.date(2020, 1, 1),
                                   original_amount=150, original_currency="USD", amount_usd=150)  # fmt: skip
    PooledFundEntry.objects.create(fund=fund, stage=FundStage.DEPOSIT, date=datetime.date(2020, 2, 1),
                                   original_amount=100, original_currency="USD", amount_usd=100)  # fmt: skip
    PooledFundEntry.objects.create(fund=fund, stage=FundStage.TRANSFER, date=datetime.date(2020, 3, 1),
                                   original_amount=70, original_currency="USD", amount_usd=70)  # fmt: skip
    AggregateFlow.objects.create(kind=AggregateKind.REMITTANCES, destination_country_id="JOR",
                                 period_start=datetime.date(2020, 1, 1), period_end=datetime.date(2020, 12, 31),
                                 original_amount=4_000_000, amount_usd=4_000_000, source="KNOMAD")  # fmt: skip
    return {"fund": fund, "plan": plan, "parent": parent, "child": child,
            "grandchild": grandchild, "owner": owner, "hidden": hidden}  # fmt: skip


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_country_page_totals_tables_chart_and_diaspora_beside_aid(client, money):
    page = text(client.get(reverse("funding:country", args=["JOR"]), {"year": 2020}))
    # 60 + 100 + 25 counted; pledges apart; the hidden 9,000 nowhere.
    assert 'data-testid="funding-total">185 USD' in page
    assert "Germany" in page and "Kuwait" in page and "ECHO" in page
    assert "Secret donor" not in page and "9,000" not in page
    assert "<svg" in page and "sankey-link" in page  # the flow diagram
    assert "Diaspora money, beside aid" in page and "4,000,000" in page
    assert "4,000,185" not in page  # never added to aid
    assert "Jordan Response Plan 2020" in page


def test_country_page_for_the_owner_includes_their_hidden_flow(client, money):
    client.force_login(UserFactory(organisation=money["owner"]))
    page = text(client.get(reverse("funding:country", args=["JOR"])))
    assert "9,185 USD" in page and "Secret donor" in page


def test_country_page_unknown_country_is_404(client):
    assert client.get(reverse("funding:country", args=["XXX"])).status_code == 404
    assert client.get(reverse("funding:country", args=["J<script>"])).status_code == 404


def test_home_lists_countries_and_redirects_a_choice(client, money):
    page = text(client.get(reverse("funding:home")))
    assert "Jordan" in page
    response = client.get(reverse("funding:home"), {"country": "jor", "year": "2020"})
    assert response.status_code == 302
    assert response["Location"] == reverse("funding:country", args=["JOR"]) + "?year=2020"


def test_transparency_says_what_is_left_out_and_why(client, money):
    page = text(client.get(reverse("funding:transparency"), {"country": "JOR", "year": 2020}))
    assert "Shared: carried by other flows" in page
    assert "Internal: money already counted when it came in" in page
    assert "Who reports" in page and "ECHO" in page
    assert "names no sector" in page  # counted money with no sector: where a gap cannot close


def test_transparency_without_a_country_lists_countries(client, money):
    assert "Jordan" in text(client.get(reverse("funding:transparency")))


def test_plan_with_only_total_requirements_says_so(client, money):
    page = text(client.get(reverse("funding:plan-detail", args=[money["plan"].pk])))
    assert "gives only its total requirements" in page
    assert 'data-testid="plan-funding">160' in page  # 60 + 100
    assert "Gap: 340 USD" in page and "32.0 %" in page


def test_plan_gap_by_sector(client, money):
    health = Sector.objects.filter(country__isnull=True).first()
    plan = money["plan"]
    child = money["child"]
    party_row = child.parties.get(kind=PartyKind.SECTOR)
    party_row.sector = health
    party_row.refresh_key()
    party_row.save()
    from .. import counting

    counting.refresh_facts([child.pk])
    PlanRequirement.objects.create(plan=plan, sector=health, sector_name="Health", amount_usd=200)
    PlanRequirement.objects.create(plan=plan, sector_name="Shelter", amount_usd=300)
    page = text(client.get(reverse("funding:plan-detail", args=[plan.pk])))
    assert "gives only its total requirements" not in page
    assert "Shelter" in page and "0.0 %" in page  # nothing funded: the whole 300 is the gap
    assert "30.0 %" in page  # 60 of 200
    assert "gap-bars" in page


def test_pooled_fund_page_stages_balances_and_flows(client, money):
    page = text(client.get(reverse("funding:pooled-fund-detail", args=[money["fund"].pk])))
    assert "Committed, not yet deposited" in page
    assert "UK" in page and "NGO X" in page
    assert "of which 100 USD counted as funding" in page
    assert "Allocated out of it: 70 USD" in page


def test_flow_page_shows_the_chain_and_where_the_money_ended_up(client, money):
    page = text(client.get(reverse("funding:flow-detail", args=[money["child"].pk])))
    assert "Parent chain" in page and f'href="/money/flows/{money["parent"].pk}/"' in page
    assert f'href="/money/flows/{money["grandchild"].pk}/"' in page
    assert "Counted in funding totals." in page
    page = text(client.get(reverse("funding:flow-detail", args=[money["parent"].pk])))
    assert "Shared: carried by other flows" in page
    # Children and grandchildren: where the money ended up.
    assert f'href="/money/flows/{money["child"].pk}/"' in page
    assert f'href="/money/flows/{money["grandchild"].pk}/"' in page


def test_hidden_flow_is_404(client, money):
    assert client.get(reverse("funding:flow-detail", args=[money["hidden"].pk])).status_code == 404


def test_flow_list_filters_and_reasons(client, money):
    page = text(client.get(reverse("funding:flow-list"), {"country": "JOR", "counted": "false"}))
    assert "Pledge (totalled apart)" in page
    assert "Secret donor" not in page
    assert "7 flows" in text(client.get(reverse("funding:flow-list"), {"country": "JOR"}))


def test_list_pages_run_a_fixed_number_of_queries(client, money, django_assert_num_queries):
    for n in range(30):
        flow(n + 1, parties=[place(), year(), donor(f"Donor {n}"), sector("Health")])
    # count, flows with their facts, parties (one query for the page, not one per flow)
    with django_assert_num_queries(3):
        text(client.get(reverse("funding:flow-list"), {"country": "JOR"}, HTTP_HX_REQUEST="true"))
    for n in range(5):
        Plan.objects.create(name=f"Plan {n}", kind=PlanKind.OTHER).countries.set(["JOR", "LBN"])
    with django_assert_num_queries(4):  # count, plans, countries, requirements
        text(client.get(reverse("funding:plan-list"), HTTP_HX_REQUEST="true"))
    for n in range(5):
        PooledFund.objects.create(name=f"Fund {n}", country_id="JOR")
    with django_assert_num_queries(2):  # count, funds with their entry counts
        text(client.get(reverse("funding:pooled-fund-list"), HTTP_HX_REQUEST="true"))


def test_full_list_pages_render(client, money):
    assert "Flows" in text(client.get(reverse("funding:flow-list")))
    assert "Jordan Response Plan 2020" in text(client.get(reverse("funding:plan-list")))
    assert "Jordan Humanitarian Fund" in text(
        client.get(reverse("funding:pooled-fund-list"), {"country": "JOR"})
    )


def test_money_panel_on_a_country_group(client, money):
    group = GroupFactory(kind=GroupKind.COUNTRY, country=Country.objects.get(iso3="JOR"))
    page = text(client.get(group.get_absolute_url()))
    assert "Money in Jordan" in page and "185 USD" in page


def test_french(client, money):
    page = text(client.get(reverse("funding:country", args=["JOR"]), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Argent" in page


def test_nav_link(client):
    assert f'href="{reverse("funding:home")}"' in text(client.get("/"))


@pytest.fixture
def anonymous_client() -> Client:
    return Client()
