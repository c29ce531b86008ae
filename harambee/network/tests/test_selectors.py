import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from harambee.core.choices import Permission, Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network import selectors, services
from harambee.network.choices import MembershipRole
from harambee.network.models import Organisation, Person
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

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "other_organisation",  # a user of another organisation, no role anywhere
    "viewer",  # of the owner organisation, viewer in some group
    "editor",  # of the owner organisation, editor in some group
    "coordinator",  # of another organisation; coordinates a group the owner belongs to
    "owner_coordinator",  # of the owner organisation, coordinator in some group
    "named",  # of another organisation, named on the record
    "admin",
]

# Who may (view, change, delete) an organisation record, by visibility. "V", "C", "D" or "-".
ORGANISATION_EXPECTED = {
    # role:               public  network  organisation  named
    "anonymous": ("V--", "---", "---", "---"),
    "other_organisation": ("V--", "V--", "---", "---"),
    "viewer": ("V--", "V--", "V--", "---"),
    "editor": ("VC-", "VC-", "VC-", "---"),
    # A coordinator of a group the owner belongs to sees its contacts only, not its records.
    "coordinator": ("V--", "V--", "---", "---"),
    "owner_coordinator": ("VCD", "VCD", "VCD", "---"),
    "named": ("V--", "V--", "---", "V--"),
    "admin": ("VCD", "VCD", "VCD", "VCD"),
}
VISIBILITIES = [Visibility.PUBLIC, Visibility.NETWORK, Visibility.ORGANISATION, Visibility.NAMED]
ACTIONS = [(0, Permission.VIEW), (1, Permission.CHANGE), (2, Permission.DELETE)]

# Contact people are never public: their organisation and its groups' coordinators see them.
PERSON_EXPECTED = {
    # role:               organisation  named
    "anonymous": ("---", "---"),
    "other_organisation": ("---", "---"),
    "viewer": ("V--", "---"),
    "editor": ("VC-", "---"),
    "coordinator": ("V--", "---"),
    "owner_coordinator": ("VCD", "---"),
    "named": ("---", "V--"),
    "admin": ("VCD", "VCD"),
}


def make_world():
    """An owner organisation, member of a group; one user for each role."""
    owner = OrganisationFactory(name="Owner NGO")
    group = GroupFactory()
    MembershipFactory(group=group, organisation=owner)
    users = {
        "anonymous": AnonymousUser(),
        "other_organisation": UserFactory(organisation=OrganisationFactory()),
        "viewer": user_with_role(Role.VIEWER, organisation=owner),
        "editor": user_with_role(Role.EDITOR, organisation=owner),
        "coordinator": user_with_role(Role.COORDINATOR, group=group),
        "owner_coordinator": user_with_role(Role.COORDINATOR, organisation=owner),
        "named": UserFactory(organisation=OrganisationFactory()),
        "admin": UserFactory(is_superuser=True),
    }
    return owner, users


def allowed(model, user, action, obj) -> bool:
    return model.objects.restrict(user, action).filter(pk=obj.pk).exists()


MATRIX = [
    pytest.param(role, visibility, index, action, id=f"{role}-{visibility}-{action}")
    for role in ROLES
    for visibility in VISIBILITIES
    for index, action in ACTIONS
]


@pytest.mark.parametrize(("role", "visibility", "index", "action"), MATRIX)
def test_organisation_permission_matrix(role, visibility, index, action):
    owner, users = make_world()
    record = OrganisationFactory(visibility=visibility, owner_organisation=owner)
    record.shared_with.add(users["named"])
    expected = ORGANISATION_EXPECTED[role][VISIBILITIES.index(visibility)][index] != "-"
    user = users[role]
    assert allowed(Organisation, user, action, record) is expected
    if action == Permission.VIEW:
        # The selectors give the same answer as the raw restriction.
        assert (record in selectors.organisation_list(user=user)) is expected


PERSON_VISIBILITIES = [Visibility.ORGANISATION, Visibility.NAMED]


@pytest.mark.parametrize(
    ("role", "visibility", "index", "action"),
    [
        pytest.param(role, visibility, index, action, id=f"{role}-{visibility}-{action}")
        for role in ROLES
        for visibility in PERSON_VISIBILITIES
        for index, action in ACTIONS
    ],
)
def test_person_permission_matrix(role, visibility, index, action):
    owner, users = make_world()
    person = PersonFactory(organisation=owner, visibility=visibility)
    person.shared_with.add(users["named"])
    expected = PERSON_EXPECTED[role][PERSON_VISIBILITIES.index(visibility)][index] != "-"
    user = users[role]
    assert allowed(Person, user, action, person) is expected
    if action == Permission.VIEW:
        visible = selectors.people_for_organisation(user=user, organisation=owner)
        assert (person in visible) is expected


def test_matrix_covers_every_role_and_visibility():
    assert set(ORGANISATION_EXPECTED) == set(ROLES) == set(PERSON_EXPECTED)
    assert len(MATRIX) == len(ROLES) * len(VISIBILITIES) * len(ACTIONS)


# --- the selectors themselves -----------------------------------------------------------------


