import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.filtersets import (
    GroupFilterSet,
    GroupRoleFilterSet,
    MembershipFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
    RequestFilterSet,
    RequestResponseFilterSet,
    UserRequest,
    WorkplanItemFilterSet,
)
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
    GroupRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RequestFactory,
    RequestResponseFactory,
    WorkplanItemFactory,
)

pytestmark = pytest.mark.django_db


def run(filterset, model, data, user=None):
    fs = filterset(
        data=data, queryset=model.objects.all(), request=UserRequest(user or AnonymousUser())
    )
    assert fs.is_valid(), fs.errors
    return list(fs.qs)


def test_organisation_filters():
    a = OrganisationFactory(
        name="Kenya Red Cross Society", acronym="KRCS", org_type="red_cross", verified=True
    )
    b = OrganisationFactory(
        name="Somali Diaspora Forum",
        org_type="diaspora",
        other_names=["SDF UK"],
        visibility=Visibility.NETWORK,
    )
    a.countries.add("SOM")
    b.hq_country_id = "GBR"
    b.save()
    b.countries.add("SOM", "KEN")
    group = GroupFactory()
    MembershipFactory(group=group, organisation=b)
    MembershipFactory(group=GroupFactory(), organisation=a, until=datetime.date(2001, 1, 1))
    assert run(OrganisationFilterSet, Organisation, {"q": "red krcs"}) == [a]
    assert run(OrganisationFilterSet, Organisation, {"q": "sdf"}) == [b]
    assert run(OrganisationFilterSet, Organisation, {"org_type": ["diaspora", "bank"]}) == [b]
    assert run(OrganisationFilterSet, Organisation, {"country": "som"}) == [a, b]  # no repeats
    assert run(OrganisationFilterSet, Organisation, {"country": "GBR"}) == [b]
    assert run(OrganisationFilterSet, Organisation, {"verified": "true"}) == [a]
    assert run(OrganisationFilterSet, Organisation, {"visibility": "network"}) == [b]
    assert run(OrganisationFilterSet, Organisation, {"group": group.pk}) == [b]
    assert run(OrganisationFilterSet, Organisation, {"ordering": "-name"}) == [b, a]


def test_organisation_group_filter_ignores_groups_the_user_cannot_see():
    secret = GroupFactory(visibility=Visibility.NAMED)
    org = OrganisationFactory()
    MembershipFactory(group=secret, organisation=org)
    assert run(OrganisationFilterSet, Organisation, {"group": secret.pk}) == []
    admin = UserFactory(is_superuser=True)
    assert run(OrganisationFilterSet, Organisation, {"group": secret.pk}, user=admin) == [org]


def test_invalid_filter_values_are_reported():
    fs = OrganisationFilterSet(data={"org_type": ["nonsense"]}, queryset=Organisation.objects.all())
    assert not fs.is_valid()
    assert "org_type" in fs.errors


def test_person_filters():
    p = PersonFactory(name="Amina Okello", role="Livelihoods officer")
    q = PersonFactory(name="John Mwangi")
    assert run(PersonFilterSet, Person, {"q": "livelihoods"}) == [p]
    assert run(PersonFilterSet, Person, {"organisation": q.organisation_id}) == [q]


def test_group_filters():
    uganda = GroupFactory(name="Uganda", kind="country", country_id="UGA", purpose="Self-reliance")
    research = GroupFactory(name="Research, Data and Performance Management")
    org = OrganisationFactory()
    MembershipFactory(group=research, organisation=org)
    assert run(GroupFilterSet, Group, {"kind": "country"}) == [uganda]
    assert run(GroupFilterSet, Group, {"country": "uga"}) == [uganda]
    assert run(GroupFilterSet, Group, {"q": "self-reliance"}) == [uganda]
    assert run(GroupFilterSet, Group, {"organisation": org.pk}) == [research]


def test_membership_filters():
    current = MembershipFactory(role="lead")
    ended = MembershipFactory(until=datetime.date(2001, 1, 1), since=datetime.date(2000, 1, 1))
    assert run(MembershipFilterSet, Membership, {"role": "lead"}) == [current]
    assert run(MembershipFilterSet, Membership, {"current": "true"}) == [current]
    assert run(MembershipFilterSet, Membership, {"current": "false"}) == [ended]
    assert run(MembershipFilterSet, Membership, {"group": ended.group_id}) == [ended]
    assert run(MembershipFilterSet, Membership, {"organisation": current.organisation_id}) == [
        current
    ]


def test_group_role_filters():
    a = GroupRoleFactory(role=Role.EDITOR)
    b = GroupRoleFactory(role=Role.VIEWER)
    assert run(GroupRoleFilterSet, GroupRole, {"role": "editor"}) == [a]
    assert run(GroupRoleFilterSet, GroupRole, {"user": b.user_id}) == [b]
    assert run(GroupRoleFilterSet, GroupRole, {"group": a.group_id}) == [a]


def test_workplan_filters():
    soon = WorkplanItemFactory(challenge="Land allocation", due_date=datetime.date(2026, 3, 1))
    late = WorkplanItemFactory(status="done", due_date=datetime.date(2027, 3, 1))
    assert run(WorkplanItemFilterSet, WorkplanItem, {"q": "land"}) == [soon]
    assert run(WorkplanItemFilterSet, WorkplanItem, {"status": ["done"]}) == [late]
    assert run(WorkplanItemFilterSet, WorkplanItem, {"due_before": "2026-12-31"}) == [soon]
    assert run(WorkplanItemFilterSet, WorkplanItem, {"due_after": "2026-12-31"}) == [late]
    assert run(WorkplanItemFilterSet, WorkplanItem, {"group": late.group_id}) == [late]


def test_request_filters():
    a = RequestFactory(title="Mentors for refugee entrepreneurs", status="accepted")
    b = RequestFactory(from_group=a.to_group, to_group=None, to_organisation=OrganisationFactory())
    assert run(RequestFilterSet, Request, {"q": "mentors"}) == [a]
    assert run(RequestFilterSet, Request, {"status": ["open"]}) == [b]
    assert run(RequestFilterSet, Request, {"from_group": a.from_group_id}) == [a]
    assert run(RequestFilterSet, Request, {"to_group": a.to_group_id}) == [a]
    assert run(RequestFilterSet, Request, {"to_organisation": b.to_organisation_id}) == [b]
    assert set(run(RequestFilterSet, Request, {"group": a.to_group_id})) == {a, b}


def test_request_response_filters():
    a = RequestResponseFactory()
    RequestResponseFactory()
    assert run(RequestResponseFilterSet, RequestResponse, {"request": a.request_id}) == [a]
    assert run(RequestResponseFilterSet, RequestResponse, {"organisation": a.organisation_id}) == [
        a
    ]
