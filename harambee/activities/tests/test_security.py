"""What a security review of "who does what where" found: organisations the viewer may not see
named on pages, in exports and the API; imports of another organisation showing through; the
names of editors and of strangers; odd query strings crashing pages.

The rule for hidden organisations: an activity whose implementing organisation the viewer may
not see is left out everywhere (list, detail, map, coverage, exports, API, "where we work"), so
no page names it and every count matches what can be seen. Other organisations the viewer may
not see are left out of an activity; a maintaining organisation they may not see is null.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from harambee.core.choices import Role, Visibility
from harambee.core.errors import ServiceError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import GroupKind
from harambee.network.tests.factories import (
    GroupFactory,
    MembershipFactory,
    OrganisationFactory,
    user_with_role,
)

from .. import activity_services, services
from ..choices import ImportStatus, OrganisationRole
from ..models import Activity, ActivityOrganisation, ImportBatch
from .factories import (
    ActivityOrganisationFactory,
    AdminAreaFactory,
    SectorFactory,
    placed_activity,
)

pytestmark = pytest.mark.django_db

HIDDEN_TEXT = "an organisation not visible to you"
SECRET = "Secret Partners"
HUGE = "99999999999999999999"
HTMX = {"HTTP_HX_REQUEST": "true"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def area():
    return AdminAreaFactory(pcode="AF91", name="Kabul", latitude=34.5, longitude=69.2)


@pytest.fixture
def hidden():
    """An organisation only its own people see."""
    org = OrganisationFactory(name=SECRET, acronym="SECP", visibility=Visibility.ORGANISATION)
    org.owner_organisation = org
    org.save()
    return org


@pytest.fixture
def secret_activity(area, hidden):
    """A public activity implemented by the hidden organisation."""
    return placed_activity(
        area, implementing_organisation=hidden, title="Secret wells", people_reached=777
    )


@pytest.fixture
def open_activity(area):
    return placed_activity(
        area,
        implementing_organisation=OrganisationFactory(name="Open Aid", acronym="OA"),
        title="Open wells",
        sector=SectorFactory(code="HEA"),
    )


@pytest.fixture
def insider(hidden):
    return user_with_role(None, organisation=hidden)


# --- 1. an implementing organisation the viewer may not see ------------------------------------


def test_activities_of_a_hidden_organisation_are_left_out_of_pages(
    client, secret_activity, open_activity
):
    pages = [
        (reverse("activities:activity-list"), {}),
        (
            reverse("activities:activity-list"),
            {"organisation": secret_activity.implementing_organisation_id},
        ),
        (reverse("activities:activity-map"), {"country": "AFG"}),
        (reverse("activities:activity-map"), {}),
        (reverse("activities:activity-map-area"), {"area": "AF91"}),
        (reverse("activities:coverage"), {"country": "AFG"}),
    ]
    for url, params in pages:
        html = body(client.get(url, params))
        assert SECRET not in html and "SECP" not in html and "Secret wells" not in html, url
    listed = body(client.get(reverse("activities:activity-list")))
    assert "1 activity" in listed and "Open wells" in listed
    # Counts match what can be seen: one organisation, one activity, in Kabul.
    panel = body(client.get(reverse("activities:activity-map-area"), {"area": "AF91"}, **HTMX))
    assert "1 organisation is present" in panel and "Open Aid" in panel
    countries = body(client.get(reverse("activities:activity-map")))
    assert "Afghanistan" in countries
    assert client.get(secret_activity.get_absolute_url()).status_code == 404


def test_coverage_counts_only_organisations_the_viewer_sees(client, secret_activity, open_activity):
    from ..coverage import area_presence, coverage

    result = coverage(user=None, country="AFG", level=1)
    assert result.totals.organisations == 1 and result.totals.activities == 1
    assert result.totals.reached is None  # the hidden activity's 777 is not counted
    presence = area_presence(user=None, pcode="AF91")
    assert [o["name"] for o in presence["organisations"]] == ["Open Aid"]


def test_its_own_people_and_admins_still_see_it(client, secret_activity, insider):
    client.force_login(insider)
    assert client.get(secret_activity.get_absolute_url()).status_code == 200
    assert SECRET in body(client.get(reverse("activities:activity-map-area"), {"area": "AF91"}))
    admin = UserFactory(is_superuser=True)
    assert api(admin).get(f"/api/activities/{secret_activity.pk}/").status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_exports_leave_out_activities_of_a_hidden_organisation(
    client, secret_activity, open_activity, fmt
):
    response = client.get(reverse("activities:export"), {"format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        text = json.dumps([list(row) for row in sheet.iter_rows(values_only=True)])
    else:
        text = body(response)
    assert SECRET not in text and "Secret wells" not in text
    assert "Open Aid" in text


def test_api_leaves_out_activities_of_a_hidden_organisation(secret_activity, open_activity):
    rows = api().get("/api/activities/").json()["results"]
    assert [row["title"] for row in rows] == ["Open wells"]
    assert api().get(f"/api/activities/{secret_activity.pk}/").status_code == 404
    by_org = api().get(
        "/api/activities/", {"organisation": secret_activity.implementing_organisation_id}
    )
    assert by_org.json()["count"] == 0


def test_where_members_work_counts_only_visible_organisations(
    client, secret_activity, open_activity
):
    group = GroupFactory(kind=GroupKind.COUNTRY, country_id="AFG", name="Afghanistan group")
    MembershipFactory(group=group, organisation=secret_activity.implementing_organisation)
    MembershipFactory(group=group, organisation=open_activity.implementing_organisation)
    html = body(client.get(group.get_absolute_url()))
    assert "1 member organisation reports 1 activities" in html


def test_other_organisations_hidden_from_the_viewer_are_left_out(client, open_activity, hidden):
    ActivityOrganisationFactory(activity=open_activity, organisation=hidden)
    funder = OrganisationFactory(name="Open Funder")
    ActivityOrganisationFactory(activity=open_activity, organisation=funder)
    html = body(client.get(open_activity.get_absolute_url()))
    assert SECRET not in html and "Open Funder" in html
    data = api().get(f"/api/activities/{open_activity.pk}/").json()
    assert [o["organisation"] for o in data["other_organisations"]] == [funder.pk]
    text = body(client.get(reverse("activities:export"), {"format": "csv"}))
    assert SECRET not in text and "Open Funder" in text


def test_api_maintaining_organisation_hidden_from_the_viewer_is_null(open_activity, hidden):
    Activity.objects.filter(pk=open_activity.pk).update(owner_organisation=hidden)
    assert api().get(f"/api/activities/{open_activity.pk}/").json()["owner_organisation"] is None
    rows = api().get("/api/activities/").json()["results"]
    assert rows[0]["owner_organisation"] is None
    insider = user_with_role(None, organisation=hidden)
    detail = api(insider).get(f"/api/activities/{open_activity.pk}/").json()
    assert detail["owner_organisation"] == hidden.pk


# --- 2. writes and imports -------------------------------------------------------------------


def test_replacing_other_organisations_keeps_the_ones_the_editor_cannot_see(open_activity, hidden):
    editors_org = OrganisationFactory(name="Editors Org")
    editor = user_with_role(Role.EDITOR, organisation=editors_org)
    Activity.objects.filter(pk=open_activity.pk).update(owner_organisation=editors_org)
    open_activity.refresh_from_db()
    ActivityOrganisationFactory(activity=open_activity, organisation=hidden)
    partner = OrganisationFactory(name="Known Partner")
    activity_services.activity_update(
        actor=editor,
        activity=open_activity,
        data={},
        expected_version=open_activity.version,
        other_organisations=[{"organisation": partner, "role": OrganisationRole.PARTNER}],
    )
    kept = set(
        ActivityOrganisation.objects.filter(activity=open_activity).values_list(
            "organisation_id", flat=True
        )
    )
    assert kept == {hidden.pk, partner.pk}


def test_history_names_no_organisation_and_no_editor_for_visitors(client, open_activity, hidden):
    editors_org = OrganisationFactory(name="Editors Org")
    editor = user_with_role(
        Role.EDITOR, organisation=editors_org, username="jdoe", first_name="Jane", last_name="Doe"
    )
    Activity.objects.filter(pk=open_activity.pk).update(owner_organisation=editors_org)
    open_activity.refresh_from_db()
    # The editor may see the hidden organisation (it is shared with them by name).
    hidden.visibility = Visibility.NAMED
    hidden.save()
    hidden.shared_with.add(editor)
    activity_services.activity_update(
        actor=editor,
        activity=open_activity,
        data={"title": "Open wells, phase 2"},
        expected_version=open_activity.version,
        other_organisations=[{"organisation": hidden, "role": OrganisationRole.FUNDING}],
    )
    note = ChangeRecord.objects.for_object(open_activity).exclude(note="").first().note
    assert SECRET not in note and str(hidden.pk) in note
    html = body(client.get(open_activity.get_absolute_url()))
    assert SECRET not in html
    assert "Jane Doe" not in html and "jdoe" not in html and "a Harambee user" in html
    member = user_with_role(None)
    client.force_login(member)
    assert "Jane Doe" in body(client.get(open_activity.get_absolute_url()))


def test_api_cannot_name_a_stranger_on_an_activity(area):
    org = OrganisationFactory(name="Editors Org")
    editor = user_with_role(Role.EDITOR, organisation=org)
    stranger = UserFactory(organisation=OrganisationFactory())
    payload = {
        "country": "AFG",
        "implementing_organisation": org.pk,
        "sector": SectorFactory(code="WSH").pk,
        "title": "Named",
        "visibility": Visibility.NAMED,
        "shared_with": [stranger.pk],
    }
    response = api(editor).post("/api/activities/", payload, format="json")
    assert response.status_code == 400 and "shared_with" in response.json()["fields"]
    colleague = UserFactory(organisation=org)
    payload["shared_with"] = [colleague.pk]
    assert api(editor).post("/api/activities/", payload, format="json").status_code == 201


@pytest.fixture
def other_batch():
    owner = OrganisationFactory(name="Importing Org")
    return ImportBatch.objects.create(
        file_name="their-contacts.csv",
        file_sha256="0" * 64,
        source="Their source",
        status=ImportStatus.COMMITTED,
        visibility=Visibility.ORGANISATION,
        owner_organisation=owner,
        report={"rows_read": 1},
    )


def test_an_import_of_another_organisation_is_not_shown(client, open_activity, other_batch):
    Activity.objects.filter(pk=open_activity.pk).update(import_batch=other_batch)
    html = body(client.get(open_activity.get_absolute_url()))
    assert "their-contacts.csv" not in html and "An import you cannot see" in html
    assert api().get(f"/api/activities/{open_activity.pk}/").json()["import_batch"] is None
    assert api().get("/api/activities/").json()["results"][0]["import_batch"] is None
    outsider = user_with_role(Role.EDITOR)
    client.force_login(outsider)
    for name in ("import-detail", "import-progress"):
        assert client.get(reverse(f"activities:{name}", args=[other_batch.pk])).status_code == 404
    assert "their-contacts.csv" not in body(client.get(reverse("activities:import-list")))
    assert api(outsider).get(f"/api/import-batches/{other_batch.pk}/").status_code == 404
    # Filtering by it still lists the activities anyone may see, and says nothing of the batch.
    listed = body(client.get(reverse("activities:activity-list"), {"import_batch": other_batch.pk}))
    assert "Open wells" in listed and "their-contacts.csv" not in listed
    insider = user_with_role(None, organisation=other_batch.owner_organisation)
    detail = api(insider).get(f"/api/activities/{open_activity.pk}/").json()
    assert detail["import_batch"] == other_batch.pk


def _report_with(hidden, visible, secret_activity, open_activity):
    return {
        "rows_read": 3,
        "columns": [],
        "needs_mapping": False,
        "activities": {"create": 0, "update": 2, "unchanged": 0, "remove": 0},
        "changes": [
            {
                "row": 2,
                "key": secret_activity.source_key,
                "fields": {"title": ["Secret wells", "x"]},
            },
            {"row": 3, "key": open_activity.source_key, "fields": {"title": ["Open wells", "y"]}},
        ],
        "organisations": {
            "matched": 1,
            "new": 0,
            "uncertain": 1,
            "items": [
                {
                    "key": "k1",
                    "name": "S. Partner",
                    "acronym": "",
                    "org_type": "other",
                    "rows": 1,
                    "status": "uncertain",
                    "organisation": None,
                    "candidates": [
                        {
                            "id": hidden.pk,
                            "name": SECRET,
                            "acronym": "SECP",
                            "score": 90,
                            "reasons": [],
                        },
                        {
                            "id": visible.pk,
                            "name": "Open Aid",
                            "acronym": "OA",
                            "score": 80,
                            "reasons": [],
                        },
                    ],
                    "same_as": None,
                    "decision": None,
                },
                {
                    "key": "k2",
                    "name": "S. Partners",
                    "acronym": "SP",
                    "org_type": "other",
                    "rows": 2,
                    "status": "matched",
                    "organisation": {"id": hidden.pk, "name": SECRET},
                    "candidates": [],
                    "same_as": None,
                    "decision": None,
                },
            ],
        },
        "places": {"matched": 3, "unmatched": 0, "items_unmatched": []},
        "errors": [],
        "warnings": [],
        "can_commit": False,
    }


def test_import_report_names_no_organisation_or_activity_the_viewer_cannot_see(
    client, hidden, secret_activity, open_activity
):
    Activity.objects.filter(pk=secret_activity.pk).update(source_key="secret-key")
    Activity.objects.filter(pk=open_activity.pk).update(source_key="open-key")
    secret_activity.refresh_from_db()
    open_activity.refresh_from_db()
    home = OrganisationFactory(name="Home Org")
    editor = user_with_role(Role.EDITOR, organisation=home)
    batch = ImportBatch.objects.create(
        file_name="mine.csv",
        file_sha256="0" * 64,
        status=ImportStatus.PREVIEW,
        visibility=Visibility.ORGANISATION,
        owner_organisation=home,
        report=_report_with(
            hidden, open_activity.implementing_organisation, secret_activity, open_activity
        ),
    )
    client.force_login(editor)
    html = body(client.get(reverse("activities:import-detail", args=[batch.pk])))
    assert SECRET not in html and "SECP" not in html and "Secret wells" not in html
    assert "Open Aid" in html and HIDDEN_TEXT in html and "Open wells" in html
    # A refused decision shows the form again: still without the hidden candidate.
    refused = client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": "k1", "action": "pick", "version": batch.version},
    )
    assert SECRET not in body(refused) and "Open Aid" in body(refused)
    report = api(editor).get(f"/api/import-batches/{batch.pk}/").json()["report"]
    text = json.dumps(report)
    assert SECRET not in text and "SECP" not in text and "Secret wells" not in text
    items = {i["key"]: i for i in report["organisations"]["items"]}
    assert [c["name"] for c in items["k1"]["candidates"]] == ["Open Aid"]
    assert items["k2"]["organisation"] == {"id": None, "name": None, "hidden": True}
    assert [c["key"] for c in report["changes"]] == ["open-key"]
    assert batch.report["organisations"]["items"][0]["candidates"][0]["name"] == SECRET  # stored


def test_an_import_cannot_overwrite_another_organisations_activities(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    AdminAreaFactory(pcode="AF91", name="Kabul")
    theirs = OrganisationFactory(name="Their Org", acronym="THEM")
    ours = OrganisationFactory(name="Our Org", acronym="US")
    their_editor = user_with_role(Role.EDITOR, organisation=theirs)
    our_editor = user_with_role(Role.EDITOR, organisation=ours)
    header = "#org+name,#org+acronym,#sector+cluster+code,#adm1+code,#activity+name,#reached\n"
    original = header + "Their Org,THEM,WSH,AF91,Wells,100\n"
    batch = services.import_start(
        actor=their_editor, file_name="a.csv", content=original.encode(), country="AFG"
    )
    services.import_commit(actor=their_editor, batch=batch, expected_version=batch.version)
    activity = Activity.objects.get(title="Wells")
    assert activity.owner_organisation_id == theirs.pk and activity.people_reached == 100
    forged = header + "Their Org,THEM,WSH,AF91,Wells,1\n"
    batch = services.import_start(
        actor=our_editor, file_name="b.csv", content=forged.encode(), country="AFG"
    )
    errors = batch.report["errors"]
    assert [(e["row"], "another organisation" in e["message"]) for e in errors] == [(2, True)]
    assert not batch.report["can_commit"]
    with pytest.raises(ServiceError):
        services.import_commit(actor=our_editor, batch=batch, expected_version=batch.version)
    activity.refresh_from_db()
    assert activity.people_reached == 100
    # Their own editors still update it from a file.
    batch = services.import_start(
        actor=their_editor, file_name="c.csv", content=forged.encode(), country="AFG"
    )
    assert batch.report["activities"]["update"] == 1
    services.import_commit(actor=their_editor, batch=batch, expected_version=batch.version)
    activity.refresh_from_db()
    assert activity.people_reached == 1


# --- 3. no personal data in exports ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_exports_hold_no_personal_data(client, open_activity, fmt):
    from harambee.network.tests.factories import PersonFactory

    PersonFactory(
        organisation=open_activity.implementing_organisation,
        name="Amina Contact",
        email="amina@example.org",
    )
    named = UserFactory(username="named.user", first_name="Named", last_name="Person")
    open_activity.shared_with.add(named)
    admin = UserFactory(is_superuser=True, username="the.admin", email="admin@example.org")
    client.force_login(admin)
    response = client.get(reverse("activities:export"), {"format": fmt})
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        text = json.dumps([list(row) for row in sheet.iter_rows(values_only=True)])
    else:
        text = body(response)
    assert "Open wells" in text
    for personal in ("Amina", "amina@", "named.user", "Named Person", "the.admin", "@example.org"):
        assert personal not in text


# --- 4. odd query strings ----------------------------------------------------------------------

PAGES = ["activity-list", "activity-map", "coverage", "export", "activity-map-area"]
ODD = [
    {"country": "a\x00b"},
    {"country": "AFG", "admin_area": "AF\x0091"},
    {"area": "AF\x0091"},
    {"country": "x" * 5000},
    {"q": " ".join(["word"] * 1500)},
    {"country": "AFG", "q": " ".join(["word"] * 1500)},
    {"country": "AFG", "level": HUGE},
    {"country": "AFG", "level": "99"},
    {"organisation": HUGE, "sector": HUGE, "import_batch": HUGE, "group": HUGE},
    {"start": "2020-13-45", "end": "99999-01-01"},
]


@pytest.mark.parametrize("params", ODD, ids=[repr(p)[:30] for p in ODD])
@pytest.mark.parametrize("name", PAGES)
def test_odd_filters_never_crash_a_page(client, open_activity, name, params):
    params = dict(params)
    if name == "activity-map-area":
        params.setdefault("area", "AF91")
    response = client.get(reverse(f"activities:{name}"), params)
    body(response)
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("params", ODD, ids=[repr(p)[:30] for p in ODD])
def test_odd_filters_never_crash_the_api(open_activity, params):
    response = api().get("/api/activities/", params)
    assert response.status_code in (200, 400)


def test_invalid_filters_are_400_in_the_api_and_said_on_pages(client, open_activity):
    response = api().get("/api/activities/", {"organisation": HUGE, "start": "2020-13-45"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"organisation", "start"}
    html = body(client.get(reverse("activities:activity-list"), {"organisation": HUGE}))
    assert "was ignored" in html and "Open wells" in html


def test_a_long_search_uses_its_first_words(client, open_activity):
    words = " ".join(["wells"] * 1500)
    html = body(client.get(reverse("activities:activity-list"), {"q": words}))
    assert "Open wells" in html


def test_an_unknown_country_or_area_is_not_found(client, open_activity):
    assert client.get(reverse("activities:coverage"), {"country": "a\x00b"}).status_code == 404
    assert client.get(reverse("activities:activity-map"), {"country": "ZZZ"}).status_code == 404
    url = reverse("activities:activity-map-area")
    assert client.get(url, {"area": "AF\x0091"}).status_code == 404


def test_export_refuses_an_unknown_format_and_keeps_its_file_name_clean(client, open_activity):
    assert client.get(reverse("activities:export"), {"format": "xyz"}).status_code == 400
    for country in ('AF"; x="1', "AF\nG", "a\x00b", "../etc"):
        response = client.get(reverse("activities:export"), {"country": country})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="harambee-3w-all-')
    response = client.get(reverse("activities:export"), {"country": "afg"})
    assert 'filename="harambee-3w-afg-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[2][2] == "Open Aid"


def test_nul_characters_in_codes_are_refused_not_sent_to_the_database(client, open_activity):
    org = OrganisationFactory(name="Editors Org")
    editor = user_with_role(Role.EDITOR, organisation=org)
    payload = {
        "country": "AFG",
        "implementing_organisation": org.pk,
        "sector": SectorFactory(code="WSH").pk,
        "title": "With a NUL",
    }
    for extra in (
        {"country": "AF\x00"},
        {"population_groups": ["idps\x00"]},
        {"places": [{"admin_area": "AF\x0091"}]},
    ):
        response = api(editor).post("/api/activities/", {**payload, **extra}, format="json")
        assert response.status_code == 400, extra
        assert set(response.json()["fields"]) == set(extra)
    sector = api(editor).post(
        "/api/sectors/", {"code": "LOC", "name": "Local", "country": "AF\x00"}, format="json"
    )
    assert sector.status_code == 400 and "country" in sector.json()["fields"]
    assert api().get("/api/population-groups/idps%00/").status_code == 404
    shapes = client.get("/activities/map/shapes/AF%00/1.geojson")
    assert shapes.status_code == 404
    client.force_login(editor)
    form = client.post(
        reverse("activities:activity-create"),
        {**payload, "status": "ongoing", "visibility": "public", "places": "AF\x0091"},
    )
    assert form.status_code == 200 and "Unknown P-codes: AF91." in body(form)


def test_a_long_search_of_sectors_or_population_groups_does_not_crash():
    words = " ".join(["water"] * 1500)
    assert api().get("/api/sectors/", {"q": words}).status_code == 200
    assert api().get("/api/population-groups/", {"q": words}).status_code == 200
