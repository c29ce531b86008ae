import json
import re

import pytest
from django.urls import reverse

from harambee.places.importers import import_admin_areas
from harambee.places.models import AdminArea, Emergency

from .conftest import DATA
from .factories import EmergencyFactory

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[-14, 10], [-13, 10], [-13, 11], [-14, 10]]]}


@pytest.fixture
def loaded():
    import_admin_areas(DATA / "ocha_small.csv")


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def assert_no_inline_script(page):
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


# Countries and areas --------------------------------------------------------------------


def test_country_list_with_counts_and_search(client, loaded, django_assert_num_queries):
    EmergencyFactory(countries=["GIN"])
    url = reverse("places:country-list")
    with django_assert_num_queries(2):  # count, page with both counts as subqueries
        page = html(client.get(url))
    assert "249 countries" in page
    with django_assert_num_queries(2):
        page = html(client.get(url, {"q": "guinea", "has_areas": "true"}))
    assert "1 country" in page
    row = re.search(r"<tr>\s*<td><a href=\"/places/GIN/\">Guinea</a>.*?</tr>", page, re.S).group()
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["5", "1"]
    assert "Page 1 of 5" in html(client.get(url))


def test_country_detail_lists_level_one_areas_and_emergencies(client, loaded):
    EmergencyFactory(name="Ebola outbreak", countries=["GIN", "LBR"])
    EmergencyFactory(name="Somali drought", countries=["SOM"])
    page = html(client.get(reverse("places:country-detail", args=["gin"])))
    assert "Boke" in page and "Nzerekore" in page and "Boffa" not in page
    row = re.search(r"GN001</td><td class=\"num\">(\d+)</td>", page)
    assert row.group(1) == "2"
    assert "Ebola outbreak" in page and "Somali drought" not in page
    assert client.get("/places/XXX/").status_code == 404


def test_country_detail_searches_its_areas(client, loaded):
    page = html(client.get(reverse("places:country-detail", args=["GIN"]), {"q": "boffa"}))
    assert "1 area found" in page and "/places/areas/GN001001/" in page
    page = html(client.get(reverse("places:country-detail", args=["GIN"]), {"level": "2"}))
    assert "3 areas found" in page


def test_area_detail_with_parent_children_and_boundary_map(client, loaded):
    AdminArea.objects.filter(pcode="GN001001").update(boundary=SQUARE)
    page = html(client.get(reverse("places:area-detail", args=["GN001"])))
    assert "/places/areas/GN001001/" in page and "/places/areas/GN001002/" in page
    assert 'id="area-map"' not in page  # no boundary, no point
    page = html(client.get(reverse("places:area-detail", args=["GN001001"])))
    assert 'href="/places/areas/GN001/"' in page  # parent, in the breadcrumb and the facts
    assert "places/area_map.js" in page and "vendor/leaflet/leaflet.js" in page
    data = re.search(r'<script id="area-geometry" type="application/json">(.*?)</script>', page)
    assert json.loads(data.group(1))["geometry"] == SQUARE
    assert_no_inline_script(page)
    assert client.get("/places/areas/NOPE/").status_code == 404


def test_area_detail_draws_the_centre_point_when_there_is_no_boundary(client, loaded):
    AdminArea.objects.filter(pcode="LR0101").update(latitude=6.9, longitude=-10.8)
    page = html(client.get(reverse("places:area-detail", args=["LR0101"])))
    data = re.search(r'<script id="area-geometry" type="application/json">(.*?)</script>', page)
    assert json.loads(data.group(1))["geometry"] == {"type": "Point", "coordinates": [-10.8, 6.9]}


