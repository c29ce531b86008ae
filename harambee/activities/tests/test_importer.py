"""The importer on real 3W files (with OCHA's P-codes loaded once) and its parsing rules."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection

from harambee.activities import services
from harambee.activities.importers.reading import read_table
from harambee.activities.importers.rows import parse_count, parse_date, population_groups_for
from harambee.activities.importers.tags import field_for, normalise_tag, suggest_tag
from harambee.activities.models import Activity, ActivityPlace
from harambee.activities.reconcile import CountryResolver, SectorResolver, org_type_for
from harambee.network.models import Organisation

SHARED = settings.PROJECT_DIR.parent / "shared" / "data"
ACTIVITIES = SHARED / "activities"
PCODES = SHARED / "places" / "global_pcodes_adm1_adm2.csv"


@pytest.fixture(scope="module")
def pcodes(django_db_setup, django_db_blocker):
    """OCHA's admin 1 and 2 areas, loaded once for this module and removed after it."""
    if not PCODES.exists():
        pytest.skip("shared P-code list not available")
    from harambee.core.models import ChangeRecord
    from harambee.places.importers import import_admin_areas
    from harambee.places.models import AdminArea

    with django_db_blocker.unblock():
        last = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        import_admin_areas(PCODES)
        yield
        for level in (4, 3, 2, 1):
            AdminArea.objects.filter(level=level).delete()
        # Change records refuse deletion through the ORM; this one only records the fixture.
        with connection.cursor() as cursor:
            table = ChangeRecord._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE id > %s", [last])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def preview(name: str):
    path = ACTIVITIES / name
    if not path.exists():
        pytest.skip(f"{name} not available")
    return services.import_start(actor=None, file_name=name, content=path.read_bytes())


def summary(report):
    organisations = report["organisations"]
    return {
        "rows": report["rows_read"],
        "activities": report["activities"]["create"],
        "organisations": (
            organisations["matched"],
            organisations["new"],
            organisations["uncertain"],
        ),
        "places": (
            report["places"]["matched"],
            report["places"]["unmatched"],
            report["places"]["partial"],
        ),
        "errors": len(report["errors"]),
    }


@pytest.mark.django_db
def test_afghanistan_imports_and_reimports_unchanged(pcodes, media):
    batch = preview("afg_3w_2024q1.csv")
    report = batch.report
    assert summary(report) == {
        "rows": 10902,
        "activities": 10283,  # EiE_OP and EDUCATION_OP rows are the same education activity
        "organisations": (0, 285, 0),
        "places": (401, 0, 0),
        "errors": 0,
    }
    assert report["sectors"] == {"matched": 7, "new": 0, "items_new": []}
    assert sum("imported once" in w["message"] for w in report["warnings"]) >= 400
    batch = services.import_commit(actor=None, batch=batch, expected_version=batch.version)
    committed = batch.report["committed"]
    assert (committed["created"], committed["organisations_created"]) == (10283, 284)
    assert Activity.objects.filter(country_id="AFG").count() == 10283
    assert not ActivityPlace.objects.filter(admin_area__isnull=True).exists()
    assert Activity.objects.filter(sector__code="EDU").count() == 619
    again = preview("afg_3w_2024q1.csv").report
    assert again["activities"] == {"create": 0, "update": 0, "unchanged": 10283, "remove": 0}
    assert again["organisations"]["matched"] == 285


@pytest.mark.django_db
def test_nigeria_workbook(pcodes, media):
    batch = preview("nga_3w_2023q4.xlsx")
    report = batch.report
    assert report["sheet"] == "NGA 3Ws Data Q4 2023"
    # Three monthly reports of one activity are one activity; NGA008 is read as NG008.
    assert summary(report) == {
        "rows": 9366,
        "activities": 3760,
        "organisations": (0, 171, 0),
        "places": (61, 0, 0),
        "errors": 0,
    }
    batch = services.import_commit(actor=None, batch=batch, expected_version=batch.version)
    assert batch.report["committed"]["created"] == 3760
    assert Activity.objects.filter(sector__code="PRO").exists()
    assert Activity.objects.filter(status="completed").exists()
    assert ActivityPlace.objects.filter(admin_area__pcode="NG008023").exists()


@pytest.mark.django_db
def test_mali_workbook_picks_the_5w_sheet_and_blanks_formulas(pcodes, media):
    report = preview("mli_3w_2023_12.xlsx").report
    assert report["sheet"] == "ML_5W"
    assert summary(report) == {
        "rows": 24088,
        "activities": 10200,
        "organisations": (0, 156, 0),
        # Communes (admin 3) are not in the P-code list: matched at the cercle.
        "places": (52, 0, 735),
        "errors": 0,
    }
    assert any("formula" in w["message"] for w in report["warnings"])
    assert report["can_commit"] is True


