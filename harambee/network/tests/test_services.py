import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from harambee.core.choices import Action, Role, Visibility
from harambee.core.errors import PermissionDeniedError, ServiceError, StaleVersionError
from harambee.core.models import ChangeRecord, User
from harambee.core.tests.factories import UserFactory
from harambee.network import services
from harambee.network.choices import MembershipRole, OrganisationType, RequestStatus
from harambee.network.models import (
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)
from harambee.network.tests.factories import (
    GroupFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RequestFactory,
    RequestResponseFactory,
    WorkplanItemFactory,
    user_with_role,
)
from harambee.places.models import Country

pytestmark = pytest.mark.django_db


def records(obj, action=None):
    rows = ChangeRecord.objects.for_object(obj)
    return rows.filter(action=action) if action else rows


def deleted(model, pk):
    from django.contrib.contenttypes.models import ContentType

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk), action="delete"
    )


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def editor():
    return user_with_role(Role.EDITOR)


# --- organisations ----------------------------------------------------------------------------


def test_organisation_create_audits_and_defaults_owner_to_actor_organisation(editor):
    org = services.organisation_create(
        actor=editor,
        data={"name": "Refugee Law Project", "org_type": OrganisationType.NATIONAL_NGO},
        m2m={"countries": [Country.objects.get(pk="UGA")]},
    )
    assert org.owner_organisation_id == editor.organisation_id
    assert list(org.countries.values_list("pk", flat=True)) == ["UGA"]
    (record,) = records(org)
    assert record.action == Action.CREATE and record.user == editor
    assert record.before is None
    assert record.after["name"] == "Refugee Law Project"
    assert record.after["countries"] == ["UGA"]


def test_system_created_organisation_maintains_its_own_record():
    org = services.organisation_create(
        actor=None,
        data={"name": "Zambia Red Cross Society", "org_type": OrganisationType.RED_CROSS},
    )
    assert org.owner_organisation_id == org.pk
    assert records(org).get().after["owner_organisation"] == org.pk
    assert records(org).get().user_name == "system"


@pytest.mark.parametrize("role", [None, Role.VIEWER])
def test_organisation_create_needs_an_editor(role):
    user = user_with_role(role)
    with pytest.raises(PermissionDeniedError):
        services.organisation_create(actor=user, data={"name": "X", "org_type": "other"})


def test_anonymous_cannot_create():
    with pytest.raises(PermissionDeniedError):
        services.organisation_create(actor=AnonymousUser(), data={"name": "X", "org_type": "other"})


def test_organisation_create_refuses_likely_duplicate_unless_allowed(editor):
    existing = OrganisationFactory(name="Danish Refugee Council", acronym="DRC")
    with pytest.raises(services.DuplicateSuspected) as caught:
        services.organisation_create(
            actor=editor, data={"name": "The danish refugee counsil", "org_type": "other"}
        )
    assert caught.value.code == "duplicate_suspected"
    assert [c.organisation for c in caught.value.candidates] == [existing]
    assert not Organisation.objects.filter(name="The danish refugee counsil").exists()
    created = services.organisation_create(
        actor=editor,
        data={"name": "The danish refugee counsil", "org_type": "other"},
        allow_duplicate=True,
    )
    assert created.pk


def test_duplicate_candidates_are_only_what_the_actor_may_see(editor):
    OrganisationFactory(name="Hidden Diaspora Network", visibility=Visibility.NAMED)
    created = services.organisation_create(
        actor=editor, data={"name": "Hidden Diaspora Network", "org_type": "diaspora"}
    )
    assert created.pk
    with pytest.raises(services.DuplicateSuspected):
        services.organisation_create(
            actor=None, data={"name": "Hidden Diaspora Network", "org_type": "diaspora"}
        )


def test_only_admins_verify_or_assign_to_other_organisations(editor, admin):
    other = OrganisationFactory()
    with pytest.raises(PermissionDeniedError):
        services.organisation_create(
            actor=editor, data={"name": "Verified NGO", "org_type": "other", "verified": True}
        )
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(
            actor=editor,
            data={"name": "Given away NGO", "org_type": "other", "owner_organisation": other},
        )
    assert "owner_organisation" in caught.value.message_dict
    org = services.organisation_create(
        actor=admin,
        data={"name": "Verified NGO", "org_type": "other", "verified": True, "iati_ref": ""},
    )
    assert org.verified and org.iati_ref is None