def test_pages_are_translated(client, loaded):
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("places:country-list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"


# Emergencies ----------------------------------------------------------------------------


def test_emergency_list_filters_and_query_count(client, django_assert_num_queries):
    for n in range(3):
        EmergencyFactory(name=f"Flood {n}", countries=["SOM", "ETH"])
    EmergencyFactory(name="Ebola", emergency_type="EP", countries=["GIN"])
    url = reverse("places:emergency-list")
    with django_assert_num_queries(3):  # count, page, countries of the page
        page = html(client.get(url))
    assert "4 emergencies" in page and "Add an emergency" not in page
    page = html(client.get(url, {"country": "gin"}))
    assert "1 emergency" in page and "Ebola" in page
    assert "3 emergencies" in html(client.get(url, {"type": "FL"}))
    assert "Select a valid choice" in html(client.get(url, {"type": "nope"}))


def test_emergency_detail_shows_actions_only_to_permitted_users(client, editor, coordinator):
    emergency = EmergencyFactory(name="Ebola", countries=["GIN", "LBR"])
    url = emergency.get_absolute_url()
    page = html(client.get(url))
    assert "Guinea" in page and "Liberia" in page and "/edit/" not in page
    client.force_login(editor)
    page = html(client.get(url))
    assert "/edit/" in page and "/delete/" not in page
    client.force_login(coordinator)
    assert "/delete/" in html(client.get(url))
    assert client.get("/places/emergencies/999999/").status_code == 404


def test_create_needs_permission(client, viewer):
    url = reverse("places:emergency-create")
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403


def test_editor_creates_an_emergency(client, editor):
    client.force_login(editor)
    url = reverse("places:emergency-create")
    page = html(client.get(url))
    assert 'for="id_name"' in page and 'name="version"' in page
    from harambee.places.models import Country

    guinea = Country.objects.get(iso3="GIN").pk
    data = {
        "name": "Ebola",
        "glide": "ep-2014-000041-gin",
        "emergency_type": "EP",
        "countries": [guinea],
        "start_date": "2014-03-23",
        "end_date": "2013-01-01",
        "description": "",
        "version": "",
    }
    page = html(client.post(url, data))
    assert "The end date is before the start date." in page
    assert not Emergency.objects.exists()
    response = client.post(url, {**data, "end_date": "2016-06-09"})
    emergency = Emergency.objects.get()
    assert response.status_code == 302 and response["Location"] == emergency.get_absolute_url()
    assert emergency.glide == "EP-2014-000041-GIN"
    assert "added" in html(client.get(response["Location"]))


def test_edit_with_a_stale_version_says_so_and_keeps_the_other_edit(client, editor):
    emergency = EmergencyFactory(name="Floods", countries=["SOM"])
    client.force_login(editor)
    url = reverse("places:emergency-edit", args=[emergency.pk])
    page = html(client.get(url))
    assert 'name="version" value="1"' in page
    data = {"name": "Floods 2024", "emergency_type": "FL", "countries": ["SOM"], "version": "1"}
    response = client.post(url, data)
    assert response.status_code == 302
    stale = html(client.post(url, {**data, "name": "Older edit"}))
    assert "Someone else changed this emergency" in stale
    assert Emergency.objects.get().name == "Floods 2024"
    assert "did not say which version" in html(client.post(url, {**data, "version": ""}))


def test_delete_by_coordinator_with_version(client, editor, coordinator):
    emergency = EmergencyFactory()
    url = reverse("places:emergency-delete", args=[emergency.pk])
    client.force_login(editor)
    assert client.post(url, {"version": "1"}).status_code == 403
    client.force_login(coordinator)
    assert 'name="version" value="1"' in html(client.get(url))
    response = client.post(url, {"version": "3"})
    assert response.status_code == 302 and Emergency.objects.exists()
    assert "It was not deleted" in html(client.get(response["Location"]))
    # Without the version read, nothing is deleted (never "whatever version it is now").
    response = client.post(url, {})
    assert response.status_code == 400 and Emergency.objects.exists()
    assert "missing the version you read" in response.content.decode()
    response = client.post(url, {"version": "1"})
    assert response["Location"] == reverse("places:emergency-list")
    assert not Emergency.objects.exists()


def test_oversized_filters_are_ignored_with_a_message(client, loaded):
    url = reverse("places:country-detail", args=["GIN"])
    response = client.get(url, {"level": "99999999999999999999", "q": "a"})
    assert response.status_code == 200 and "was ignored" in html(response)
    response = client.get(reverse("places:emergency-list"), {"active_on": "not-a-date"})
    assert response.status_code == 200 and "was ignored" in html(response)
