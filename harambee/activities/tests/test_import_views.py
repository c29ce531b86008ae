"""Import pages and API: permissions, upload, preview, decisions, mapping, commit, versions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from harambee.activities.choices import ImportStatus
from harambee.activities.import_forms import HXL_TAG_CHOICES
from harambee.activities.importers.tags import field_for, normalise_tag
from harambee.activities.models import Activity, ImportBatch
from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Organisation
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory
from harambee.places.models import AdminArea, Country

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

TAGGED = (
    "Organisation,Acronym,Sector,Region,Region P-code,Activity,People targeted\n"
    "#org+name,#org+acronym,#sector+name,#adm1+name,#adm1+code,#activity+name,#targeted\n"
    "Norwegian Refugee Counsel,NRC,Education,Turkana,KE023,Temporary classrooms,1200\n"
    "Kenya Red Cross Society,KRCS,Health,Turkana,KE023,Mobile clinics,5000\n"
    "Kenya Red Cross Society,KRCS,Health,Garissa,KE007,Mobile clinics,3000\n"
)
UNTAGGED = (
    "Organisation,Acronym,Sector,Region P-code,Activity\n"
    "Kenya Red Cross Society,KRCS,Health,KE023,Mobile clinics\n"
    "Kenya Red Cross Society,KRCS,Health,KE007,Mobile clinics\n"
)


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path):
    # Background work runs at once, and uploaded files go to a throwaway folder.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kenya():
    country = Country.objects.get(iso3="KEN")
    AdminArea.objects.create(pcode="KE023", country=country, level=1, name="Turkana")
    AdminArea.objects.create(pcode="KE007", country=country, level=1, name="Garissa")
    return country


@pytest.fixture
def home_org():
    org = OrganisationFactory(name="Kenya Red Cross Society", acronym="KRCS")
    org.owner_organisation = org
    org.save()
    return org


@pytest.fixture
def nrc():
    return OrganisationFactory(name="Norwegian Refugee Council (NRC)", acronym="NRC")


def _user(username, organisation, role):
    user = UserFactory(username=username, organisation=organisation)
    if role is not None:
        GroupRoleFactory(user=user, role=role)
    return user


@pytest.fixture
def editor(home_org):
    return _user("editor", home_org, Role.EDITOR)


@pytest.fixture
def viewer(home_org):
    return _user("viewer", home_org, Role.VIEWER)


@pytest.fixture
def outsider():
    """An editor of another organisation: our batches are not theirs to see."""
    return _user("outsider", OrganisationFactory(name="Other Org"), Role.EDITOR)


def _client(client, user):
    client.force_login(user)
    return client


def _upload(client, text=TAGGED, name="3w.csv", **extra):
    data = {"file": SimpleUploadedFile(name, text.encode()), "country": "KEN", **extra}
    return client.post(reverse("activities:import-new"), data)


def _preview_batch(owner_org, **report):
    """A batch in preview with a report written by hand, to test the page on its own."""
    base = {
        "rows_read": 3,
        "header_row": 1,
        "tag_row": 2,
        "sheet": None,
        "columns": [],
        "needs_mapping": False,
        "activities": {"create": 2, "update": 1, "unchanged": 0, "remove": 0},
        "changes": [],
        "organisations": {"matched": 1, "new": 0, "uncertain": 0, "items": []},
        "places": {"matched": 2, "unmatched": 0, "items_unmatched": []},
        "errors": [],
        "warnings": [],
        "can_commit": True,
    }
    base.update(report)
    return ImportBatch.objects.create(
        file_name="handmade.csv",
        file_sha256="0" * 64,
        status=ImportStatus.PREVIEW,
        visibility=Visibility.ORGANISATION,
        owner_organisation=owner_org,
        report=base,
    )


def _detail(batch):
    return reverse("activities:import-detail", args=[batch.pk])


def _uncertain_item(batch):
    items = batch.report["organisations"]["items"]
    return next(i for i in items if i["status"] == "uncertain")


# --- who sees what --------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, home_org):
    batch = _preview_batch(home_org)
    for url in [
        reverse("activities:import-list"),
        reverse("activities:import-new"),
        _detail(batch),
        reverse("activities:import-progress", args=[batch.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_every_page_renders_for_the_importing_organisation(client, editor, home_org):
    batch = _preview_batch(home_org)
    _client(client, editor)
    assert client.get(reverse("activities:import-list")).status_code == 200
    assert client.get(reverse("activities:import-new")).status_code == 200
    page = client.get(_detail(batch))
    assert page.status_code == 200
    assert reverse("activities:import-commit", args=[batch.pk]) in page.content.decode()
    assert client.get(reverse("activities:import-progress", args=[batch.pk])).status_code == 200


def test_a_batch_of_another_organisation_is_invisible(client, outsider, home_org):
    batch = _preview_batch(home_org)
    _client(client, outsider)
    page = client.get(reverse("activities:import-list"))
    assert "handmade.csv" not in page.content.decode()
    for name in ["import-detail", "import-progress"]:
        assert client.get(reverse(f"activities:{name}", args=[batch.pk])).status_code == 404
    for name in ["import-decide", "import-mapping", "import-commit", "import-cancel"]:
        url = reverse(f"activities:{name}", args=[batch.pk])
        assert client.post(url, {"version": batch.version}).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW


def test_a_viewer_reads_the_preview_but_cannot_act(client, viewer, home_org):
    batch = _preview_batch(home_org)
    _client(client, viewer)
    page = client.get(_detail(batch)).content.decode()
    assert "Only editors of the organisation that uploaded this file can confirm it." in page
    assert reverse("activities:import-commit", args=[batch.pk]) not in page
    assert client.get(reverse("activities:import-new")).status_code == 403
    commit = reverse("activities:import-commit", args=[batch.pk])
    assert client.post(commit, {"version": batch.version}).status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW


def test_import_list_newest_first_with_pinned_queries(
    client, editor, home_org, django_assert_num_queries
):
    older = _preview_batch(home_org)
    newer = _preview_batch(home_org)
    newer.file_name = "newer.csv"
    newer.created_by = editor
    newer.save()
    _client(client, editor)
    url = reverse("activities:import-list")
    client.get(url)  # warm the session
    # session, user, the user's roles, count, page (country and user joined in).
    with django_assert_num_queries(5):
        page = client.get(url).content.decode()
    assert page.index("newer.csv") < page.index("handmade.csv")
    assert "2 to create, 1 to update, 0 unchanged" in page
    for _ in range(5):
        _preview_batch(home_org)
    with django_assert_num_queries(5):
        client.get(url)
    assert older.pk in [b.pk for b in client.get(url).context["page_obj"]]


# --- upload ---------------------------------------------------------------------------------


def test_upload_page_offers_the_sources_seen_before(client, editor, home_org):
    batch = _preview_batch(home_org)
    batch.source = "OCHA Kenya 3W"
    batch.save()
    hidden = _preview_batch(OrganisationFactory())
    hidden.source = "Somebody else's source"
    hidden.save()
    page = _client(client, editor).get(reverse("activities:import-new")).content.decode()
    assert '<option value="OCHA Kenya 3W">' in page
    assert "Somebody else" not in page
    assert 'list="import-sources"' in page


def test_a_file_of_the_wrong_kind_is_refused_on_the_form(client, editor):
    response = _upload(_client(client, editor), text="hello", name="notes.txt")
    assert response.status_code == 200
    assert "Upload a CSV or an Excel (.xlsx) file." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_unreadable_file_gives_the_services_message_and_writes_nothing(client, editor):
    response = _upload(_client(client, editor), text="not a spreadsheet", name="broken.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is named like an Excel workbook but is not one: upload a real .xlsx."
    ]
    assert not ImportBatch.objects.exists()
    assert not Activity.objects.exists()


def test_upload_reads_the_file_and_shows_the_preview(client, editor, kenya, home_org, nrc):
    response = _upload(_client(client, editor), source="OCHA Kenya 3W")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(batch)
    assert batch.status == ImportStatus.PREVIEW
    assert batch.created_by == editor
    assert batch.source == "OCHA Kenya 3W"
    assert batch.country_id == "KEN"
    page = client.get(_detail(batch)).content.decode()
    assert "3 rows were read from the file." in page
    assert "activities to create" in page
    assert "Organisations to review" in page
    assert "Norwegian Refugee Counsel" in page
    assert "Norwegian Refugee Council (NRC)" in page
    # Not ready while the uncertain name is undecided: the button says why it is disabled.
    assert "Decide about 1 organisation above before confirming." in page
    assert not Activity.objects.exists()


# --- preview contents -----------------------------------------------------------------------


def test_preview_shows_counts_errors_warnings_and_unmatched_places(client, editor, home_org):
    batch = _preview_batch(
        home_org,
        activities={"create": 7, "update": 3, "unchanged": 2, "remove": 1},
        errors=[{"row": 5, "column": "Start date", "message": "Not a date: 31/31/2024"}],
        warnings=[{"row": 6, "column": None, "message": "Sector 'WASH+' read as Water"}],
        places={
            "matched": 4,
            "unmatched": 1,
            "items_unmatched": [{"names": ["Turkana", "Lodwar"], "pcode": "", "rows": 2}],
        },
        can_commit=False,
    )
    response = _client(client, editor).get(_detail(batch))
    page = response.content.decode()
    for text in [
        "<strong>7</strong> activities to create",
        "<strong>3</strong> activities to update",
        "<strong>2</strong> activities unchanged",
        "<strong>1</strong> activities no longer in the file",
        "Errors, by row and column",
        '<td class="num">5</td><td>Start date</td><td>Not a date: 31/31/2024</td>',
        "Sector &#x27;WASH+&#x27; read as Water",
        "Turkana / Lodwar",
        "The file has errors: correct them and upload it again.",
    ]:
        assert text in page, text
    assert "disabled>Confirm the import</button>" in page


def test_mapping_form_offers_the_tags_the_importer_reads(client, editor, home_org):
    batch = _preview_batch(
        home_org,
        needs_mapping=True,
        can_commit=False,
        columns=[
            {"index": 0, "header": "Organisation", "tag": None, "used_as": None},
            {"index": 1, "header": "Mystery", "tag": None, "used_as": None},
        ],
    )
    response = _client(client, editor).get(_detail(batch))
    form = response.context["mapping_form"]
    assert [f.label for f in form.column_fields()] == ["Organisation", "Mystery"]
    # The header suggests the tag; an unknown header is left for the person to choose.
    assert form["column_0"].value() == "#org+name"
    assert form["column_1"].value() == ""
    assert "What do the columns hold?" in response.content.decode()


def test_every_offered_tag_feeds_a_field_of_the_importer():
    for tag, _label in HXL_TAG_CHOICES:
        assert field_for(normalise_tag(tag)) is not None, tag


# --- progress -------------------------------------------------------------------------------


def test_progress_partial_polls_while_working_and_refreshes_when_done(client, editor, home_org):
    batch = _preview_batch(home_org)
    batch.status = ImportStatus.RUNNING
    batch.rows_total, batch.rows_done = 200, 50
    batch.save()
    _client(client, editor)
    page = client.get(_detail(batch)).content.decode()
    assert 'aria-valuenow="25"' in page and "<strong>25%</strong>" in page
    assert 'hx-trigger="every 1s"' in page
    progress = reverse("activities:import-progress", args=[batch.pk])
    response = client.get(progress, **HTMX)
    assert "HX-Refresh" not in response
    assert 'aria-valuenow="25"' in response.content.decode()
    batch.status = ImportStatus.PREVIEW
    batch.rows_done = 200
    batch.save()
    response = client.get(progress, **HTMX)
    assert response["HX-Refresh"] == "true"
    assert "every 1s" not in response.content.decode()


# --- decisions, commit, cancel --------------------------------------------------------------


def _uploaded(client, editor):
    _upload(_client(client, editor), source="OCHA Kenya 3W")
    return ImportBatch.objects.get()


def test_accept_the_suggested_match_then_commit(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    item = _uncertain_item(batch)
    assert item["candidates"][0]["id"] == nrc.pk
    response = client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "accept", "version": batch.version},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert _uncertain_item(batch)["decision"]["action"] == "accept"
    assert batch.report["can_commit"] is True
    page = client.get(_detail(batch)).content.decode()
    assert "Decided: the suggested match" in page
    assert "disabled>Confirm the import" not in page

    response = client.post(
        reverse("activities:import-commit", args=[batch.pk]), {"version": batch.version}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Activity.objects.filter(import_batch=batch).count() == 3
    assert Activity.objects.filter(implementing_organisation=nrc).count() == 1
    nrc.refresh_from_db()
    assert "Norwegian Refugee Counsel" in nrc.other_names
    page = client.get(_detail(batch)).content.decode()
    assert f"{reverse('activities:activity-list')}?import_batch={batch.pk}" in page
    assert f"{reverse('activities:activity-map')}?country=KEN" in page
    assert "activities created" in page


def test_search_then_pick_another_organisation(client, editor, kenya, home_org, nrc):
    other = OrganisationFactory(name="Norwegian Church Aid", acronym="NCA")
    batch = _uploaded(client, editor)
    item = _uncertain_item(batch)
    response = client.get(_detail(batch), {"item": item["key"], "find": "Norwegian Church"})
    form = response.context["review"][0]["form"]
    assert str(other.pk) in [
        str(value) for value, _label in form.fields["organisation"].widget.choices
    ]
    assert other in response.context["review"][0]["found"]
    assert "found: they were added to the list above." in response.content.decode()
    response = client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "pick", "organisation": other.pk, "version": batch.version},
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert _uncertain_item(batch)["decision"] == {"action": "pick", "organisation": other.pk}


def test_picking_without_an_organisation_is_explained(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    item = _uncertain_item(batch)
    response = client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "pick", "organisation": "", "version": batch.version},
    )
    assert response.status_code == 200
    assert "Choose the organisation this name stands for." in response.content.decode()
    batch.refresh_from_db()
    assert not _uncertain_item(batch).get("decision")


def test_create_new_organisation_on_commit(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    item = _uncertain_item(batch)
    client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "create", "version": batch.version},
    )
    batch.refresh_from_db()
    client.post(reverse("activities:import-commit", args=[batch.pk]), {"version": batch.version})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Organisation.objects.filter(name="Norwegian Refugee Counsel").exists()


def test_a_stale_version_is_refused_with_a_clear_message(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    item = _uncertain_item(batch)
    seen = batch.version
    client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "create", "version": seen},
    )
    # A second reviewer, still looking at the old page, accepts the match.
    response = client.post(
        reverse("activities:import-decide", args=[batch.pk]),
        {"key": item["key"], "action": "accept", "version": seen},
    )
    assert response.status_code == 200
    assert "Someone else changed this import since you opened it" in response.content.decode()
    batch.refresh_from_db()
    assert _uncertain_item(batch)["decision"]["action"] == "create"
    # The form shown again carries the current version, so trying again works.
    assert f'value="{batch.version}"' in response.content.decode()
    response = client.post(reverse("activities:import-commit", args=[batch.pk]), {"version": seen})
    assert "Someone else changed this import" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert not Activity.objects.exists()


def test_commit_before_deciding_is_refused(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    response = client.post(
        reverse("activities:import-commit", args=[batch.pk]), {"version": batch.version}
    )
    assert response.status_code == 200
    assert response.context["action_form"].non_field_errors()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert not Activity.objects.exists()


def test_cancel_an_import(client, editor, kenya, home_org, nrc):
    batch = _uploaded(client, editor)
    response = client.post(
        reverse("activities:import-cancel", args=[batch.pk]), {"version": batch.version}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:import-list")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert "This import was cancelled" in client.get(_detail(batch)).content.decode()


def test_map_the_columns_of_a_file_without_tags(client, editor, kenya, home_org):
    _upload(_client(client, editor), text=UNTAGGED, name="plain.csv", source="Kenya sheet")
    batch = ImportBatch.objects.get()
    assert batch.report["needs_mapping"] is True
    page = client.get(_detail(batch))
    form = page.context["mapping_form"]
    data = {name: field.value() for name, field in ((f.name, f) for f in form.column_fields())}
    data.update(column_0="#org+name", column_1="#org+acronym", column_2="#sector+name")
    data.update(column_3="#adm1+code", column_4="#activity+name", version=batch.version)
    response = client.post(reverse("activities:import-mapping", args=[batch.pk]), data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert batch.report["needs_mapping"] is False
    assert batch.report["activities"]["create"] == 2
    assert batch.report["places"]["matched"] == 2


def test_a_mapping_with_no_column_chosen_is_explained(client, editor, home_org):
    batch = _preview_batch(
        home_org,
        needs_mapping=True,
        can_commit=False,
        columns=[{"index": 0, "header": "Mystery", "tag": None, "used_as": None}],
    )
    response = _client(client, editor).post(
        reverse("activities:import-mapping", args=[batch.pk]),
        {"column_0": "", "version": batch.version},
    )
    assert response.status_code == 200
    assert "Choose what at least one column holds." in response.content.decode()


# --- API ------------------------------------------------------------------------------------

API = "/api/import-batches/"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_upload_decide_commit(editor, kenya, home_org, nrc):
    api = _api(editor)
    upload = SimpleUploadedFile("3w.csv", TAGGED.encode())
    response = api.post(API, {"file": upload, "country": "KEN"}, format="multipart")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "preview"
    item = next(i for i in body["report"]["organisations"]["items"] if i["status"] == "uncertain")
    url = f"{API}{body['id']}/"
    response = api.post(
        f"{url}decide/",
        {"key": item["key"], "action": "accept", "version": body["version"] - 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    response = api.post(
        f"{url}decide/",
        {"key": item["key"], "action": "accept", "version": body["version"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["report"]["can_commit"] is True
    response = api.post(f"{url}commit/", {"version": response.json()["version"]}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "committed"
    listed = api.get(API).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert "report" not in listed["results"][0]


def test_api_hides_other_organisations_batches_and_refuses_viewers(
    viewer, outsider, home_org, kenya
):
    batch = _preview_batch(home_org)
    assert _api(outsider).get(f"{API}{batch.pk}/").status_code == 404
    assert _api(outsider).get(API).json()["results"] == []
    assert _api(viewer).get(f"{API}{batch.pk}/").json()["report"]["rows_read"] == 3
    response = _api(viewer).post(f"{API}{batch.pk}/commit/", {"version": 1}, format="json")
    assert response.status_code == 403
    upload = SimpleUploadedFile("3w.csv", TAGGED.encode())
    response = _api(viewer).post(API, {"file": upload}, format="multipart")
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 1


def test_api_refuses_a_bad_file_with_the_services_message(editor):
    upload = SimpleUploadedFile("broken.xlsx", b"not a spreadsheet")
    response = _api(editor).post(API, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "not one" in response.json()["fields"]["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_failed_import_shows_why(client, editor, home_org):
    batch = _preview_batch(home_org)
    batch.status = ImportStatus.FAILED
    batch.report = {
        "error": {"code": "import_invalid", "message": "The file has no rows."},
        "can_commit": False,
    }
    batch.save()
    page = _client(client, editor).get(_detail(batch)).content.decode()
    assert "This import failed" in page
    assert "The file has no rows." in page
    assert reverse("activities:import-commit", args=[batch.pk]) not in page
