"""Money linked to financial pledges: the link service, candidates, and figures computed through
funding.counting (each flow once, a child repeating its parent not again)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from harambee.core.choices import Role, Visibility
from harambee.core.errors import PermissionDeniedError
from harambee.core.models import ChangeRecord
from harambee.funding.choices import PartyKind, Side
from harambee.funding.models import ExchangeRate
from harambee.funding.tests.helpers import flow, party, place, year
from harambee.network.tests.factories import OrganisationFactory, user_with_role

from .. import money, services
from ..choices import CommitmentType
from ..models import ScheduleLine
from ..selectors import dashboard
from .factories import CommitmentFactory, ShareFactory

pytestmark = pytest.mark.django_db


def donor_flow(org, amount, *, status="paid", iso3="UGA", usage=2026, **data):
    return flow(
        amount,
        status=status,
        parties=[
            party(PartyKind.ORGANISATION, org.name, Side.SOURCE, organisation_id=org.pk),
            place(iso3),
            year(usage),
        ],
        **data,
    )


@pytest.fixture
def pledge():
    donor = OrganisationFactory(name="Kingdom of Examples")
    commitment = CommitmentFactory(type=CommitmentType.FINANCIAL, countries=["UGA"])
    ShareFactory(commitment=commitment, organisation=donor)
    line = ScheduleLine.objects.create(
        commitment=commitment, year=2026, currency="USD", amount=Decimal(1000)
    )
    return commitment, line, donor


def test_paid_comes_from_counting_and_a_parent_and_its_repeating_child_count_once(pledge):
    commitment, line, donor = pledge
    parent = donor_flow(donor, 600, source_id="donor-grant")
    child = donor_flow(donor, 600, source_id="agency", parent="donor-grant", repeats_parent=True)
    committed = donor_flow(donor, 300, status="commitment")
    for item in (parent, child, committed):
        services.schedule_flow_link(actor=None, line=line, flow=item)
    figures = money.schedule_money(user=None, commitment=commitment)
    row = figures["rows"][0]
    assert row.figures.paid_usd == Decimal(600)  # not 1200: the child repeats its parent
    assert row.figures.committed_usd == Decimal(300)
    assert row.figures.recorded_usd == Decimal(900)
    assert row.share_recorded == pytest.approx(0.9)
    assert figures["totals"].recorded_usd == Decimal(900)
    # The child alone still counts its money once, through the parent that carries it.
    line.flows.remove(parent)
    alone = money.schedule_money(user=None, commitment=commitment)["rows"][0].figures
    assert alone.paid_usd == Decimal(600) and alone.flows == 2
    line.flows.add(parent)
    # The dashboard's "money recorded" is the same number.
    board = dashboard(
        user=None,
        commitment_queryset=commitment.__class__.objects.filter(pk=commitment.pk),
        as_of=datetime.date(2026, 6, 30),
    )
    assert board["pledged"][0]["amount"] == Decimal(1000)
    assert board["pledged"][0]["figures"].recorded_usd == Decimal(900)
    assert board["money_total"].recorded_usd == Decimal(900)


def test_a_flow_fulfils_one_line_only_and_totals_count_it_once(pledge):
    commitment, line, donor = pledge
    other = ScheduleLine.objects.create(
        commitment=commitment, year=2027, currency="USD", amount=Decimal(500)
    )
    grant = donor_flow(donor, 400)
    services.schedule_flow_link(actor=None, line=line, flow=grant)
    services.schedule_flow_link(actor=None, line=line, flow=grant)  # twice: a no-op
    with pytest.raises(services.FlowLinkInvalid, match="already fulfils"):
        services.schedule_flow_link(actor=None, line=other, flow=grant)
    # Even if two lines hold the same flow (written around the service), it counts once.
    other.flows.add(grant)
    totals = money.schedule_money(user=None, commitment=commitment)["totals"]
    assert totals.recorded_usd == Decimal(400) and totals.flows == 1


def test_link_is_permission_checked_audited_and_hidden_flows_are_refused(pledge):
    commitment, line, donor = pledge
    grant = donor_flow(donor, 100)
    outsider = user_with_role(Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        services.schedule_flow_link(actor=outsider, line=line, flow=grant)
    owner_org = OrganisationFactory()
    commitment.owner_organisation = owner_org
    commitment.save()
    editor = user_with_role(Role.EDITOR, organisation=owner_org)
    services.schedule_flow_link(actor=editor, line=line, flow=grant)
    record = ChangeRecord.objects.for_object(line).latest("pk")
    assert record.after["flows"] == [grant.pk] and record.before["flows"] == []
    hidden = donor_flow(
        donor, 50, visibility=Visibility.ORGANISATION, owner_organisation=OrganisationFactory()
    )
    with pytest.raises(services.FlowLinkInvalid):
        services.schedule_flow_link(actor=editor, line=line, flow=hidden)
    services.schedule_flow_unlink(actor=editor, line=line, flow=grant)
    assert not line.flows.exists()


def test_hidden_flows_do_not_count_for_a_visitor_who_may_not_see_them(pledge):
    commitment, line, donor = pledge
    donor_flow(donor, 100)
    secret = donor_flow(
        donor, 900, visibility=Visibility.ORGANISATION, owner_organisation=OrganisationFactory()
    )
    line.flows.add(*donor.flow_parties.values_list("flow_id", flat=True))
    assert secret in line.flows.all()
    visitor = money.schedule_money(user=None, commitment=commitment)
    assert visitor["totals"].recorded_usd == Decimal(100)


def test_candidates_same_donor_place_year_currency_closest_amount_first(pledge):
    _commitment, line, donor = pledge
    near = donor_flow(donor, 950)
    far = donor_flow(donor, 200)
    donor_flow(donor, 1000, iso3="KEN")  # another country
    donor_flow(donor, 1000, usage=2025)  # another year
    donor_flow(OrganisationFactory(), 1000)  # another donor
    donor_flow(donor, 1000, status="other")  # never counts
    linked = donor_flow(donor, 1000)
    services.schedule_flow_link(actor=None, line=line, flow=linked)
    found = money.flow_candidates(user=None, line=line)
    assert [c.flow for c in found] == [near, far]
    assert found[0].difference == Decimal(50)


def test_candidates_in_another_currency_match_the_original_amount():
    donor = OrganisationFactory()
    commitment = CommitmentFactory(type=CommitmentType.FINANCIAL)
    ShareFactory(commitment=commitment, organisation=donor)
    line = ScheduleLine.objects.create(
        commitment=commitment, year=2026, currency="EUR", amount=Decimal(1000)
    )
    ExchangeRate.objects.create(
        currency="EUR", date=datetime.date(2026, 3, 31), rate=Decimal("0.8"), source="test"
    )
    euros = donor_flow(
        donor,
        0,
        original_amount=Decimal(800),
        original_currency="EUR",
        date=datetime.date(2026, 3, 31),
    )
    donor_flow(donor, 1000)  # dollars: not this line's currency
    found = money.flow_candidates(user=None, line=line)
    assert [c.flow for c in found] == [euros] and found[0].amount == Decimal(800)
    assert euros.amount_usd == Decimal(1000)


def test_editing_the_schedule_keeps_the_links(pledge):
    commitment, line, donor = pledge
    grant = donor_flow(donor, 100)
    services.schedule_flow_link(actor=None, line=line, flow=grant)
    services.commitment_update(
        actor=None,
        commitment=commitment,
        data={},
        expected_version=None,
        schedule=[
            {"year": 2026, "currency": "USD", "amount": Decimal(2000)},
            {"year": 2027, "currency": "USD", "amount": Decimal(10)},
        ],
    )
    line.refresh_from_db()
    assert line.amount == Decimal(2000) and list(line.flows.all()) == [grant]
    assert commitment.schedule.count() == 2
