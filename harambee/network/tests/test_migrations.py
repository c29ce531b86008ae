"""Data migrations of the network app, run forward and back on rows written before them."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from harambee.core.choices import Visibility
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.network import services
from harambee.network.models import Person

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _titles(person_pk: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT object_repr, object_id FROM core_changerecord")
        return {title for title, object_id in cursor.fetchall() if object_id == str(person_pk)}


def test_person_change_records_retitled_by_reference_and_back():
    """0004: change records that named a person (as they did before it) say its reference."""
    step = importlib.import_module(
        "harambee.network.migrations.0004_person_change_log_by_reference"
    )
    admin = UserFactory(is_superuser=True)
    organisation = OrganisationFactory()

    def add(name: str) -> Person:
        data = {"organisation": organisation, "name": name, "visibility": Visibility.ORGANISATION}
        return services.person_create(actor=admin, data=data)

    kept, gone = add("Zawadi Okello"), add("Baraka Mwangi")
    gone_pk = gone.pk
    services.person_delete(actor=admin, person=gone, expected_version=1)
    with connection.cursor() as cursor:  # as the change log was written before 0004
        cursor.execute(
            "UPDATE core_changerecord SET object_repr=%s WHERE object_id=%s",
            ["Zawadi Okello", str(kept.pk)],
        )
        cursor.execute(
            "UPDATE core_changerecord SET object_repr=%s WHERE object_id=%s",
            ["Baraka Mwangi", str(gone_pk)],
        )
    state = MigrationExecutor(connection).loader.project_state(
        ("network", "0004_person_change_log_by_reference"), at_end=False
    )
    step.retitle_by_reference(state.apps, None)
    assert _titles(kept.pk) == {kept.reference}
    assert _titles(gone_pk) == {f"CP-{gone_pk:06d}"}  # removed people's records too
    assert ChangeRecord.objects.filter(object_repr__contains="Okello").count() == 0
    step.retitle_by_reference(state.apps, None)  # safe to run again
    assert _titles(kept.pk) == {kept.reference}
    step.retitle_by_name(state.apps, None)
    assert _titles(kept.pk) == {"Zawadi Okello"}
    assert _titles(gone_pk) == {f"CP-{gone_pk:06d}"}  # no name left to go back to
