"""The coverage matrix and map figures: distinct organisations, people never summed within an
area, roll-up of level-2 places to level 1, visibility, and a fixed number of queries."""

from __future__ import annotations

import pytest

from harambee.core.choices import Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory

from ..coverage import area_presence, coverage
from ..selectors import group_presence, organisation_presence
from .factories import ActivityFactory, AdminAreaFactory, SectorFactory, placed_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    p1 = AdminAreaFactory(pcode="AF91", name="Alpha", latitude=34.5, longitude=69.1)
    p2 = AdminAreaFactory(pcode="AF92", name="Bravo")
    p3 = AdminAreaFactory(pcode="AF93", name="Charlie")
    d1 = AdminAreaFactory(pcode="AF9101", name="Alpha One", level=2, parent=p1)
    d2 = AdminAreaFactory(pcode="AF9102", name="Alpha Two", level=2, parent=p1)
    d3 = AdminAreaFactory(pcode="AF9201", name="Bravo One", level=2, parent=p2)
    wash, health, edu = (
        SectorFactory(code="WSH"),
        SectorFactory(code="HEA"),
        SectorFactory(code="EDU"),
    )
    a, b, c, d, e = (OrganisationFactory(name=n) for n in "ABCDE")
    placed_activity(
        d1, implementing_organisation=a, sector=wash, people_reached=100, people_targeted=200
    )
    placed_activity(d1, implementing_organisation=b, sector=wash, people_reached=300)
    placed_activity(d1, implementing_organisation=a, sector=health, people_reached=50)
    placed_activity(d2, implementing_organisation=c, sector=health, people_reached=80)
    placed_activity(p2, implementing_organisation=a, sector=wash, people_reached=40)
    placed_activity(
        d3, implementing_organisation=d, sector=wash, people_reached=9999,
        visibility=Visibility.ORGANISATION, owner_organisation=d,
    )  # fmt: skip
    ActivityFactory(implementing_organisation=e, sector=edu)  # no place
    return {"p1": p1, "p2": p2, "p3": p3, "d1": d1, "d2": d2, "d3": d3, "orgs": (a, b, c, d, e)}


def _area(result, pcode):
    return next(a for a in result.areas if a.pcode == pcode)


def _cell(result, pcode, code):
    index = [s.code for s in result.sectors].index(code)
    return _area(result, pcode).cells[index]


def test_level_2_counts_distinct_organisations_and_takes_the_largest_figure(world):
    result = coverage(user=None, country="afg", level=2)
    assert [a.pcode for a in result.areas] == ["AF9101", "AF9102", "AF9201"]
    assert [s.code for s in result.sectors] == ["HEA", "WSH"]
    alpha_one = _area(result, "AF9101")
    assert alpha_one.totals.organisations == 2
    # 100 + 300 + 50 reached in one district: the same people, so the largest, not the sum.
    assert alpha_one.totals.reached == 300
    assert alpha_one.totals.targeted == 200
    assert _cell(result, "AF9101", "WSH").organisations == 2
    assert _cell(result, "AF9101", "WSH").reached == 300
    assert _cell(result, "AF9102", "WSH").is_gap
    # The hidden activity of organisation D is not counted for an anonymous visitor.
    assert _area(result, "AF9201").totals.organisations == 0
    assert _cell(result, "AF9201", "WSH").is_gap
    assert result.gap_count == 3  # WASH in Alpha Two; both sectors in Bravo One
    # Figures are only added across distinct areas.
    assert result.totals.reached == 300 + 80
    assert result.totals.organisations == 3
    wash, health = result.sector_totals[1], result.sector_totals[0]
    assert (wash.organisations, wash.reached) == (2, 300)
    assert (health.organisations, health.reached) == (2, 50 + 80)
    # Placed only at level 1 (A in Bravo) or nowhere (E): not in a level-2 matrix.
    assert result.unplaced == 2


