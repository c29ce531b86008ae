import datetime
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from harambee.core.audit import snapshot
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.fields import keyed_hash, personal_fields
from harambee.core.models import ChangeRecord
from harambee.core.services import create_object, update_object
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Person
from harambee.network.tests.factories import OrganisationFactory, PersonFactory
from harambee.privacy import services
from harambee.privacy.models import AccessLog, Consent, RetentionRun
from harambee.privacy.registry import personal_data

pytestmark = pytest.mark.django_db

SENTINEL = "Zawadi Sentinel-Value 0700123456 zawadi@example.org"


def test_change_log_never_holds_a_personal_value_of_any_model():
    """Walk every model's personal fields: a snapshot (what the change log stores) holds a
    keyed fingerprint, never the value."""
    walked = []
    for model in apps.get_models():
        fields = personal_fields(model)
        if not fields:
            continue
        instance = model()
        for f in fields:
            setattr(instance, f.attname, SENTINEL)
        m2m = {f.name: [] for f in model._meta.local_many_to_many}
        recorded = json.dumps(snapshot(instance, related=m2m))
        for f in fields:
            assert "Sentinel" not in recorded and "0700123456" not in recorded, (model, f.name)
        walked.append(model._meta.label)
    assert "network.Person" in walked


def test_person_lifecycle_leaves_no_clear_value_in_the_change_log(dpo):
    org = OrganisationFactory()
    person = create_object(
        Person,
        actor=None,
        data={
            "organisation": org,
            "name": "Zawadi Okello",
            "email": "z@example.org",
            "phone": "+256 700 123456",
            "visibility": "organisation",
        },
    )
    update_object(person, actor=None, data={"phone": "+256 711 000000"}, expected_version=1)
    match = services.get_record(actor=dpo, label="network.person", pk=person.pk)
    services.erase_record(actor=dpo, match=match)
    with connection.cursor() as cursor:
        cursor.execute("SELECT before, after FROM core_changerecord")
        stored = " ".join(str(row) for row in cursor.fetchall())
        cursor.execute("SELECT name, email, phone FROM network_person")
        raw = " ".join(str(v) for v in cursor.fetchone())
    for clear in ("Zawadi", "z@example.org", "700 123456", "711 000000"):
        assert clear not in stored
    assert "Zawadi" not in raw


def test_keyed_hashes_find_a_person_whatever_the_spelling(dpo):
    person = PersonFactory(name="Amina Okéllo", email="Amina@Example.org", phone="+256 700 000 111")
    assert person.name_hash == keyed_hash("amina  okello")
    for kind, value in [
        ("name", "AMINA OKELLO"),
        ("email", " amina@example.ORG"),
        ("phone", "00256700000111"),
    ]:
        matches = services.find_person(actor=dpo, kind=kind, value=value)
        assert [m.record.pk for m in matches] == [person.pk], kind
    assert services.find_person(actor=dpo, kind="email", value="other@example.org") == []
    searches = AccessLog.objects.filter(action="search")
    assert searches.count() == 4
    # The log holds what was done, never what was searched for.
    assert all("amina" not in (e.note + e.path).lower() for e in searches)


def test_only_data_protection_officers_manage_personal_data():
    PersonFactory(email="a@example.org")
    with pytest.raises(PermissionDeniedError):
        services.find_person(actor=UserFactory(), kind="email", value="a@example.org")
    with pytest.raises(ServiceError):
        services.find_person(actor=None, kind="shoe size", value="42")


def test_export_correct_and_erase_are_logged(dpo):
    person = PersonFactory(name="Grace Atim", email="grace@example.org", phone="")
    services.record_consent(subject=person, purpose="coordination_contact", actor=dpo)
    matches = services.find_person(actor=dpo, kind="email", value="grace@example.org")
    exported = services.export_person(actor=dpo, matches=matches)
    record = exported["records"][0]
    assert record["personal_data"]["name"] == "Grace Atim"
    assert record["consents"][0]["policy_version"] == "2026-1"
    json.dumps(exported, default=str)

    match = services.get_record(actor=dpo, label="network.person", pk=person.pk)
    with pytest.raises(ServiceError):
        services.correct_record(actor=dpo, match=match, data={"role": "x"})
    services.correct_record(actor=dpo, match=match, data={"email": "grace.atim@example.org"})
    person.refresh_from_db()
    assert person.email == "grace.atim@example.org"
    assert person.email_hash == keyed_hash("grace.atim@example.org", "email")

    services.erase_record(
        actor=dpo, match=services.get_record(actor=dpo, label="network.person", pk=person.pk)
    )
    person.refresh_from_db()
    assert (person.name, person.email, person.name_hash, person.email_hash) == ("", "", "", "")
    assert str(person) == person.reference  # never the name, erased or not
    assert ChangeRecord.objects.for_object(person).filter(action="erase").exists()
    actions = set(AccessLog.objects.filter(user=dpo).values_list("action", flat=True))
    assert {"search", "view", "export", "correct", "erase"} <= actions


