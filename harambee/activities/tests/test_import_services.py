"""3W import services on small files: preview, decisions, mapping, commit, re-import, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from harambee.activities import services
from harambee.activities.choices import ImportStatus
from harambee.activities.models import (
    Activity,
    ActivityFigure,
    ActivityPlace,
    ColumnMapping,
    ImportBatch,
    Sector,
)
from harambee.core.errors import PermissionDeniedError, StaleVersionError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Organisation
from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import AdminArea, Country

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def areas():
    afg = Country.objects.get(iso3="AFG")
    kabul = AdminArea.objects.create(pcode="AF01", country=afg, level=1, name="Kabul")
    AdminArea.objects.create(pcode="AF0101", country=afg, level=2, name="Kabul", parent=kabul)
    AdminArea.objects.create(pcode="AF0104", country=afg, level=2, name="Bagrami", parent=kabul)
    ken = Country.objects.get(iso3="KEN")
    AdminArea.objects.create(pcode="KE023", country=ken, level=1, name="Turkana")
    return kabul


@pytest.fixture
def nrc():
    return OrganisationFactory(name="Norwegian Refugee Council", acronym="NRC")


def start(name: str, content: bytes | None = None, **kwargs):
    content = content if content is not None else (DATA / name).read_bytes()
    return services.import_start(actor=None, file_name=name, content=content, **kwargs)


def commit(batch):
    return services.import_commit(actor=None, batch=batch, expected_version=batch.version)


def test_preview_counts_everything_and_writes_no_activity(areas, nrc):
    batch = start("3w_small.csv", country="AFG")
    report = batch.report
    assert batch.status == ImportStatus.PREVIEW
    assert report["rows_read"] == 4
    assert (report["header_row"], report["tag_row"]) == (1, 2)
    assert report["activities"] == {"create": 3, "update": 0, "unchanged": 0, "remove": 0}
    organisations = report["organisations"]
    assert (organisations["matched"], organisations["new"], organisations["uncertain"]) == (1, 2, 0)
    by_name = {i["name"]: i for i in organisations["items"]}
    assert by_name["Norwegian Refugee Council"]["organisation"]["id"] == nrc.pk
    assert by_name["Afghan Red Crescent Society"]["decision"] == {
        "action": "create",
        "organisation": None,
    }
    assert by_name["Afghan Red Crescent Society"]["org_type"] == "red_cross"
    assert report["places"]["matched"] == 2
    assert report["places"]["partial"] == 1  # 'Kabol' found, 'Unknown District' not
    assert report["places"]["items_partial"][0]["names"] == ["Kabol", "Unknown District"]
    assert report["errors"] == []
    assert any("imported once" in w["message"] for w in report["warnings"])
    assert report["can_commit"] is True
    assert {c["tag"] for c in report["columns"]} >= {"#org+acronym", "#org+type"}
    assert not Activity.objects.exists()
    assert Organisation.objects.count() == 1


def test_commit_writes_activities_figures_places_and_one_change_record(areas, nrc):
    batch = start("3w_small.csv", country="AFG")
    records_before = ChangeRecord.objects.count()
    batch = commit(batch)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.report["committed"]["created"] == 3
    assert batch.report["committed"]["organisations_created"] == 2
    assert Activity.objects.count() == 3
    classrooms = Activity.objects.get(title="Temporary classrooms")
    assert classrooms.implementing_organisation == nrc
    assert classrooms.sector.code == "EDU"
    assert classrooms.people_targeted == 2000  # women 1 200 + men 800
    assert classrooms.people_reached == 1500
    assert str(classrooms.end_date) == "2024-06-30"
    assert sorted(classrooms.population_groups.values_list("code", flat=True)) == [
        "idps",
        "refugees",
    ]
    assert set(
        ActivityFigure.objects.filter(activity=classrooms).values_list("kind", "sex", "value")
    ) == {("targeted", "female", 1200), ("targeted", "male", 800), ("reached", "all", 1500)}
    clinics = Activity.objects.get(title="Mobile clinics")
    assert clinics.sector.code == "HEA" and clinics.status == "ongoing"
    assert str(clinics.start_date) == "2024-02-01"
    place = ActivityPlace.objects.get(activity=clinics)
    assert place.admin_area.pcode == "AF0104" and place.source_pcode == "AF0104"
    legal = ActivityPlace.objects.get(activity__title="Legal aid")
    assert legal.admin_area.pcode == "AF01"
    assert legal.source_names == ["Kabol", "Unknown District"]
    arcs = Organisation.objects.get(acronym="ARCS")
    assert arcs.org_type == "red_cross"
    # Organisations are audited one by one; the activities in one record for the batch.
    new_records = ChangeRecord.objects.count() - records_before
    assert new_records == 2 + 1


def test_reimport_changes_nothing_then_next_quarter_updates(areas, nrc):
    commit(start("3w_small.csv", country="AFG"))
    again = start("3w_small.csv", country="AFG")
    assert again.report["activities"] == {"create": 0, "update": 0, "unchanged": 3, "remove": 0}
    assert again.report["organisations"]["matched"] == 3
    versions = dict(Activity.objects.values_list("pk", "version"))
    commit(again)
    assert dict(Activity.objects.values_list("pk", "version")) == versions

    text = (DATA / "3w_small.csv").read_text()
    text = text.replace('2024-06-30,Ongoing,"1 200",800,1500', "2024-09-30,Completed,1200,800,2100")
    text = "\n".join(line for line in text.splitlines() if "Legal aid" not in line) + "\n"
    quarter = start("q2.csv", text.encode(), country="AFG")
    report = quarter.report
    assert report["activities"] == {"create": 0, "update": 1, "unchanged": 1, "remove": 1}
    change = report["changes"][0]
    assert change["fields"]["status"] == ["ongoing", "completed"]
    assert change["fields"]["end_date"] == ["2024-06-30", "2024-09-30"]
    assert change["fields"]["people_reached"] == [1500, 2100]
    commit(quarter)
    classrooms = Activity.objects.get(title="Temporary classrooms")
    assert (classrooms.status, classrooms.people_reached) == ("completed", 2100)
    assert classrooms.version == 2
    # Absent from the new file: reported, never deleted.
    assert Activity.objects.filter(title="Legal aid").exists()


def test_same_key_with_different_counts_keeps_the_largest(areas, nrc):
    text = (DATA / "3w_small.csv").read_text().splitlines()
    text[4] = text[4].replace('"1,000",900', '"1,000",950')
    batch = commit(start("f.csv", "\n".join(text).encode(), country="AFG"))
    clinics = Activity.objects.get(title="Mobile clinics")
    assert clinics.people_targeted == 1950
    assert any("largest" in w["message"] for w in batch.report["warnings"])


def test_row_errors_name_row_and_column_and_block_commit(areas, nrc):
    batch = start("3w_errors.csv", country="AFG")
    errors = {(e["row"], e["column"]): e["message"] for e in batch.report["errors"]}
    assert "negative" in errors[(3, "People reached (#reached)")]
    assert "not a number" in errors[(4, "People reached (#reached)")]
    assert "KEN" in errors[(5, "Province code (#adm1+code)")]
    assert "not a date" in errors[(6, "Start (#date+start)")]
    assert batch.report["can_commit"] is False
    with pytest.raises(services.ImportNotReady):
        commit(batch)
    assert not Activity.objects.exists()


def test_skip_invalid_writes_the_valid_rows_only(areas, nrc):
    text = (DATA / "3w_errors.csv").read_text() + "Norwegian Refugee Council,WASH,AF01,7,\n"
    batch = start("e.csv", text.encode(), country="AFG")
    batch = services.import_commit(
        actor=None, batch=batch, expected_version=batch.version, skip_invalid=True
    )
    assert batch.report["committed"]["created"] == 1
    assert batch.report["committed"]["skipped_rows"] == 4
    assert Activity.objects.get().people_reached == 7


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image"),
        ("random.csv", bytes(range(256)) * 16, "not a spreadsheet"),
        ("random.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "cannot be opened"),
        ("fake.xlsx", b"Organisation,Sector\nA,B\n", "not one"),
        ("empty.csv", b"  \n", "empty"),
        ("notes.csv", b"Name,Colour\nBob,blue\n", "No recognisable columns"),
        ("nosector.csv", b"Org\n#org\nNRC\n", "sector"),
    ],
)
def test_bad_files_are_refused_whole_and_nothing_is_stored(name, content, words):
    with pytest.raises(services.ImportFileError) as caught:
        start(name, content, country="AFG")
    assert caught.value.code == "import_invalid"
    assert words.lower() in caught.value.message.lower()
    assert not ImportBatch.objects.exists()


def test_file_without_country_needs_one():
    with pytest.raises(services.ImportFileError, match="country"):
        start("x.csv", b"Org,Sector\n#org,#sector\nNRC,WASH\n")


def test_country_comes_from_the_pcodes_when_the_file_has_no_country_column(areas, nrc):
    batch = start("3w_small.csv")
    assert batch.report["activities"]["create"] == 3
    assert "AFG" in batch.report["warnings"][0]["message"]


def test_untagged_file_needs_a_mapping_which_is_kept_for_the_source(areas, nrc):
    batch = start("3w_untagged.csv", country="AFG", source="Kabul hub")
    assert batch.report["needs_mapping"] is True and batch.report["can_commit"] is False
    suggested = {c["header"]: c["suggested"] for c in batch.report["columns"]}
    assert suggested["Organisation"] == "#org+name"
    assert suggested["Cluster"] == "#sector+name"
    mapping = {
        "Organisation": "#org+name",
        "Acronym": "#org +acronym",
        "Cluster": "#sector",
        "Province": "#adm1+name",
        "Activity": "#activity+name",
    }
    batch = services.import_set_mapping(
        actor=None, batch=batch, mapping=mapping, expected_version=batch.version
    )
    assert batch.report["needs_mapping"] is False
    assert batch.report["activities"]["create"] == 2
    assert batch.report["places"]["matched"] == 1
    saved = ColumnMapping.objects.get(source="Kabul hub")
    assert saved.mapping["Acronym"] == "#org+acronym"
    # The next file with the same headers from this source is mapped at once.
    again = start("3w_untagged.csv", country="AFG", source="Kabul hub")
    assert again.report["needs_mapping"] is False
    assert again.report["activities"]["create"] == 2


def test_uncertain_organisation_needs_a_decision(areas):
    red_crescent = OrganisationFactory(name="Afghan Red Cresent Society", acronym="ARC")
    OrganisationFactory(name="Norwegian Refugee Council", acronym="NRC")
    batch = start("3w_small.csv", country="AFG")
    item = next(i for i in batch.report["organisations"]["items"] if i["acronym"] == "ARCS")
    assert item["status"] == "uncertain"
    assert item["candidates"][0]["id"] == red_crescent.pk
    assert batch.report["can_commit"] is False
    with pytest.raises(services.ImportNotReady):
        commit(batch)
    with pytest.raises(StaleVersionError):
        services.import_decide(
            actor=None, batch=batch, key=item["key"], action="accept", expected_version=0
        )
    batch = services.import_decide(
        actor=None, batch=batch, key=item["key"], action="accept", expected_version=batch.version
    )
    assert batch.report["can_commit"] is True
    assert batch.report["organisations"]["uncertain"] == 0
    commit(batch)
    assert Activity.objects.filter(implementing_organisation=red_crescent).count() == 1
    red_crescent.refresh_from_db()
    assert "Afghan Red Crescent Society" in red_crescent.other_names
    # Next time the file's spelling matches outright.
    again = start("3w_small.csv", country="AFG")
    assert again.report["organisations"]["uncertain"] == 0
    assert again.report["activities"]["unchanged"] == 3


def test_decision_create_makes_a_separate_organisation(areas, nrc):
    OrganisationFactory(name="Afghan Red Cresent Society", acronym="ARC")
    batch = start("3w_small.csv", country="AFG")
    item = next(i for i in batch.report["organisations"]["items"] if i["acronym"] == "ARCS")
    batch = services.import_decide(
        actor=None, batch=batch, key=item["key"], action="create", expected_version=batch.version
    )
    assert batch.report["organisations"]["new"] == 2
    commit(batch)
    assert Organisation.objects.filter(acronym="ARCS").count() == 1


def test_pick_needs_an_existing_organisation(areas, nrc):
    batch = start("3w_small.csv", country="AFG")
    key = batch.report["organisations"]["items"][0]["key"]
    with pytest.raises(services.ServiceError):
        services.import_decide(
            actor=None,
            batch=batch,
            key=key,
            action="pick",
            organisation_id=999999,
            expected_version=batch.version,
        )
    batch = services.import_decide(
        actor=None,
        batch=batch,
        key=key,
        action="pick",
        organisation_id=nrc.pk,
        expected_version=batch.version,
    )
    assert batch.decisions[key] == {"action": "pick", "organisation": nrc.pk}


def test_unknown_sector_becomes_a_country_sector_on_commit(areas, nrc):
    text = (DATA / "3w_small.csv").read_text().replace(",Protection,", ",Peacebuilding,")
    batch = start("s.csv", text.encode(), country="AFG")
    assert batch.report["sectors"]["items_new"] == [
        {"country": "AFG", "code": "PEACEBUILDING", "name": "Peacebuilding", "rows": 1}
    ]
    assert not Sector.objects.filter(country_id="AFG").exists()
    commit(batch)
    sector = Sector.objects.get(country_id="AFG")
    assert Activity.objects.get(title="Legal aid").sector == sector
    assert start("s.csv", text.encode(), country="AFG").report["activities"]["unchanged"] == 3


def test_old_tags_and_coordinates(areas):
    batch = start("3w_old_tags.csv")
    report = batch.report
    used = {c["header"]: c["used_as"] for c in report["columns"]}
    assert used["Admin1 code"] == "adm1_code" and used["Latitude"] == "latitude"
    assert used["Month"] is None
    assert report["activities"]["create"] == 1  # two months of one activity
    commit(batch)
    place = ActivityPlace.objects.get()
    assert (place.latitude, place.longitude, place.admin_area.pcode) == (34.5, 69.2, "AF01")


def test_background_preview_and_commit_update_progress(areas, nrc):
    batch = start("3w_small.csv", country="AFG", run="background")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW and batch.progress == 100
    batch = services.import_commit(
        actor=None, batch=batch, expected_version=batch.version, run="background"
    )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Activity.objects.count() == 3


def test_background_preview_of_a_bad_file_fails_with_the_reason():
    batch = start("bad.csv", b"Name,Colour\nBob,blue\n", country="AFG", run="background")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.report["error"]["code"] == "import_invalid"


def test_importing_needs_an_editor(areas):
    with pytest.raises(PermissionDeniedError):
        services.import_start(actor=UserFactory(), file_name="a.csv", content=b"x", country="AFG")


def test_cancel(areas, nrc):
    batch = start("3w_small.csv", country="AFG")
    batch = services.import_cancel(actor=None, batch=batch)
    assert batch.status == ImportStatus.CANCELLED
    with pytest.raises(services.ImportNotReady):
        commit(batch)


def test_a_bug_during_a_background_preview_marks_the_batch_failed(monkeypatch):
    from harambee.activities import services as import_services
    from harambee.activities import tasks
    from harambee.activities.choices import ImportStatus
    from harambee.activities.models import ImportBatch

    batch = ImportBatch.objects.create(file_name="x.csv", file_sha256="0" * 64)

    def broken(**kwargs):
        raise KeyError("bug")

    monkeypatch.setattr(import_services, "import_preview", broken)
    with pytest.raises(KeyError):
        tasks.preview_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "internal error" in batch.report["error"]["message"]
