"""Activity pages: list with filters and htmx, detail, forms through services, map, coverage,
the "where we work" panels, and pinned query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harambee.core.choices import Role, Visibility
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import GroupKind
from harambee.network.tests.factories import (
    GroupFactory,
    MembershipFactory,
    OrganisationFactory,
    user_with_role,
)

from ..models import Activity, ImportBatch
from .factories import (
    ActivityFactory,
    ActivityFigureFactory,
    ActivityOrganisationFactory,
    ActivityPlaceFactory,
    AdminAreaFactory,
    SectorFactory,
    placed_activity,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def areas():
    province = AdminAreaFactory(pcode="AF91", name="Kabul", latitude=34.5, longitude=69.2)
    district = AdminAreaFactory(pcode="AF9101", name="Kabul City", level=2, parent=province)
    return province, district


@pytest.fixture
def editor():
    org = OrganisationFactory(name="Editors Org")
    return user_with_role(Role.EDITOR, organisation=org)


def test_list_filters_with_htmx_and_fixed_queries(client, areas, django_assert_num_queries):
    _province, district = areas
    for _ in range(6):
        activity = placed_activity(district, sector=SectorFactory(code="WSH"))
        ActivityOrganisationFactory(activity=activity)
    ActivityFactory(title="Health post", sector=SectorFactory(code="HEA"))
    url = reverse("activities:activity-list")
    response = client.get(url)
    assert response.status_code == 200
    assert b"Health post" in response.content and b"Who does what where" in response.content
    # count, page, then places, other organisations (+ visible ones), groups, figures, named people
    with django_assert_num_queries(7):
        response = client.get(url, {"sector": "WSH", "admin_area": "AF91"}, **HTMX)
    assert b"Health post" not in response.content
    assert b"6 activities" in response.content
    assert b"<html" not in response.content
    assert b"format=csv" in response.content


def test_list_query_count_does_not_grow_with_rows(client, areas, django_assert_num_queries):
    for _ in range(15):
        placed_activity(areas[1])
    with django_assert_num_queries(7):
        client.get(reverse("activities:activity-list"), **HTMX)


def test_detail_shows_places_with_file_names_roles_figures_and_source(client, areas):
    activity = ActivityFactory(
        title="Wells", people_reached=900, source_file="afg.csv", source_row=12
    )
    ActivityPlaceFactory(
        activity=activity, admin_area=areas[1], source_names=["Kaboul", "Kabul Shahr"]
    )
    ActivityOrganisationFactory(activity=activity, organisation=OrganisationFactory(name="ECHO"))
    ActivityFigureFactory(activity=activity, sex="female", age_group="0-17", value=400)
    batch = ImportBatch.objects.create(
        file_name="afg.csv", file_sha256="x", visibility=Visibility.ORGANISATION
    )
    Activity.objects.filter(pk=activity.pk).update(import_batch=batch)
    response = client.get(activity.get_absolute_url())
    body = response.content.decode()
    assert "Kaboul › Kabul Shahr" in body and "AF9101" in body
    assert "ECHO" in body and "Funding" in body
    assert "Female, Children (0–17): 400" in body and "900" in body
    assert "afg.csv" in body and "An import you cannot see" in body
    hidden = ActivityFactory(visibility=Visibility.ORGANISATION)
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_create_edit_delete_through_services(client, editor, areas):
    client.force_login(editor)
    wash = SectorFactory(code="WSH")
    org = OrganisationFactory(name="Implementer")
    url = reverse("activities:activity-create")
    assert client.get(url).status_code == 200
    data = {
        "country": "AFG",
        "implementing_organisation": org.pk,
        "sector": wash.pk,
        "title": "Latrines",
        "status": "ongoing",
        "visibility": "public",
        "places": "af9101\nAF91",
        "people_reached": "50",
    }
    response = client.post(url, data)
    activity = Activity.objects.get(title="Latrines")
    assert response.status_code == 302
    assert activity.owner_organisation == editor.organisation
    assert sorted(p.admin_area.pcode for p in activity.places.all()) == ["AF91", "AF9101"]
    assert ChangeRecord.objects.for_object(activity).count() == 2  # created, places noted

    bad = client.post(url, {**data, "places": "XX99"})
    assert "Unknown P-codes: XX99" in bad.content.decode()

    edit = reverse("activities:activity-edit", args=[activity.pk])
    response = client.post(edit, {**data, "title": "More latrines", "version": activity.version})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "More latrines"
    stale = client.post(edit, {**data, "title": "Stale", "version": 1})
    assert "Someone else changed" in stale.content.decode()

    other = user_with_role(Role.EDITOR)
    client.force_login(other)
    assert client.get(edit).status_code == 403

    coordinator = user_with_role(Role.COORDINATOR, organisation=editor.organisation)
    client.force_login(coordinator)
    delete = reverse("activities:activity-delete", args=[activity.pk])
    response = client.post(delete, {"version": activity.version})
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_anonymous_cannot_add(client):
    response = client.get(reverse("activities:activity-create"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_map_page_modes_table_and_area_panel(client, areas, django_assert_num_queries):
    _province, district = areas
    placed_activity(district, implementing_organisation=OrganisationFactory(name="Aschiana"))
    url = reverse("activities:activity-map")
    assert b"Choose a country" in client.get(url).content
    response = client.get(url, {"country": "AFG"})
    body = response.content.decode()
    assert 'id="activity-map-data"' in body and "activities/map.js" in body
    assert '"mode": "points"' in body and "<script>" not in body.replace("<script src", "")
    assert "Kabul" in body and "AF91" in body  # the accessible table
    # Level 2 has no boundary and no centre: ranked bars instead of a blank map.
    bars = client.get(url, {"country": "AFG", "level": 2}).content.decode()
    assert "ranked-bars" in bars and "<meter" in bars and "activity-map-data" not in bars
    with django_assert_num_queries(4):  # country, levels, areas, grouped places
        client.get(url, {"country": "AFG", "level": 2}, **HTMX)
    panel = client.get(
        reverse("activities:activity-map-area"), {"country": "AFG", "area": "AF91"}, **HTMX
    )
    assert b"Aschiana" in panel.content and b"<html" not in panel.content
    page = client.get(reverse("activities:activity-map-area"), {"area": "AF91"})
    assert b"<html" in page.content and b"Aschiana" in page.content
    assert client.get(url, {"country": "XXX"}).status_code == 404


def test_map_shapes_endpoint(client, areas):
    province, _district = areas
    province.boundary = {
        "type": "Polygon",
        "coordinates": [[[69, 34], [70, 34], [70, 35], [69, 34]]],
    }
    province.save()
    response = client.get(reverse("activities:activity-map-shapes", args=["AFG", 1]))
    data = response.json()
    assert [f["properties"]["pcode"] for f in data["features"]] == ["AF91"]
    assert "max-age" in response["Cache-Control"]


def test_coverage_page_says_the_people_rule_and_highlights_gaps(
    client, areas, django_assert_num_queries
):
    _province, district = areas
    AdminAreaFactory(pcode="AF92", name="Herat")
    placed_activity(district, sector=SectorFactory(code="WSH"), people_reached=300)
    placed_activity(district, sector=SectorFactory(code="HEA"), people_reached=200)
    url = reverse("activities:coverage")
    body = client.get(url, {"country": "AFG", "level": 1}).content.decode()
    assert "never" in body and "largest" in body
    assert 'class="num gap"' in body
    assert "300" in body and "500" not in body
    with django_assert_num_queries(5):  # the map's four, and the sectors
        client.get(url, {"country": "AFG", "level": 1, "measure": "reached"}, **HTMX)


def test_organisation_and_group_pages_show_where_they_work(client, areas):
    org = OrganisationFactory(name="Aschiana")
    placed_activity(areas[1], implementing_organisation=org, sector=SectorFactory(code="EDU"))
    body = client.get(org.get_absolute_url()).content.decode()
    assert "Where we work" in body and "Afghanistan" in body and "Education (1)" in body
    group = GroupFactory(kind=GroupKind.COUNTRY, country_id="AFG", name="Afghanistan group")
    MembershipFactory(group=group, organisation=org)
    body = client.get(group.get_absolute_url()).content.decode()
    assert "Where members work" in body and f"group={group.pk}" in body
    assert reverse("activities:coverage") in body


def test_nav_link(client):
    body = client.get(reverse("home")).content.decode()
    assert reverse("activities:activity-list") in body


def test_admin_sees_everything(client, areas):
    hidden = ActivityFactory(visibility=Visibility.ORGANISATION, title="Secret")
    client.force_login(UserFactory(is_superuser=True))
    assert b"Secret" in client.get(hidden.get_absolute_url()).content
