"""Payees of an organisation: screened when added, again whenever a list changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.choices import Visibility
from harambee.core.errors import PermissionDeniedError
from harambee.core.services import create_object, delete_object

from ..models import Payee
from .continuous import payee_subject, screen_subjects


def payees(*, user: Any) -> QuerySet[Payee]:
    return Payee.objects.restrict(user).select_related("organisation")


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
    transaction.on_commit(lambda: screen_subjects([payee_subject(payee)]))
    return payee


def payee_remove(*, actor: Any, payee: Payee) -> None:
    delete_object(payee, actor=actor)
