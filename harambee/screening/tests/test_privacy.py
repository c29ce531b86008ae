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


# --- payees -----------------------------------------------------------------------------------

PAYEE = {
    "name": "Zawadi Okello",
    "schema": "person",
    "date_of_birth": "1990-02-03",
    "nationality": "UG",
    "identifiers": ["PA778899"],
    "notes": "Driver in Kakuma",
}
PAYEE_CLEAR = ("Zawadi", "Okello", "1990-02-03", "PA778899", "Kakuma")
# Close to a listed alias ("Abdul Latif Mansoor", public list data), spelled as no list does.
LISTED = "Abdoul Latif Mansoor"


def _payee(editor, **data):
    from harambee.screening.dd.payees import payee_add

    return payee_add(actor=editor, data=PAYEE | data)


def _listed_payee_with_alert(editor, capture):
    """A payee whose name is on the small UN list: screened once committed, one open alert."""
    from harambee.screening.models import ScreeningAlert

    with capture(execute=True):
        payee = _payee(editor, name=LISTED, date_of_birth="1968", identifiers=[])
    return payee, ScreeningAlert.objects.get(subject_id=payee.pk)


def test_payee_personal_fields_are_encrypted_at_rest_and_read_back(editor):
    from harambee.core.fields import keyed_hash
    from harambee.screening.dd.continuous import payee_subject
    from harambee.screening.models import Payee

    payee = _payee(editor)
    raw = _raw(
        "SELECT name, date_of_birth, nationality, identifiers, notes, name_hash "
        "FROM screening_payee"
    )
    for clear in PAYEE_CLEAR:
        assert clear not in raw
    assert " UG " not in f" {raw} "
    stored = Payee.objects.get(pk=payee.pk)
    assert (stored.name, stored.date_of_birth, stored.nationality) == (
        "Zawadi Okello",
        "1990-02-03",
        "UG",
    )
    assert stored.identifiers == ["PA778899"] and stored.notes == "Driver in Kakuma"
    assert stored.name_hash == keyed_hash("  zawadi   OKELLO ")
    # continuous screening reads the payee in clear
    query = payee_subject(stored).query
    assert (query.name, query.date_of_birth, query.identifiers) == (
        "Zawadi Okello",
        "1990-02-03",
        ("PA778899",),
    )


def test_payee_found_by_exact_name_through_the_keyed_hash(editor):
    from harambee.screening.dd.payees import find_payees, payees

    payee = _payee(editor)
    _payee(editor, name="Amina Okello")
    rival = UserFactory(organisation=OrganisationFactory(name="Rival"))
    assert list(find_payees(payees(user=editor), "ZAWADI  okéllo")) == [payee]
    assert list(find_payees(payees(user=editor), "Zawadi")) == []
    assert list(find_payees(payees(user=rival), "Zawadi Okello")) == []
    client = APIClient()
    client.force_authenticate(editor)
    found = client.get("/api/screening/payees/", {"name": "zawadi okello"}).json()["results"]
    assert [p["id"] for p in found] == [payee.pk] and "name" not in found[0]


def test_payee_change_log_holds_no_name_not_even_as_title(editor):
    from harambee.core.services import delete_object
    from harambee.screening.dd.payees import payee_update

    payee = _payee(editor)
    payee = payee_update(
        actor=editor, payee=payee, data={"notes": "Now in Dadaab"}, expected_version=1
    )
    reference = payee.reference
    delete_object(payee, actor=None, expected_version=2)
    records = ChangeRecord.objects.filter(content_type__model="payee")
    assert {r.action for r in records} == {"create", "update", "delete"}
    assert {r.object_repr for r in records} == {reference}
    stored = _raw("SELECT object_repr, before, after, note FROM core_changerecord")
    for clear in (*PAYEE_CLEAR, "Dadaab"):
        assert clear not in stored
    update = records.get(action="update")
    assert update.before["notes"] != update.after["notes"]  # that it changed, not what


def test_decision_change_log_holds_no_name(un_small, editor, django_capture_on_commit_callbacks):
    from harambee.screening.dd import decisions as d

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    record = ChangeRecord.objects.for_object(decision).get()
    assert record.after["outcome"] == "cleared" and record.after["query"].startswith("hmac:")
    assert record.after["entry_ref"] == "TAi.001"
    assert "Abdoul" not in _raw("SELECT object_repr, before, after, note FROM core_changerecord")
    # the decision itself keeps the query it decided on
    assert decision.query["name"] == LISTED