def test_level_1_rolls_districts_up_to_their_province(world):
    result = coverage(user=None, country="AFG", level=1)
    assert [a.pcode for a in result.areas] == ["AF91", "AF92", "AF93"]
    alpha = _area(result, "AF91")
    assert alpha.totals.organisations == 3  # A, B in WASH; A, C in health
    assert alpha.totals.reached == 300
    assert _cell(result, "AF91", "HEA").organisations == 2
    assert _cell(result, "AF91", "HEA").reached == 80
    assert _area(result, "AF92").totals.organisations == 1
    assert _area(result, "AF93").totals.organisations == 0
    assert result.totals.reached == 300 + 40
    assert result.unplaced == 1
    assert result.levels == [1, 2]


def test_the_user_sees_what_they_may_see(world):
    admin = UserFactory(is_superuser=True)
    result = coverage(user=admin, country="AFG", level=2)
    assert _area(result, "AF9201").totals.organisations == 1
    assert _area(result, "AF9201").totals.reached == 9999


def test_filters_narrow_the_matrix(world):
    result = coverage(user=None, country="AFG", level=1, filters={"sector": "WSH"})
    assert [s.code for s in result.sectors] == ["WSH"]
    assert _area(result, "AF91").totals.organisations == 2
    by_area = coverage(user=None, country="AFG", level=2, filters={"admin_area": "AF91"})
    assert [a.pcode for a in by_area.areas] == ["AF9101", "AF9102"]
    # A district chosen, shown at level 1: its province is the one row, holding only it.
    district = coverage(user=None, country="AFG", level=1, filters={"admin_area": "AF9102"})
    assert [a.pcode for a in district.areas] == ["AF91"]
    assert district.areas[0].totals.organisations == 1


def test_map_mode_falls_back_from_shapes_to_points_to_bars(world):
    assert coverage(user=None, country="AFG", level=1, cells=False).map_mode == "points"
    assert coverage(user=None, country="AFG", level=2, cells=False).map_mode == "bars"
    world["d2"].boundary = {"type": "Point", "coordinates": [69, 34]}
    world["d2"].save()
    result = coverage(user=None, country="AFG", level=2, cells=False)
    assert result.map_mode == "shapes"
    assert result.sectors == []
    data = result.map_data()
    assert data["mode"] == "shapes"
    assert {a["pcode"]: a["organisations"] for a in data["areas"]} == {
        "AF9101": 2,
        "AF9102": 1,
        "AF9201": 0,
    }
    assert [a.pcode for a in result.ranked_areas] == ["AF9101", "AF9102"]


def test_area_presence_lists_who_is_there(world):
    presence = area_presence(user=None, pcode="af91")
    names = [o["name"] for o in presence["organisations"]]
    assert names == ["A", "B", "C"]
    assert presence["organisations"][0]["activities"] == 2
    assert presence["organisations"][0]["sectors"] == ["Health", "Water, Sanitation and Hygiene"]


def test_presence_panels(world):
    a = world["orgs"][0]
    presence = organisation_presence(user=None, organisation=a)
    assert presence["activities"] == 3
    (afg,) = presence["countries"]
    assert afg["areas"] == 2
    assert {s["code"]: s["activities"] for s in afg["sectors"]} == {"WSH": 2, "HEA": 1}

    from harambee.network.choices import GroupKind
    from harambee.network.tests.factories import GroupFactory, MembershipFactory

    group = GroupFactory(kind=GroupKind.COUNTRY, country_id="AFG")
    MembershipFactory(group=group, organisation=a)
    MembershipFactory(group=group, organisation=world["orgs"][2])
    summary = group_presence(user=None, group=group)
    assert (summary["organisations"], summary["activities"], summary["areas"]) == (2, 4, 3)
    assert {r["code"]: r["organisations"] for r in summary["rows"]} == {"WSH": 1, "HEA": 2}


@pytest.mark.parametrize("extra", [0, 12])
def test_coverage_costs_a_fixed_number_of_queries(world, extra, django_assert_num_queries):
    for i in range(extra):
        placed_activity(world["d2"], sector=SectorFactory(code="NUT"), people_reached=i)
    # country, levels, areas, the grouped places, the counts, the sectors
    with django_assert_num_queries(5):
        coverage(user=None, country="AFG", level=1)
    with django_assert_num_queries(4):  # the map: no sectors
        coverage(user=None, country="AFG", level=1, cells=False)