def test_organisation_list_applies_the_shared_filters():
    drc = OrganisationFactory(
        name="Danish Refugee Council", acronym="DRC", org_type="international_ngo"
    )
    bank = OrganisationFactory(name="Equity Bank", org_type="bank", other_names=["Equity Group"])
    drc.countries.add("UGA")
    bank.hq_country_id = "KEN"
    bank.save()
    user = AnonymousUser()
    assert list(selectors.organisation_list(user=user, filters={"q": "danish"})) == [drc]
    assert list(selectors.organisation_list(user=user, filters={"q": "group"})) == [bank]
    assert list(selectors.organisation_list(user=user, filters={"org_type": ["bank"]})) == [bank]
    assert list(selectors.organisation_list(user=user, filters={"country": "uga"})) == [drc]
    assert list(selectors.organisation_list(user=user, filters={"country": "KEN"})) == [bank]
    # An invalid value is ignored, as on a list page.
    assert selectors.organisation_list(user=user, filters={"verified": "maybe"}).count() == 2


def test_organisation_get_hides_what_the_user_may_not_see():
    org = OrganisationFactory(visibility=Visibility.NETWORK)
    with pytest.raises(Http404):
        selectors.organisation_get(user=AnonymousUser(), pk=org.pk)
    with pytest.raises(Http404):
        selectors.organisation_get(user=AnonymousUser(), pk="not-a-number")
    member = UserFactory(organisation=OrganisationFactory())
    assert selectors.organisation_get(user=member, pk=org.pk) == org


def test_group_list_gives_visible_leads_and_member_counts():
    group = GroupFactory(name="Uganda")
    lead = OrganisationFactory(name="Office of the Prime Minister")
    hidden = OrganisationFactory(name="Hidden lead", visibility=Visibility.NAMED)
    MembershipFactory(group=group, organisation=lead, role=MembershipRole.LEAD)
    MembershipFactory(group=group, organisation=hidden, role=MembershipRole.LEAD)
    MembershipFactory(group=group, organisation=OrganisationFactory())
    MembershipFactory(
        group=group, organisation=OrganisationFactory(), until=datetime.date(2000, 1, 1)
    )
    (row,) = selectors.group_list(user=AnonymousUser(), filters={"q": "uganda"})
    assert [m.organisation for m in row.lead_memberships] == [lead]
    assert row.member_count == 2
    members = selectors.group_members(user=AnonymousUser(), group=group)
    assert hidden not in [m.organisation for m in members]
    assert selectors.group_get(user=AnonymousUser(), pk=group.pk) == group


def test_group_workplan_and_requests():
    group, other = GroupFactory(), GroupFactory()
    item = WorkplanItemFactory(group=group)
    WorkplanItemFactory(group=other)
    made = RequestFactory(from_group=group, to_group=other)
    received = RequestFactory(from_group=other, to_group=group)
    RequestFactory(from_group=other, to_group=GroupFactory())
    user = AnonymousUser()
    assert list(selectors.group_workplan(user=user, group=group)) == [item]
    assert set(selectors.group_requests(user=user, group=group)) == {made, received}
    RequestResponseFactory(request=made)
    RequestResponseFactory(request=made)
    detail = selectors.request_get(user=user, pk=made.pk)
    assert detail.response_count == 2 and len(detail.responses.all()) == 2
    assert list(selectors.request_list(user=user, filters={"to_group": other.pk})) == [made]


def test_history_only_for_those_who_may_see_the_object():
    editor = user_with_role(Role.EDITOR)
    org = services.organisation_create(
        actor=editor,
        data={"name": "Yarid", "org_type": "refugee_led", "visibility": Visibility.ORGANISATION},
    )
    services.organisation_update(
        actor=editor, organisation=org, data={"acronym": "YARID"}, expected_version=1
    )
    history = selectors.history_for(user=editor, obj=org)
    assert [r.action for r in history] == ["update", "create"]
    with pytest.raises(Http404):
        selectors.history_for(user=AnonymousUser(), obj=org)


@pytest.mark.parametrize("rows", [2, 12])
def test_list_selectors_cost_the_same_whatever_the_number_of_rows(rows, django_assert_num_queries):
    viewer = user_with_role(Role.VIEWER)
    for n in range(rows):
        org = OrganisationFactory(org_type="diaspora", origin_country_id="SOM")
        org.countries.add("KEN", "UGA")
        org.residence_countries.add("GBR")
        group = GroupFactory()
        MembershipFactory(group=group, organisation=org, role=MembershipRole.LEAD)
        request = RequestFactory(from_group=group, to_organisation=org)
        RequestResponseFactory(request=request, organisation=org)
        PersonFactory(organisation=viewer.organisation, name=f"Contact {n}")
    viewer.refresh_from_db()
    with django_assert_num_queries(5):  # roles, rows, and three prefetches
        orgs = list(selectors.organisation_list(user=viewer))
        assert {c.pk for o in orgs for c in o.countries.all()} == {"KEN", "UGA"}
        assert [o.hq_country for o in orgs] and [
            o.origin_country.name for o in orgs if o.origin_country
        ]
    with django_assert_num_queries(3):  # rows, leads, shared_with
        groups = list(selectors.group_list(user=viewer))
        assert [g.member_count for g in groups] and [g.lead_memberships for g in groups]
        assert [g.country for g in groups]
    with django_assert_num_queries(2):
        for request in selectors.request_list(user=viewer):
            assert request.from_group.name and request.to_organisation.name
            assert request.response_count == 1
    with django_assert_num_queries(2):
        assert len([p.organisation.name for p in selectors.person_list(user=viewer)]) == rows
    with django_assert_num_queries(1):
        assert [
            (m.group.name, m.organisation.hq_country)
            for m in selectors.membership_list(user=viewer)
        ]