def test_organisation_update_audits_before_and_after(editor):
    org = OrganisationFactory(name="Old name", owner_organisation=editor.organisation)
    services.organisation_update(
        actor=editor, organisation=org, data={"name": "New name"}, expected_version=1
    )
    org.refresh_from_db()
    assert (org.name, org.version) == ("New name", 2)
    record = records(org, Action.UPDATE).get()
    assert record.before["name"] == "Old name" and record.after["name"] == "New name"
    assert {"field": "name", "before": "Old name", "after": "New name"} in record.changed_fields


def test_organisation_update_refuses_stale_version(editor):
    org = OrganisationFactory(owner_organisation=editor.organisation)
    services.organisation_update(
        actor=editor, organisation=org, data={"name": "A"}, expected_version=1
    )
    with pytest.raises(StaleVersionError):
        services.organisation_update(
            actor=editor, organisation=org, data={"name": "B"}, expected_version=1
        )
    org.refresh_from_db()
    assert org.name == "A"


def test_organisation_update_refused_to_editor_of_another_organisation(editor):
    org = OrganisationFactory()
    with pytest.raises(PermissionDeniedError):
        services.organisation_update(
            actor=editor, organisation=org, data={"name": "Mine now"}, expected_version=1
        )


def test_organisation_delete_needs_a_coordinator_of_the_owner_and_is_audited(editor):
    org = OrganisationFactory(owner_organisation=editor.organisation)
    with pytest.raises(PermissionDeniedError):
        services.organisation_delete(actor=editor, organisation=org)
    coordinator = user_with_role(Role.COORDINATOR, organisation=editor.organisation)
    pk = org.pk
    services.organisation_delete(actor=coordinator, organisation=org, expected_version=1)
    assert not Organisation.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(object_id=str(pk), action=Action.DELETE)
    assert record.after is None and record.before["name"] == org.name


def test_organisation_delete_refuses_when_requests_point_at_it():
    org = OrganisationFactory()
    RequestFactory(to_group=None, to_organisation=org)
    with pytest.raises(ServiceError) as caught:
        services.organisation_delete(actor=None, organisation=org)
    assert caught.value.code == "protected"


# --- merge ------------------------------------------------------------------------------------


