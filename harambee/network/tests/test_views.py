"""Network pages: permissions, forms through services, htmx partials, history, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from harambee.core.choices import Role, Visibility
from harambee.core.fields import keyed_hash
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network import services
from harambee.network.choices import GroupKind, MembershipRole, OrganisationType, RequestStatus
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
from harambee.places.models import Country
from harambee.privacy.models import Consent

from .factories import (
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

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def home_org():
    org = OrganisationFactory(name="Kenya Red Cross Society", acronym="KRCS")
    org.owner_organisation = org
    org.save()
    return org


@pytest.fixture
def group():
    return GroupFactory(name="Livelihoods thematic group")


@pytest.fixture
def editor(home_org, group):
    user = UserFactory(username="editor", organisation=home_org)
    GroupRoleFactory(group=group, user=user, role=Role.EDITOR)
    return user


@pytest.fixture
def coordinator(home_org, group):
    user = UserFactory(username="coordinator", organisation=home_org)
    GroupRoleFactory(group=group, user=user, role=Role.COORDINATOR)
    return user


@pytest.fixture
def viewer(home_org, group):
    user = UserFactory(username="viewer", organisation=home_org)
    GroupRoleFactory(group=group, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def admin():
    user = UserFactory(username="admin")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


def login(client, user):
    client.force_login(user)
    return client


def organisation_form_data(**overrides):
    data = {
        "name": "Refugee Education Trust",
        "acronym": "RET",
        "org_type": OrganisationType.INTERNATIONAL_NGO,
        "visibility": Visibility.PUBLIC,
        "hq_country": "CHE",
        "countries": ["KEN", "UGA"],
        "other_names": "RET International\nFondation RET",
        "description": "Education for displaced young people.",
        "registration_number": "",
        "website": "",
        "iati_ref": "",
    }
    data.update(overrides)
    return data


# Organisations: list ---------------------------------------------------------------------------


def test_anonymous_sees_only_public_organisations(client):
    OrganisationFactory(name="Public Aid")
    OrganisationFactory(name="Members Only Aid", visibility=Visibility.NETWORK)
    response = client.get(reverse("network:organisation-list"))
    assert response.status_code == 200
    assert "Public Aid" in response.content.decode()
    assert "Members Only Aid" not in response.content.decode()


def test_member_sees_network_organisations(client, viewer):
    OrganisationFactory(name="Members Only Aid", visibility=Visibility.NETWORK)
    response = login(client, viewer).get(reverse("network:organisation-list"))
    assert "Members Only Aid" in response.content.decode()


def test_organisation_list_is_an_accessible_table_with_filters(client):
    OrganisationFactory(name="Public Aid")
    html = client.get(reverse("network:organisation-list")).content.decode()
    assert "<caption>" in html
    assert '<th scope="col">' in html
    assert 'hx-get="/network/organisations/"' in html
    assert 'hx-push-url="true"' in html
    for label in ['for="id_q"', 'for="id_org_type"', 'for="id_country"', 'for="id_verified"']:
        assert label in html
    assert 'for="id_group"' in html


def test_organisation_list_filters_by_type_and_country(client):
    OrganisationFactory(name="Host Ministry", org_type=OrganisationType.HOST_GOVERNMENT)
    ngo = OrganisationFactory(name="Field NGO", org_type=OrganisationType.NATIONAL_NGO)
    ngo.countries.set(["UGA"])
    url = reverse("network:organisation-list")
    html = client.get(url, {"org_type": OrganisationType.HOST_GOVERNMENT}).content.decode()
    assert "Host Ministry" in html and "Field NGO" not in html
    html = client.get(url, {"country": "UGA"}).content.decode()
    assert "Field NGO" in html and "Host Ministry" not in html


def test_organisation_list_htmx_returns_only_the_results(client):
    OrganisationFactory(name="Host Ministry", org_type=OrganisationType.HOST_GOVERNMENT)
    OrganisationFactory(name="Field NGO", org_type=OrganisationType.NATIONAL_NGO)
    response = client.get(reverse("network:organisation-list"), {"q": "ministry"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<nav" not in html.split("pagination")[0]
    assert "Host Ministry" in html and "Field NGO" not in html
    assert "<table>" in html


def test_organisation_list_paginates(client):
    for i in range(30):
        OrganisationFactory(name=f"Agency {i:02d}")
    url = reverse("network:organisation-list")
    first = client.get(url).content.decode()
    assert "Agency 00" in first and "Agency 29" not in first
    assert "page=2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Agency 29" in second and "Agency 00" not in second


def _organisations(n):
    for i in range(n):
        org = OrganisationFactory(name=f"Org {i}", hq_country_id="KEN")
        org.countries.set(["KEN", "UGA"])


@pytest.mark.parametrize("rows", [3, 12])
def test_organisation_list_query_count_is_fixed(client, viewer, django_assert_num_queries, rows):
    _organisations(rows)
    login(client, viewer)
    # session, user, roles, count, page, 3 prefetches, countries and groups (filter choices)
    with django_assert_num_queries(10):
        response = client.get(reverse("network:organisation-list"))
    assert response.content.decode().count("Org ") >= rows


@pytest.mark.parametrize("rows", [3, 12])
def test_organisation_list_htmx_query_count_is_fixed(client, django_assert_num_queries, rows):
    _organisations(rows)
    with django_assert_num_queries(5):
        client.get(reverse("network:organisation-list"), {"q": "org"}, **HTMX)


# Organisations: detail -------------------------------------------------------------------------


def test_organisation_detail_renders_sections(client, home_org, group):
    MembershipFactory(group=group, organisation=home_org, role=MembershipRole.LEAD)
    html = client.get(home_org.get_absolute_url()).content.decode()
    for section in ['id="overview"', 'id="memberships"', 'id="requests"', 'id="history"']:
        assert section in html
    assert group.name in html


def test_hidden_organisation_is_404(client, viewer):
    other = OrganisationFactory(name="Private Org", visibility=Visibility.ORGANISATION)
    other.owner_organisation = other
    other.save()
    assert client.get(other.get_absolute_url()).status_code == 404
    assert login(client, viewer).get(other.get_absolute_url()).status_code == 404
    history = reverse("network:organisation-history", args=[other.pk])
    assert client.get(history).status_code == 404


def test_people_only_for_those_who_may_see_them(client, home_org, viewer):
    PersonFactory(organisation=home_org, name="Amina Odhiambo")
    assert "Amina Odhiambo" not in client.get(home_org.get_absolute_url()).content.decode()
    outsider = UserFactory(username="outsider", organisation=OrganisationFactory())
    html = login(client, outsider).get(home_org.get_absolute_url()).content.decode()
    assert "Amina Odhiambo" not in html
    html = login(client, viewer).get(home_org.get_absolute_url()).content.decode()
    assert "Amina Odhiambo" in html


def test_edit_buttons_only_for_permitted_users(client, home_org, editor, viewer):
    edit_url = reverse("network:organisation-edit", args=[home_org.pk])
    assert edit_url not in client.get(home_org.get_absolute_url()).content.decode()
    assert edit_url not in login(client, viewer).get(home_org.get_absolute_url()).content.decode()
    assert edit_url in login(client, editor).get(home_org.get_absolute_url()).content.decode()


# Organisations: create, edit, delete ------------------------------------------------------------


def test_create_requires_login(client):
    response = client.get(reverse("network:organisation-create"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_create_forbidden_page_explains(client, viewer):
    response = login(client, viewer).get(reverse("network:organisation-create"))
    assert response.status_code == 403
    assert "You do not have permission to add a organisation" in response.content.decode()


def test_create_form_has_labels_and_save(client, editor):
    html = login(client, editor).get(reverse("network:organisation-create")).content.decode()
    for label in ["Name", "Acronym", "Type", "Visibility", "Headquarters country"]:
        assert f">{label}" in html
    assert ">Save</button>" in html
    assert 'name="version"' in html
    assert "create it anyway" not in html


def test_create_through_the_form(client, editor, home_org):
    response = login(client, editor).post(
        reverse("network:organisation-create"), organisation_form_data()
    )
    created = Organisation.objects.get(name="Refugee Education Trust")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.owner_organisation == home_org
    assert created.other_names == ["RET International", "Fondation RET"]
    assert set(created.countries.values_list("iso3", flat=True)) == {"KEN", "UGA"}
    assert ChangeRecord.objects.for_object(created).filter(action="create").exists()


def test_create_shows_field_errors(client, editor):
    response = login(client, editor).post(
        reverse("network:organisation-create"), organisation_form_data(name="")
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Organisation.objects.filter(acronym="RET").exists()


def test_duplicate_warning_then_create_anyway(client, editor):
    OrganisationFactory(name="Danish Refugee Council", acronym="DRC")
    login(client, editor)
    data = organisation_form_data(name="Danish Refugee Councel", acronym="")
    response = client.post(reverse("network:organisation-create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "may already be registered" in html
    assert "Danish Refugee Council (DRC)" in html
    assert "This is a different organisation, create it anyway" in html
    assert "similar" in html  # the reason given by the duplicate finder
    assert 'value="Danish Refugee Councel"' in html  # the user's input is kept
    assert not Organisation.objects.filter(name="Danish Refugee Councel").exists()

    response = client.post(
        reverse("network:organisation-create"), {**data, "allow_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Danish Refugee Councel").exists()


def test_edit_through_the_form(client, editor, home_org):
    login(client, editor)
    url = reverse("network:organisation-edit", args=[home_org.pk])
    html = client.get(url).content.decode()
    assert f'name="version" value="{home_org.version}"' in html
    data = organisation_form_data(name="Kenya Red Cross", acronym="KRCS", version=home_org.version)
    response = client.post(url, data)
    assert response.status_code == 302
    home_org.refresh_from_db()
    assert home_org.name == "Kenya Red Cross"
    assert home_org.version == 2


def test_stale_edit_is_refused_and_keeps_input(client, editor, home_org):
    login(client, editor)
    url = reverse("network:organisation-edit", args=[home_org.pk])
    opened_version = home_org.version
    services.organisation_update(
        actor=None,
        organisation=home_org,
        data={"description": "Changed meanwhile"},
        expected_version=opened_version,
    )
    data = organisation_form_data(name="My New Name", acronym="KRCS", version=opened_version)
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this organisation since you opened it" in html
    assert 'value="My New Name"' in html
    home_org.refresh_from_db()
    assert home_org.name == "Kenya Red Cross Society"


def test_edit_forbidden_for_viewer(client, viewer, home_org):
    url = reverse("network:organisation-edit", args=[home_org.pk])
    assert login(client, viewer).get(url).status_code == 403
    assert client.post(url, organisation_form_data(version=1)).status_code == 403


def test_delete_through_confirmation(client, coordinator, home_org):
    victim = OrganisationFactory(name="Short Lived")
    victim.owner_organisation = home_org
    victim.save()
    login(client, coordinator)
    url = reverse("network:organisation-delete", args=[victim.pk])
    html = client.get(url).content.decode()
    assert "Short Lived" in html and 'name="version"' in html
    response = client.post(url, {"version": victim.version})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=victim.pk).exists()


def test_delete_forbidden_for_editor(client, editor, home_org):
    url = reverse("network:organisation-delete", args=[home_org.pk])
    assert login(client, editor).get(url).status_code == 403


# History ---------------------------------------------------------------------------------------


def test_history_shows_who_when_and_before_after(client, editor, home_org):
    services.organisation_update(
        actor=editor, organisation=home_org, data={"acronym": "KRC"}, expected_version=1
    )
    url = reverse("network:organisation-history", args=[home_org.pk])
    html = login(client, editor).get(url).content.decode()
    assert "<caption>" in html
    assert str(editor) in html
    assert "Updated" in html
    assert ">Acronym</th>" in html
    assert '<td class="before">KRCS</td>' in html
    assert '<td class="after">KRC</td>' in html
    partial = client.get(url, **HTMX).content.decode()
    assert "<html" not in partial and '<td class="after">KRC</td>' in partial
    detail = client.get(home_org.get_absolute_url()).content.decode()
    assert '<td class="after">KRC</td>' in detail


# Merge -----------------------------------------------------------------------------------------


def test_merge_pick_confirm_merged(client, admin, group):
    keep = OrganisationFactory(name="Norwegian Refugee Council", acronym="NRC")
    duplicate = OrganisationFactory(name="Norwegian Refugee Council Kenya", acronym="")
    MembershipFactory(group=group, organisation=duplicate)
    PersonFactory(organisation=duplicate)
    login(client, admin)
    url = reverse("network:organisation-merge", args=[keep.pk])
    html = client.get(url).content.decode()
    assert 'for="id_duplicate"' in html
    response = client.post(url, {"duplicate": duplicate.pk})
    html = response.content.decode()
    assert "Confirm the merge" in html
    assert "1 person moves" in html and "1 membership moves" in html
    assert f'name="keep_version" value="{keep.version}"' in html
    assert f'name="duplicate_version" value="{duplicate.version}"' in html
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    # Without the versions read, nothing is merged.
    response = client.post(url, {"duplicate": duplicate.pk, "confirm": "on"})
    assert response.status_code == 200
    assert (
        "Reload the page: this form is missing the version you read." in response.content.decode()
    )
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    # From a stale view of the duplicate, nothing is merged either.
    Organisation.objects.filter(pk=duplicate.pk).update(version=duplicate.version + 1)
    confirm = {
        "duplicate": duplicate.pk,
        "confirm": "on",
        "keep_version": keep.version,
        "duplicate_version": duplicate.version,
    }
    response = client.post(url, confirm)
    assert response.status_code == 200 and "Someone else changed" in response.content.decode()
    assert Organisation.objects.filter(pk=duplicate.pk).exists()
    response = client.post(url, {**confirm, "duplicate_version": duplicate.version + 1})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    keep.refresh_from_db()
    assert "Norwegian Refugee Council Kenya" in keep.other_names
    assert Membership.objects.filter(group=group, organisation=keep).exists()


def test_merge_suggests_likely_duplicates(client, admin):
    keep = OrganisationFactory(name="International Rescue Committee", acronym="IRC")
    OrganisationFactory(name="International Rescue Comittee", acronym="")
    html = (
        login(client, admin)
        .get(reverse("network:organisation-merge", args=[keep.pk]))
        .content.decode()
    )
    assert "Likely duplicates" in html and "International Rescue Comittee" in html


def test_merge_forbidden_for_viewer(client, viewer, home_org):
    url = reverse("network:organisation-merge", args=[home_org.pk])
    assert login(client, viewer).get(url).status_code == 403


# People ----------------------------------------------------------------------------------------


def test_person_add_edit_delete(client, coordinator, home_org):
    login(client, coordinator)
    add = reverse("network:person-create", args=[home_org.pk])
    assert ">Name" in client.get(add).content.decode()
    response = client.post(
        add,
        {
            "name": "Wanjiru Kamau",
            "role": "Coordinator",
            "email": "w@example.org",
            "phone": "",
            "consent": "verbal",
        },
    )
    assert response.status_code == 302
    # The name is encrypted: found by its keyed hash; consent recorded with the notice version.
    person = Person.objects.get(name_hash=keyed_hash("wanjiru  KAMAU"))
    consent = Consent.objects.get(object_id=str(person.pk))
    assert consent.purpose == "coordination_contact" and consent.method == "verbal"
    assert person.organisation == home_org and person.visibility == Visibility.ORGANISATION

    edit = reverse("network:person-edit", args=[person.pk])
    response = client.post(
        edit,
        {"name": "Wanjiru Kamau", "role": "Head", "email": "bad", "phone": "", "version": 1},
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    response = client.post(
        edit,
        {
            "name": "Wanjiru Kamau",
            "role": "Head",
            "email": "w@example.org",
            "phone": "",
            "version": 1,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == "Head"

    delete = reverse("network:person-delete", args=[person.pk])
    assert client.post(delete, {"version": person.version}).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()


def test_person_edit_and_delete_pages_log_the_details_shown(client, coordinator, home_org):
    from harambee.privacy.models import AccessLog

    person = PersonFactory(organisation=home_org, name="Achieng Otieno", email="a@example.org")
    login(client, coordinator)
    edit = reverse("network:person-edit", args=[person.pk])
    page = client.get(edit).content.decode()
    assert "Achieng Otieno" in page and "a@example.org" in page
    entry = AccessLog.objects.get()
    assert (entry.user, entry.object_id, entry.action, entry.channel) == (
        coordinator, str(person.pk), "view", "page"
    )  # fmt: skip
    assert entry.fields == ["name", "email", "phone"] and entry.path == edit
    # The form shown again (an error) is logged too; a saved form (a redirect) is not.
    data = {"name": "Achieng Otieno", "role": "Head", "email": "bad", "phone": "", "version": 1}
    assert client.post(edit, data).status_code == 200
    assert AccessLog.objects.count() == 2
    assert client.post(edit, {**data, "email": "a@example.org"}).status_code == 302
    assert AccessLog.objects.count() == 2
    # The delete confirmation names the person (logged); the message after it does not.
    delete = reverse("network:person-delete", args=[person.pk])
    assert "Achieng Otieno" in client.get(delete).content.decode()
    assert AccessLog.objects.filter(fields=["name"], path=delete).count() == 1
    response = client.post(delete, {"version": 2}, follow=True)
    html = response.content.decode()
    assert f"“{person.reference}” was deleted." in html and "Achieng Otieno" not in html
    assert AccessLog.objects.count() == 3


def test_person_change_records_are_titled_by_reference(client, coordinator, home_org):
    login(client, coordinator)
    response = client.post(
        reverse("network:person-create", args=[home_org.pk]),
        {"name": "Wanjiru Kamau", "role": "", "email": "", "phone": "", "consent": "verbal"},
        follow=True,
    )
    person = Person.objects.get()
    assert person.reference == f"CP-{person.pk:06d}" and str(person) == person.reference
    assert "Wanjiru" not in str(list(response.context["messages"]))
    record = ChangeRecord.objects.for_object(person).get()
    assert record.object_repr == person.reference and "Wanjiru" not in str(record)


def test_person_pages_hidden_from_outsiders(client, home_org):
    person = PersonFactory(organisation=home_org)
    outsider = UserFactory(username="outsider2", organisation=OrganisationFactory())
    login(client, outsider)
    assert client.get(reverse("network:person-edit", args=[person.pk])).status_code == 404
    assert client.get(reverse("network:person-create", args=[home_org.pk])).status_code == 403


# Groups ----------------------------------------------------------------------------------------


def test_group_list_shows_country_and_thematic_groups(client, group):
    GroupFactory(name="Uganda country group", kind=GroupKind.COUNTRY, country_id="UGA")
    GroupFactory(name="Hidden group", visibility=Visibility.NETWORK)
    html = client.get(reverse("network:group-list")).content.decode()
    assert "Uganda country group" in html and group.name in html
    assert "<caption>Country group</caption>" in html
    assert "<caption>Thematic group</caption>" in html
    assert "Hidden group" not in html


def test_group_list_htmx_partial(client, group):
    GroupFactory(name="Uganda country group", kind=GroupKind.COUNTRY, country_id="UGA")
    html = client.get(reverse("network:group-list"), {"kind": "country"}, **HTMX).content.decode()
    assert "<html" not in html and "Uganda country group" in html and group.name not in html


@pytest.mark.parametrize("rows", [3, 12])
def test_group_list_query_count_is_fixed(client, viewer, django_assert_num_queries, rows):
    for i in range(rows):
        g = GroupFactory(name=f"Country group {i}", kind=GroupKind.COUNTRY, country_id="KEN")
        MembershipFactory(group=g, role=MembershipRole.LEAD)
    login(client, viewer)
    # session, user, roles, count, page, lead prefetch, shared_with, countries (filter)
    with django_assert_num_queries(8):
        client.get(reverse("network:group-list"))


def test_group_detail_members_lead_first_workplan_overdue(client, group):
    MembershipFactory(group=group, organisation=OrganisationFactory(name="AAA Member"))
    MembershipFactory(
        group=group, organisation=OrganisationFactory(name="ZZZ Lead"), role=MembershipRole.LEAD
    )
    past = timezone.localdate() - datetime.timedelta(days=3)
    WorkplanItemFactory(group=group, challenge="Late challenge", due_date=past)
    WorkplanItemFactory(group=group, challenge="Finished", due_date=past, status="done")
    html = client.get(group.get_absolute_url()).content.decode()
    assert html.index("ZZZ Lead") < html.index("AAA Member")
    assert html.count("Overdue") == 1
    assert html.index("Late challenge") < html.index("Overdue")
    assert 'id="members"' in html and 'id="workplan"' in html and 'id="history"' in html


def test_group_detail_roles_only_for_coordinators(client, group, coordinator, viewer):
    roles_url = reverse("network:group-roles", args=[group.pk])
    assert roles_url not in login(client, viewer).get(group.get_absolute_url()).content.decode()
    html = login(client, coordinator).get(group.get_absolute_url()).content.decode()
    assert roles_url in html and 'id="roles"' in html and "viewer" in html


def test_group_detail_requests_made_and_received(client, group):
    other = GroupFactory(name="Zambia country group")
    RequestFactory(from_group=group, to_group=other, title="Need data help")
    RequestFactory(from_group=other, to_group=group, title="Need jobs help")
    html = client.get(group.get_absolute_url()).content.decode()
    made, received = html.split(">Received<")
    assert "Need data help" in made and "Need jobs help" in received


def test_hidden_group_is_404(client):
    hidden = GroupFactory(visibility=Visibility.NETWORK)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("network:group-history", args=[hidden.pk])).status_code == 404


def test_group_create_makes_creator_coordinator(client, coordinator):
    login(client, coordinator)
    assert client.get(reverse("network:group-create")).status_code == 200
    response = client.post(
        reverse("network:group-create"),
        {
            "name": "Tanzania country group",
            "kind": "country",
            "country": "TZA",
            "visibility": "public",
            "purpose": "Jobs",
        },
    )
    created = Group.objects.get(name="Tanzania country group")
    assert response.status_code == 302
    assert GroupRole.objects.filter(group=created, user=coordinator, role=Role.COORDINATOR).exists()


def test_group_create_country_group_needs_country(client, coordinator):
    login(client, coordinator)
    response = client.post(
        reverse("network:group-create"),
        {"name": "No country", "kind": "country", "country": "", "visibility": "public"},
    )
    assert response.status_code == 200
    assert "A country group needs its country." in response.content.decode()


def test_group_create_forbidden_for_editor(client, editor):
    assert login(client, editor).get(reverse("network:group-create")).status_code == 403


def test_group_edit_and_stale(client, editor, group):
    login(client, editor)
    url = reverse("network:group-edit", args=[group.pk])
    data = {
        "name": group.name,
        "kind": "thematic",
        "country": "",
        "visibility": "public",
        "purpose": "New purpose",
        "version": group.version,
    }
    assert client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert group.purpose == "New purpose"
    response = client.post(url, {**data, "purpose": "Stale"})
    assert "Someone else changed this group" in response.content.decode()


def test_membership_add_edit_remove(client, editor, group):
    member = OrganisationFactory(name="Joining Org")
    login(client, editor)
    response = client.post(
        reverse("network:membership-create", args=[group.pk]),
        {"organisation": member.pk, "role": "member", "since": "2024-01-01", "until": ""},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(group=group, organisation=member)
    response = client.post(
        reverse("network:membership-edit", args=[membership.pk]),
        {
            "organisation": member.pk,
            "role": "lead",
            "since": "2024-01-01",
            "until": "",
            "version": membership.version,
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "lead"
    # Coordinators remove members; an editor may not.
    remove = reverse("network:membership-delete", args=[membership.pk])
    assert client.get(remove).status_code == 403


def test_membership_twice_is_a_form_error(client, editor, group):
    member = OrganisationFactory(name="Joining Org")
    MembershipFactory(group=group, organisation=member)
    response = login(client, editor).post(
        reverse("network:membership-create", args=[group.pk]),
        {"organisation": member.pk, "role": "member"},
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_workplan_item_add_edit_delete(client, coordinator, group, home_org):
    login(client, coordinator)
    response = client.post(
        reverse("network:workplan-create", args=[group.pk]),
        {
            "challenge": "Work permits",
            "objective": "Simplify",
            "owner": home_org.pk,
            "due_date": "2030-01-31",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    item = WorkplanItem.objects.get(challenge="Work permits")
    response = client.post(
        reverse("network:workplan-edit", args=[item.pk]),
        {
            "challenge": "Work permits",
            "objective": "Simplify",
            "owner": home_org.pk,
            "due_date": "2030-01-31",
            "status": "in_progress",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "in_progress"
    response = client.post(
        reverse("network:workplan-delete", args=[item.pk]), {"version": item.version}
    )
    assert response.status_code == 302
    assert not WorkplanItem.objects.filter(pk=item.pk).exists()


def test_roles_managed_by_coordinators(client, coordinator, editor, group):
    newcomer = UserFactory(username="newcomer")
    url = reverse("network:group-roles", args=[group.pk])
    assert login(client, editor).get(url).status_code == 403
    login(client, coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"username": "newcomer", "role": "editor"})
    assert response.status_code == 302
    role = GroupRole.objects.get(group=group, user=newcomer)
    assert role.role == Role.EDITOR
    response = client.post(url, {"username": "nobody-here", "role": "editor"})
    assert "There is no user with this username." in response.content.decode()
    delete = reverse("network:group-role-delete", args=[role.pk])
    response = client.post(delete, {})
    assert response.status_code == 200  # no version: not deleted
    assert (
        "Reload the page: this form is missing the version you read." in response.content.decode()
    )
    assert client.post(delete, {"version": role.version}).status_code == 302
    assert not GroupRole.objects.filter(pk=role.pk).exists()


# Requests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 12])
def test_request_list_query_count_is_fixed(client, viewer, group, django_assert_num_queries, rows):
    for i in range(rows):
        RequestFactory(from_group=group, title=f"Need {i}")
    login(client, viewer)
    # session, user, roles, count, page, shared_with prefetch, groups (filter choices)
    with django_assert_num_queries(7):
        response = client.get(reverse("network:request-list"))
    assert "Need 0" in response.content.decode()


def test_request_list_filters_by_status_and_group(client, group):
    other = GroupFactory(name="Other group")
    RequestFactory(from_group=group, to_group=other, title="Open need")
    RequestFactory(from_group=other, to_group=group, title="Done need", status=RequestStatus.DONE)
    url = reverse("network:request-list")
    html = client.get(url, {"status": "done"}).content.decode()
    assert "Done need" in html and "Open need" not in html
    html = client.get(url, {"from_group": group.pk}, **HTMX).content.decode()
    assert "Open need" in html and "Done need" not in html and "<html" not in html
    html = client.get(url, {"to_group": group.pk, "q": "done"}).content.decode()
    assert "Done need" in html and "Open need" not in html


def test_request_detail_with_responses(client, group):
    obj = RequestFactory(from_group=group, title="Need mentors")
    RequestResponseFactory(request=obj, offer="Ten mentors from our network")
    html = client.get(obj.get_absolute_url()).content.decode()
    assert "Need mentors" in html and "Ten mentors from our network" in html


def test_hidden_request_is_404(client):
    obj = RequestFactory(visibility=Visibility.NETWORK)
    assert client.get(obj.get_absolute_url()).status_code == 404


def test_request_create_from_group_page(client, editor, group):
    other = GroupFactory(name="Research group")
    login(client, editor)
    detail = client.get(group.get_absolute_url()).content.decode()
    create = reverse("network:request-create") + f"?from_group={group.pk}"
    assert create in detail
    html = client.get(create).content.decode()
    assert f'<option value="{group.pk}" selected>' in html
    response = client.post(
        create,
        {
            "from_group": group.pk,
            "to_group": other.pk,
            "title": "Help with data",
            "rationale": "We lack data",
            "needed_by": "",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    created = Request.objects.get(title="Help with data")
    assert created.status == RequestStatus.OPEN and created.from_group == group


def test_request_create_needs_a_recipient(client, editor, group):
    response = login(client, editor).post(
        reverse("network:request-create"),
        {"from_group": group.pk, "title": "Help", "visibility": "public"},
    )
    assert response.status_code == 200
    assert "Ask a group or an organisation." in response.content.decode()


def test_request_status_allowed_transitions_only(client, editor, group):
    obj = RequestFactory(from_group=group, title="Need")
    login(client, editor)
    html = client.get(obj.get_absolute_url()).content.decode()
    assert 'value="accepted"' in html and 'value="declined"' in html
    assert 'value="done"' not in html
    url = reverse("network:request-status", args=[obj.pk])
    response = client.post(url, {"status": "done", "version": obj.version})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"status": "accepted", "version": obj.version})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.status == RequestStatus.ACCEPTED
    response = client.post(url, {"status": "in_progress", "version": 1})
    assert "Someone else changed this request" in response.content.decode()


def test_request_status_forbidden_for_viewer(client, viewer, group):
    obj = RequestFactory(from_group=group)
    url = reverse("network:request-status", args=[obj.pk])
    assert login(client, viewer).post(url, {"status": "accepted", "version": 1}).status_code == 403


def test_respond_with_an_offer(client, editor, group, home_org):
    obj = RequestFactory(to_group=group)
    login(client, editor)
    url = reverse("network:request-respond", args=[obj.pk])
    html = client.get(url).content.decode()
    assert 'for="id_offer"' in html
    response = client.post(url, {"organisation": home_org.pk, "offer": "Two trainers"})
    assert response.status_code == 302
    response_obj = RequestResponse.objects.get(request=obj)
    assert response_obj.organisation == home_org and response_obj.offered_by == editor


def test_respond_refused_when_closed(client, editor, group, home_org):
    obj = RequestFactory(to_group=group, status=RequestStatus.DONE)
    response = login(client, editor).post(
        reverse("network:request-respond", args=[obj.pk]),
        {"organisation": home_org.pk, "offer": "Late"},
    )
    assert response.status_code == 200
    assert "no longer takes offers" in response.content.decode()


# Language --------------------------------------------------------------------------------------


def test_pages_render_in_french(client, group):
    html = client.get(reverse("network:group-list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr"' in html
    assert "Groupes" in html and "Filtrer" in html
    html = client.get(group.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Plan de travail" in html and "Historique" in html


def test_country_fixture_exists():
    # The pages rely on the ISO country list loaded by a migration.
    assert Country.objects.filter(iso3="KEN").exists()


def test_named_people_choices_are_colleagues_and_group_peers_only(client):
    from harambee.network.forms import OrganisationForm

    home = OrganisationFactory(name="Home Org")
    group = GroupFactory()
    author = UserFactory(username="author", organisation=home)
    GroupRoleFactory(user=author, group=group, role=Role.EDITOR)
    colleague = UserFactory(username="colleague", organisation=home)
    peer = UserFactory(username="peer", organisation=OrganisationFactory())
    GroupRoleFactory(user=peer, group=group, role=Role.VIEWER)
    stranger = UserFactory(username="stranger", organisation=OrganisationFactory())
    choices = set(OrganisationForm(user=author).fields["shared_with"].queryset)
    assert choices == {author, colleague, peer}
    assert stranger not in choices
