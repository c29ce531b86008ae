import datetime

import pytest

from harambee.core.models import ChangeRecord
from harambee.places.hxl import map_columns, parse_tag
from harambee.places.importers import HXL, OCHA, ImportFileError, import_admin_areas
from harambee.places.models import AdminArea

from .conftest import DATA, GUINEA_FILE, OCHA_FILE

pytestmark = pytest.mark.django_db

HEADER = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
GOOD_ROWS = "GIN,1,GN001,Boke,GIN,2016-03-04\nGIN,2,GN001001,Boffa,GN001,2016-03-04\n"


def areas():
    return dict(AdminArea.objects.values_list("pcode", "name"))


# Good files ------------------------------------------------------------------------------


def test_ocha_file_loads_areas_with_parents_and_dates():
    result = import_admin_areas(DATA / "ocha_small.csv")
    assert result.ok and result.written
    assert result.format == OCHA
    assert (result.rows, result.created, result.updated, result.unchanged) == (8, 8, 0, 0)
    boffa = AdminArea.objects.select_related("parent").get(pcode="GN001001")
    assert (boffa.level, boffa.country_id, boffa.parent.pcode) == (2, "GIN", "GN001")
    assert boffa.valid_from == datetime.date(2016, 3, 4)
    assert AdminArea.objects.get(pcode="LR0102").valid_from is None
    assert AdminArea.objects.get(pcode="GN001").parent is None
    assert result.countries == ["GIN", "LBR"]