def test_merge_moves_everything_and_records_it(admin):
    keep = OrganisationFactory(name="Danish Refugee Council", acronym="DRC", website="")
    dup = OrganisationFactory(
        name="Dansk Flygtningehjælp",
        acronym="DFH",
        other_names=["Conseil danois pour les réfugiés"],
        website="https://drc.ngo",
        iati_ref="DK-CVR-20699310",
        verified=True,
    )
    uga, ken, zmb = (Country.objects.get(pk=c) for c in ("UGA", "KEN", "ZMB"))
    keep.countries.set([uga, ken])
    dup.countries.set([ken, zmb])
    shared, only_dup = GroupFactory(), GroupFactory()
    MembershipFactory(group=shared, organisation=keep, role=MembershipRole.LEAD)
    MembershipFactory(group=shared, organisation=dup, role=MembershipRole.MEMBER)
    MembershipFactory(group=only_dup, organisation=dup)
    person = PersonFactory(organisation=dup)
    request = RequestFactory(to_group=None, to_organisation=dup)
    response = RequestResponseFactory(organisation=dup)
    item = WorkplanItemFactory(owner=dup)
    user = UserFactory(organisation=dup)
    owned_group = GroupFactory(owner_organisation=dup)
    owned_org = OrganisationFactory(owner_organisation=dup)

    result = services.organisation_merge(actor=admin, keep=keep, duplicate=dup)

    assert result.pk == keep.pk
    assert not Organisation.objects.filter(pk=dup.pk).exists()
    assert set(keep.countries.values_list("pk", flat=True)) == {"UGA", "KEN", "ZMB"}
    memberships = Membership.objects.filter(organisation=keep)
    assert {(m.group_id, m.role) for m in memberships} == {
        (shared.pk, MembershipRole.LEAD),  # the existing membership is kept
        (only_dup.pk, MembershipRole.MEMBER),
    }
    person.refresh_from_db()
    assert person.organisation_id == keep.pk and person.owner_organisation_id == keep.pk
    assert person.version > 1  # moved rows carry a new version: stale forms are refused
    assert Request.objects.get(pk=request.pk).to_organisation_id == keep.pk
    assert RequestResponse.objects.get(pk=response.pk).organisation_id == keep.pk
    assert WorkplanItem.objects.get(pk=item.pk).owner_id == keep.pk
    assert User.objects.get(pk=user.pk).organisation_id == keep.pk
    assert Group.objects.get(pk=owned_group.pk).owner_organisation_id == keep.pk
    assert Organisation.objects.get(pk=owned_org.pk).owner_organisation_id == keep.pk

    result.refresh_from_db()
    assert result.other_names == [
        "Dansk Flygtningehjælp",
        "DFH",
        "Conseil danois pour les réfugiés",
    ]
    assert result.website == "https://drc.ngo" and result.iati_ref == "DK-CVR-20699310"
    assert result.verified

    merge = records(keep, Action.MERGE).get()
    assert merge.user == admin
    assert merge.before["other_names"] == []
    assert merge.after["merged"]["id"] == dup.pk
    assert "network.Membership.organisation: 1 moved, 1 dropped" in merge.note
    deleted = ChangeRecord.objects.get(object_id=str(dup.pk), action=Action.DELETE)
    assert deleted.before["name"] == "Dansk Flygtningehjælp"


def test_merge_finds_every_reference_to_organisation_in_every_app():
    found = {(fk.model._meta.label, fk.name) for fk in services.organisation_references()}
    assert {
        ("core.User", "organisation"),
        ("network.Organisation", "owner_organisation"),
        ("network.Person", "organisation"),
        ("network.Person", "owner_organisation"),
        ("network.Group", "owner_organisation"),
        ("network.Request", "owner_organisation"),
        ("network.Request", "to_organisation"),
        ("network.Membership", "organisation"),
        ("network.WorkplanItem", "owner"),
        ("network.RequestResponse", "organisation"),
        ("network.Organisation_countries", "organisation"),
        ("network.Organisation_residence_countries", "organisation"),
        ("network.Organisation_shared_with", "organisation"),
    } <= found


def test_merge_into_itself_is_refused(admin):
    org = OrganisationFactory()
    with pytest.raises(ServiceError) as caught:
        services.organisation_merge(actor=admin, keep=org, duplicate=org)
    assert caught.value.code == "merge_invalid"


def test_merge_needs_change_permission_on_both(editor):
    keep = OrganisationFactory(owner_organisation=editor.organisation)
    mine_too = OrganisationFactory(owner_organisation=editor.organisation)
    theirs = OrganisationFactory()
    with pytest.raises(PermissionDeniedError):
        services.organisation_merge(actor=editor, keep=keep, duplicate=theirs)
    assert Organisation.objects.filter(pk=theirs.pk).exists()
    services.organisation_merge(actor=editor, keep=keep, duplicate=mine_too)
    assert not Organisation.objects.filter(pk=mine_too.pk).exists()


# --- people -----------------------------------------------------------------------------------


def test_person_crud_in_own_organisation(editor):
    person = services.person_create(
        actor=editor,
        data={
            "organisation": editor.organisation,
            "name": "Amina Okello",
            "email": "amina@example.org",
            "visibility": Visibility.ORGANISATION,
        },
    )
    assert person.owner_organisation_id == editor.organisation_id
    created = records(person).get()
    assert created.after["email"].startswith("hmac:")  # personal data never in clear
    services.person_update(
        actor=editor, person=person, data={"role": "Focal point"}, expected_version=1
    )
    assert records(person, Action.UPDATE).get().after["role"] == "Focal point"
    with pytest.raises(StaleVersionError):
        services.person_update(actor=editor, person=person, data={"role": "X"}, expected_version=1)
    coordinator = user_with_role(Role.COORDINATOR, organisation=editor.organisation)
    services.person_delete(actor=coordinator, person=person, expected_version=2)
    assert not Person.objects.exists()