def test_data_protection_officer_finds_exports_corrects_and_erases_a_payee(
    un_small, editor, dpo, django_capture_on_commit_callbacks
):
    from harambee.screening.dd import decisions as d
    from harambee.screening.dd.continuous import screen_subjects, subjects
    from harambee.screening.models import Payee, ScreeningAlert, ScreeningDecision

    payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    matches = privacy.find_person(actor=dpo, kind="name", value="abdoul latif MANSOOR")
    # the payee, and the alert that names it
    assert [(m.label, m.record.pk) for m in matches] == [
        ("screening.payee", payee.pk),
        ("screening.screeningalert", alert.pk),
    ]
    exported = privacy.export_person(actor=dpo, matches=matches)["records"][0]
    assert exported["personal_data"]["name"] == LISTED
    assert exported["personal_data"]["date_of_birth"] == "1968"
    assert [c["action"] for c in exported["changes"]] == ["create"]
    privacy.correct_record(actor=dpo, match=matches[0], data={"notes": "Cook"})
    assert Payee.objects.get(pk=payee.pk).notes == "Cook"

    privacy.erase_record(
        actor=dpo, match=privacy.find_person(actor=dpo, kind="name", value=LISTED)[0]
    )
    erased = Payee.objects.get(pk=payee.pk)  # the payee stays: what points at it still works
    assert (erased.name, erased.date_of_birth, erased.notes, erased.identifiers) == ("", "", "", [])
    assert erased.name_hash == "" and erased.erased and erased.organisation == editor.organisation
    # its alert is erased with it: nothing left to find
    assert privacy.find_person(actor=dpo, kind="name", value=LISTED) == []
    assert ScreeningAlert.objects.get(pk=alert.pk).erased
    for pk, model in ((payee.pk, "payee"), (alert.pk, "screeningalert")):
        assert AccessLog.objects.filter(
            action="erase", object_id=str(pk), content_type__model=model
        ).exists()
    # the decision record is kept as decided (never erased), and still exports
    kept = ScreeningDecision.objects.get(pk=decision.pk)
    assert kept.query["name"] == LISTED and kept.outcome == "cleared"
    assert "TAi.001" in d.export_csv(ScreeningDecision.objects.filter(pk=decision.pk))
    assert ScreeningAlert.objects.get(pk=alert.pk).decision_id == decision.pk
    # nothing left to screen: continuous screening skips the erased payee
    before = ScreeningAlert.objects.count()
    screen_subjects(subjects([editor.organisation_id]), notify=False)
    assert ScreeningAlert.objects.count() == before
    assert "Abdoul" not in _raw("SELECT name, object_repr FROM screening_payee, core_changerecord")


def test_payees_erased_after_the_retention_period_unless_an_alert_is_open(
    un_small, editor, settings, django_capture_on_commit_callbacks
):
    from harambee.screening.models import Payee

    quiet = _payee(editor)
    watched, _alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    now = timezone.now()
    assert privacy.apply_retention(now=now, dry_run=True).counts["screening.payee"] == 0
    later = now + datetime.timedelta(days=settings.PRIVACY_DEFAULT_RETENTION_DAYS + 1)
    report = privacy.apply_retention(now=later)
    assert report.counts["screening.payee"] == 1
    assert Payee.objects.get(pk=quiet.pk).erased
    assert Payee.objects.get(pk=watched.pk).name == LISTED  # alert open: kept
    assert privacy.apply_retention(now=later).counts["screening.payee"] == 0
    settings.PRIVACY_RETENTION_DAYS = {"screening.payee": None}
    assert "screening.payee" not in privacy.apply_retention(now=later, dry_run=True).counts


def test_payee_page_sorts_names_and_logs_the_payees_shown(client, editor):
    from django.urls import reverse

    for name in ("Zed Mwangi", "amina Ochieng", "Bosco Ruto"):
        _payee(editor, name=name, identifiers=[], date_of_birth="")
    client.force_login(editor)
    page = client.get(reverse("screening:payee-list")).content.decode()
    positions = [page.index(n) for n in ("amina Ochieng", "Bosco Ruto", "Zed Mwangi")]
    assert positions == sorted(positions)
    logged = AccessLog.objects.filter(content_type__model="payee", user=editor)
    assert logged.count() == 3 and {e.channel for e in logged} == {"page"}
    assert "name" in logged.first().fields and logged.first().path == "/screening/payees/"


