# Data step of 0008: decisions and alerts written before it hold an unkeyed SHA-256 of their
# query. Each key is recomputed from the query the row stores (decisions keep theirs in clear,
# alerts encrypted since 0007), so a hit cleared before this step stays cleared after it.

import hashlib

from django.db import migrations

BATCH = 500


def _batches(Model):
    last = 0
    while True:
        rows = list(
            Model.objects.filter(pk__gt=last).order_by("pk").only("pk", "query", "query_key")[
                :BATCH
            ]
        )
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _rewrite(apps, key_of):
    for name in ("ScreeningDecision", "ScreeningAlert"):
        Model = apps.get_model("screening", name)
        for rows in _batches(Model):
            changed = []
            for row in rows:
                key = key_of(row)
                if key != row.query_key:
                    row.query_key = key
                    changed.append(row)
            # A plain update: the historical model has no append-only guard, and the field's
            # pre_save (the current key) is not what the reverse step writes.
            Model.objects.bulk_update(changed, ["query_key"])


def keyed_keys(apps, schema_editor):
    """HMAC-SHA256 with FIELD_HASH_KEY, as the application computes it now. An erased query
    (an erased alert) has no key."""
    from harambee.screening.dd.decisions import query_key

    _rewrite(apps, lambda row: query_key(row.query) if row.query else "")


def plain_keys(apps, schema_editor):
    """Back to the SHA-256 of the normalised query (what 0008 reversed expects). An erased
    alert gets a key of its own, matching no query, as the constraint of 0006 reversed needs."""
    from harambee.screening.dd.decisions import query_material

    def plain(row):
        if not row.query:
            return hashlib.sha256(f"erased alert {row.pk}".encode()).hexdigest()
        return hashlib.sha256(query_material(row.query)).hexdigest()

    _rewrite(apps, plain)


class Migration(migrations.Migration):

    dependencies = [
        ("screening", "0008_query_key_keyed_hash"),
    ]

    operations = [
        migrations.RunPython(keyed_keys, plain_keys),
    ]
