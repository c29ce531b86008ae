"""What a reviewer found: hidden organisations named in related lists, editors' names shown to
visitors, skippable optimistic locking, owners set to none, recipients editing requests,
oversized ids crashing filters, and the API without throttling."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from harambee.core.choices import Role, Visibility
from harambee.core.errors import PermissionDeniedError
from harambee.core.tests.factories import UserFactory
from harambee.network import services
from harambee.network.choices import RequestStatus
from harambee.network.models import GroupRole, Organisation, Person, Request

from .factories import (
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

pytestmark = pytest.mark.django_db

HIDDEN_TEXT = "an organisation not visible to you"
HUGE = "99999999999999999999"
VERSION_MISSING = "Reload the page: this form is missing the version you read."


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def hidden():
    return OrganisationFactory(name="Secret Partners", visibility=Visibility.ORGANISATION)


# --- 1.2 hidden organisations in related lists -------------------------------------------------


def test_work_plan_owner_hidden_on_the_group_page_and_api(client, hidden):
    group = GroupFactory()
    item = WorkplanItemFactory(group=group, owner=hidden)
    shown = WorkplanItemFactory(group=group, owner=OrganisationFactory(name="Open Partners"))
    html = client.get(reverse("network:group-detail", args=[group.pk])).content.decode()
    assert "Secret Partners" not in html and HIDDEN_TEXT in html
    assert "Open Partners" in html
    rows = {row["id"]: row for row in api().get("/api/workplan-items/").json()["results"]}
    assert rows[item.pk]["owner"] is None
    assert rows[shown.pk]["owner"] == shown.owner_id
    assert api().get(f"/api/workplan-items/{item.pk}/").json()["owner"] is None
    # Its own organisation still sees it.
    insider = user_with_role(None, organisation=hidden)
    Organisation.objects.filter(pk=hidden.pk).update(owner_organisation=hidden)
    assert api(insider).get(f"/api/workplan-items/{item.pk}/").json()["owner"] == hidden.pk


def test_request_to_a_hidden_organisation_is_not_named(client, hidden):
    group = GroupFactory()
    request = RequestFactory(from_group=group, to_group=None, to_organisation=hidden, title="Help")
    for url in (
        reverse("network:request-list"),
        reverse("network:request-detail", args=[request.pk]),
        reverse("network:group-detail", args=[group.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Secret Partners" not in html and HIDDEN_TEXT in html, url
    assert api().get(f"/api/requests/{request.pk}/").json()["to_organisation"] is None
    listed = api().get("/api/requests/").json()["results"]
    assert [row["to_organisation"] for row in listed] == [None]


def test_offers_of_hidden_organisations_are_left_out(client, hidden):
    request = RequestFactory(title="Need lawyers")
    RequestResponseFactory(request=request, organisation=hidden, offer="Secret offer")
    seen = RequestResponseFactory(request=request, organisation=OrganisationFactory(name="Open"))
    html = client.get(reverse("network:request-detail", args=[request.pk])).content.decode()
    assert "Secret Partners" not in html and "Secret offer" not in html
    assert "We can help" in html
    rows = api().get("/api/request-responses/").json()["results"]
    assert [row["id"] for row in rows] == [seen.pk]
    assert api().get(f"/api/requests/{request.pk}/").json()["response_count"] == 1


# --- 1.3 cascaded deletes are recorded (see core tests for the mechanism) ----------------------


def test_deleting_a_group_records_its_memberships_roles_and_work_plan():
    from harambee.core.models import ChangeRecord

    group = GroupFactory(name="Short-lived")
    membership = MembershipFactory(group=group)
    role = GroupRoleFactory(group=group)
    item = WorkplanItemFactory(group=group)
    services.group_delete(actor=None, group=group, expected_version=group.version)
    for obj in (membership, role, item):
        record = ChangeRecord.objects.for_object(obj).get(action="delete")
        assert record.note.startswith("Deleted with group “Short-lived”")
        assert record.before is not None


# --- 1.4 owners ---------------------------------------------------------------------------------


def test_editors_cannot_orphan_a_record():
    editor = user_with_role(Role.EDITOR)
    group = GroupFactory(owner_organisation=editor.organisation)
    GroupRoleFactory(group=group, user=editor, role=Role.EDITOR)
    with pytest.raises(ValidationError) as caught:
        services.group_update(
            actor=editor, group=group, data={"owner_organisation": None}, expected_version=1
        )
    assert "owner_organisation" in caught.value.message_dict
    response = api(editor).patch(
        f"/api/groups/{group.pk}/", {"owner_organisation": None, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "owner_organisation" in response.json()["fields"]
    group.refresh_from_db()
    assert group.owner_organisation_id == editor.organisation_id
    # Platform admins may.
    admin = UserFactory(is_superuser=True)
    services.group_update(
        actor=admin, group=group, data={"owner_organisation": None}, expected_version=1
    )


# --- 1.5 ----------------------------------------------------------------------------------------


def test_api_names_only_users_the_page_would_offer():
    editor = user_with_role(Role.EDITOR)
    colleague = UserFactory(organisation=editor.organisation)
    stranger = UserFactory(organisation=OrganisationFactory())
    data = {"name": "Named NGO", "org_type": "other", "visibility": "named"}
    refused = api(editor).post(
        "/api/organisations/", {**data, "shared_with": [stranger.pk]}, format="json"
    )
    assert refused.status_code == 400 and "shared_with" in refused.json()["fields"]
    accepted = api(editor).post(
        "/api/organisations/", {**data, "shared_with": [colleague.pk]}, format="json"
    )
    assert accepted.status_code == 201, accepted.json()


def test_iati_clash_does_not_name_the_hidden_holder(client, hidden):
    Organisation.objects.filter(pk=hidden.pk).update(iati_ref="XM-DAC-99999")
    editor = user_with_role(Role.EDITOR)
    message = "This IATI identifier is already registered in Harambee; ask a platform admin."
    response = api(editor).post(
        "/api/organisations/",
        {"name": "Brand new", "org_type": "other", "iati_ref": "XM-DAC-99999"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"iati_ref": [message]}
    client.force_login(editor)
    html = client.post(
        reverse("network:organisation-create"),
        {
            "name": "Brand new",
            "org_type": "other",
            "visibility": "public",
            "iati_ref": "XM-DAC-99999",
        },
    ).content.decode()
    assert message in html and "Secret Partners" not in html


def test_history_names_editors_to_network_members_only(client):
    editor = user_with_role(Role.EDITOR, username="jane.editor")
    org = services.organisation_create(
        actor=editor, data={"name": "Named in history", "org_type": "other"}
    )
    url = reverse("network:organisation-history", args=[org.pk])
    html = client.get(url).content.decode()
    assert "jane.editor" not in html and str(editor) not in html
    assert "a Harambee user" in html
    detail = client.get(org.get_absolute_url()).content.decode()
    assert str(editor) not in detail and "a Harambee user" in detail
    rows = api().get(f"/api/organisations/{org.pk}/history/").json()["results"]
    assert [(row["user"], row["user_name"]) for row in rows] == [(None, "a Harambee user")]
    member = user_with_role(None)
    client.force_login(member)
    assert str(editor) in client.get(url).content.decode()
    rows = api(member).get(f"/api/organisations/{org.pk}/history/").json()["results"]
    assert [(row["user"], row["user_name"]) for row in rows] == [(editor.pk, "jane.editor")]


def test_the_api_is_throttled(monkeypatch):
    classes = [c.__name__ for c in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert classes == ["AnonRateThrottle", "UserRateThrottle"]
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "5/m"})
    client = api()
    assert [client.get("/api/groups/").status_code for _ in range(3)] == [200, 200, 429]
    cache.clear()


def test_those_asked_change_the_status_not_the_request():
    asking, asked = GroupFactory(name="Asking"), GroupFactory(name="Asked")
    asking_editor = user_with_role(Role.EDITOR, group=asking)
    asked_editor = user_with_role(Role.EDITOR, group=asked)
    org_editor = user_with_role(Role.EDITOR)
    request = RequestFactory(from_group=asking, to_group=asked, to_organisation=None)
    to_org = RequestFactory(
        from_group=asking, to_group=None, to_organisation=org_editor.organisation
    )
    for user, obj in ((asked_editor, request), (org_editor, to_org)):
        with pytest.raises(PermissionDeniedError):
            services.request_update(
                actor=user, request=obj, data={"title": "Hijacked"}, expected_version=1
            )
        response = api(user).patch(
            f"/api/requests/{obj.pk}/", {"title": "Hijacked", "version": 1}, format="json"
        )
        assert response.status_code == 403
        moved = api(user).post(
            f"/api/requests/{obj.pk}/status/", {"status": "accepted", "version": 1}, format="json"
        )
        assert moved.status_code == 200, moved.json()
        assert moved.json()["status"] == RequestStatus.ACCEPTED
    services.request_update(
        actor=asking_editor, request=request, data={"title": "Clearer"}, expected_version=2
    )
    assert Request.objects.get(pk=request.pk).title == "Clearer"


def test_request_page_offers_status_but_not_edit_to_those_asked(client):
    asked = GroupFactory()
    request = RequestFactory(to_group=asked)
    client.force_login(user_with_role(Role.EDITOR, group=asked))
    html = client.get(request.get_absolute_url()).content.decode()
    assert reverse("network:request-status", args=[request.pk]) in html
    assert reverse("network:request-edit", args=[request.pk]) not in html
    assert client.get(reverse("network:request-edit", args=[request.pk])).status_code == 403


# --- 2.x versions are required -------------------------------------------------------------------


def test_page_edits_without_a_version_are_refused(client):
    editor = user_with_role(Role.EDITOR)
    org = OrganisationFactory(owner_organisation=editor.organisation, name="Before")
    client.force_login(editor)
    response = client.post(
        reverse("network:organisation-edit", args=[org.pk]),
        {"name": "After", "org_type": org.org_type, "visibility": "public"},
    )
    assert response.status_code == 200 and VERSION_MISSING in response.content.decode()
    assert Organisation.objects.get(pk=org.pk).name == "Before"


def test_status_and_delete_forms_need_the_version(client):
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    request = RequestFactory(from_group=group)
    client.force_login(coordinator)
    response = client.post(
        reverse("network:request-status", args=[request.pk]), {"status": "accepted"}
    )
    assert VERSION_MISSING in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == RequestStatus.OPEN
    response = client.post(reverse("network:request-delete", args=[request.pk]), {})
    assert VERSION_MISSING in response.content.decode()
    assert Request.objects.filter(pk=request.pk).exists()


def test_role_rows_carry_their_version(client):
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    member = UserFactory(username="member")
    role = GroupRoleFactory(group=group, user=member, role=Role.VIEWER)
    client.force_login(coordinator)
    url = reverse("network:group-roles", args=[group.pk])
    html = client.get(url).content.decode()
    assert f'name="version" value="{role.version}"' in html
    # Typing the name of someone who has a role: changed from the table, with its version.
    response = client.post(url, {"username": "member", "role": "editor"})
    assert "already has a role in this group" in response.content.decode()
    GroupRole.objects.filter(pk=role.pk).update(version=2)
    stale = client.post(url, {"username": "member", "role": "editor", "version": 1})
    assert "Someone else changed" in stale.content.decode()
    assert (
        client.post(url, {"username": "member", "role": "editor", "version": 2}).status_code == 302
    )
    assert GroupRole.objects.get(pk=role.pk).role == Role.EDITOR
    through_api = api(coordinator).post(
        "/api/group-roles/", {"group": group.pk, "user": member.pk, "role": "viewer"}, format="json"
    )
    assert through_api.status_code == 400 and "version" in through_api.json()["fields"]


@pytest.mark.parametrize(
    "endpoint",
    ["organisations", "people", "groups", "memberships", "workplan-items", "requests"],
)
def test_api_delete_needs_the_version(endpoint):
    admin = UserFactory(is_superuser=True)
    obj = {
        "organisations": lambda: OrganisationFactory(),
        "people": lambda: PersonFactory(),
        "groups": lambda: GroupFactory(),
        "memberships": lambda: MembershipFactory(),
        "workplan-items": lambda: WorkplanItemFactory(),
        "requests": lambda: RequestFactory(),
    }[endpoint]()
    response = api(admin).delete(f"/api/{endpoint}/{obj.pk}/")
    assert response.status_code == 400
    assert "version" in response.json()["fields"]
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert api(admin).delete(f"/api/{endpoint}/{obj.pk}/?version=1").status_code == 204


def test_api_merge_refuses_stale_versions():
    admin = UserFactory(is_superuser=True)
    keep, duplicate = OrganisationFactory(), OrganisationFactory()
    Organisation.objects.filter(pk=keep.pk).update(version=3)
    response = api(admin).post(
        f"/api/organisations/{keep.pk}/merge/",
        {"duplicate": duplicate.pk, "keep_version": 2, "duplicate_version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


# --- 3.1 oversized ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "parameter"),
    [
        ("network:organisation-list", "group"),
        ("network:group-list", "organisation"),
        ("network:request-list", "group"),
        ("network:request-list", "to_group"),
        ("network:request-list", "from_group"),
        ("network:request-list", "to_organisation"),
    ],
)
def test_pages_ignore_oversized_ids_with_a_message(client, page, parameter):
    response = client.get(reverse(page), {parameter: HUGE})
    assert response.status_code == 200
    assert "was ignored" in response.content.decode()


API_ID_FILTERS = [
    ("organisations", "group"),
    ("groups", "organisation"),
    ("requests", "group"),
    ("requests", "from_group"),
    ("requests", "to_group"),
    ("requests", "to_organisation"),
    ("memberships", "group"),
    ("memberships", "organisation"),
    ("people", "organisation"),
    ("workplan-items", "group"),
    ("workplan-items", "owner"),
    ("request-responses", "request"),
    ("request-responses", "organisation"),
    ("group-roles", "group"),
    ("group-roles", "user"),
]


@pytest.mark.parametrize(("endpoint", "parameter"), API_ID_FILTERS)
@pytest.mark.parametrize("value", [HUGE, "0", "-1", "abc"])
def test_api_refuses_invalid_ids_with_a_field_error(endpoint, parameter, value):
    response = api(user_with_role(Role.VIEWER)).get(f"/api/{endpoint}/", {parameter: value})
    assert response.status_code == 400, response.content
    assert parameter in response.json()["fields"]


def test_valid_id_filters_still_work():
    group = GroupFactory()
    member = MembershipFactory(group=group).organisation
    OrganisationFactory()
    rows = api().get("/api/organisations/", {"group": str(group.pk)}).json()["results"]
    assert [row["id"] for row in rows] == [member.pk]


def test_people_of_member_organisations_follow_confirmation():
    """The API's people list obeys the same rule as the pages."""
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    contact = PersonFactory()
    MembershipFactory(group=group, organisation=contact.organisation, confirmed=False)
    assert api(coordinator).get("/api/people/").json()["results"] == []
    Person.objects.filter(pk=contact.pk)  # unchanged; now confirm the membership
    from harambee.network.models import Membership

    Membership.objects.filter(organisation=contact.organisation).update(confirmed=True)
    rows = api(UserFactory._meta.model.objects.get(pk=coordinator.pk)).get("/api/people/").json()
    assert [row["id"] for row in rows["results"]] == [contact.pk]
