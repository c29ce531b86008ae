"""Home, search, profile, log-in pages, error pages, accessibility basics and language."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import PASSWORD, UserFactory
from harambee.network.choices import GroupKind, OrganisationType, RequestStatus
from harambee.network.tests.factories import (
    GroupFactory,
    GroupRoleFactory,
    OrganisationFactory,
    RequestFactory,
)
from harambee.places.models import AdminArea

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    org = OrganisationFactory(name="Member Org", acronym="MO")
    user = UserFactory(username="member", organisation=org)
    GroupRoleFactory(user=user, group=GroupFactory(name="Members group"), role=Role.EDITOR)
    return user


# Home ------------------------------------------------------------------------------------------


def test_home_for_anonymous_explains_harambee(client):
    html = client.get(reverse("home")).content.decode()
    assert "What Harambee is" in html
    assert reverse("login") in html


def test_home_counts_and_map_data(client):
    OrganisationFactory(org_type=OrganisationType.UN_AGENCY, hq_country_id="CHE")
    OrganisationFactory(org_type=OrganisationType.UN_AGENCY)
    OrganisationFactory(org_type=OrganisationType.NATIONAL_NGO)
    OrganisationFactory(visibility=Visibility.NETWORK)  # not counted for the anonymous
    uganda = GroupFactory(name="Uganda group", kind=GroupKind.COUNTRY, country_id="UGA")
    GroupFactory(name="Zambia group", kind=GroupKind.COUNTRY, country_id="ZMB")
    RequestFactory(from_group=uganda, title="Open need")
    RequestFactory(from_group=uganda, title="Closed need", status=RequestStatus.DONE)
    response = client.get(reverse("home"))
    html = response.content.decode()
    context = response.context
    assert context["organisation_count"] == 3
    assert context["group_count"] == 2 + 2  # the two country groups and the requests' groups
    assert context["open_request_count"] == 1
    assert context["country_count"] == 3  # UGA, ZMB (groups) and CHE (headquarters)
    assert "UN agency" in html
    data = json.loads(
        re.search(
            r'<script id="group-map-data" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    by_numeric = {row["numeric"]: row for row in data}
    assert by_numeric["800"]["groups"][0]["name"] == "Uganda group"
    assert by_numeric["800"]["groups"][0]["url"] == uganda.get_absolute_url()
    assert "894" in by_numeric
    assert "vendor/world-atlas/countries-110m.json" in html
    assert "vendor/leaflet/leaflet.js" in html and "harambee/map.js" in html
    assert "Open need" in html
    # CSP: no inline executable script on the page
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)


def test_home_for_members_hides_intro(client, member):
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert "What Harambee is" not in html
    assert 'aria-current="page"' in html


@pytest.mark.parametrize("rows", [2, 8])
def test_home_query_count_is_fixed(client, member, django_assert_num_queries, rows):
    for i in range(rows):
        g = GroupFactory(name=f"Country {i}", kind=GroupKind.COUNTRY, country_id="KEN")
        RequestFactory(from_group=g)
        OrganisationFactory().countries.set(["KEN"])
    client.force_login(member)
    # session, user, roles, by type, country groups, groups, hq, operation, open, latest
    with django_assert_num_queries(10):
        client.get(reverse("home"))


# Search ----------------------------------------------------------------------------------------


def test_search_finds_by_acronym_name_other_names_and_typo(client):
    OrganisationFactory(name="United Nations High Commissioner for Refugees", acronym="UNHCR")
    OrganisationFactory(
        name="Norwegian Refugee Council", acronym="NRC", other_names=["Flyktninghjelpen"]
    )
    url = reverse("search")
    assert "United Nations High Commissioner" in client.get(url, {"q": "unhcr"}).content.decode()
    assert (
        "Norwegian Refugee Council" in client.get(url, {"q": "Flyktninghjelpen"}).content.decode()
    )
    assert (
        "Norwegian Refugee Council" in client.get(url, {"q": "norwegian refugee"}).content.decode()
    )
    typo = client.get(url, {"q": "Norwegain Refugee Councel"}).content.decode()
    assert "Norwegian Refugee Council" in typo
    assert "United Nations" not in client.get(url, {"q": "Norwegain"}).content.decode()


def test_search_respects_visibility(client, member):
    OrganisationFactory(name="Quiet Network Org", visibility=Visibility.NETWORK)
    url = reverse("search")
    assert "Quiet Network Org" not in client.get(url, {"q": "quiet network"}).content.decode()
    assert "Quiet Network Org" not in client.get(url, {"q": "Quiet Netwrk Org"}).content.decode()
    client.force_login(member)
    assert "Quiet Network Org" in client.get(url, {"q": "quiet network"}).content.decode()


def test_search_groups_requests_countries_and_places(client):
    GroupFactory(name="Zambia country group", kind=GroupKind.COUNTRY, country_id="ZMB")
    RequestFactory(title="Mentors for entrepreneurs")
    AdminArea.objects.create(pcode="ZM01", country_id="ZMB", level=1, name="Central Province")
    url = reverse("search")
    html = client.get(url, {"q": "zambia"}).content.decode()
    assert "Zambia country group" in html
    assert '<h2 id="r-countries">Countries</h2>' in html
    assert "Mentors for entrepreneurs" in client.get(url, {"q": "mentors"}).content.decode()
    assert "Central Province" in client.get(url, {"q": "ZM01"}).content.decode()
    assert "Zambia" in client.get(url, {"q": "ZMB"}).content.decode()


def test_search_page_without_query(client):
    html = client.get(reverse("search")).content.decode()
    assert 'role="search"' in html and 'for="id_q"' in html


# Profile and tokens ----------------------------------------------------------------------------


def test_profile_requires_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_profile_shows_organisation_and_roles(client, member):
    client.force_login(member)
    html = client.get(reverse("profile")).content.decode()
    assert "Member Org" in html and "Members group" in html and "Editor" in html
    assert 'name="language"' in html


def test_token_create_regenerate_revoke(client, member):
    client.force_login(member)
    url = reverse("profile-token")
    html = client.post(url, {"action": "create"}).content.decode()
    first = Token.objects.get(user=member).key
    assert first in html and "it will not be shown again" in html
    assert first not in client.get(reverse("profile")).content.decode()
    client.post(url, {"action": "regenerate"})
    second = Token.objects.get(user=member).key
    assert second != first
    response = client.post(url, {"action": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=member).exists()
    assert client.get(url).status_code == 405


# Log-in, errors --------------------------------------------------------------------------------


def test_login_and_logout(client, member):
    html = client.get(reverse("login")).content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("profile")).status_code == 302


def test_locked_out_page(client, member, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(3):
        response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_not_found_page(client):
    response = client.get("/network/organisations/999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_forbidden_page_has_the_service_message(client, member):
    viewer = UserFactory(username="plainviewer")
    client.force_login(viewer)
    response = client.get(reverse("network:group-create"))
    assert response.status_code == 403
    assert "You do not have permission to add a group." in response.content.decode()


# Accessibility and language --------------------------------------------------------------------


def test_base_page_accessibility_landmarks(client):
    html = client.get(reverse("network:organisation-list")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'aria-current="page">Organisations' in html
    assert 'aria-controls="main-menu"' in html
    assert '<label for="nav-q"' in html and '<label for="lang"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_french_by_accept_language(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in html
    assert "Ce que contient Harambee" in html
    assert "Aller au contenu" in html


def test_french_by_set_language(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("network:organisation-list")).content.decode()
    assert "Ajouter une organisation" in html or "Filtrer" in html
    assert "Rechercher" in html
