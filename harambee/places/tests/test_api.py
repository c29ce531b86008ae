import pytest
from rest_framework.test import APIClient

from harambee.places.choices import EmergencyType
from harambee.places.importers import import_admin_areas
from harambee.places.models import AdminArea, Emergency

from .conftest import DATA
from .factories import EmergencyFactory

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[-14, 10], [-13, 10], [-13, 11], [-14, 10]]]}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def loaded():
    import_admin_areas(DATA / "ocha_small.csv")
    AdminArea.objects.filter(pcode="GN001001").update(boundary=SQUARE)


def as_user(api, user):
    api.force_authenticate(user)
    return api


# Countries ------------------------------------------------------------------------------


def test_countries_are_paginated_and_searchable(api, loaded):
    body = api.get("/api/countries/").json()
    assert body["count"] == 249 and len(body["results"]) == 50 and body["next"]
    body = api.get("/api/countries/", {"q": "guinea"}).json()
    names = [c["name"] for c in body["results"]]
    assert "Guinea" in names and "Guinea-Bissau" in names
    assert api.get("/api/countries/", {"q": "gin"}).json()["results"][0]["iso3"] == "GIN"
    with_areas = api.get("/api/countries/", {"has_areas": "true"}).json()
    assert [c["iso3"] for c in with_areas["results"]] == ["GIN", "LBR"]


