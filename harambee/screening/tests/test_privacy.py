"""Names and dates of birth of the people screened: encrypted, logged when shown, erased after
the retention period, reachable by the data protection officer."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory
from harambee.privacy import services as privacy
from harambee.privacy.models import AccessLog
from harambee.screening.models import ScreeningBatch, ScreeningResult

pytestmark = pytest.mark.django_db

CSV = b"id,name,date_of_birth,nationality\np1,Abdul Latif Mansoor,1968,AF\np2,Zawadi Okello,1990-02-03,UG\n"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def member():
    return UserFactory(organisation=OrganisationFactory(name="NRC"))


@pytest.fixture
def dpo():
    user = UserFactory(username="dpo")
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return user


@pytest.fixture
def batch(un_small, member):
    client = APIClient()
    client.force_authenticate(member)
    upload = SimpleUploadedFile("payees.csv", CSV, content_type="text/csv")
    response = client.post("/api/screening/batches/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    return ScreeningBatch.objects.get(pk=response.json()["id"])


def _raw(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


def test_names_and_dates_of_birth_are_encrypted_at_rest(batch):
    raw = _raw("SELECT name, date_of_birth, hits FROM screening_screeningresult") + _raw(
        "SELECT queries FROM screening_screeningbatch"
    )
    for clear in ("Zawadi", "Okello", "Mansoor", "1990-02-03", "1968"):
        assert clear not in raw
    # ...and read back in clear by the application.
    result = ScreeningResult.objects.get(batch=batch, row=2)
    assert (result.name, result.date_of_birth) == ("Zawadi Okello", "1990-02-03")
    assert batch.queries[1]["name"] == "Zawadi Okello"
    first = ScreeningResult.objects.get(batch=batch, row=1)
    assert first.hits and first.hits[0]["ref"] == "TAi.001"


def test_change_log_holds_no_name(batch):
    stored = _raw("SELECT before, after, note FROM core_changerecord")
    assert "Zawadi" not in stored and "Mansoor" not in stored


def test_results_and_csv_are_logged(batch, member):
    client = APIClient()
    client.force_authenticate(member)
    assert client.get(f"/api/screening/batches/{batch.pk}/results/").status_code == 200
    viewed = AccessLog.objects.filter(action="view", content_type__model="screeningresult")
    assert viewed.count() == 2 and {e.user_id for e in viewed} == {member.pk}
    assert client.get(f"/api/screening/batches/{batch.pk}/csv/").status_code == 200
    exported = AccessLog.objects.get(action="export", content_type__model="screeningbatch")
    assert exported.object_id == str(batch.pk) and exported.fields == ["queries"]


def test_retention_erases_names_after_the_period_leaving_counts(batch, settings):
    now = timezone.now()
    assert privacy.apply_retention(now=now).counts["screening.screeningresult"] == 0
    later = now + datetime.timedelta(days=settings.SCREENING_RETENTION_DAYS + 1)
    report = privacy.apply_retention(now=later)
    assert report.counts["screening.screeningbatch"] == 1
    assert report.counts["screening.screeningresult"] == 2
    batch.refresh_from_db()
    assert batch.queries == [] and batch.rows_total == 2 and batch.hit_rows == 1
    first = ScreeningResult.objects.get(batch=batch, row=1)
    assert (first.name, first.date_of_birth, first.query_id, first.nationality) == ("", "", "", "")
    assert first.hits == [] and first.hit_count == 1 and first.top_score is not None
    assert first.name_hash == ""
    erased = ChangeRecord.objects.filter(action="erase")
    assert erased.count() == 3
    assert "Zawadi" not in _raw("SELECT before, after FROM core_changerecord")
    # Idempotent.
    assert privacy.apply_retention(now=later).total == 0


def test_retention_period_is_a_setting(batch, settings):
    settings.PRIVACY_RETENTION_DAYS = {"screening.screeningresult": 10}
    later = timezone.now() + datetime.timedelta(days=11)
    report = privacy.apply_retention(now=later, dry_run=True)
    assert report.counts["screening.screeningresult"] == 2
    assert report.counts["screening.screeningbatch"] == 0


def test_data_protection_officer_finds_exports_and_erases_a_screened_person(batch, dpo):
    matches = privacy.find_person(actor=dpo, kind="name", value="zawadi OKELLO")
    assert [(m.label, m.record.row) for m in matches] == [("screening.screeningresult", 2)]
    exported = privacy.export_person(actor=dpo, matches=matches)
    record = exported["records"][0]
    assert record["personal_data"]["name"] == "Zawadi Okello"
    assert record["personal_data"]["date_of_birth"] == "1990-02-03"
    privacy.erase_record(actor=dpo, match=matches[0])
    assert privacy.find_person(actor=dpo, kind="name", value="Zawadi Okello") == []
    assert ScreeningResult.objects.get(batch=batch, row=2).name == ""
    assert AccessLog.objects.filter(action="erase", object_id=str(matches[0].record.pk)).exists()


def test_rotate_keys_keeps_the_json_readable(batch, settings):
    from cryptography.fernet import Fernet

    from harambee.core.fields import encryption_keys

    old = encryption_keys()[0]
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old}"
    counts = privacy.rotate_keys()
    assert counts["screening.screeningbatch"] == 1 and counts["screening.screeningresult"] == 2
    batch.refresh_from_db()
    assert batch.queries[0]["name"] == "Abdul Latif Mansoor"
    assert ScreeningResult.objects.get(batch=batch, row=1).hits[0]["ref"] == "TAi.001"
    assert privacy.rotate_keys()["screening.screeningresult"] == 0