def test_person_cannot_be_public_or_added_to_another_organisation(editor):
    with pytest.raises(ValidationError):
        services.person_create(
            actor=editor,
            data={
                "organisation": editor.organisation,
                "name": "P",
                "visibility": Visibility.PUBLIC,
            },
        )
    with pytest.raises(PermissionDeniedError):
        services.person_create(
            actor=editor,
            data={"organisation": OrganisationFactory(), "name": "P", "visibility": "organisation"},
        )


# --- groups, roles, memberships, work plans ---------------------------------------------------


def test_group_create_makes_the_creator_coordinator():
    coordinator = user_with_role(Role.COORDINATOR)
    group = services.group_create(
        actor=coordinator,
        data={"name": "Uganda", "kind": "country", "country": Country.objects.get(pk="UGA")},
    )
    assert GroupRole.objects.get(group=group, user=coordinator).role == Role.COORDINATOR
    assert group.owner_organisation_id == coordinator.organisation_id
    assert records(group).get().action == Action.CREATE
    # The new role counts at once, without reloading the user.
    services.group_update(actor=coordinator, group=group, data={"purpose": "P"}, expected_version=1)


def test_group_create_needs_a_coordinator(editor):
    with pytest.raises(PermissionDeniedError):
        services.group_create(actor=editor, data={"name": "G", "kind": "thematic"})


def test_group_country_group_needs_a_country(admin):
    with pytest.raises(ValidationError) as caught:
        services.group_create(actor=admin, data={"name": "G", "kind": "country"})
    assert "country" in caught.value.message_dict