def test_second_run_changes_nothing():
    import_admin_areas(DATA / "ocha_small.csv")
    before = list(AdminArea.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    records = ChangeRecord.objects.count()
    result = import_admin_areas(DATA / "ocha_small.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 8)
    assert list(AdminArea.objects.order_by("pk").values_list("pk", "version", "updated_at")) == (
        before
    )
    assert ChangeRecord.objects.count() == records


def test_hxl_file_with_spaced_mixed_case_tags_below_title_rows():
    result = import_admin_areas(DATA / "hxl_small.csv")
    assert result.ok, result.errors
    assert result.format == HXL
    assert result.rows == 4  # the blank row is not counted
    assert result.created == 6  # 2 regions + 4 prefectures
    boffa = AdminArea.objects.get(pcode="GN001001")
    assert (boffa.latitude, boffa.longitude) == (10.37, -14.05)
    assert boffa.other_names == ["Boffa (préfecture)"]
    assert boffa.parent.pcode == "GN001"
    yomou = AdminArea.objects.get(pcode="GN008006")
    assert yomou.latitude is None and yomou.parent.pcode == "GN008"
    # Regions repeat on every row; they get no coordinates of their prefectures.
    assert AdminArea.objects.get(pcode="GN001").latitude is None
    assert import_admin_areas(DATA / "hxl_small.csv").unchanged == 6


def test_hxl_after_ocha_adds_points_and_keeps_dates():
    import_admin_areas(DATA / "ocha_small.csv")
    result = import_admin_areas(DATA / "hxl_small.csv")
    assert result.ok
    assert (result.created, result.updated) == (2, 2)  # Gaoual, Yomou; Boffa, Nzerekore points
    boffa = AdminArea.objects.get(pcode="GN001001")
    assert boffa.latitude == 10.37
    assert boffa.valid_from == datetime.date(2016, 3, 4)  # the HXL file has no dates
    assert boffa.version == 2


def test_a_renamed_area_keeps_its_former_name(write_file):
    import_admin_areas(write_file(HEADER + GOOD_ROWS))
    renamed = GOOD_ROWS.replace("Boffa", "Boffa Prefecture")
    result = import_admin_areas(write_file(HEADER + renamed))
    assert result.updated == 1
    area = AdminArea.objects.get(pcode="GN001001")
    assert (area.name, area.other_names) == ("Boffa Prefecture", ["Boffa"])


def test_identical_duplicate_rows_are_merged(write_file):
    result = import_admin_areas(write_file(HEADER + GOOD_ROWS + GOOD_ROWS))
    assert result.ok and result.created == 2


def test_missing_name_is_a_warning_and_the_pcode_stands_in(write_file):
    result = import_admin_areas(write_file(HEADER + "GIN,1,GN001,,GIN,2016-03-04\n"))
    assert result.ok and result.created == 1
    assert [(w.row, w.column) for w in result.warnings] == [(2, "Name")]
    assert areas() == {"GN001": "GN001"}
    import_admin_areas(write_file(HEADER + "GIN,1,GN001,Boke,GIN,2016-03-04\n"))
    area = AdminArea.objects.get(pcode="GN001")
    assert (area.name, area.other_names) == ("Boke", [])


def test_dry_run_writes_nothing():
    result = import_admin_areas(DATA / "ocha_small.csv", dry_run=True)
    assert result.created == 8 and not result.written
    assert not AdminArea.objects.exists()


def test_format_can_be_forced_and_must_match():
    with pytest.raises(ImportFileError, match="HXL"):
        import_admin_areas(DATA / "ocha_small.csv", format=HXL)
    assert import_admin_areas(DATA / "hxl_small.csv", format=HXL).ok


def test_unrecognised_file_is_refused(write_file):
    with pytest.raises(ImportFileError, match="Unrecognised"):
        import_admin_areas(write_file("a,b,c\n1,2,3\n"))
    with pytest.raises(ImportFileError, match="Cannot read"):
        import_admin_areas(DATA / "missing.csv")


def test_tags_are_parsed_tolerantly():
    assert parse_tag(" #ADM1 +Code ") == parse_tag("#adm1+code")
    assert parse_tag("#adm2 +name +i_fr").attributes == {"name", "i_fr"}
    assert parse_tag("#country/fr").attributes == {"i_fr"}
    assert parse_tag("Region") is None
    columns = map_columns(["#adm1 +code", "#adm1_id", "#adm2 +pcode", "#lat_deg", "#geo+lon"])
    assert (columns.codes, columns.latitude, columns.longitude) == ({1: 0, 2: 2}, 3, 4)
    # Attribute order does not matter; a name only in languages prefers English.
    columns = map_columns(["#adm1+i_fr+name", "#adm1 +name +i_en", "#adm1+code"])
    assert columns.names[1] == [1] and columns.alt_names[1] == [0]


@pytest.mark.skipif(not GUINEA_FILE.exists(), reason="shared data not available")
def test_real_guinea_file_with_old_hxl_tags():
    result = import_admin_areas(GUINEA_FILE)
    assert result.ok, result.errors
    assert (result.created, result.rows) == (42, 34)
    yomou = AdminArea.objects.get(pcode="GN0806")
    # Both GN and GIN are tagged #country_id: the ISO3 one is used.
    assert (yomou.country_id, yomou.parent.pcode) == ("GIN", "GN08")
    assert yomou.latitude == pytest.approx(7.5367567782)
    assert yomou.longitude == pytest.approx(-9.104326903)
    assert import_admin_areas(GUINEA_FILE).unchanged == 42


@pytest.mark.skipif(not OCHA_FILE.exists(), reason="shared data not available")
def test_full_ocha_file_loads_every_area_and_reloads_as_unchanged():
    result = import_admin_areas(OCHA_FILE)
    assert result.ok, result.errors[:5]
    assert result.created == 32767
    assert AdminArea.objects.count() == 32767
    assert AdminArea.objects.filter(level=2, parent__isnull=True).count() == 0
    assert ChangeRecord.objects.count() == 1
    again = import_admin_areas(OCHA_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 32767)
    assert ChangeRecord.objects.count() == 1


# Bad files -------------------------------------------------------------------------------

BAD_OCHA = [
    ("missing P-code", "GIN,2,,Boffa,GN001,2016-03-04", "P-Code", "missing"),
    (
        "unknown level",
        "GIN,7,GN001001,Boffa,GN001,2016-03-04",
        "Admin Level",
        "Unknown admin level",
    ),
    ("text level", "GIN,two,GN001001,Boffa,GN001,2016-03-04", "Admin Level", "'two'"),
    ("unknown parent", "GIN,2,GN001001,Boffa,GN777,2016-03-04", "Parent P-Code", "GN777"),
    ("unknown country", "XXX,2,GN001001,Boffa,GN001,2016-03-04", "Location", "'XXX'"),
    ("bad date", "GIN,2,GN001001,Boffa,GN001,2016-13-45", "Valid from date", "not a date"),
    ("conflicting duplicate", "GIN,1,GN001,Boké,GIN,2016-03-04", "Name", "also on row 2"),
    (
        "parent at wrong level",
        "GIN,3,GN001001001,Boffa Centre,GN001,",
        "Parent P-Code",
        "level-2 parent",
    ),
    ("level 1 parent not its country", "GIN,1,GN002,Conakry,LBR,", "Parent P-Code", "GIN"),
    ("parent in another country", "LBR,2,LR0101,Dewoin,GN001,", "Parent P-Code", "GIN"),
]


@pytest.mark.parametrize(
    ("case", "row", "column", "message"), BAD_OCHA, ids=[c[0] for c in BAD_OCHA]
)
def test_a_bad_ocha_row_is_named_and_nothing_is_written(write_file, case, row, column, message):
    path = write_file(HEADER + "GIN,1,GN001,Boke,GIN,2016-03-04\n" + row + "\n")
    result = import_admin_areas(path)
    assert not result.written
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert (error.row, error.column) == (3, column)
    assert message in error.message
    assert not AdminArea.objects.exists()
    assert not ChangeRecord.objects.exists()


HXL_HEAD = "Region,Region code,District,District code,Lat,Lon\n#adm1+name,#adm1+code,#adm2+name,#adm2+code,#geo+lat,#geo+lon\n"
BAD_HXL = [
    ("latitude out of range", "Boke,GN001,Boffa,GN001001,95,-14", "#geo+lat (Lat)", "latitude"),
    ("longitude not a number", "Boke,GN001,Boffa,GN001001,10,west", "#geo+lon (Lon)", "'west'"),
    ("missing P-codes", "Boke,,Boffa,,10,-14", "#adm2+code (District code)", "missing"),
    ("missing parent code", "Boke,,Boffa,GN001001,10,-14", "#adm1+code (Region code)", "level-1"),
]


@pytest.mark.parametrize(("case", "row", "column", "message"), BAD_HXL, ids=[c[0] for c in BAD_HXL])
def test_a_bad_hxl_row_is_named_and_nothing_is_written(write_file, case, row, column, message):
    # No country column: the areas take their country from the database or their parent.
    from harambee.places.tests.factories import AdminAreaFactory

    AdminAreaFactory(pcode="GN001", name="Boke")
    path = write_file(HXL_HEAD + "Boke,GN001,Boke,GN001002,11,-14.3\n" + row + "\n")
    result = import_admin_areas(path)
    assert [(e.row, e.column) for e in result.errors] == [(4, column)], result.errors
    assert message in result.errors[0].message
    assert AdminArea.objects.count() == 1
    assert not result.written


def test_pcode_of_another_country_in_the_database_is_an_error(write_file):
    import_admin_areas(write_file(HEADER + GOOD_ROWS))
    result = import_admin_areas(write_file(HEADER + "LBR,1,GN001,Boke,LBR,\n"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Location")]
    assert "GIN" in result.errors[0].message


def test_every_error_is_reported_not_only_the_first(write_file):
    rows = "GIN,1,GN001,Boke,GIN,bad\nGIN,9,GN002,Conakry,GIN,\nZZZ,1,ZZ01,Nowhere,ZZZ,\n"
    result = import_admin_areas(write_file(HEADER + rows))
    assert result.skipped_rows == [2, 3, 4]


def test_skip_invalid_imports_the_rest_and_skips_children_of_bad_rows(write_file):
    rows = (
        "GIN,1,GN001,Boke,GIN,2016-03-04\n"
        "GIN,1,GN008,Nzerekore,GIN,not-a-date\n"
        "GIN,2,GN001001,Boffa,GN001,2016-03-04\n"
        "GIN,2,GN008005,Nzerekore,GN008,2016-03-04\n"
        "GIN,2,GN008006,Yomou,GN999,2016-03-04\n"
    )
    path = write_file(HEADER + rows)
    strict = import_admin_areas(path)
    assert not strict.written and not AdminArea.objects.exists()
    result = import_admin_areas(path, skip_invalid=True)
    assert result.written
    assert sorted(areas()) == ["GN001", "GN001001"]
    assert result.skipped_rows == [3, 5, 6]
    messages = {e.row: e.message for e in result.errors}
    assert "not a date" in messages[3]
    assert "GN008" in messages[5] and "row 3" in messages[5]
    assert "GN999" in messages[6]


def test_skip_invalid_in_hxl_keeps_areas_of_good_rows(write_file):
    rows = "Boke,GN001,Boffa,GN001001,10,-14\nBoke,GN001,Gaoual,GN001003,north,-13\n"
    body = HXL_HEAD.replace("Lat,Lon", "Lat,Lon,Country").replace(
        "#geo+lon", "#geo+lon,#country+code"
    )
    path = write_file(body + "\n".join(r + ",GIN" for r in rows.splitlines()) + "\n")
    result = import_admin_areas(path, skip_invalid=True)
    assert result.skipped_rows == [4]
    assert sorted(areas()) == ["GN001", "GN001001"]
