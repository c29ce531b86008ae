# Data only: contact people's change records were titled by the person's name (`object_repr`);
# they now say the person's reference (CP-000012), as new records do (Person.__str__).

from django.db import migrations

BATCH = 500


def _person_records(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChangeRecord = apps.get_model("core", "ChangeRecord")
    content_type = ContentType.objects.filter(app_label="network", model="person").first()
    if content_type is None:
        return ChangeRecord.objects.none()  # a new database: no person, no record of one
    return ChangeRecord.objects.filter(content_type=content_type)


def _batches(Person):
    """People in batches of BATCH, by primary key (no offset: each batch starts after the last)."""
    last = 0
    while True:
        rows = list(Person.objects.filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def retitle_by_reference(apps, schema_editor):
    """Every person's change records titled by its reference (removed people's too)."""
    records = _person_records(apps)
    for object_id in set(records.values_list("object_id", flat=True)):
        if object_id.isdigit():
            records.filter(object_id=object_id).update(object_repr=f"CP-{int(object_id):06d}")


def retitle_by_name(apps, schema_editor):
    """Back to the name as title, for the people still there (the others keep the reference;
    an erased name gives "(erased)", as the title was then)."""
    records = _person_records(apps)
    if not records.exists():
        return
    Person = apps.get_model("network", "Person")
    for rows in _batches(Person):
        for person in rows:
            title = (person.name or "(erased)")[:255]
            records.filter(object_id=str(person.pk)).update(object_repr=title)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_erase_action"),
        ("network", "0003_person_encrypted_name_and_hashes"),
    ]

    operations = [
        migrations.RunPython(retitle_by_reference, retitle_by_name),
    ]