@pytest.mark.django_db
def test_sahel_file_with_old_tags(pcodes, media):
    batch = preview("rowca-3w-hxl.csv")
    assert summary(batch.report) == {
        "rows": 244,
        "activities": 133,
        "organisations": (0, 11, 0),
        "places": (23, 0, 0),
        "errors": 0,
    }
    services.import_commit(actor=None, batch=batch, expected_version=batch.version)
    assert set(Activity.objects.values_list("country_id", flat=True)) == {"MLI", "SEN"}


@pytest.mark.django_db
def test_unhcr_regional_file_with_coordinates(pcodes, media):
    batch = preview("unhcr-3w.csv")
    report = batch.report
    assert summary(report) == {
        "rows": 2250,
        "activities": 2110,
        "organisations": (0, 259, 0),
        "places": (33, 24, 0),
        "errors": 0,
    }
    assert report["sectors"]["new"] == 42  # 'Community Services' and the like, per country
    unmatched = {tuple(i["names"]) for i in report["places"]["items_unmatched"]}
    assert ("Mafraq Governorate",) in unmatched  # Jordan has no P-codes in the list
    batch = services.import_commit(actor=None, batch=batch, expected_version=batch.version)
    # 'Mali Situation' / 'Burkina Faso': the work happens in Burkina Faso.
    assert Activity.objects.filter(country_id="BFA").exists()
    place = ActivityPlace.objects.filter(source_names=["Mafraq Governorate"]).first()
    assert place is not None and place.admin_area is None and place.latitude is not None
    assert Organisation.objects.filter(name="UNHCR").count() == 1


# --- parsing rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#org +acronym", "org_acronym"),
        ("#ORG+Acronym", "org_acronym"),
        ("#org+name", "org_name"),
        ("#org", "org_name"),
        ("#org +type +name", "org_type"),
        ("#org+funding+name", "other_org_name"),
        ("#adm1_id", "adm_code"),
        ("#adm2 +code", "adm_code"),
        ("#lat_deg", "latitude"),
        ("#geo+lon", "longitude"),
        ("#period_date", None),
        ("#activity_id", "activity_code"),
        ("#sector +cluster +code", "sector_code"),
        ("#targeted+children+f", "figure"),
        ("#meta+id", "key"),
        ("#crisis+code", "crisis"),
        ("not a tag", None),
    ],
)
def test_tags_are_read_tolerantly(text, expected):
    spec = field_for(normalise_tag(text))
    name = spec.name if spec else None
    assert name == expected


def test_figure_attributes_give_sex_and_age():
    spec = field_for(normalise_tag("#reached +m +adults"))
    assert (spec.role, spec.sex, spec.age) == ("reached", "male", "18-59")


def test_counts_and_dates():
    assert parse_count("1 234") == 1234
    assert parse_count("1,234") == 1234
    assert parse_count("12.0") == 12
    assert parse_count("") is None
    assert parse_count("-7") == -7
    with pytest.raises(ValueError):
        parse_count("lots")
    assert parse_date("2024-03-31") == datetime.date(2024, 3, 31)
    assert parse_date("31/03/2024") == datetime.date(2024, 3, 31)
    assert parse_date("45382") == datetime.date(2024, 3, 31)
    with pytest.raises(ValueError):
        parse_date("March")


def test_population_groups_and_org_types():
    assert population_groups_for("Réfugiés, PDI; Host community") == (
        ["refugees", "idps", "host_community"],
        [],
    )
    assert org_type_for("ONG Int") == "international_ngo"
    assert org_type_for("NNGO") == "national_ngo"
    assert org_type_for("Agence UN") == "un_agency"
    assert org_type_for("United Nations") == "un_agency"
    assert org_type_for("Gouvernement") == "host_government"
    assert org_type_for("Mouv. CR") == "red_cross"
    assert org_type_for("Private") == "private"
    assert org_type_for("Something") == "other"


def test_header_suggestions():
    assert suggest_tag("Nom Organisation") == "#org+name"
    assert suggest_tag("Org. Acronym") == "#org+acronym"
    assert suggest_tag("LGA PCode") == "#adm2+code"
    assert suggest_tag("Favourite colour") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("EiE_OP", "", "EDU"),
        ("", "Operational Presence: Education in Emergencies", "EDU"),
        ("WASH", "", "WSH"),
        ("", "Santé", "HEA"),
        ("ESNFI_OP", "", "SHL"),
        ("", "Water & Sanitation", "WSH"),
        ("", "Sécurité Alimentaire", "FSC"),
    ],
)
def test_sector_names_in_any_language(code, name, expected):
    assert SectorResolver("AFG").resolve(code, name).code == expected


@pytest.mark.django_db
def test_country_names():
    countries = CountryResolver()
    assert countries.candidates("Côte d'Ivoire") == ["CIV"]
    assert countries.candidates("Congo (Brazaville)") == ["COG"]
    assert countries.candidates("Mali Situation") == ["MLI"]
    assert countries.candidates("Thailand-Myanmar") == ["THA", "MMR"]


def test_formulas_are_blank_cells():
    table = read_table("f.csv", b"Org,Sector\n#org,#sector\n=VLOOKUP(A1),WASH\n")
    assert table.rows[2] == ["", "WASH"]
    assert table.formulas == {0: [3]}
