"""Money API: read-only endpoints with filters, hidden flows left out of lists and totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from harambee.core.choices import Visibility
from harambee.core.tests.factories import UserFactory

from ..currency import import_rates
from ..models import Flow, PooledFund
from .helpers import flow, place, sector, year

pytestmark = pytest.mark.django_db
API = "/api/funding"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def flows():
    parent = flow(40, flow_type="parked", source_id="P")
    child = flow(60, parent="P", parties=[place(), year(), sector("Health")], source_id="C")
    flow(5, status="pledge")
    hidden = flow(1000, source_id="H")
    Flow.objects.filter(pk=hidden.pk).update(visibility=Visibility.ORGANISATION)
    return parent, child


def test_flow_list_filters_and_counted_flag(flows):
    client = client_for(UserFactory())
    data = client.get(f"{API}/flows/", {"country": "JOR", "year": 2020}).json()
    assert data["count"] == 3  # the hidden flow is left out
    assert client.get(f"{API}/flows/", {"status": "pledge"}).json()["count"] == 1
    assert client.get(f"{API}/flows/", {"counted": "true"}).json()["count"] == 2
    assert client.get(f"{API}/flows/", {"parent": flows[0].pk}).json()["count"] == 1
    one = client.get(f"{API}/flows/{flows[1].pk}/").json()
    assert one["counted"] is True and one["parent"] == flows[0].pk
    assert {p["kind"] for p in one["parties"]} == {"location", "usage_year", "sector"}
    assert client.get(f"{API}/flows/", {"year": "abc"}).status_code == 400


def test_chain_and_summary(flows):
    client = client_for()
    chain = client.get(f"{API}/flows/{flows[1].pk}/chain/").json()
    assert [f["source_id"] for f in chain["ancestors"]] == ["P"]
    summary = client.get(f"{API}/flows/summary/", {"country": "JOR", "year": 2020}).json()
    assert Decimal(summary["funding_total_usd"]) == 100  # not the hidden 1000
    assert Decimal(summary["pledge_total_usd"]) == 5
    assert Decimal(summary["by_sector"]["Health"]) == 60
    assert client.get(f"{API}/flows/summary/", {"country": "XXX", "year": 2020}).status_code == 400
    assert client.get(f"{API}/flows/summary/", {"country": "JOR"}).status_code == 400


def test_reads_only(flows):
    client = client_for(UserFactory(is_superuser=True))
    assert client.post(f"{API}/flows/", {}).status_code == 405
    assert client.delete(f"{API}/flows/{flows[0].pk}/").status_code == 405


def test_rates_plans_and_pooled_funds():
    import_rates(
        name="r.csv", content=b"Date,Rate,Currency\n2020-01-31,0.9,EUR\n2020-01-31,3.6,AED\n"
    )
    client = client_for()
    rates = client.get(f"{API}/exchange-rates/", {"currency": "eur"}).json()
    assert [r["currency"] for r in rates["results"]] == ["EUR"]
    fund = PooledFund.objects.create(name="JHF", fund_type="country_based")
    assert client.get(f"{API}/pooled-funds/", {"fund_type": "country_based"}).json()["count"] == 1
    stages = client.get(f"{API}/pooled-funds/{fund.pk}/stages/").json()
    assert Decimal(stages["in_fund"]) == 0
    assert client.get(f"{API}/plans/").json()["count"] == 0
