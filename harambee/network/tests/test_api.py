import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from harambee.core.choices import Role, Visibility
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import MembershipRole
from harambee.network.models import GroupRole, Membership, Organisation
from harambee.network.tests.factories import (
    GroupFactory,
    GroupRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RequestFactory,
    RequestResponseFactory,
    WorkplanItemFactory,
    user_with_role,
)
from harambee.privacy.models import AccessLog

pytestmark = pytest.mark.django_db

API = "/api"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def editor():
    return user_with_role(Role.EDITOR)


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True)


# --- organisations: CRUD, errors, versions ----------------------------------------------------


def test_anonymous_reads_public_organisations_only():
    public = OrganisationFactory(name="UNHCR")
    OrganisationFactory(visibility=Visibility.NETWORK)
    OrganisationFactory(visibility=Visibility.ORGANISATION)
    response = client_for().get(f"{API}/organisations/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [public.pk]
    hidden = Organisation.objects.exclude(pk=public.pk).first()
    response = client_for().get(f"{API}/organisations/{hidden.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_cannot_write():
    response = client_for().post(f"{API}/organisations/", {"name": "X", "org_type": "other"})
    assert response.status_code in (401, 403)
    assert not Organisation.objects.exists()


def test_token_authentication_sees_network_records():
    user = UserFactory(organisation=OrganisationFactory(name="Member"))
    network = OrganisationFactory(name="Network only", visibility=Visibility.NETWORK)
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    names = [row["name"] for row in client.get(f"{API}/organisations/").json()["results"]]
    assert network.name in names
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(f"{API}/organisations/").status_code in (401, 403)


def test_organisation_crud(editor):
    client = client_for(editor)
    body = {
        "name": "Refugee Law Project",
        "acronym": "RLP",
        "org_type": "national_ngo",
        "hq_country": "uga",
        "countries": ["UGA", "SSD"],
        "website": "https://refugeelawproject.org",
    }
    created = client.post(f"{API}/organisations/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["version"] == 1 and data["hq_country"] == "UGA"
    assert sorted(data["countries"]) == ["SSD", "UGA"]
    assert data["owner_organisation"] == editor.organisation_id
    assert "allow_duplicate" not in data
    url = f"{API}/organisations/{data['id']}/"

    missing = client.patch(url, {"description": "Legal aid"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid"
    assert "version" in missing.json()["fields"]

    updated = client.patch(url, {"description": "Legal aid", "version": 1}, format="json")
    assert updated.status_code == 200
    assert updated.json()["version"] == 2 and updated.json()["description"] == "Legal aid"

    stale = client.patch(url, {"description": "Overwrite", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"

    put = client.put(
        url, {**body, "name": "Refugee Law Project (Makerere)", "version": 2}, format="json"
    )
    assert put.status_code == 200 and put.json()["version"] == 3

    assert client.delete(url).status_code == 403  # editors change; coordinators delete
    coordinator = user_with_role(Role.COORDINATOR, organisation=editor.organisation)
    assert client_for(coordinator).delete(f"{url}?version=1").status_code == 409
    assert client_for(coordinator).delete(f"{url}?version=3").status_code == 204
    assert not Organisation.objects.filter(pk=data["id"]).exists()


def test_validation_errors_name_the_fields(editor):
    response = client_for(editor).post(
        f"{API}/organisations/",
        {"org_type": "nonsense", "countries": ["XXX"], "website": "not a url"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"name", "org_type", "countries", "website"} <= set(body["fields"])


def test_model_validation_errors_come_back_as_fields(editor):
    response = client_for(editor).post(
        f"{API}/organisations/",
        {"name": "Not diaspora", "org_type": "bank", "origin_country": "SOM"},
        format="json",
    )
    assert response.status_code == 400
    assert "origin_country" in response.json()["fields"]


def test_change_of_another_organisations_record_is_forbidden(editor):
    org = OrganisationFactory()
    response = client_for(editor).patch(
        f"{API}/organisations/{org.pk}/", {"name": "Mine", "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_likely_duplicate_answers_409_with_candidates(editor):
    existing = OrganisationFactory(name="Norwegian Refugee Council", acronym="NRC")
    client = client_for(editor)
    body = {"name": "The Norwegian Refugee Counsel", "org_type": "international_ngo"}
    response = client.post(f"{API}/organisations/", body, format="json")
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "duplicate_suspected"
    (candidate,) = data["candidates"]
    assert candidate["organisation"]["id"] == existing.pk
    assert candidate["score"] >= 88 and candidate["reasons"]
    response = client.post(
        f"{API}/organisations/", {**body, "allow_duplicate": True}, format="json"
    )
    assert response.status_code == 201


def test_duplicates_endpoint():
    existing = OrganisationFactory(name="Kenya Red Cross Society", acronym="KRCS")
    OrganisationFactory(name="Kenya Red Cross", visibility=Visibility.NAMED, acronym="KRC")
    response = client_for().get(
        f"{API}/organisations/duplicates/", {"name": "Kenya Red-Cross Society"}
    )
    assert response.status_code == 200
    assert [c["organisation"]["id"] for c in response.json()] == [existing.pk]
    response = client_for().get(
        f"{API}/organisations/duplicates/", {"name": "x", "acronym": "krcs"}
    )
    assert response.json()[0]["reasons"] == ["Same acronym (KRCS)"]
    response = client_for().get(f"{API}/organisations/duplicates/")
    assert response.status_code == 400 and "name" in response.json()["fields"]


def test_merge_endpoint(admin):
    keep = OrganisationFactory(name="Danish Refugee Council")
    dup = OrganisationFactory(name="Danish Refugee Counsil")
    MembershipFactory(organisation=dup)
    response = client_for(admin).post(
        f"{API}/organisations/{keep.pk}/merge/",
        {"duplicate": dup.pk, "keep_version": keep.version, "duplicate_version": dup.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert "Danish Refugee Counsil" in response.json()["other_names"]
    assert Membership.objects.get().organisation_id == keep.pk
    assert not Organisation.objects.filter(pk=dup.pk).exists()
    history = client_for(admin).get(f"{API}/organisations/{keep.pk}/history/").json()
    assert history["results"][0]["action"] == "merge"


def test_merge_needs_change_rights(editor):
    keep = OrganisationFactory(owner_organisation=editor.organisation)
    dup = OrganisationFactory()
    versions = {"keep_version": 1, "duplicate_version": 1}
    response = client_for(editor).post(
        f"{API}/organisations/{keep.pk}/merge/", {"duplicate": dup.pk, **versions}, format="json"
    )
    assert response.status_code == 403
    response = client_for(editor).post(
        f"{API}/organisations/{dup.pk}/merge/", {"duplicate": keep.pk, **versions}, format="json"
    )
    assert response.status_code == 403


def test_history_endpoint(editor):
    client = client_for(editor)
    org = client.post(f"{API}/organisations/", {"name": "YARID", "org_type": "refugee_led"}).json()
    client.patch(f"{API}/organisations/{org['id']}/", {"acronym": "Y", "version": 1}, format="json")
    response = client.get(f"{API}/organisations/{org['id']}/history/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    update, create = body["results"]
    assert (update["action"], create["action"]) == ("update", "create")
    assert update["before"]["acronym"] == "" and update["after"]["acronym"] == "Y"
    assert update["user_name"] == editor.username


# --- filters and pagination -------------------------------------------------------------------


def test_filters_are_the_pages_filters_and_bad_values_are_400():
    a = OrganisationFactory(name="Equity Bank", org_type="bank", hq_country_id="KEN")
    OrganisationFactory(name="Stanbic Bank Uganda", org_type="bank", hq_country_id="UGA")
    OrganisationFactory(name="UNHCR", org_type="un_agency")
    client = client_for()
    rows = client.get(f"{API}/organisations/", {"org_type": "bank", "country": "ken"}).json()
    assert [r["id"] for r in rows["results"]] == [a.pk]
    assert client.get(f"{API}/organisations/", {"q": "bank"}).json()["count"] == 2
    bad = client.get(f"{API}/organisations/", {"org_type": "nonsense"})
    assert bad.status_code == 400 and "org_type" in bad.json()["fields"]


def test_pagination():
    OrganisationFactory.create_batch(5)
    client = client_for()
    page = client.get(f"{API}/organisations/", {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    last = client.get(f"{API}/organisations/", {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert client.get(f"{API}/organisations/", {"page": 9}).status_code == 404


# --- people -----------------------------------------------------------------------------------


def test_people_contact_details_only_for_those_allowed(editor):
    client = client_for(editor)
    created = client.post(
        f"{API}/people/",
        {
            "organisation": editor.organisation_id,
            "name": "Grace Atim",
            "email": "grace@example.org",
            "phone": "+256 700 000000",
            "visibility": "organisation",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    # Personal fields only when asked for, and each record so shown is logged.
    assert "email" not in created.json() and "name" not in created.json()
    assert client.get(f"{API}/people/").json()["count"] == 1
    listed = client.get(f"{API}/people/?include_personal=true").json()["results"][0]
    assert listed["email"] == "grace@example.org" and listed["name"] == "Grace Atim"
    assert AccessLog.objects.filter(
        user=editor, object_id=str(created.json()["id"]), channel="api"
    ).exists()
    outsider = UserFactory(organisation=OrganisationFactory())
    assert client_for(outsider).get(f"{API}/people/").json()["count"] == 0
    assert client_for().get(f"{API}/people/{created.json()['id']}/").status_code == 404
    public = client.post(
        f"{API}/people/",
        {"organisation": editor.organisation_id, "name": "P", "visibility": "public"},
        format="json",
    )
    assert public.status_code == 400 and "visibility" in public.json()["fields"]


def test_people_of_an_invisible_organisation_cannot_be_added(editor):
    hidden = OrganisationFactory(visibility=Visibility.NAMED)
    response = client_for(editor).post(
        f"{API}/people/",
        {"organisation": hidden.pk, "name": "P", "visibility": "organisation"},
        format="json",
    )
    assert response.status_code == 400 and "organisation" in response.json()["fields"]


# --- groups, memberships, roles, work plans ---------------------------------------------------


def test_group_lifecycle_through_the_api():
    coordinator = user_with_role(Role.COORDINATOR)
    client = client_for(coordinator)
    group = client.post(
        f"{API}/groups/",
        {"name": "Zambia", "kind": "country", "country": "ZMB", "purpose": "Local integration"},
        format="json",
    )
    assert group.status_code == 201, group.json()
    group_id = group.json()["id"]
    assert GroupRole.objects.get(group_id=group_id, user=coordinator).role == Role.COORDINATOR

    lead = OrganisationFactory(name="Government of Zambia")
    member = client.post(
        f"{API}/memberships/",
        {"group": group_id, "organisation": lead.pk, "role": "lead", "since": "2015-06-01"},
        format="json",
    )
    assert member.status_code == 201, member.json()
    # Added by the group, not by the organisation: an invitation until the organisation agrees.
    assert member.json()["confirmed"] is False
    invited = client.get(f"{API}/groups/{group_id}/").json()
    assert invited["lead_organisations"] == [] and invited["member_count"] == 0
    lead_editor = user_with_role(Role.EDITOR, organisation=lead)
    confirmed = client_for(lead_editor).post(
        f"{API}/memberships/{member.json()['id']}/confirm/", {"version": 1}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["confirmed"] is True and confirmed.json()["version"] == 2
    again = client.post(
        f"{API}/memberships/", {"group": group_id, "organisation": lead.pk}, format="json"
    )
    assert again.status_code == 400 and "organisation" in again.json()["fields"]
    bad_dates = client.patch(
        f"{API}/memberships/{member.json()['id']}/",
        {"until": "2010-01-01", "version": 2},
        format="json",
    )
    assert bad_dates.status_code == 400
    assert bad_dates.json()["fields"] == {
        "until": ["The end date cannot be before the start date."]
    }

    detail = client.get(f"{API}/groups/{group_id}/").json()
    assert detail["lead_organisations"][0]["name"] == "Government of Zambia"
    assert detail["member_count"] == 1

    newcomer = UserFactory(organisation=OrganisationFactory())
    role = client.post(
        f"{API}/group-roles/",
        {"group": group_id, "user": newcomer.pk, "role": "editor"},
        format="json",
    )
    assert role.status_code == 201, role.json()
    changed = client.patch(
        f"{API}/group-roles/{role.json()['id']}/", {"role": "viewer", "version": 1}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert (
        client_for(newcomer)
        .post(
            f"{API}/group-roles/", {"group": group_id, "user": newcomer.pk, "role": "coordinator"}
        )
        .status_code
        == 403
    )

    item = client.post(
        f"{API}/workplan-items/",
        {"group": group_id, "challenge": "Residence permits", "objective": "Issue permits"},
        format="json",
    )
    assert item.status_code == 201, item.json()
    assert item.json()["status"] == "planned"
    done = client.patch(
        f"{API}/workplan-items/{item.json()['id']}/",
        {"status": "done", "version": 1},
        format="json",
    )
    assert done.json()["status"] == "done"
    viewer_client = client_for(newcomer)
    assert (
        viewer_client.post(
            f"{API}/workplan-items/",
            {"group": group_id, "challenge": "C", "objective": "O"},
            format="json",
        ).status_code
        == 403
    )

    assert (
        client.patch(
            f"{API}/groups/{group_id}/", {"purpose": "Naturalisation", "version": 1}, format="json"
        ).json()["version"]
        == 2
    )


def test_editor_cannot_create_a_group(editor):
    response = client_for(editor).post(f"{API}/groups/", {"name": "G", "kind": "thematic"})
    assert response.status_code == 403


# --- requests ---------------------------------------------------------------------------------


def test_request_flow():
    uganda = GroupFactory(name="Uganda", kind="country", country_id="UGA")
    private = GroupFactory(name="Private Sector")
    asker = user_with_role(Role.EDITOR, group=uganda)
    client = client_for(asker)
    created = client.post(
        f"{API}/requests/",
        {
            "from_group": uganda.pk,
            "to_group": private.pk,
            "title": "Mentors for refugee entrepreneurs",
            "rationale": "Mentors are scarce",
            "needed_by": "2027-01-31",
            "status": "done",  # read-only: ignored
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    assert created.json()["status"] == "open"

    answerer = user_with_role(Role.EDITOR, group=private)
    status_url = f"{API}/requests/{request_id}/status/"
    bad = client_for(answerer).post(status_url, {"status": "done", "version": 1}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_transition"
    unknown = client_for(answerer).post(status_url, {"status": "lost", "version": 1}, format="json")
    assert unknown.status_code == 400 and "status" in unknown.json()["fields"]
    ok = client_for(answerer).post(status_url, {"status": "accepted", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    stale = client_for(answerer).post(status_url, {"status": "done", "version": 1}, format="json")
    assert stale.status_code == 409

    # Anyone who sees the request may answer for their own organisation.
    responder = user_with_role(Role.EDITOR)
    respond_url = f"{API}/requests/{request_id}/respond/"
    offer = client_for(responder).post(
        respond_url,
        {"organisation": responder.organisation_id, "offer": "Two mentors"},
        format="json",
    )
    assert offer.status_code == 201, offer.json()
    assert offer.json()["offered_by"] == responder.pk
    not_mine = client_for(responder).post(
        respond_url, {"organisation": OrganisationFactory().pk, "offer": "X"}, format="json"
    )
    assert not_mine.status_code == 403
    detail = client.get(f"{API}/requests/{request_id}/").json()
    assert detail["response_count"] == 1
    responses = client.get(f"{API}/request-responses/", {"request": request_id}).json()
    assert responses["results"][0]["offer"] == "Two mentors"
    history = client.get(f"{API}/requests/{request_id}/history/").json()
    assert [r["action"] for r in history["results"]] == ["update", "create"]
    assert ChangeRecord.objects.filter(action="create").count() >= 2


def test_request_to_a_group_the_user_cannot_see_is_refused():
    uganda = GroupFactory()
    hidden = GroupFactory(visibility=Visibility.NAMED)
    asker = user_with_role(Role.EDITOR, group=uganda)
    response = client_for(asker).post(
        f"{API}/requests/",
        {"from_group": uganda.pk, "to_group": hidden.pk, "title": "T"},
        format="json",
    )
    assert response.status_code == 400 and "to_group" in response.json()["fields"]


# --- fixed query counts on every list endpoint ------------------------------------------------


def populate(rows: int, viewer):
    """`rows` of everything, all visible to `viewer`, with every relation the lists show."""
    group = GroupRoleFactory(user=viewer, role=Role.COORDINATOR).group
    for n in range(rows):
        org = OrganisationFactory(org_type="diaspora", origin_country_id="SOM", hq_country_id="GBR")
        org.countries.add("KEN", "SOM")
        org.residence_countries.add("GBR", "SWE")
        org.shared_with.add(viewer)
        other = GroupFactory(country_id="KEN")
        other.shared_with.add(viewer)
        MembershipFactory(group=other, organisation=org, role=MembershipRole.LEAD)
        MembershipFactory(group=group, organisation=org)
        GroupRoleFactory(group=group)
        WorkplanItemFactory(group=group, owner=org)
        request = RequestFactory(from_group=group, to_group=other, to_organisation=org)
        request.shared_with.add(viewer)
        RequestResponseFactory(request=request, organisation=org, offered_by=viewer)
        person = PersonFactory(organisation=viewer.organisation, name=f"Contact {n}")
        person.shared_with.add(viewer)


# Queries per list: the user's roles, the page count, the rows, then one per prefetch.
LIST_QUERIES = {
    "organisations": 6,  # + countries, residence countries, named people
    "people": 4,  # + named people
    "groups": 5,  # + lead memberships, named people
    "memberships": 3,
    "group-roles": 3,
    "workplan-items": 3,
    "requests": 4,  # + named people
    "request-responses": 3,
}


@pytest.mark.parametrize("endpoint", sorted(LIST_QUERIES))
@pytest.mark.parametrize("rows", [3, 9])
def test_list_endpoints_run_a_fixed_number_of_queries(endpoint, rows, django_assert_num_queries):
    viewer = user_with_role(Role.VIEWER)
    populate(rows, viewer)
    viewer.refresh_from_db()
    client = client_for(viewer)
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        response = client.get(f"{API}/{endpoint}/")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= rows
