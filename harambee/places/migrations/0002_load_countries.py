from django.db import migrations


def load(apps, schema_editor):
    from harambee.places.countries import sync_countries

    sync_countries(apps.get_model("places", "Country"))


def unload(apps, schema_editor):
    apps.get_model("places", "Country").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
