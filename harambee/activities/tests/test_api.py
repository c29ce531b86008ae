"""Activities API: same filters as the pages, visibility, versions, services, query counts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory, user_with_role

from ..models import Activity, Sector
from .factories import (
    ActivityFactory,
    ActivityFigureFactory,
    ActivityOrganisationFactory,
    AdminAreaFactory,
    SectorFactory,
    placed_activity,
)

pytestmark = pytest.mark.django_db
API = "/api"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def area():
    return AdminAreaFactory(pcode="AF91", name="Kabul")


@pytest.fixture
def editor():
    return user_with_role(Role.EDITOR, organisation=OrganisationFactory(name="Editors"))


def test_list_uses_the_same_filters_and_hides_what_the_user_may_not_see(area):
    wash = placed_activity(area, sector=SectorFactory(code="WSH"), title="Wells")
    ActivityFactory(sector=SectorFactory(code="HEA"))
    ActivityFactory(visibility=Visibility.ORGANISATION, sector=SectorFactory(code="WSH"))
    response = client_for().get(f"{API}/activities/", {"sector": "WSH", "admin_area": "AF91"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [wash.pk]
    assert results[0]["places"][0]["admin_area"] == "AF91"
    assert results[0]["sector_code"] == "WSH"
    assert len(client_for().get(f"{API}/activities/").json()["results"]) == 2


def test_create_update_delete_with_versions(editor, area):
    org = OrganisationFactory(name="Implementer")
    funder = OrganisationFactory(name="Funder")
    client = client_for(editor)
    body = {
        "country": "afg",
        "implementing_organisation": org.pk,
        "sector": Sector.objects.get(code="WSH", country=None).pk,
        "title": "Latrines",
        "population_groups": ["refugees"],
        "places": [{"admin_area": "AF91", "source_names": ["Kaboul"]}],
        "other_organisations": [{"organisation": funder.pk, "role": "funding"}],
        "figures": [{"kind": "reached", "sex": "female", "age_group": "0-17", "value": 40}],
    }
    response = client.post(f"{API}/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    activity = Activity.objects.get(pk=data["id"])
    assert activity.owner_organisation == editor.organisation
    assert data["places"][0]["source_names"] == ["Kaboul"]
    assert data["other_organisations"][0]["organisation_name"] == "Funder"
    assert data["figures"][0]["value"] == 40

    url = f"{API}/activities/{activity.pk}/"
    missing = client.patch(url, {"title": "x"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    ok = client.patch(url, {"title": "More latrines", "version": data["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["title"] == "More latrines"
    assert ok.json()["places"][0]["admin_area"] == "AF91"  # parts not sent are kept
    stale = client.patch(url, {"title": "Stale", "version": data["version"]}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    elsewhere = AdminAreaFactory(pcode="UG91", country_id="UGA")
    wrong = client.patch(
        url,
        {"places": [{"admin_area": elsewhere.pcode}], "version": ok.json()["version"]},
        format="json",
    )
    assert wrong.status_code == 400

    assert client_for(user_with_role(Role.EDITOR)).patch(
        url, {"title": "Not mine", "version": ok.json()["version"]}, format="json"
    ).status_code in (403, 404)
    coordinator = user_with_role(Role.COORDINATOR, organisation=editor.organisation)
    gone = client_for(coordinator).delete(f"{url}?version={ok.json()['version']}")
    assert gone.status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_anonymous_and_viewers_cannot_write():
    assert client_for().post(f"{API}/activities/", {}, format="json").status_code in (401, 403)
    viewer = user_with_role(Role.VIEWER)
    assert client_for(viewer).post(f"{API}/activities/", {}, format="json").status_code == 403


def test_hidden_organisation_cannot_be_named(editor):
    hidden = OrganisationFactory(visibility=Visibility.ORGANISATION)
    body = {"country": "AFG", "implementing_organisation": hidden.pk, "sector": SectorFactory().pk}
    response = client_for(editor).post(f"{API}/activities/", body, format="json")
    assert response.status_code == 400
    assert "implementing_organisation" in response.json()["fields"]


def test_sectors_editors_add_country_sectors_admins_clusters(editor):
    client = client_for(editor)
    response = client.post(
        f"{API}/sectors/",
        {"code": "EiE_OP", "name": "Education OP", "country": "afg"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Sector.objects.get(code="EiE_OP").country_id == "AFG"
    refused = client.post(f"{API}/sectors/", {"code": "NEW", "name": "New cluster"}, format="json")
    assert refused.status_code == 403
    admin = UserFactory(is_superuser=True)
    assert (
        client_for(admin)
        .post(f"{API}/sectors/", {"code": "NEW", "name": "New"}, format="json")
        .status_code
        == 201
    )
    assert (
        client_for(user_with_role(Role.VIEWER))
        .post(f"{API}/sectors/", {"code": "X", "name": "X", "country": "AFG"}, format="json")
        .status_code
        == 403
    )
    listed = (
        client_for().get(f"{API}/sectors/", {"country": "AFG", "q": "education"}).json()["results"]
    )
    assert {s["code"] for s in listed} == {"EDU", "EiE_OP"}


def test_population_groups_are_read_only():
    client = client_for(UserFactory(is_superuser=True))
    response = client.get(f"{API}/population-groups/")
    assert {g["code"] for g in response.json()["results"]} >= {"refugees", "idps"}
    assert client.get(f"{API}/population-groups/refugees/").json()["name"] == "Refugees"
    assert client.post(f"{API}/population-groups/", {"code": "x"}).status_code == 405


@pytest.mark.parametrize("rows", [3, 9])
def test_list_endpoints_run_a_fixed_number_of_queries(rows, area, django_assert_num_queries):
    viewer = user_with_role(Role.VIEWER)
    for _ in range(rows):
        activity = placed_activity(area)
        ActivityOrganisationFactory(activity=activity)
        ActivityFigureFactory(activity=activity)
    viewer.refresh_from_db()
    client = client_for(viewer)
    # roles, count, page, places, other organisations, population groups, figures, named people
    with django_assert_num_queries(8):
        response = client.get(f"{API}/activities/")
    assert len(response.json()["results"]) == rows
    with django_assert_num_queries(2):  # count, page (the user's roles are read already)
        client.get(f"{API}/sectors/")
    with django_assert_num_queries(2):
        client_for().get(f"{API}/population-groups/")
