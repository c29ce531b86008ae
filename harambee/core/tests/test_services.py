import threading

import pytest
from django.db import connection

from harambee.core.choices import Action, Role, Visibility
from harambee.core.errors import PermissionDeniedError, StaleVersionError
from harambee.core.models import ChangeRecord
from harambee.core.services import create_object, delete_object, update_object
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Organisation
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    org = OrganisationFactory(name="Editors United")
    user = UserFactory(organisation=org)
    GroupRoleFactory(user=user, role=Role.EDITOR)
    return user


def test_create_writes_change_record_with_after(editor):
    org = create_object(
        Organisation,
        actor=editor,
        data={
            "name": "Hope Relief",
            "org_type": "national_ngo",
            "owner_organisation": editor.organisation,
        },
    )
    record = ChangeRecord.objects.for_object(org).get()
    assert record.action == Action.CREATE
    assert record.user == editor
    assert record.before is None
    assert record.after["name"] == "Hope Relief"


def test_update_records_before_and_after_and_bumps_version(editor):
    org = OrganisationFactory(name="Old name", owner_organisation=editor.organisation)
    update_object(org, actor=editor, data={"name": "New name"}, expected_version=1)
    org.refresh_from_db()
    assert org.version == 2
    record = ChangeRecord.objects.for_object(org).get(action=Action.UPDATE)
    assert record.before["name"] == "Old name"
    assert record.after["name"] == "New name"
    assert [c["field"] for c in record.changed_fields] == ["name", "version"]


def test_stale_version_is_refused_and_nothing_changes(editor):
    org = OrganisationFactory(name="Original", owner_organisation=editor.organisation)
    update_object(org, actor=editor, data={"name": "First edit"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        update_object(org, actor=editor, data={"name": "Second edit"}, expected_version=1)
    org.refresh_from_db()
    assert org.name == "First edit"
    assert ChangeRecord.objects.for_object(org).filter(action=Action.UPDATE).count() == 1


def test_invalid_update_rolls_back_version_claim(editor):
    org = OrganisationFactory(owner_organisation=editor.organisation)
    with pytest.raises(Exception):  # noqa: B017 - ValidationError from full_clean
        update_object(org, actor=editor, data={"name": ""}, expected_version=1)
    org.refresh_from_db()
    assert org.version == 1


def test_permission_denied_for_another_organisations_record(editor):
    other = OrganisationFactory(owner_organisation=OrganisationFactory())
    with pytest.raises(PermissionDeniedError):
        update_object(other, actor=editor, data={"name": "Hijacked"}, expected_version=1)
    with pytest.raises(PermissionDeniedError):
        delete_object(other, actor=editor)


def test_viewer_cannot_create():
    viewer = UserFactory(organisation=OrganisationFactory())
    GroupRoleFactory(user=viewer, role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        create_object(Organisation, actor=viewer, data={"name": "X", "org_type": "other"})


def test_delete_records_before_and_keeps_id():
    org = OrganisationFactory(name="Gone", visibility=Visibility.PUBLIC)
    pk = org.pk
    delete_object(org, actor=None)
    record = ChangeRecord.objects.get(action=Action.DELETE)
    assert record.object_id == str(pk)
    assert record.before["name"] == "Gone"
    assert record.user_name == "system"


def test_change_records_cannot_be_edited_or_deleted():
    org = create_object(Organisation, actor=None, data={"name": "Audit me", "org_type": "other"})
    record = ChangeRecord.objects.for_object(org).get()
    record.note = "tampered"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().delete()
    with pytest.raises(PermissionError):
        ChangeRecord.objects.update(note="tampered")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_from_the_same_version_one_wins():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    org = OrganisationFactory(name="Race")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def save(name: str) -> None:
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            update_object(
                Organisation.objects.get(pk=org.pk),
                actor=None,
                data={"name": name},
                expected_version=1,
            )
            outcomes.append("saved")
        except StaleVersionError:
            outcomes.append("stale")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    org.refresh_from_db()
    assert org.version == 2


def test_named_visibility_keeps_its_author_among_the_named(editor):
    org = create_object(
        Organisation,
        actor=editor,
        data={
            "name": "Quiet Partner",
            "org_type": "other",
            "visibility": Visibility.NAMED,
            "owner_organisation": editor.organisation,
        },
    )
    assert list(org.shared_with.all()) == [editor]
    assert Organisation.objects.restrict(editor).filter(pk=org.pk).exists()


def test_named_visibility_without_anybody_named_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        create_object(
            Organisation,
            actor=None,
            data={"name": "Nobody sees me", "org_type": "other", "visibility": Visibility.NAMED},
        )
    assert "shared_with" in error.value.message_dict
    assert not Organisation.objects.filter(name="Nobody sees me").exists()