def test_consent_is_recorded_and_withdrawn():
    person = PersonFactory()
    consent = services.record_consent(
        subject=person, purpose="coordination_contact", method="written"
    )
    assert consent.active and consent.subject == person
    services.withdraw_consent(consent=consent)
    assert not Consent.objects.get(pk=consent.pk).active


def test_retention_erases_old_personal_data_and_keeps_the_records(settings):
    settings.PRIVACY_RETENTION_DAYS = {"network.person": 30}
    old, recent = PersonFactory(), PersonFactory()
    Person.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=31))

    dry = services.apply_retention(dry_run=True)
    assert dry.counts["network.person"] == 1
    assert Person.objects.get(pk=old.pk).name == old.name

    report = services.apply_retention()
    assert report.counts["network.person"] == 1
    assert Person.objects.get(pk=old.pk).name == "" and Person.objects.get(pk=recent.pk).name
    assert Person.objects.count() == 2  # the counts stay
    assert services.apply_retention().counts["network.person"] == 0  # idempotent
    assert RetentionRun.objects.filter(dry_run=False).count() == 2


def test_retention_setting_none_keeps_until_erased_by_hand(settings):
    settings.PRIVACY_RETENTION_DAYS = {"network.person": None}
    assert personal_data.get("network.person").days is None
    assert "network.person" not in services.apply_retention().counts


def test_apply_retention_command(settings, capsys):
    settings.PRIVACY_RETENTION_DAYS = {"network.person": 1}
    person = PersonFactory()
    Person.objects.filter(pk=person.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("apply-retention", "--dry-run")
    assert "network.person: would erase 1" in capsys.readouterr().out
    call_command("apply-retention")
    assert "network.person: erased 1" in capsys.readouterr().out
    call_command("apply-retention", "--enqueue")
    assert "Enqueued retention task" in capsys.readouterr().out


OLD_KEY = "7o1eTf0l1Zq7o2mSNoG6t4M2l1Rz2Vh8m1Y0fE2bH9s="
NEW_KEY = "R2m7qVx0a4Hk9sLw3Ny6Pc1Bt8Fj5Zd0Ue2Io7Gy4Qa="


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email FROM network_person WHERE id = %s", [pk])
        return cursor.fetchone()


def test_rotate_keys_re_encrypts_with_the_first_key_and_is_idempotent(settings, capsys):
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEY = OLD_KEY
    person = PersonFactory(name="Old Key", email="old@example.org")
    plain = PersonFactory(name="x")
    with connection.cursor() as cursor:  # a row written before encryption
        cursor.execute(
            "UPDATE network_person SET name = %s WHERE id = %s", ["Clear Name", plain.pk]
        )

    settings.FIELD_ENCRYPTION_KEY = f"{NEW_KEY},{OLD_KEY}"
    assert Person.objects.get(pk=person.pk).email == "old@example.org"  # old key still reads
    call_command("rotate-keys", "--batch-size", "1")
    assert "network.person: re-encrypted 2 rows" in capsys.readouterr().out
    new = Fernet(NEW_KEY.encode())
    for value in (*_raw(person.pk), _raw(plain.pk)[0]):
        new.decrypt(value.encode())  # readable with the new key alone
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    assert Person.objects.get(pk=plain.pk).name == "Clear Name"
    again = services.rotate_keys()  # every model with encrypted fields, nothing left to do
    assert again["network.person"] == 0 and set(again.values()) == {0}


def test_hash_refresh_after_a_hash_key_change(settings):
    person = PersonFactory(email="h@example.org")
    settings.FIELD_HASH_KEY = "another-hash-key"
    assert services.hash_refresh()["network.person"] >= 1
    person.refresh_from_db()
    assert person.email_hash == keyed_hash("h@example.org", "email")
