"""The one FilterSet the list, API, map, matrix and exports share."""

from __future__ import annotations

import datetime

import pytest

from harambee.core.choices import Visibility
from harambee.network.choices import GroupKind, OrganisationType
from harambee.network.tests.factories import GroupFactory, MembershipFactory, OrganisationFactory
from harambee.places.models import Emergency

from ..choices import ActivityStatus
from ..models import PopulationGroup
from ..selectors import activity_list
from .factories import (
    ActivityFactory,
    AdminAreaFactory,
    CountrySectorFactory,
    SectorFactory,
    placed_activity,
)

pytestmark = pytest.mark.django_db


def ids(filters, user=None):
    return sorted(a.pk for a in activity_list(user=user, filters=filters))


@pytest.fixture
def areas():
    province = AdminAreaFactory(pcode="AF91")
    district = AdminAreaFactory(pcode="AF9101", level=2, parent=province)
    village = AdminAreaFactory(pcode="AF910101", level=3, parent=district)
    other = AdminAreaFactory(pcode="AF92")
    return province, district, village, other


def test_country_and_admin_area_with_descendants(areas):
    _province, district, village, other = areas
    in_village = placed_activity(village)
    in_district = placed_activity(district)
    elsewhere = placed_activity(other)
    uganda = ActivityFactory(country_id="UGA")
    assert ids({"country": "afg"}) == sorted([in_village.pk, in_district.pk, elsewhere.pk])
    assert ids({"country": "UGA"}) == [uganda.pk]
    assert ids({"admin_area": "AF91"}) == sorted([in_village.pk, in_district.pk])
    assert ids({"admin_area": "af9101"}) == sorted([in_village.pk, in_district.pk])
    assert ids({"admin_area": "AF910101"}) == [in_village.pk]


def test_an_activity_in_two_areas_is_listed_once(areas):
    _province, district, village, _other = areas
    activity = placed_activity(district)
    placed_activity(village).places.update(activity=activity)
    assert ids({"admin_area": "AF91"}) == [activity.pk]


def test_sector_by_code_or_id_and_country_sectors():
    wash = ActivityFactory(sector=SectorFactory(code="WSH"))
    local = ActivityFactory(sector=CountrySectorFactory(code="EiE_OP", name="Education OP"))
    assert ids({"sector": "wsh"}) == [wash.pk]
    assert ids({"sector": str(local.sector_id)}) == [local.pk]
    assert ids({"sector": "EIE_OP"}) == [local.pk]


def test_organisation_type_status_population_group_emergency_search():
    ngo = OrganisationFactory(org_type=OrganisationType.NATIONAL_NGO, name="Aschiana")
    first = ActivityFactory(implementing_organisation=ngo, status=ActivityStatus.PLANNED)
    refugees = PopulationGroup.objects.get(code="refugees")
    second = ActivityFactory(population_groups=[refugees], title="Latrines in camps")
    flood = Emergency.objects.create(name="Floods", emergency_type="FL")
    third = ActivityFactory(emergency=flood)
    assert ids({"organisation": ngo.pk}) == [first.pk]
    assert ids({"org_type": ["national_ngo"]}) == [first.pk]
    assert ids({"status": ["planned"]}) == [first.pk]
    assert ids({"population_group": "REFUGEES"}) == [second.pk]
    assert ids({"emergency": flood.pk}) == [third.pk]
    assert ids({"q": "latrines camps"}) == [second.pk]
    assert ids({"q": "aschiana"}) == [first.pk]


def test_period_overlaps():
    day = datetime.date
    closed = ActivityFactory(start_date=day(2024, 1, 1), end_date=day(2024, 3, 31))
    open_ended = ActivityFactory(start_date=day(2024, 6, 1))
    undated = ActivityFactory()
    assert ids({"start": "2024-03-01", "end": "2024-04-30"}) == sorted([closed.pk, undated.pk])
    assert ids({"start": "2024-07-01"}) == sorted([open_ended.pk, undated.pk])
    assert ids({"end": "2023-12-31"}) == [undated.pk]


def test_group_members_only_for_a_visible_group():
    member = OrganisationFactory()
    visible = GroupFactory(kind=GroupKind.COUNTRY, country_id="AFG")
    hidden = GroupFactory(visibility=Visibility.ORGANISATION)
    MembershipFactory(group=visible, organisation=member)
    MembershipFactory(group=hidden, organisation=member)
    mine = ActivityFactory(implementing_organisation=member)
    ActivityFactory()
    assert ids({"group": visible.pk}) == [mine.pk]
    assert ids({"group": hidden.pk}) == []


def test_visibility_is_applied_before_filters():
    owner = OrganisationFactory()
    ActivityFactory(visibility=Visibility.ORGANISATION, owner_organisation=owner)
    public = ActivityFactory()
    assert ids({"country": "AFG"}) == [public.pk]
