import io
from pathlib import Path

import pytest

from harambee.activities import demo
from harambee.activities.models import Activity, ImportBatch
from harambee.network.models import Organisation
from harambee.network.tests.factories import OrganisationFactory
from harambee.places.models import AdminArea

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_imports_the_3w_reusing_organisations_with_the_same_acronym(monkeypatch):
    kabul = AdminArea.objects.create(pcode="AF01", country_id="AFG", level=1, name="Kabul")
    AdminArea.objects.create(pcode="AF0101", country_id="AFG", level=2, name="Kabul", parent=kabul)
    AdminArea.objects.create(
        pcode="AF0104", country_id="AFG", level=2, name="Bagrami", parent=kabul
    )
    # The network demo's name differs from the file's, the acronym does not.
    nrc = OrganisationFactory(name="NRC Norway Refugee Council", acronym="NRC")
    monkeypatch.setattr(demo, "AFG_3W", DATA / "3w_small.csv")
    out = io.StringIO()
    demo.load(out)
    assert "activities" in out.getvalue()
    assert Activity.objects.filter(implementing_organisation=nrc).exists()
    assert Organisation.objects.filter(acronym="NRC").count() == 1
    counts = (Activity.objects.count(), ImportBatch.objects.count(), Organisation.objects.count())
    demo.load(io.StringIO())
    assert (
        Activity.objects.count(),
        ImportBatch.objects.count(),
        Organisation.objects.count(),
    ) == counts


def test_demo_says_how_to_import_later_without_the_shared_file(monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "AFG_3W", tmp_path / "absent.csv")
    out = io.StringIO()
    demo.load(out)
    assert "harambee import-3w" in out.getvalue()
    assert not Activity.objects.exists()
