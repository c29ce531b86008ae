# Alerts of continuous screening: the name screened, the query and the hit encrypted at rest,
# a keyed hash of the name (the data protection officer's search); an erased alert (no query
# key left) no longer counts in "one alert per query and entry content".

import harambee.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0003_person_encrypted_name_and_hashes'),
        ('screening', '0005_encrypt_existing_payees'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='screeningalert',
            name='screening_alert_once_per_entry_content',
        ),
        migrations.AddField(
            model_name='screeningalert',
            name='subject_name_hash',
            field=harambee.core.fields.HashField(kind='text', source='subject_name'),
        ),
        migrations.AlterField(
            model_name='screeningalert',
            name='hit',
            field=harambee.core.fields.EncryptedJSONField(verbose_name='hit'),
        ),
        migrations.AlterField(
            model_name='screeningalert',
            name='query',
            field=harambee.core.fields.EncryptedJSONField(verbose_name='query'),
        ),
        migrations.AlterField(
            model_name='screeningalert',
            name='subject_name',
            field=harambee.core.fields.EncryptedTextField(max_length=500, verbose_name='name screened'),
        ),
        migrations.AddConstraint(
            model_name='screeningalert',
            constraint=models.UniqueConstraint(condition=models.Q(('query_key', ''), _negated=True), fields=('organisation', 'query_key', 'list_code', 'entry_ref', 'entry_fingerprint'), name='screening_alert_once_per_entry_content'),
        ),
    ]
