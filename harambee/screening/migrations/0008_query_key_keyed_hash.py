# query_key becomes a keyed hash of the query (QueryKeyField, a HashField): recomputed on save
# and by `rotate-keys --hashes`. The column stays a 64-character indexed text; 0009 recomputes
# the stored keys.

import harambee.screening.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0007_encrypt_existing_alerts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='screeningalert',
            name='query_key',
            field=harambee.screening.fields.QueryKeyField(kind='query', source='query', verbose_name='query key'),
        ),
        migrations.AlterField(
            model_name='screeningdecision',
            name='query_key',
            field=harambee.screening.fields.QueryKeyField(kind='query', source='query', verbose_name='query key'),
        ),
    ]