def test_alert_and_decision_pages_and_exports_are_logged(
    client, un_small, editor, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from harambee.screening.dd import decisions as d

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    client.force_login(editor)
    assert LISTED in client.get(reverse("screening:alert-inbox")).content.decode()
    seen = AccessLog.objects.get(content_type__model="screeningalert")
    assert (seen.object_id, seen.action, seen.channel) == (str(alert.pk), "view", "page")
    assert seen.fields == ["subject_name", "query", "hit"]
    decision = d.decide_alert(actor=editor, alert=alert, outcome="escalated", reason="")
    client.get(reverse("screening:decision-list"))
    client.get(reverse("screening:decision-detail", args=[decision.pk]))
    views = AccessLog.objects.filter(content_type__model="screeningdecision", action="view")
    assert views.count() == 2 and {e.object_id for e in views} == {str(decision.pk)}
    csv_text = client.get(reverse("screening:decision-export", args=["csv"])).content.decode()
    assert LISTED in csv_text  # the organisation's own record keeps names...
    exported = AccessLog.objects.get(content_type__model="screeningdecision", action="export")
    assert exported.channel == "export" and exported.object_id == str(decision.pk)  # ...logged


def test_batch_page_and_csv_are_logged(client, batch, member):
    from django.urls import reverse

    client.force_login(member)
    page = client.get(reverse("screening:batch-detail", args=[batch.pk]), {"show": "all"})
    assert "Zawadi Okello" in page.content.decode()
    viewed = AccessLog.objects.filter(content_type__model="screeningresult", channel="page")
    assert viewed.count() == 2
    client.get(reverse("screening:batch-csv", args=[batch.pk]))
    assert AccessLog.objects.filter(
        content_type__model="screeningbatch", action="export", object_id=str(batch.pk)
    ).exists()


def test_decisions_api_hides_names_unless_asked_and_logs_when_it_shows_them(
    un_small, editor, django_capture_on_commit_callbacks
):
    from harambee.screening.dd import decisions as d

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    client = APIClient()
    client.force_authenticate(editor)
    url = "/api/screening/decisions/"
    for response in (client.get(url), client.get(f"{url}{decision.pk}/")):
        assert "Abdoul" not in response.content.decode()
    listed = client.get(url).json()["results"][0]
    assert {"query", "subject", "explanation"}.isdisjoint(listed)
    assert listed["entry_ref"] == "TAi.001" and listed["outcome"] == "cleared"
    assert not AccessLog.objects.exists()
    full = client.get(f"{url}{decision.pk}/", {"include_personal": "true"}).json()
    assert full["query"]["name"] == LISTED and full["explanation"]["parts"]
    logged = AccessLog.objects.get()
    assert (logged.object_id, logged.channel, logged.action) == (str(decision.pk), "api", "view")
    # the export keeps the names (the organisation's own record) and is logged
    exported = client.get(f"{url}export/", {"as": "json"}).json()
    assert exported["decisions"][0]["query"]["name"] == LISTED
    assert AccessLog.objects.filter(action="export", channel="export").count() == 1
    # logged-out callers get nothing at all
    assert APIClient().get(url, {"include_personal": "true"}).status_code in (401, 403)


def test_data_step_encrypts_payees_written_in_clear_and_back(editor):
    """The data migration (0005) on rows written before it, then reversed."""
    import importlib

    from django.db.migrations.executor import MigrationExecutor

    from harambee.core.fields import keyed_hash

    step = importlib.import_module("harambee.screening.migrations.0005_encrypt_existing_payees")
    payee = _payee(editor)
    with connection.cursor() as cursor:  # as 0003 left it: in clear
        cursor.execute(
            "UPDATE screening_payee SET name=%s, date_of_birth=%s, nationality=%s, "
            "identifiers=%s, notes=%s, name_hash=''",
            ["Zawadi Okello", "1990-02-03", "UG", '["PA778899"]', "Driver in Kakuma"],
        )
        cursor.execute("UPDATE core_changerecord SET object_repr='Zawadi Okello'")
    state = MigrationExecutor(connection).loader.project_state(
        ("screening", "0005_encrypt_existing_payees"), at_end=False
    )
    step.encrypt_payees(state.apps, None)
    raw = _raw("SELECT name, date_of_birth, identifiers, notes FROM screening_payee")
    assert not any(clear in raw for clear in PAYEE_CLEAR)
    assert _raw("SELECT name_hash FROM screening_payee") == keyed_hash("Zawadi Okello")
    assert _raw("SELECT DISTINCT object_repr FROM core_changerecord") == payee.reference
    step.decrypt_payees(state.apps, None)
    assert _raw("SELECT name, identifiers FROM screening_payee") == 'Zawadi Okello ["PA778899"]'
    assert _raw("SELECT DISTINCT object_repr FROM core_changerecord") == "Zawadi Okello"


def test_data_protection_page_corrects_a_payee_keeping_its_identifiers(client, editor, dpo):
    from harambee.screening.models import Payee

    payee = _payee(editor)
    client.force_login(dpo)
    url = f"/privacy/records/screening.payee/{payee.pk}/"
    page = client.get(url).content.decode()
    assert "Zawadi Okello" in page and "PA778899" in page
    form = {
        "name": "Zawadi Okello-Achieng",
        "date_of_birth": "1990-02-03",
        "nationality": "UG",
        "identifiers": '["PA778899"]',
        "notes": "Driver in Kakuma",
    }
    assert client.post(url, form).status_code == 302
    corrected = Payee.objects.get(pk=payee.pk)
    assert corrected.name == "Zawadi Okello-Achieng" and corrected.identifiers == ["PA778899"]
    record = ChangeRecord.objects.for_object(payee).first()
    assert {c["field"] for c in record.changed_fields} == {"name", "version"}
    client.post(url, form | {"identifiers": '["PA778899", "NIN-42"]'})
    assert Payee.objects.get(pk=payee.pk).identifiers == ["PA778899", "NIN-42"]


# --- alerts of continuous screening -----------------------------------------------------------


def _person_with_alert(organisation):
    """A contact person of the organisation whose name is listed (un_small XXi.003): screened,
    one open alert naming them."""
    from harambee.network.tests.factories import PersonFactory
    from harambee.screening.choices import SubjectKind
    from harambee.screening.dd.continuous import screen_subjects, subjects
    from harambee.screening.models import ScreeningAlert

    person = PersonFactory(organisation=organisation, name="Vladimir Petrov")
    screen_subjects(subjects([organisation.pk]), notify=False)
    alert = ScreeningAlert.objects.get(subject_kind=SubjectKind.PERSON, subject_id=person.pk)
    return person, alert


def test_alert_name_query_and_hit_are_encrypted_at_rest_and_read_back(
    un_small, editor, django_capture_on_commit_callbacks
):
    from harambee.core.fields import keyed_hash
    from harambee.screening.models import ScreeningAlert

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    raw = _raw(
        "SELECT subject_name, query, hit, subject_name_hash, query_key FROM screening_screeningalert"
    )
    for clear in ("Abdoul", "Mansoor", "1968", "TAi.001"):
        assert clear not in raw
    stored = ScreeningAlert.objects.get(pk=alert.pk)
    assert stored.subject_name == LISTED and stored.query["date_of_birth"] == "1968"
    assert stored.hit["ref"] == "TAi.001" and stored.hit["explanation"]["parts"]
    assert stored.subject_name_hash == keyed_hash(" abdoul latif  MANSOOR")
    assert stored.entry_ref == "TAi.001"  # the list's own data stays readable (and filterable)
    assert LISTED not in str(stored)  # the title change records get


def test_officer_finds_exports_and_erases_an_alert_which_stays_for_the_record(
    un_small, editor, dpo, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from harambee.screening.dd import decisions as d
    from harambee.screening.models import ScreeningAlert

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    found = privacy.find_person(actor=dpo, kind="name", value=LISTED)
    match = next(m for m in found if m.label == "screening.screeningalert")
    exported = privacy.export_person(actor=dpo, matches=[match])["records"][0]
    assert exported["kind"] == "screening.screeningalert" and exported["id"] == alert.pk
    assert exported["personal_data"]["subject_name"] == LISTED
    assert exported["personal_data"]["query"]["name"] == LISTED
    assert exported["personal_data"]["hit"]["ref"] == "TAi.001"
    client.force_login(dpo)  # the officer's page for the alert
    page = client.get(f"/privacy/records/screening.screeningalert/{alert.pk}/")
    assert page.status_code == 200 and LISTED in page.content.decode()

    privacy.erase_record(actor=dpo, match=match)
    erased = ScreeningAlert.objects.get(pk=alert.pk)
    assert (erased.subject_name, erased.query, erased.hit) == ("", [], [])
    assert (erased.subject_name_hash, erased.query_key) == ("", "")
    assert erased.erased and erased.entry_ref == "TAi.001" and erased.status == "open"
    record = ChangeRecord.objects.for_object(erased).get(action="erase")
    assert LISTED not in record.object_repr
    assert "Abdoul" not in _raw("SELECT object_repr, before, after, note FROM core_changerecord")
    # only the alert: the payee was not asked for
    assert [m.label for m in privacy.find_person(actor=dpo, kind="name", value=LISTED)] == [
        "screening.payee"
    ]
    # nothing left to decide on; the inbox says so and logs nothing
    with pytest.raises(d.DecisionError):
        d.decide_alert(actor=editor, alert=erased, outcome="escalated", reason="")
    client.force_login(editor)
    inbox = client.get(reverse("screening:alert-inbox") + "?status=all").content.decode()
    assert "Personal data erased" in inbox and "Review this hit" not in inbox
    # still "open" in its status, but nothing waits for review: not among the open alerts
    inbox = client.get(reverse("screening:alert-inbox")).content.decode()
    assert "Personal data erased" not in inbox and "TAi.001" not in inbox
    assert not AccessLog.objects.filter(user=editor).exists()


def test_an_erased_alert_does_not_hide_the_same_hit_from_a_new_payee(
    un_small, editor, dpo, django_capture_on_commit_callbacks
):
    from harambee.screening.models import ScreeningAlert

    _first, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    found = privacy.find_person(actor=dpo, kind="name", value=LISTED)
    privacy.erase_record(actor=dpo, match=found[0])  # the payee, and its alert with it
    assert ScreeningAlert.objects.get(pk=alert.pk).erased
    # the same name paid again: the hit alerts again (the erased alert stands for no query)
    _second, again = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    assert again.pk != alert.pk and again.subject_name == LISTED and again.status == "open"


def test_erasing_a_contact_person_erases_the_alerts_naming_them(un_small, editor, dpo):
    from harambee.network.models import Person
    from harambee.screening.models import ScreeningAlert

    person, alert = _person_with_alert(editor.organisation)
    others = set(ScreeningAlert.objects.exclude(pk=alert.pk).values_list("pk", flat=True))
    found = privacy.find_person(actor=dpo, kind="name", value="vladimir PETROV")
    assert {(m.label, m.record.pk) for m in found} == {
        ("network.person", person.pk),
        ("screening.screeningalert", alert.pk),
    }
    privacy.erase_record(actor=dpo, match=next(m for m in found if m.label == "network.person"))
    assert Person.objects.get(pk=person.pk).name == ""
    assert ScreeningAlert.objects.get(pk=alert.pk).erased
    assert not any(ScreeningAlert.objects.get(pk=pk).erased for pk in others)
    erased = AccessLog.objects.filter(action="erase")
    assert {(e.content_type.model, e.object_id) for e in erased} == {
        ("person", str(person.pk)),
        ("screeningalert", str(alert.pk)),
    }
    assert privacy.find_person(actor=dpo, kind="name", value="Vladimir Petrov") == []


def test_retention_keeps_open_alerts_and_erases_reviewed_ones_with_their_payee(
    un_small, editor, settings, django_capture_on_commit_callbacks
):
    from harambee.screening.dd import decisions as d
    from harambee.screening.models import Payee, ScreeningAlert

    watched, open_alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    _person, reviewed = _person_with_alert(editor.organisation)
    d.decide_alert(actor=editor, alert=reviewed, outcome="escalated", reason="")
    now = timezone.now()
    assert privacy.apply_retention(now=now).counts["screening.screeningalert"] == 0
    later = now + datetime.timedelta(days=settings.PRIVACY_DEFAULT_RETENTION_DAYS + 1)
    settings.PRIVACY_RETENTION_DAYS = {"network.person": None}  # only the alerts' own period
    due = privacy.apply_retention(now=later, dry_run=True).counts["screening.screeningalert"]
    report = privacy.apply_retention(now=later)
    assert report.counts["screening.screeningalert"] == due >= 1
    assert ScreeningAlert.objects.get(pk=reviewed.pk).erased  # reviewed: its period is over
    kept = ScreeningAlert.objects.get(pk=open_alert.pk)  # open: kept, and its payee with it
    assert kept.subject_name == LISTED and Payee.objects.get(pk=watched.pk).name == LISTED
    assert privacy.apply_retention(now=later).counts["screening.screeningalert"] == 0

    # once reviewed, the payee's period runs out with its alert's: both erased together
    d.decide_alert(actor=editor, alert=kept, outcome="cleared", reason="Other man.")
    report = privacy.apply_retention(now=later)
    assert report.counts["screening.payee"] == 1
    assert report.counts["screening.screeningalert"] == 1
    assert Payee.objects.get(pk=watched.pk).erased and ScreeningAlert.objects.get(pk=kept.pk).erased


def test_retention_erases_the_alerts_of_a_payee_erased_before_their_own_period(
    un_small, editor, settings, django_capture_on_commit_callbacks
):
    from harambee.screening.dd import decisions as d
    from harambee.screening.models import ScreeningAlert

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    settings.PRIVACY_RETENTION_DAYS = {"screening.payee": 10, "screening.screeningalert": None}
    report = privacy.apply_retention(now=timezone.now() + datetime.timedelta(days=11))
    assert report.counts["screening.payee"] == 1
    assert report.counts["screening.screeningalert"] == 1  # erased with the payee
    assert ScreeningAlert.objects.get(pk=alert.pk).erased
    erased = ChangeRecord.objects.filter(action="erase", content_type__model="screeningalert")
    assert erased.count() == 1


def test_rotate_keys_re_encrypts_alerts(
    un_small, editor, settings, django_capture_on_commit_callbacks
):
    from cryptography.fernet import Fernet

    from harambee.core.fields import encryption_keys
    from harambee.screening.models import ScreeningAlert

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{encryption_keys()[0]}"
    assert privacy.rotate_keys()["screening.screeningalert"] == 1
    stored = ScreeningAlert.objects.get(pk=alert.pk)
    assert stored.subject_name == LISTED and stored.hit["ref"] == "TAi.001"
    assert privacy.rotate_keys()["screening.screeningalert"] == 0


# --- query keys: keyed hashes of the query ----------------------------------------------------

QUERY = {
    "name": LISTED,
    "schema": "person",
    "date_of_birth": "1968",
    "nationality": "",
    "identifiers": [],
}


def _plain_sha256(query):
    import hashlib

    from harambee.screening.dd.decisions import query_material

    return hashlib.sha256(query_material(query)).hexdigest()


def test_query_key_is_keyed_not_a_plain_sha256_of_the_query(settings):
    import hashlib
    import hmac

    from harambee.core.fields import hash_key
    from harambee.screening.dd.decisions import QUERY_KEY_PURPOSE, query_key, query_material

    key = query_key(QUERY)
    assert len(key) == 64 and key != _plain_sha256(QUERY)
    expected = hmac.new(hash_key(), QUERY_KEY_PURPOSE + query_material(QUERY), hashlib.sha256)
    assert key == expected.hexdigest()
    # the same query, however written, gets the same key
    assert query_key(QUERY | {"name": "  abdoul LATIF mansoor ", "schema": "Person"}) == key
    assert query_key(QUERY | {"date_of_birth": "1969"}) != key
    # another hash key, another query key: nobody without it can try candidate names
    settings.FIELD_HASH_KEY = "another-hash-key"
    assert query_key(QUERY) != key


def test_rotate_keys_hashes_recomputes_query_keys_and_cleared_hits_stay_cleared(
    un_small, editor, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from harambee.screening.dd import decisions as d
    from harambee.screening.dd.continuous import screen_subjects, subjects
    from harambee.screening.models import ScreeningAlert, ScreeningDecision

    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    settings.FIELD_HASH_KEY = "a-new-hash-key"
    call_command("rotate-keys", "--hashes")
    new_key = d.query_key(decision.query)
    assert ScreeningDecision.objects.get(pk=decision.pk).query_key == new_key
    assert ScreeningAlert.objects.get(pk=alert.pk).query_key == new_key
    hits = d.annotate_hits(
        organisation_id=editor.organisation_id,
        query=decision.query,
        hits=[alert.hit],
        version_ids=[un_small.pk],
    )
    assert hits[0]["cleared"] and hits[0]["prior"] == decision
    ScreeningAlert.objects.all().delete()
    assert screen_subjects(subjects([editor.organisation_id]), notify=False) == []
    assert privacy.hash_refresh()["screening.screeningdecision"] == 0  # nothing left to do


def _migration_state(name):
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.project_state(("screening", name), at_end=False)


def test_data_step_rekeys_query_keys_so_a_hit_cleared_before_stays_cleared_after(
    un_small, editor, django_capture_on_commit_callbacks
):
    """The data migration (0009) on keys written before it (unkeyed SHA-256), then reversed."""
    import importlib

    from harambee.screening.dd import decisions as d
    from harambee.screening.dd.continuous import screen_subjects, subjects
    from harambee.screening.models import ScreeningAlert, ScreeningDecision

    step = importlib.import_module("harambee.screening.migrations.0009_rekey_query_keys")
    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    decision = d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    keyed = d.query_key(decision.query)
    plain = _plain_sha256(decision.query)
    with connection.cursor() as cursor:  # as the keys were before: plain SHA-256
        cursor.execute("UPDATE screening_screeningdecision SET query_key = %s", [plain])
        cursor.execute("UPDATE screening_screeningalert SET query_key = %s", [plain])
    ScreeningAlert.objects.filter(pk=alert.pk).delete()

    def cleared() -> bool:
        hit = d.annotate_hits(
            organisation_id=editor.organisation_id,
            query=decision.query,
            hits=[alert.hit],
            version_ids=[un_small.pk],
        )[0]
        return hit["cleared"]

    assert not cleared()  # old keys: the application would no longer find the decision

    state = _migration_state("0009_rekey_query_keys")
    step.keyed_keys(state.apps, None)
    assert _raw("SELECT query_key FROM screening_screeningdecision") == keyed
    assert ScreeningDecision.objects.get(pk=decision.pk).query_key == keyed
    assert cleared()  # the hit cleared before the migration is cleared after it
    assert screen_subjects(subjects([editor.organisation_id]), notify=False) == []  # no alert

    step.plain_keys(state.apps, None)
    assert _raw("SELECT query_key FROM screening_screeningdecision") == plain
    step.keyed_keys(state.apps, None)  # and forward again
    assert _raw("SELECT query_key FROM screening_screeningdecision") == keyed


def test_data_step_rekeys_alerts_and_gives_erased_ones_a_key_of_their_own_back(
    un_small, editor, dpo, django_capture_on_commit_callbacks
):
    import importlib

    from harambee.screening.models import ScreeningAlert

    step = importlib.import_module("harambee.screening.migrations.0009_rekey_query_keys")
    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    _person, erased = _person_with_alert(editor.organisation)
    found = privacy.find_person(actor=dpo, kind="name", value="Vladimir Petrov")
    privacy.erase_record(actor=dpo, match=found[0])
    state = _migration_state("0009_rekey_query_keys")
    step.plain_keys(state.apps, None)
    keys = dict(ScreeningAlert.objects.values_list("pk", "query_key"))
    assert keys[alert.pk] == _plain_sha256(alert.query)
    assert keys[erased.pk] not in ("", keys[alert.pk])
    step.keyed_keys(state.apps, None)
    keys = dict(ScreeningAlert.objects.values_list("pk", "query_key"))
    assert keys[erased.pk] == "" and keys[alert.pk] == alert.query_key


def test_data_step_encrypts_alerts_written_in_clear_and_back(
    un_small, editor, django_capture_on_commit_callbacks
):
    """The data migration (0007) on alerts written before it, then reversed."""
    import importlib
    import json

    from harambee.core.fields import keyed_hash
    from harambee.screening.models import ScreeningAlert

    step = importlib.import_module("harambee.screening.migrations.0007_encrypt_existing_alerts")
    _payee, alert = _listed_payee_with_alert(editor, django_capture_on_commit_callbacks)
    query, hit = json.dumps(alert.query), json.dumps(alert.hit)
    with connection.cursor() as cursor:  # as 0005 left it: in clear, no hash
        cursor.execute(
            "UPDATE screening_screeningalert SET subject_name=%s, query=%s, hit=%s, "
            "subject_name_hash=''",
            [LISTED, query, hit],
        )
    assert "Abdoul" in _raw("SELECT subject_name, query, hit FROM screening_screeningalert")
    state = _migration_state("0007_encrypt_existing_alerts")
    step.encrypt_alerts(state.apps, None)
    raw = _raw("SELECT subject_name, query, hit FROM screening_screeningalert")
    assert "Abdoul" not in raw and "TAi.001" not in raw
    assert _raw("SELECT subject_name_hash FROM screening_screeningalert") == keyed_hash(LISTED)
    stored = ScreeningAlert.objects.get(pk=alert.pk)
    assert (stored.subject_name, stored.query, stored.hit) == (LISTED, alert.query, alert.hit)
    step.decrypt_alerts(state.apps, None)
    assert _raw("SELECT subject_name FROM screening_screeningalert") == LISTED
    assert json.loads(_raw("SELECT query FROM screening_screeningalert")) == alert.query
    assert json.loads(_raw("SELECT hit FROM screening_screeningalert")) == alert.hit


def test_retention_keeps_a_contact_person_while_an_alert_on_them_is_open(
    un_small, editor, dpo, client, settings
):
    from harambee.network.models import Person
    from harambee.screening.dd import decisions as d
    from harambee.screening.models import ScreeningAlert

    person, alert = _person_with_alert(editor.organisation)
    later = timezone.now() + datetime.timedelta(days=settings.PRIVACY_DEFAULT_RETENTION_DAYS + 1)
    dry = privacy.apply_retention(now=later, dry_run=True)
    report = privacy.apply_retention(now=later)
    assert report.counts == dry.counts
    assert Person.objects.get(pk=person.pk).name == "Vladimir Petrov"  # alert open: kept
    assert ScreeningAlert.objects.get(pk=alert.pk).subject_name == "Vladimir Petrov"
    # the officer's page says so (the officer may still erase: a deliberate act)
    client.force_login(dpo)
    page = client.get(f"/privacy/records/network.person/{person.pk}/").content.decode()
    assert "Still pending:" in page and "screening alerts: 1" in page

    # once reviewed, the person's period is over: erased, and the alert with them
    d.decide_alert(actor=editor, alert=alert, outcome="cleared", reason="Other man.")
    settings.PRIVACY_RETENTION_DAYS = {"screening.screeningalert": None}  # only via the person
    dry = privacy.apply_retention(now=later, dry_run=True)
    assert dry.counts["network.person"] >= 1
    assert dry.counts["screening.screeningalert"] == 1  # erased with the person: counted
    assert Person.objects.get(pk=person.pk).name == "Vladimir Petrov"  # a dry run erases nothing
    report = privacy.apply_retention(now=later)
    assert report.counts == dry.counts
    assert Person.objects.get(pk=person.pk).name == ""
    assert ScreeningAlert.objects.get(pk=alert.pk).erased
    page = client.get(f"/privacy/records/network.person/{person.pk}/").content.decode()
    assert "Still pending:" not in page


def test_officer_erases_a_person_with_an_open_alert_which_then_no_longer_counts_as_open(
    un_small, editor, dpo, client
):
    from harambee.screening.dd.profile import screening_practice
    from harambee.screening.models import ScreeningAlert

    _person, alert = _person_with_alert(editor.organisation)
    open_before = screening_practice(editor.organisation)["open_alerts"]
    assert open_before >= 1
    found = privacy.find_person(actor=dpo, kind="name", value="Vladimir Petrov")
    privacy.erase_record(actor=dpo, match=next(m for m in found if m.label == "network.person"))
    erased = ScreeningAlert.objects.get(pk=alert.pk)
    assert erased.erased and erased.status == "open"  # the record stays as it was
    assert screening_practice(editor.organisation)["open_alerts"] == open_before - 1
    api = APIClient()
    api.force_authenticate(editor)
    listed = api.get("/api/screening/alerts/?status=open").json()
    ids = {a["id"] for a in listed.get("results", listed)}
    assert alert.pk not in ids
    everything = api.get("/api/screening/alerts/").json()
    assert alert.pk in {a["id"] for a in everything.get("results", everything)}
