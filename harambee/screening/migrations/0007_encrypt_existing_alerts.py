# Data step of 0006: alerts written before it hold the name screened, the query and the hit in
# clear.

import json

from django.db import migrations
from django.db.models import CharField, TextField, Value

BATCH = 500
PERSONAL = ("subject_name", "query", "hit")


def _batches(Alert, fields):
    """Alerts in batches of BATCH, by primary key (no offset: each batch starts after the last)."""
    last = 0
    while True:
        rows = list(Alert.objects.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def encrypt_alerts(apps, schema_editor):
    """Write each alert's personal fields again: the fields read a value stored in clear as it
    is and encrypt it when written back; the keyed hash of the name is filled in."""
    from harambee.core.fields import keyed_hash

    Alert = apps.get_model("screening", "ScreeningAlert")
    for rows in _batches(Alert, PERSONAL):
        for alert in rows:
            alert.subject_name_hash = keyed_hash(alert.subject_name, "text")
        Alert.objects.bulk_update(rows, [*PERSONAL, "subject_name_hash"])


def decrypt_alerts(apps, schema_editor):
    """Back to values in clear (0006 reversed then makes the columns plain again: JSON for the
    query and the hit, so an erased one, stored as "", is written as an empty list)."""
    Alert = apps.get_model("screening", "ScreeningAlert")
    for rows in _batches(Alert, PERSONAL):
        for alert in rows:
            Alert.objects.filter(pk=alert.pk).update(
                subject_name=Value((alert.subject_name or "")[:500], output_field=CharField()),
                query=Value(json.dumps(alert.query or [], ensure_ascii=False), TextField()),
                hit=Value(json.dumps(alert.hit or [], ensure_ascii=False), TextField()),
                subject_name_hash="",
            )


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0006_alert_personal_data_encrypted"),
    ]

    operations = [
        migrations.RunPython(encrypt_alerts, decrypt_alerts),
    ]
