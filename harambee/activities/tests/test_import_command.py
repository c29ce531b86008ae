"""`harambee import-3w`: preview, dry run, commit, uncertain organisations, bad files."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from harambee.activities.models import Activity, ImportBatch
from harambee.network.models import Organisation
from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import AdminArea, Country

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    afg = Country.objects.get(iso3="AFG")
    kabul = AdminArea.objects.create(pcode="AF01", country=afg, level=1, name="Kabul")
    AdminArea.objects.create(pcode="AF0101", country=afg, level=2, name="Kabul", parent=kabul)
    AdminArea.objects.create(pcode="AF0104", country=afg, level=2, name="Bagrami", parent=kabul)
    kenya = Country.objects.get(iso3="KEN")
    AdminArea.objects.create(pcode="KE023", country=kenya, level=1, name="Turkana")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import-3w", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_the_preview_and_writes_nothing():
    out, err = run(str(DATA / "3w_small.csv"), "--country", "AFG", "--dry-run")
    assert "4 rows read" in out
    assert "3 to create" in out
    assert "0 matched, 3 new, 0 uncertain" in out
    assert "Dry run" in out
    assert "[##############################] 4/4 rows" in err  # progress bar, finished
    assert not Activity.objects.exists()


def test_import_then_again_changes_nothing():
    out, _err = run(str(DATA / "3w_small.csv"), "--country", "AFG", "--source", "Kabul")
    assert "3 activities created" in out
    assert Organisation.objects.count() == 3
    out, _err = run(str(DATA / "3w_small.csv"), "--country", "AFG", "--source", "Kabul")
    assert "0 activities created, 0 updated, 3 unchanged" in out
    assert Activity.objects.count() == 3


def test_uncertain_organisations_stop_the_import_unless_told_to_create():
    OrganisationFactory(name="Afghan Red Cresent Society", acronym="ARC")
    with pytest.raises(CommandError, match="create-organisations"):
        run(str(DATA / "3w_small.csv"), "--country", "AFG")
    assert not Activity.objects.exists()
    out, _err = run(str(DATA / "3w_small.csv"), "--country", "AFG", "--create-organisations")
    assert "3 activities created" in out
    assert Organisation.objects.filter(acronym="ARCS").count() == 1


def test_row_errors_are_listed_and_nothing_is_written():
    with pytest.raises(CommandError, match="Nothing was written"):
        run(str(DATA / "3w_errors.csv"), "--country", "AFG")
    assert not Activity.objects.exists()
    _out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import-3w", str(DATA / "3w_errors.csv"), "--country", "AFG", stderr=err)
    assert "row 3, People reached (#reached)" in err.getvalue()


def test_skip_invalid_imports_the_good_rows(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text((DATA / "3w_errors.csv").read_text() + "NRC,WASH,AF01,7,\n")
    out, _err = run(str(path), "--country", "AFG", "--skip-invalid")
    assert "1 activities created" in out


def test_not_a_spreadsheet(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(CommandError, match="not a spreadsheet"):
        run(str(path))
    assert not ImportBatch.objects.exists()


def test_untagged_file_asks_for_a_mapping():
    with pytest.raises(CommandError, match="hashtags"):
        run(str(DATA / "3w_untagged.csv"), "--country", "AFG")