def test_country_by_iso3_in_any_case(api, loaded):
    body = api.get("/api/countries/gin/").json()
    assert (body["iso3"], body["iso2"], body["admin_area_count"]) == ("GIN", "GN", 5)
    response = api.get("/api/countries/XXX/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_countries_are_read_only(api, admin_user):
    as_user(api, admin_user)
    assert api.post("/api/countries/", {"iso3": "XXA"}).status_code == 405
    assert api.delete("/api/countries/GIN/").status_code == 405


# Admin areas ----------------------------------------------------------------------------


def test_admin_area_filters(api, loaded):
    def pcodes(**params):
        return [a["pcode"] for a in api.get("/api/admin-areas/", params).json()["results"]]

    assert pcodes(country="lbr") == ["LR01", "LR0101", "LR0102"]
    assert pcodes(country="GIN", level=1) == ["GN001", "GN008"]
    assert pcodes(parent="GN001") == ["GN001001", "GN001002"]
    assert pcodes(q="boff") == ["GN001001"]
    assert pcodes(q="LR01") == ["LR01", "LR0101", "LR0102"]


def test_admin_area_list_leaves_out_boundaries_unless_asked(api, loaded, django_assert_num_queries):
    with django_assert_num_queries(2):  # count, page
        body = api.get("/api/admin-areas/", {"parent": "GN001"}).json()
    assert "boundary" not in body["results"][0]
    assert body["results"][0]["parent"] == "GN001"
    assert body["results"][0]["country"] == "GIN"
    body = api.get("/api/admin-areas/", {"parent": "GN001", "include": "boundary"}).json()
    assert body["results"][0]["boundary"] == SQUARE


def test_admin_area_detail_has_the_boundary_and_404s(api, loaded):
    body = api.get("/api/admin-areas/GN001001/").json()
    assert body["boundary"] == SQUARE and body["level"] == 2 and body["version"] == 1
    assert api.get("/api/admin-areas/NOPE/").status_code == 404


def test_admin_areas_are_read_only_for_non_admins(api, loaded, editor):
    as_user(api, editor)
    assert api.patch("/api/admin-areas/GN001/", {"name": "X", "version": 1}).status_code == 403
    new = {"pcode": "GN002", "name": "Conakry", "level": 1, "country": "GIN"}
    assert api.post("/api/admin-areas/", new, format="json").status_code == 403
    assert api.delete("/api/admin-areas/GN001001/").status_code == 403


def test_admins_write_admin_areas_with_versions(api, loaded, admin_user):
    as_user(api, admin_user)
    new = {"pcode": "GN002", "name": "Conakry", "level": 1, "country": "gin"}
    response = api.post("/api/admin-areas/", new, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "GIN"
    assert api.patch("/api/admin-areas/GN002/", {"name": "C"}, format="json").status_code == 400
    ok = api.patch("/api/admin-areas/GN002/", {"name": "Conakry city", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch("/api/admin-areas/GN002/", {"name": "Late", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    bad_parent = {"pcode": "GN002001", "name": "x", "level": 3, "country": "GIN", "parent": "GN002"}
    response = api.post("/api/admin-areas/", bad_parent, format="json")
    assert response.status_code == 400 and "parent" in response.json()["fields"]
    missing = api.delete("/api/admin-areas/GN002/")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    below = api.delete("/api/admin-areas/GN001/?version=1")
    assert below.status_code == 400 and "version" not in below.json().get("fields", {})
    assert api.delete("/api/admin-areas/GN002/?version=2").status_code == 204


def test_bad_boundary_geometry_is_refused(api, loaded, admin_user):
    as_user(api, admin_user)
    response = api.patch(
        "/api/admin-areas/GN001/",
        {"version": 1, "boundary": {"type": "Polygon", "coordinates": [[[500, 0]]]}},
        format="json",
    )
    assert response.status_code == 400 and "boundary" in response.json()["fields"]


# Emergencies ----------------------------------------------------------------------------


def test_emergency_filters(api):
    ebola = EmergencyFactory(
        name="Ebola",
        emergency_type=EmergencyType.EPIDEMIC,
        countries=["GIN", "LBR"],
        start_date="2014-03-23",
        end_date="2016-06-09",
        glide="EP-2014-000041-GIN",
    )
    sudan = EmergencyFactory(
        name="Sudan conflict",
        emergency_type=EmergencyType.COMPLEX,
        countries=["SDN", "TCD"],
        start_date="2023-04-15",
    )

    def names(**params):
        response = api.get("/api/emergencies/", params)
        assert response.status_code == 200, response.json()
        return [e["name"] for e in response.json()["results"]]

    assert names(country="gin") == [ebola.name]
    assert names(type="CE") == [sudan.name]
    assert names(q="000041") == [ebola.name]
    assert names(active_on="2015-01-01") == [ebola.name]
    assert names(active_on="2024-01-01") == [sudan.name]
    assert names() == [sudan.name, ebola.name]  # newest first
    body = api.get(f"/api/emergencies/{ebola.pk}/").json()
    assert body["countries"] == ["GIN", "LBR"]
    assert api.get("/api/emergencies/", {"type": "nope"}).status_code == 400


def test_emergency_list_pagination_and_query_count(api, django_assert_num_queries):
    for _ in range(5):
        EmergencyFactory(countries=["GIN", "SLE"])
    with django_assert_num_queries(3):  # count, page, countries of the page
        body = api.get("/api/emergencies/", {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert api.get("/api/emergencies/", {"page": 9}).status_code == 404
    assert api.get("/api/emergencies/999999/").status_code == 404


def test_editor_creates_and_updates_with_version(api, editor):
    as_user(api, editor)
    data = {"name": "Floods", "emergency_type": "FL", "countries": ["som"], "glide": ""}
    created = api.post("/api/emergencies/", data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["countries"], body["glide"], body["version"]) == (["SOM"], None, 1)
    url = f"/api/emergencies/{body['id']}/"
    missing = api.patch(url, {"name": "Floods 2024"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    ok = api.patch(url, {"name": "Floods 2024", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.put(url, {**data, "name": "Late", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert Emergency.objects.get().name == "Floods 2024"


def test_emergency_validation_errors(api, editor):
    as_user(api, editor)
    no_country = {"name": "x", "emergency_type": "FL", "countries": []}
    assert "countries" in api.post("/api/emergencies/", no_country, format="json").json()["fields"]
    bad_glide = {"name": "x", "emergency_type": "FL", "countries": ["SOM"], "glide": "FL-2024"}
    assert "glide" in api.post("/api/emergencies/", bad_glide, format="json").json()["fields"]
    unknown = {"name": "x", "emergency_type": "FL", "countries": ["XXX"]}
    assert "countries" in api.post("/api/emergencies/", unknown, format="json").json()["fields"]


def test_emergency_permissions(api, viewer, editor, coordinator):
    emergency = EmergencyFactory()
    url = f"/api/emergencies/{emergency.pk}/"
    data = {"name": "x", "emergency_type": "FL", "countries": ["SOM"]}
    assert api.post("/api/emergencies/", data, format="json").status_code == 403  # anonymous
    as_user(api, viewer)
    assert api.post("/api/emergencies/", data, format="json").status_code == 403
    assert api.patch(url, {"name": "x", "version": 1}, format="json").status_code == 403
    as_user(api, editor)
    assert api.delete(url).status_code == 403
    as_user(api, coordinator)
    assert api.delete(url + "?version=5").status_code == 409
    assert api.delete(url + "?version=1").status_code == 204
    assert not Emergency.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "abc"])
def test_admin_area_level_filter_refuses_values_out_of_range(api, loaded, value):
    response = api.get("/api/admin-areas/", {"level": value})
    assert response.status_code == 400 and "level" in response.json()["fields"]
    assert api.get("/api/admin-areas/", {"level": "1"}).status_code == 200


def test_emergency_delete_needs_the_version(api, admin_user):
    emergency = EmergencyFactory()
    as_user(api, admin_user)
    response = api.delete(f"/api/emergencies/{emergency.pk}/")
    assert response.status_code == 400 and "version" in response.json()["fields"]
    assert Emergency.objects.filter(pk=emergency.pk).exists()
