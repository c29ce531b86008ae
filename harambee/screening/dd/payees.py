"""Payees of an organisation: screened when added, again whenever a list changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.choices import Visibility
from harambee.core.errors import PermissionDeniedError
from harambee.core.fields import keyed_hash
from harambee.core.services import create_object, delete_object, update_object

from ..models import Payee
from .continuous import payee_subject, screen_subjects


def payees(*, user: Any) -> QuerySet[Payee]:
    return Payee.objects.restrict(user).select_related("organisation")


def payee_ids_by_name(queryset: QuerySet[Payee]) -> list[int]:
    """The payees' ids in the order of their names (organisation first; erased ones last).

    Names are encrypted at rest, so the database cannot sort them: only the names are read
    and decrypted here, then a page of whole payees is fetched by id (`payees_in_order`).
    """
    rows = queryset.order_by().only("pk", "organisation_id", "name")
    return [
        p.pk
        for p in sorted(
            rows, key=lambda p: (p.organisation_id, p.erased, (p.name or "").casefold(), p.pk)
        )
    ]


def payees_in_order(queryset: QuerySet[Payee], ids: list[int]) -> list[Payee]:
    """The payees with these ids (those the queryset holds), in the order of `ids`."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def find_payees(queryset: QuerySet[Payee], name: str) -> QuerySet[Payee]:
    """Payees with exactly this name (case, accents and spacing aside): the keyed hash, not
    the encrypted column, is compared."""
    digest = keyed_hash(name, "text")
    return queryset.filter(name_hash=digest) if digest else queryset.none()


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
