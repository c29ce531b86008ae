"""Memberships need the member organisation's consent: until then they are invitations, and a
group's coordinators see the contacts of confirmed members only (and no other records)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from rest_framework.test import APIClient

from harambee.core.access import access_for
from harambee.core.choices import Action, Permission, Role, Visibility
from harambee.core.errors import PermissionDeniedError, ServiceError, StaleVersionError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network import selectors, services
from harambee.network.models import Group, Membership, Organisation, Person, Request

from .factories import (
    GroupFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RequestFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def sees(user, obj) -> bool:
    return type(obj).objects.restrict(user, Permission.VIEW).filter(pk=obj.pk).exists()


@pytest.fixture
def world():
    """A group with its coordinator (of another organisation), and an organisation that keeps
    a contact and a request visible to its own organisation only."""
    group = GroupFactory(name="Rule of law")
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    target = OrganisationFactory(name="Target NGO")
    contact = PersonFactory(organisation=target, visibility=Visibility.ORGANISATION)
    private_group = GroupFactory(visibility=Visibility.ORGANISATION, owner_organisation=target)
    private_request = RequestFactory(
        from_group=private_group,
        to_group=GroupFactory(),
        visibility=Visibility.ORGANISATION,
        owner_organisation=target,
    )
    target_editor = user_with_role(Role.EDITOR, organisation=target)
    return {
        "group": group,
        "coordinator": coordinator,
        "target": target,
        "contact": contact,
        "private_group": private_group,
        "private_request": private_request,
        "target_editor": target_editor,
    }


def test_a_coordinator_cannot_see_contacts_by_adding_an_organisation(world):
    coordinator, target = world["coordinator"], world["target"]
    membership = services.membership_create(
        actor=coordinator, group=world["group"], data={"organisation": target}
    )
    assert membership.confirmed is False
    fresh = UserFactory._meta.model.objects.get(pk=coordinator.pk)  # no cached access
    assert not sees(fresh, world["contact"])
    assert list(access_for(fresh).coordinated_organisations) == []


def test_confirmed_membership_shows_contacts_only_never_other_records(world):
    coordinator, target = world["coordinator"], world["target"]
    membership = services.membership_create(
        actor=coordinator, group=world["group"], data={"organisation": target}
    )
    services.membership_confirm(
        actor=world["target_editor"], membership=membership, expected_version=membership.version
    )
    membership.refresh_from_db()
    assert membership.confirmed and membership.version == 2
    fresh = UserFactory._meta.model.objects.get(pk=coordinator.pk)
    assert sees(fresh, world["contact"])
    # The rule is for contacts: the organisation's other records stay its own.
    assert not sees(fresh, world["private_request"])
    assert not sees(fresh, world["private_group"])
    Organisation.objects.filter(pk=target.pk).update(
        visibility=Visibility.ORGANISATION, owner_organisation=target
    )
    assert not sees(fresh, target)
    record = ChangeRecord.objects.for_object(membership).filter(action=Action.UPDATE).get()
    assert record.note == "Confirmed by the member organisation."
    assert record.before["confirmed"] is False and record.after["confirmed"] is True


def test_ended_membership_no_longer_shows_contacts(world):
    MembershipFactory(
        group=world["group"],
        organisation=world["target"],
        since=datetime.date(2015, 1, 1),
        until=datetime.date(2016, 1, 1),
    )
    assert not sees(world["coordinator"], world["contact"])


@pytest.mark.parametrize("who", ["system", "admin", "own"])
def test_membership_is_confirmed_when_the_organisation_itself_or_an_admin_adds_it(world, who):
    group, target = world["group"], world["target"]
    actor = {
        "system": None,
        "admin": UserFactory(is_superuser=True),
        "own": user_with_role(Role.EDITOR, group=group, organisation=target),
    }[who]
    membership = services.membership_create(
        actor=actor, group=group, data={"organisation": target, "confirmed": False}
    )
    assert membership.confirmed is True


def test_a_group_cannot_confirm_its_own_invitation(world):
    membership = services.membership_create(
        actor=world["coordinator"],
        group=world["group"],
        data={"organisation": world["target"], "confirmed": True},  # ignored
    )
    assert membership.confirmed is False
    with pytest.raises(PermissionDeniedError):
        services.membership_confirm(
            actor=world["coordinator"], membership=membership, expected_version=1
        )
    with pytest.raises(ValidationError) as caught:
        services.membership_update(
            actor=world["coordinator"],
            membership=membership,
            data={"confirmed": True},
            expected_version=1,
        )
    assert "confirmed" in caught.value.message_dict
    # A viewer of the member organisation does not speak for it either.
    viewer = user_with_role(Role.VIEWER, organisation=world["target"])
    with pytest.raises(PermissionDeniedError):
        services.membership_confirm(actor=viewer, membership=membership, expected_version=1)


def test_confirm_refuses_a_stale_version_and_a_second_confirmation(world):
    membership = services.membership_create(
        actor=world["coordinator"], group=world["group"], data={"organisation": world["target"]}
    )
    Membership.objects.filter(pk=membership.pk).update(version=2)
    with pytest.raises(StaleVersionError):
        services.membership_confirm(
            actor=world["target_editor"], membership=membership, expected_version=1
        )
    services.membership_confirm(
        actor=world["target_editor"], membership=membership, expected_version=2
    )
    membership.refresh_from_db()
    with pytest.raises(ServiceError):
        services.membership_confirm(
            actor=world["target_editor"], membership=membership, expected_version=3
        )


def test_decline_deletes_the_invitation_with_a_record(world):
    membership = services.membership_create(
        actor=world["coordinator"], group=world["group"], data={"organisation": world["target"]}
    )
    pk = membership.pk
    services.membership_decline(
        actor=world["target_editor"], membership=membership, expected_version=1
    )
    assert not Membership.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(object_id=str(pk), action=Action.DELETE)
    assert record.note == "Invitation declined by the organisation."


def test_invitations_are_not_members_in_counts_lists_and_filters(world):
    group, target = world["group"], world["target"]
    services.membership_create(
        actor=world["coordinator"], group=group, data={"organisation": target}
    )
    member = MembershipFactory(group=group).organisation
    viewer = AnonymousUser()
    listed = selectors.group_get(user=viewer, pk=group.pk)
    assert listed.member_count == 1
    assert [m.organisation for m in selectors.group_members(user=viewer, group=group)] == [member]
    assert [m.organisation for m in selectors.group_invitations(user=viewer, group=group)] == [
        target
    ]
    in_group = selectors.organisation_list(user=viewer, filters={"group": str(group.pk)})
    assert list(in_group) == [member]
    groups_of_target = selectors.group_list(user=viewer, filters={"organisation": str(target.pk)})
    assert list(groups_of_target) == []


def test_concurrent_add_of_the_same_organisation_is_a_field_error(world, monkeypatch):
    group, target = world["group"], world["target"]
    MembershipFactory(group=group, organisation=target)
    # Simulate the race: both requests passed the checks before either wrote.
    real_filter = Membership.objects.filter

    class NotYet:
        def exists(self) -> bool:
            return False

    calls = {"n": 0}

    def first_check_misses(*args, **kwargs):
        calls["n"] += 1
        return NotYet() if calls["n"] == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Membership.objects, "filter", first_check_misses)
    monkeypatch.setattr(Membership, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as caught:
        services.membership_create(actor=None, group=group, data={"organisation": target})
    assert caught.value.message_dict == {
        "organisation": ["This organisation is already a member (or invited)."]
    }
    assert Membership.objects.filter(group=group).count() == 1


def test_integrity_errors_other_than_the_duplicate_are_not_hidden(world, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(services, "create_object", broken)
    with pytest.raises(IntegrityError):
        services.membership_create(
            actor=None, group=world["group"], data={"organisation": world["target"]}
        )


def test_until_before_since_is_a_field_error(world):
    with pytest.raises(ValidationError) as caught:
        services.membership_create(
            actor=None,
            group=world["group"],
            data={
                "organisation": world["target"],
                "since": datetime.date(2020, 1, 1),
                "until": datetime.date(2019, 1, 1),
            },
        )
    assert caught.value.message_dict == {"until": ["The end date cannot be before the start date."]}


# --- pages -------------------------------------------------------------------------------------


def test_group_page_lists_invited_organisations_apart(client, world):
    group, target = world["group"], world["target"]
    services.membership_create(
        actor=world["coordinator"], group=group, data={"organisation": target}
    )
    member = MembershipFactory(group=group, organisation=OrganisationFactory(name="Real Member"))
    html = client.get(reverse("network:group-detail", args=[group.pk])).content.decode()
    members, invited = html.split('id="invited-heading"')
    assert member.organisation.name in members and "Target NGO" not in members
    assert "Target NGO" in invited and "invited" in invited


def test_member_organisation_confirms_on_its_page(client, world):
    group, target = world["group"], world["target"]
    membership = services.membership_create(
        actor=world["coordinator"], group=group, data={"organisation": target}
    )
    url = reverse("network:organisation-detail", args=[target.pk])
    confirm = reverse("network:membership-confirm", args=[membership.pk])
    # The group's coordinator sees the invitation but is not offered to answer it.
    client.force_login(world["coordinator"])
    html = client.get(url).content.decode()
    assert "Rule of law" in html and confirm not in html
    assert client.post(confirm, {"version": 1}).status_code == 403
    client.force_login(world["target_editor"])
    html = client.get(url).content.decode()
    assert confirm in html and "Confirm membership" in html and "Decline" in html
    response = client.post(confirm, {})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.confirmed is False  # no version: nothing changes
    response = client.post(confirm, {"version": 1}, follow=True)
    membership.refresh_from_db()
    assert membership.confirmed is True
    assert "is now a member of" in response.content.decode()


def test_member_organisation_declines_on_its_page(client, world):
    membership = services.membership_create(
        actor=world["coordinator"], group=world["group"], data={"organisation": world["target"]}
    )
    client.force_login(world["target_editor"])
    decline = reverse("network:membership-decline", args=[membership.pk])
    assert client.get(decline).status_code == 405
    assert client.post(decline, {"version": 1}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_invitation_to_a_group_the_organisation_cannot_see_is_shown_to_it(client, world):
    hidden_group = GroupFactory(name="Closed circle", visibility=Visibility.NAMED)
    coordinator = user_with_role(Role.COORDINATOR, group=hidden_group)
    membership = services.membership_create(
        actor=coordinator, group=hidden_group, data={"organisation": world["target"]}
    )
    assert not Group.objects.restrict(world["target_editor"]).filter(pk=hidden_group.pk).exists()
    client.force_login(world["target_editor"])
    url = reverse("network:organisation-detail", args=[world["target"].pk])
    assert "Closed circle" in client.get(url).content.decode()
    assert (
        client.post(
            reverse("network:membership-confirm", args=[membership.pk]), {"version": 1}
        ).status_code
        == 302
    )
    assert Membership.objects.get(pk=membership.pk).confirmed


# --- API ---------------------------------------------------------------------------------------


def test_api_confirm_and_decline(world):
    coordinator_client, member_client = APIClient(), APIClient()
    coordinator_client.force_authenticate(world["coordinator"])
    member_client.force_authenticate(world["target_editor"])
    created = coordinator_client.post(
        "/api/memberships/",
        {"group": world["group"].pk, "organisation": world["target"].pk},
        format="json",
    )
    assert created.status_code == 201 and created.json()["confirmed"] is False
    pk = created.json()["id"]
    url = f"/api/memberships/{pk}/confirm/"
    assert coordinator_client.post(url, {"version": 1}, format="json").status_code == 403
    missing = member_client.post(url, {}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    assert member_client.post(url, {"version": 9}, format="json").status_code == 409
    done = member_client.post(url, {"version": 1}, format="json")
    assert done.status_code == 200 and done.json()["confirmed"] is True
    listed = member_client.get("/api/memberships/", {"confirmed": "false"}).json()
    assert listed["results"] == []
    decline = member_client.post(f"/api/memberships/{pk}/decline/", {"version": 2}, format="json")
    assert decline.status_code == 204
    assert not Membership.objects.filter(pk=pk).exists()


def test_person_rule_applies_to_people_only():
    """The coordinator clause is on Person, not on every restricted model."""
    access = access_for(user_with_role(Role.COORDINATOR))
    assert "owner_organisation_id__in" in str(Person.visibility_filter(access))
    assert "owner_organisation_id__in" not in str(Request.visibility_filter(access))
    assert "owner_organisation_id__in" not in str(Organisation.visibility_filter(access))