def test_group_update_stale_and_delete_protected(admin):
    group = GroupFactory()
    services.group_update(actor=admin, group=group, data={"purpose": "A"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.group_update(actor=admin, group=group, data={"purpose": "B"}, expected_version=1)
    RequestFactory(from_group=group)
    with pytest.raises(ServiceError):
        services.group_delete(actor=admin, group=group)


def test_membership_needs_an_editor_of_the_group():
    group = GroupFactory()
    org = OrganisationFactory()
    viewer = user_with_role(Role.VIEWER, group=group)
    editor_elsewhere = user_with_role(Role.EDITOR)
    for user in (viewer, editor_elsewhere):
        with pytest.raises(PermissionDeniedError):
            services.membership_create(actor=user, group=group, data={"organisation": org})
    editor = user_with_role(Role.EDITOR, group=group)
    membership = services.membership_create(
        actor=editor, group=group, data={"organisation": org, "role": MembershipRole.LEAD}
    )
    assert records(membership).get().after["role"] == "lead"
    with pytest.raises(ValidationError):
        services.membership_create(actor=editor, group=group, data={"organisation": org})
    services.membership_update(
        actor=editor, membership=membership, data={"role": "member"}, expected_version=1
    )
    with pytest.raises(ValidationError):
        services.membership_update(
            actor=editor, membership=membership, data={"group": GroupFactory()}, expected_version=2
        )
    with pytest.raises(PermissionDeniedError):
        services.membership_delete(actor=editor, membership=membership)
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    pk = membership.pk
    services.membership_delete(actor=coordinator, membership=membership, expected_version=2)
    assert deleted(Membership, pk).get().user == coordinator


def test_membership_of_an_organisation_the_editor_cannot_see_is_refused():
    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    hidden = OrganisationFactory(visibility=Visibility.NAMED)
    with pytest.raises(ValidationError) as caught:
        services.membership_create(actor=editor, group=group, data={"organisation": hidden})
    assert "organisation" in caught.value.message_dict


def test_group_roles_are_managed_by_the_group_coordinator():
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    editor = user_with_role(Role.EDITOR, group=group)
    newcomer = UserFactory()
    with pytest.raises(PermissionDeniedError):
        services.group_role_set(actor=editor, group=group, user=newcomer, role=Role.VIEWER)
    role = services.group_role_set(actor=coordinator, group=group, user=newcomer, role=Role.VIEWER)
    assert records(role).get().after["role"] == "viewer"
    with pytest.raises(ValidationError) as caught:
        # Changing a role needs the version the coordinator saw.
        services.group_role_set(actor=coordinator, group=group, user=newcomer, role=Role.EDITOR)
    assert "version" in caught.value.message_dict
    role = services.group_role_set(
        actor=coordinator, group=group, user=newcomer, role=Role.EDITOR, expected_version=1
    )
    assert role.role == Role.EDITOR
    assert records(role, Action.UPDATE).get().before["role"] == "viewer"
    with pytest.raises(StaleVersionError):
        services.group_role_set(
            actor=coordinator, group=group, user=newcomer, role=Role.VIEWER, expected_version=1
        )
    with pytest.raises(ValidationError):
        services.group_role_set(actor=coordinator, group=group, user=newcomer, role="owner")
    services.group_role_remove(actor=coordinator, group_role=role)
    assert not GroupRole.objects.filter(pk=role.pk).exists()


def test_last_coordinator_cannot_step_down():
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    own = GroupRole.objects.get(user=coordinator, group=group)
    with pytest.raises(ServiceError) as caught:
        services.group_role_remove(actor=coordinator, group_role=own)
    assert caught.value.code == "last_coordinator"
    with pytest.raises(ServiceError):
        services.group_role_set(
            actor=coordinator,
            group=group,
            user=coordinator,
            role=Role.EDITOR,
            expected_version=own.version,
        )


def test_workplan_items_need_an_editor_of_the_group():
    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    with pytest.raises(PermissionDeniedError):
        services.workplan_item_create(
            actor=user_with_role(Role.VIEWER, group=group),
            group=group,
            data={"challenge": "C", "objective": "O"},
        )
    item = services.workplan_item_create(
        actor=editor, group=group, data={"challenge": "Land for refugee farmers", "objective": "O"}
    )
    assert item.group == group and records(item).get().after["challenge"] == item.challenge
    services.workplan_item_update(
        actor=editor, workplan_item=item, data={"status": "in_progress"}, expected_version=1
    )
    with pytest.raises(StaleVersionError):
        services.workplan_item_update(
            actor=editor, workplan_item=item, data={"status": "done"}, expected_version=1
        )
    pk = item.pk
    services.workplan_item_delete(actor=None, workplan_item=item)
    assert deleted(WorkplanItem, pk).get().user_name == "system"


# --- requests ---------------------------------------------------------------------------------


@pytest.fixture
def country_group():
    return GroupFactory(name="Uganda", kind="country", country=Country.objects.get(pk="UGA"))


@pytest.fixture
def thematic_group():
    return GroupFactory(name="Private Sector")


def test_request_is_made_by_an_editor_of_the_asking_group(country_group, thematic_group):
    outsider = user_with_role(Role.EDITOR)
    data = {"from_group": country_group, "to_group": thematic_group, "title": "Mentors"}
    with pytest.raises(PermissionDeniedError):
        services.request_create(actor=outsider, data=data)
    editor = user_with_role(Role.EDITOR, group=country_group)
    request = services.request_create(actor=editor, data=data)
    assert request.status == RequestStatus.OPEN
    assert request.owner_organisation_id == editor.organisation_id
    assert records(request).get().after["title"] == "Mentors"
    services.request_update(
        actor=editor, request=request, data={"rationale": "Why"}, expected_version=1
    )
    with pytest.raises(ServiceError) as caught:
        services.request_update(
            actor=editor, request=request, data={"status": "done"}, expected_version=2
        )
    assert caught.value.code == "invalid_transition"
    coordinator = user_with_role(Role.COORDINATOR, group=country_group)
    pk = request.pk
    services.request_delete(actor=coordinator, request=request, expected_version=2)
    assert deleted(Request, pk).exists()


def test_request_needs_a_recipient(country_group):
    with pytest.raises(ValidationError):
        services.request_create(actor=None, data={"from_group": country_group, "title": "T"})


def test_request_status_follows_the_transitions(country_group, thematic_group):
    request = RequestFactory(from_group=country_group, to_group=thematic_group)
    editor = user_with_role(Role.EDITOR, group=thematic_group)
    with pytest.raises(ServiceError) as caught:
        services.request_set_status(
            actor=editor, request=request, status=RequestStatus.DONE, expected_version=1
        )
    assert caught.value.code == "invalid_transition"
    services.request_set_status(
        actor=editor, request=request, status=RequestStatus.ACCEPTED, expected_version=1
    )
    with pytest.raises(StaleVersionError):
        services.request_set_status(
            actor=editor, request=request, status=RequestStatus.DONE, expected_version=1
        )
    services.request_set_status(
        actor=editor, request=request, status=RequestStatus.DONE, expected_version=2
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    update = records(request, Action.UPDATE).first()
    assert (update.before["status"], update.after["status"]) == ("accepted", "done")
    with pytest.raises(PermissionDeniedError):
        services.request_set_status(
            actor=user_with_role(Role.EDITOR),
            request=request,
            status=RequestStatus.IN_PROGRESS,
            expected_version=3,
        )


def test_request_respond_on_behalf_of_own_organisation(country_group, thematic_group):
    request = RequestFactory(from_group=country_group, to_group=thematic_group)
    editor = user_with_role(Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        services.request_respond(
            actor=editor, request=request, organisation=OrganisationFactory(), offer="Money"
        )
    response = services.request_respond(
        actor=editor, request=request, organisation=editor.organisation, offer="Two mentors"
    )
    assert response.offered_by == editor
    assert records(response).get().after["offer"] == "Two mentors"
    services.request_response_update(
        actor=editor, response=response, data={"offer": "Three mentors"}, expected_version=1
    )
    assert RequestResponse.objects.get(pk=response.pk).offer == "Three mentors"
    Request.objects.filter(pk=request.pk).update(status=RequestStatus.DECLINED)
    request.refresh_from_db()
    with pytest.raises(ServiceError) as caught:
        services.request_respond(
            actor=editor, request=request, organisation=editor.organisation, offer="More"
        )
    assert caught.value.code == "request_closed"


def test_request_respond_needs_to_see_the_request(country_group, thematic_group):
    request = RequestFactory(
        from_group=country_group, to_group=thematic_group, visibility=Visibility.NAMED
    )
    editor = user_with_role(Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        services.request_respond(
            actor=editor, request=request, organisation=editor.organisation, offer="Help"
        )


def test_group_roles_forget_cached_access():
    group = GroupFactory()
    coordinator = user_with_role(Role.COORDINATOR, group=group)
    user = UserFactory(organisation=OrganisationFactory())
    assert not Group.objects.restrict(user, "change").exists()
    services.group_role_set(actor=coordinator, group=group, user=user, role=Role.EDITOR)
    assert list(Group.objects.restrict(user, "change")) == [group]


def test_organisations_create_many_audits_each_and_joins_the_duplicate_index():
    from harambee.core.choices import Action
    from harambee.core.models import ChangeRecord
    from harambee.network.duplicates import find_duplicates
    from harambee.network.services import organisations_create_many

    made = organisations_create_many(
        actor=None,
        items=[
            (
                {
                    "name": "Kabul Women Health Network",
                    "acronym": "KWHN",
                    "org_type": "national_ngo",
                },
                {"countries": ["AFG"]},
            ),
            (
                {"name": "Herat Water Cooperative", "acronym": "", "org_type": "other"},
                {"countries": ["AFG"]},
            ),
        ],
    )
    assert [o.name for o in made] == ["Kabul Women Health Network", "Herat Water Cooperative"]
    for organisation in made:
        organisation.refresh_from_db()
        assert organisation.owner_organisation_id == organisation.pk  # system-made: its own record
        assert list(organisation.countries.values_list("iso3", flat=True)) == ["AFG"]
        record = ChangeRecord.objects.for_object(organisation).get()
        assert record.action == Action.CREATE
        assert record.after["countries"] == ["AFG"]
    assert find_duplicates("Kabul Women's Health Network", "KWHN")
