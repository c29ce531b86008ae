# Data step of 0004: payees written before it hold their personal data in clear.

import json

from django.db import migrations
from django.db.models import CharField, TextField, Value

BATCH = 500
PERSONAL = ("name", "date_of_birth", "nationality", "identifiers", "notes")


def _batches(Payee, fields):
    """Payees in batches of BATCH, by primary key (no offset: each batch starts after the last)."""
    last = 0
    while True:
        rows = list(Payee.objects.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def encrypt_payees(apps, schema_editor):
    """Write each payee's personal fields again: the fields read a value stored in clear as it
    is and encrypt it when written back; the keyed hash of the name is filled in.

    The change log titled payees by name (`object_repr`): it now says their reference, as new
    records do.
    """
    from harambee.core.fields import keyed_hash

    Payee = apps.get_model("screening", "Payee")
    for rows in _batches(Payee, PERSONAL):
        for payee in rows:
            payee.name_hash = keyed_hash(payee.name, "text")
            payee.identifiers = list(payee.identifiers or [])
        Payee.objects.bulk_update(rows, [*PERSONAL, "name_hash"])
    retitle_by_reference(apps)


def decrypt_payees(apps, schema_editor):
    """Back to values in clear (0004 reversed then makes the columns plain again)."""
    Payee = apps.get_model("screening", "Payee")
    for rows in _batches(Payee, PERSONAL):
        for payee in rows:
            Payee.objects.filter(pk=payee.pk).update(
                name=Value((payee.name or "")[:500], output_field=CharField()),
                date_of_birth=Value((payee.date_of_birth or "")[:10], output_field=CharField()),
                nationality=Value((payee.nationality or "")[:100], output_field=CharField()),
                # Valid JSON for the JSON column it becomes again (an erased value is "").
                identifiers=Value(
                    json.dumps(list(payee.identifiers or []), ensure_ascii=False),
                    output_field=TextField(),
                ),
                notes=Value(payee.notes or "", output_field=TextField()),
            )
    retitle_by_name(apps)


def _payee_records(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChangeRecord = apps.get_model("core", "ChangeRecord")
    content_type = ContentType.objects.filter(app_label="screening", model="payee").first()
    if content_type is None:
        return ChangeRecord.objects.none()  # a new database: no payee, no record of one
    return ChangeRecord.objects.filter(content_type=content_type)


def retitle_by_reference(apps):
    """Every payee's change records titled by its reference (removed payees' too)."""
    records = _payee_records(apps)
    for object_id in set(records.values_list("object_id", flat=True)):
        if object_id.isdigit():
            records.filter(object_id=object_id).update(object_repr=f"PY-{int(object_id):06d}")


def retitle_by_name(apps):
    """Back to the name as title, for the payees still there (the others keep the reference)."""
    records = _payee_records(apps)
    if not records.exists():
        return
    Payee = apps.get_model("screening", "Payee")
    for rows in _batches(Payee, ("name",)):
        for payee in rows:
            records.filter(object_id=str(payee.pk)).update(object_repr=(payee.name or "")[:255])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_erase_action"),
        ("screening", "0004_payee_personal_data_encrypted"),
    ]

    operations = [
        migrations.RunPython(encrypt_payees, decrypt_payees),
    ]
