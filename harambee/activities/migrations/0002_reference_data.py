from django.db import migrations


def load(apps, schema_editor):
    from harambee.activities.reference import load_reference

    load_reference(apps.get_model("activities", "Sector"), apps.get_model("activities", "PopulationGroup"))


def unload(apps, schema_editor):
    apps.get_model("activities", "Sector").objects.filter(country__isnull=True).delete()
    apps.get_model("activities", "PopulationGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
