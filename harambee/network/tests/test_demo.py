from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from harambee.core.choices import Permission, Role, Visibility
from harambee.core.management.commands import demo as demo_command
from harambee.core.models import User
from harambee.network import demo
from harambee.network.choices import GroupKind, MembershipRole, OrganisationType
from harambee.network.duplicates import build_index, score_candidates
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

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    User,
    Group,
    Membership,
    GroupRole,
    WorkplanItem,
    Request,
    RequestResponse,
    Person,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def loaded():
    out = StringIO()
    demo.load(out)
    return out.getvalue()


def test_demo_is_idempotent(loaded):
    assert "53 organisations" in loaded
    first = counts()
    out = StringIO()
    demo.load(out)
    assert counts() == first
    assert "nothing new" in out.getvalue()


def test_demo_content(loaded):
    assert Organisation.objects.count() >= 40
    types = set(Organisation.objects.values_list("org_type", flat=True))
    assert types == set(OrganisationType.values)
    diaspora = Organisation.objects.filter(org_type=OrganisationType.DIASPORA)
    assert diaspora.count() >= 3
    assert all(o.origin_country_id and o.residence_countries.exists() for o in diaspora)
    assert Organisation.objects.filter(org_type=OrganisationType.BANK).count() >= 3

    countries = dict(Group.objects.filter(kind=GroupKind.COUNTRY).values_list("country", "name"))
    assert set(countries) == {"UGA", "ZMB", "TZA", "KEN"}
    for group in Group.objects.filter(kind=GroupKind.COUNTRY):
        leads = Membership.objects.filter(group=group, role=MembershipRole.LEAD)
        assert [m.organisation.org_type for m in leads] == [OrganisationType.HOST_GOVERNMENT]
        assert WorkplanItem.objects.filter(group=group).count() >= 2
    thematic = set(Group.objects.filter(kind=GroupKind.THEMATIC).values_list("name", flat=True))
    assert thematic == {demo.PRIVATE, demo.RULE_OF_LAW, demo.RESEARCH}
    assert Request.objects.filter(from_group__kind=GroupKind.COUNTRY).count() >= 4
    assert RequestResponse.objects.count() >= 4
    visibilities = set(Organisation.objects.values_list("visibility", flat=True))
    assert visibilities == set(Visibility.values)
    assert Person.objects.values("organisation").distinct().count() == Organisation.objects.count()


def test_demo_organisation_names_are_not_mistaken_for_each_other():
    """The duplicate check must not flag real, different organisations."""
    rows = [(n, spec.name, spec.acronym, []) for n, spec in enumerate(demo.ORGANISATIONS)]
    index = build_index(rows)
    for n, spec in enumerate(demo.ORGANISATIONS):
        assert score_candidates(index, spec.name, spec.acronym, exclude_pk=n) == {}, spec.name


def test_demo_users_one_per_role(loaded):
    expected = {
        "admin": (None, None),
        "coordinator": (demo.UGANDA, Role.COORDINATOR),
        "editor": (demo.UGANDA, Role.EDITOR),
        "viewer": (demo.RESEARCH, Role.VIEWER),
    }
    for spec in demo.DEMO_USERS:
        user = authenticate(username=spec.username, password=spec.password)
        assert user is not None, spec.username
        assert user.organisation.name == spec.organisation
        roles = list(GroupRole.objects.filter(user=user).values_list("group__name", "role"))
        group, role = expected[spec.username]
        assert roles == ([(group, role)] if group else [])
    assert User.objects.get(username="admin").is_superuser
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.organisation.name == demo.OPM


def test_demo_shows_the_permission_model(loaded):
    users = {u.username: User.objects.get(username=u.username) for u in demo.DEMO_USERS}
    women = Organisation.objects.get(name="Nakivale Refugee Women Entrepreneurs Association")
    named = Organisation.objects.get(name="Mogadishu Returnee Cooperative")

    def sees(user, obj):
        return type(obj).objects.restrict(user, Permission.VIEW).filter(pk=obj.pk).exists()

    # Kept by YARID, a member of the Uganda group, for its own organisation: a coordinator of
    # the group sees the contacts of its (confirmed) members, not their other records.
    assert not sees(users["coordinator"], women)
    assert not sees(users["editor"], women) and not sees(users["viewer"], women)
    uganda = Group.objects.get(name=demo.UGANDA)
    assert Membership.objects.get(group=uganda, organisation__name=demo.YARID).confirmed
    contact = Person.objects.filter(
        organisation__name=demo.YARID, visibility=Visibility.ORGANISATION
    ).first()
    assert contact is not None
    assert sees(users["coordinator"], contact)
    assert not sees(users["editor"], contact) and not sees(users["viewer"], contact)
    assert sees(users["editor"], named) and not sees(users["viewer"], named)
    # The editor changes records kept by their own organisation only.
    drc = Organisation.objects.get(name=demo.DRC)
    assert (
        Organisation.objects.restrict(users["editor"], Permission.CHANGE).filter(pk=drc.pk).exists()
    )
    unhcr = Organisation.objects.get(name=demo.UNHCR)
    assert (
        not Organisation.objects.restrict(users["editor"], Permission.CHANGE)
        .filter(pk=unhcr.pk)
        .exists()
    )
    # Contacts: the viewer sees those of their own organisation only.
    viewer_people = Person.objects.restrict(users["viewer"])
    assert viewer_people.exists()
    assert set(viewer_people.values_list("organisation__name", flat=True)) == {demo.RSC}


def test_demo_command_runs_every_module_and_if_empty_does_nothing(monkeypatch):
    # Places (32,767 P-codes) is tested in its own app; here only the order and the flags.
    monkeypatch.setattr(demo_command, "DEMO_MODULES", ["harambee.network.demo"])
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "Network demo: 53 organisations" in text
    assert "harambee-coordinator" in text  # the logins are printed
    before = counts()
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert counts() == before


def test_demo_logins(loaded):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for spec in demo.DEMO_USERS:
        assert spec.username in text and spec.password in text
    assert "coordinator in Uganda National Group" in text


def test_demo_logins_without_demo_users():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "run `harambee demo` first" in out.getvalue()
