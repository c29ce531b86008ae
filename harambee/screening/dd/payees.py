"""Payees of an organisation: screened when added, again whenever a list changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.choices import Visibility
from harambee.core.errors import PermissionDeniedError
from harambee.core.services import create_object, delete_object, update_object

from ..models import Payee
from .continuous import payee_subject, screen_subjects


def payees(*, user: Any) -> QuerySet[Payee]:
    return Payee.objects.restrict(user).select_related("organisation")


def _screen_when_committed(payee: Payee) -> None:
    """Screen the payee (as it now is) once the write is committed; new hits alert."""
    transaction.on_commit(lambda: screen_subjects([payee_subject(payee)]))


def payee_add(*, actor: Any, data: dict[str, Any]) -> Payee:
    """Add a payee of the actor's organisation (editors) and screen it at once."""
    access = access_for(actor)
    if access.organisation_id is None:
        raise PermissionDeniedError(_("Only people of an organisation add its payees."))
    payee = create_object(
        Payee,
        actor=actor,
        data={
            **data,
            "organisation_id": access.organisation_id,
            "owner_organisation_id": access.organisation_id,
            "visibility": Visibility.ORGANISATION,
        },
    )
    _screen_when_committed(payee)
    return payee


def payee_update(
    *, actor: Any, payee: Payee, data: dict[str, Any], expected_version: int | None
) -> Payee:
    """Change a payee (editors of its organisation) if nobody saved it since
    `expected_version`, and screen it again as changed."""
    allowed = {"name", "schema", "date_of_birth", "nationality", "identifiers", "notes"}
    payee = update_object(
        payee,
        actor=actor,
        data={k: v for k, v in data.items() if k in allowed},
        expected_version=expected_version,
    )
    _screen_when_committed(payee)
    return payee


def payee_remove(*, actor: Any, payee: Payee, expected_version: int | None = None) -> None:
    """Remove a payee (coordinators of its organisation); with `expected_version`, only if
    nobody changed it since."""
    delete_object(payee, actor=actor, expected_version=expected_version)
