import pytest
from django.db import connection

from harambee.core.models import ChangeRecord
from harambee.core.services import create_object
from harambee.network.models import Person
from harambee.network.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_personal_fields_are_encrypted_at_rest_and_read_in_clear():
    org = OrganisationFactory()
    person = create_object(
        Person,
        actor=None,
        data={
            "organisation": org,
            "name": "Amina Test",
            "email": "amina@example.org",
            "phone": "+256 700 000000",
            "visibility": "organisation",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, phone FROM network_person WHERE id = %s", [person.pk])
        raw_email, raw_phone = cursor.fetchone()
    assert "amina" not in raw_email and "700" not in raw_phone
    assert Person.objects.get(pk=person.pk).email == "amina@example.org"
    record = ChangeRecord.objects.for_object(person).get()
    # The audit trail says that it changed, never what it is.
    assert record.after["email"].startswith("hmac:")
    assert "amina" not in str(record.after)
