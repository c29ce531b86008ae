"""A delete leaves a change record for everything it takes with it, not only the record asked."""

import pytest
from django.contrib.contenttypes.models import ContentType

from harambee.core.choices import Action, Role
from harambee.core.errors import VERSION_MISSING
from harambee.core.forms import VersionedForm
from harambee.core.models import ChangeRecord
from harambee.core.services import delete_object
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Membership, Organisation, Person
from harambee.network.tests.factories import (
    GroupRoleFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)
from harambee.places.models import Country

pytestmark = pytest.mark.django_db


def deleted(model, pk):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(pk),
        action=Action.DELETE,
    )


def test_deleting_an_organisation_records_its_people_and_memberships(django_assert_max_num_queries):
    admin = UserFactory(is_superuser=True)
    org = OrganisationFactory(name="Gone NGO", acronym="")
    org.countries.set(Country.objects.filter(pk__in=["KEN", "UGA"]))
    people = PersonFactory.create_batch(3, organisation=org)
    membership = MembershipFactory(organisation=org)
    survivor = PersonFactory()
    pk = org.pk
    delete_object(org, actor=admin, expected_version=1)

    own = deleted(Organisation, pk).get()
    assert own.note == "" and own.before["name"] == "Gone NGO" and own.user == admin
    assert own.before["countries"] == ["KEN", "UGA"]  # many-to-many rows: in the snapshot
    note = f"Deleted with organisation “Gone NGO” (#{pk})."
    for person in people:
        record = deleted(Person, person.pk).get()
        assert record.note == note and record.user == admin
        # A person's name is personal: the change log holds a keyed fingerprint, never the name.
        assert record.before["name"].startswith("hmac:") and record.after is None
        assert person.name not in str(record.before)
        assert record.object_repr == person.reference  # titled by reference, not by name
    record = deleted(Membership, membership.pk).get()
    assert record.note == note and record.before["group"] == membership.group_id
    assert not deleted(Person, survivor.pk).exists()
    # Only real records: no entries for rows of the countries many-to-many table.
    through = ContentType.objects.get_for_model(Organisation.countries.through)
    assert not ChangeRecord.objects.filter(content_type=through).exists()
    assert ChangeRecord.objects.filter(action=Action.DELETE).count() == 5


def test_records_are_written_in_the_same_transaction(monkeypatch):
    """If writing the records fails, nothing is deleted."""
    org = OrganisationFactory()
    pk = org.pk
    PersonFactory(organisation=org)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChangeRecord.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        delete_object(org, actor=None, expected_version=1)
    assert Organisation.objects.filter(pk=pk).exists()
    assert Person.objects.filter(organisation_id=pk).count() == 1


def test_a_delete_without_dependents_writes_one_record():
    user = UserFactory()
    role = GroupRoleFactory(user=user, role=Role.VIEWER)
    delete_object(role, actor=None, expected_version=1)
    assert ChangeRecord.objects.filter(action=Action.DELETE).count() == 1


@pytest.mark.parametrize("value", [None, "", "x", "0"])
def test_versioned_forms_need_the_version(value):
    data = {} if value is None else {"version": value}
    form = VersionedForm(data)
    assert not form.is_valid()
    assert form.errors["version"] == [str(VERSION_MISSING)]
    assert form.non_field_errors() == [str(VERSION_MISSING)]
    assert VersionedForm({"version": "3"}).is_valid()
