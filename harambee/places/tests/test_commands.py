import io
import json

import pytest
from django.core.management import CommandError, call_command

from harambee.core.models import ChangeRecord
from harambee.places import demo
from harambee.places.boundaries import detect_pcode_field, load_boundaries
from harambee.places.models import AdminArea, Emergency

from .conftest import DATA, OCHA_FILE

pytestmark = pytest.mark.django_db

BOUNDARIES = DATA / "boundaries_small.geojson"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_pcodes_reports_counts_and_is_idempotent():
    out, _ = run("load-pcodes", str(DATA / "ocha_small.csv"))
    assert "OCHA P-code list" in out and "Created 8, updated 0, unchanged 0." in out
    out, _ = run("load-pcodes", str(DATA / "ocha_small.csv"))
    assert "Created 0, updated 0, unchanged 8." in out
    out, _ = run("load-pcodes", str(DATA / "hxl_small.csv"), "--format", "hxl")
    assert "HXL CSV" in out and "Created 2, updated 2" in out


def test_load_pcodes_names_the_bad_row_and_writes_nothing(write_file):
    path = write_file(
        "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
        "GIN,1,GN001,Boke,GIN,2016-03-04\nGIN,2,GN001001,Boffa,GN001,04/03/2016\n"
    )
    with pytest.raises(CommandError, match="Nothing was written: 1 errors on 1 rows"):
        run("load-pcodes", str(path))
    assert not AdminArea.objects.exists()
    out, err = run("load-pcodes", str(path), "--skip-invalid")
    assert "Skipped rows:" in err
    assert "row 3, Valid from date: '04/03/2016' is not a date" in err
    assert "Created 1," in out
    assert list(AdminArea.objects.values_list("pcode", flat=True)) == ["GN001"]


def test_load_pcodes_dry_run_and_bad_format(write_file):
    out, _ = run("load-pcodes", str(DATA / "ocha_small.csv"), "--dry-run")
    assert "Dry run: nothing was written." in out and not AdminArea.objects.exists()
    with pytest.raises(CommandError, match="No HXL hashtag row"):
        run("load-pcodes", str(DATA / "ocha_small.csv"), "--format", "hxl")
    with pytest.raises(CommandError, match="Unrecognised"):
        run("load-pcodes", str(write_file("just,some\ncsv,data\n")))


# Boundaries -----------------------------------------------------------------------------


def test_load_boundaries_matches_pcodes_and_reports_unmatched():
    run("load-pcodes", str(DATA / "ocha_small.csv"))
    out, _ = run("load-boundaries", str(BOUNDARIES))
    assert "ADM2_PCODE" in out and "2 boundaries stored" in out
    assert "P-codes with no admin area (load the P-codes first): GN009001" in out
    boffa = AdminArea.objects.get(pcode="GN001001")
    assert boffa.boundary["type"] == "Polygon" and boffa.version == 2
    assert AdminArea.objects.get(pcode="GN001002").boundary["type"] == "MultiPolygon"
    out, _ = run("load-boundaries", str(BOUNDARIES))
    assert "0 boundaries stored, 2 unchanged" in out
    assert ChangeRecord.objects.count() == 2  # the P-code import, the first boundary load


def test_pcode_field_detection():
    features = json.loads(BOUNDARIES.read_text())["features"]
    assert detect_pcode_field(features) == "ADM2_PCODE"
    assert detect_pcode_field([{"properties": {"admin1Pcode": "X"}}]) == "admin1Pcode"
    assert detect_pcode_field([{"properties": {"PCODE": "X", "name": "n"}}]) == "PCODE"
    assert detect_pcode_field([{"properties": {"name": "n"}}]) is None


def test_conflicting_geometries_for_one_pcode_are_refused():
    run("load-pcodes", str(DATA / "ocha_small.csv"))
    # By ADM1_PCODE, features 1 and 2 are both GN001, with different shapes.
    with pytest.raises(CommandError, match="Nothing was written"):
        run("load-boundaries", str(BOUNDARIES), "--pcode-field", "ADM1_PCODE")
    assert not AdminArea.objects.filter(boundary__isnull=False).exists()


def test_bad_features_are_named_and_can_be_skipped(write_file):
    run("load-pcodes", str(DATA / "ocha_small.csv"))
    data = json.loads(BOUNDARIES.read_text())
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[200, 95]]]}
    data["features"][1]["properties"]["ADM2_PCODE"] = ""
    path = write_file(json.dumps(data), "bad.geojson")
    result = load_boundaries(path)
    assert [(e.row, e.column) for e in result.errors] == [(1, "geometry"), (2, "ADM2_PCODE")]
    assert not result.written
    out, err = run("load-boundaries", str(path), "--skip-invalid")
    assert "feature 1, geometry" in err and "0 boundaries stored" in out


def test_load_boundaries_refuses_what_is_not_geojson(write_file):
    with pytest.raises(CommandError, match="not JSON"):
        run("load-boundaries", str(write_file("{nope", "x.geojson")))
    with pytest.raises(CommandError, match="FeatureCollection"):
        run("load-boundaries", str(write_file('{"type": "Feature"}', "x.geojson")))
    path = write_file('{"type": "FeatureCollection", "features": [{"properties": {}}]}', "y.json")
    with pytest.raises(CommandError, match="--pcode-field"):
        run("load-boundaries", str(path))


# Demo -----------------------------------------------------------------------------------


def test_demo_loads_places_and_emergencies_idempotently(settings, tmp_path, monkeypatch):
    if not OCHA_FILE.exists():
        monkeypatch.setattr(demo, "PCODES", tmp_path / "absent.csv")
    out = io.StringIO()
    demo.load(out)
    text = out.getvalue()
    ebola = Emergency.objects.get(glide="EP-2014-000041-GIN")
    assert sorted(ebola.countries.values_list("iso3", flat=True)) == ["GIN", "LBR", "SLE"]
    assert Emergency.objects.count() == len(demo.EMERGENCIES)
    if OCHA_FILE.exists():
        assert AdminArea.objects.filter(country="AFG").exists()
    else:
        assert "load it later with `harambee load-pcodes" in text
    counts = (AdminArea.objects.count(), Emergency.objects.count(), ChangeRecord.objects.count())
    again = io.StringIO()
    demo.load(again)
    assert "0 emergencies added" in again.getvalue()
    assert (
        AdminArea.objects.count(),
        Emergency.objects.count(),
        ChangeRecord.objects.count(),
    ) == counts


def test_demo_explains_how_to_load_pcodes_later(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "PCODES", tmp_path / "absent.csv")
    out = io.StringIO()
    demo.load(out)
    assert "harambee load-pcodes" in out.getvalue()
    assert not AdminArea.objects.exists() and Emergency.objects.count() == 5
