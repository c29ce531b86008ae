"""Generic write operations every app's named services build on.

Each one checks the actor's permission (actor=None means the system: importers, demo data),
validates with full_clean(), runs in one transaction and writes the change record inside it.
Updates carry the version the caller read; a stale one is refused, never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import access_for
from .audit import change_record, record_change, snapshot
from .choices import Action, Permission, Visibility
from .errors import PermissionDeniedError, StaleVersionError
from .models import ChangeRecord

M = TypeVar("M", bound=models.Model)


def require(actor: Any, action: str, instance: models.Model) -> None:
    """Raise unless the actor may do `action` on the instance (system actor may do anything)."""
    if actor is None:
        return
    model = type(instance)
    allowed = model.objects.restrict(actor, action).filter(pk=instance.pk).exists()  # type: ignore[attr-defined]
    if not allowed:
        raise PermissionDeniedError(
            _("You do not have permission to %(action)s this %(model)s.")
            % {"action": action, "model": model._meta.verbose_name}
        )


def require_create(actor: Any, model: type[models.Model]) -> None:
    if actor is None:
        return
    if not model.can_create(access_for(actor)):  # type: ignore[attr-defined]
        raise PermissionDeniedError(
            _("You do not have permission to add a %(model)s.")
            % {"model": model._meta.verbose_name}
        )


def _set_m2m(instance: models.Model, m2m: Mapping[str, Iterable[Any]] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(list(values))


def _keep_named_people_sound(instance: models.Model, actor: Any) -> None:
    """A record visible to 'named people' names somebody, and its author can still see it."""
    if getattr(instance, "visibility", None) != Visibility.NAMED:
        return
    named = instance.shared_with  # type: ignore[attr-defined]
    if getattr(actor, "is_authenticated", False) and not access_for(actor).is_admin:
        named.add(actor)
    if not named.exists():
        raise ValidationError(
            {
                "shared_with": _(
                    "Name at least one person who may see it, or choose another visibility."
                )
            }
        )


@transaction.atomic
def create_object(
    model: type[M],
    *,
    actor: Any,
    data: Mapping[str, Any],
    m2m: Mapping[str, Iterable[Any]] | None = None,
    check_permission: bool = True,
    note: str = "",
) -> M:
    if check_permission:
        require_create(actor, model)
    instance = model(**data)
    instance.full_clean()
    instance.save()
    _set_m2m(instance, m2m)
    _keep_named_people_sound(instance, actor)
    record_change(
        actor=actor,
        action=Action.CREATE,
        instance=instance,
        before=None,
        after=snapshot(instance),
        note=note,
    )
    return instance


@transaction.atomic
def update_object(
    instance: M,
    *,
    actor: Any,
    data: Mapping[str, Any],
    expected_version: int | None,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    check_permission: bool = True,
    note: str = "",
) -> M:
    """Apply `data` if the stored version is still `expected_version` (None: system, no check)."""
    if check_permission:
        require(actor, Permission.CHANGE, instance)
    model = type(instance)
    current = model._default_manager.get(pk=instance.pk)
    before = snapshot(current)
    # The conditional UPDATE is the lock: of two saves based on the same version, one wins.
    claim = model._default_manager.filter(pk=instance.pk)
    if expected_version is not None:
        claim = claim.filter(version=expected_version)
    if not claim.update(version=F("version") + 1, updated_at=timezone.now()):
        raise StaleVersionError(
            _(
                "Someone else changed this %(model)s since you opened it. "
                "Reload it to see their changes, then make yours again."
            )
            % {"model": model._meta.verbose_name}
        )
    for name, value in data.items():
        setattr(current, name, value)
    current.version = current.version + 1  # type: ignore[attr-defined]
    current.full_clean()
    current.save()
    _set_m2m(current, m2m)
    _keep_named_people_sound(current, actor)
    after = snapshot(current)
    if after != before:
        record_change(
            actor=actor,
            action=Action.UPDATE,
            instance=current,
            before=before,
            after=after,
            note=note,
        )
    instance.refresh_from_db()
    return instance


@transaction.atomic
def delete_object(
    instance: models.Model,
    *,
    actor: Any,
    expected_version: int | None = None,
    check_permission: bool = True,
    note: str = "",
) -> None:
    if check_permission:
        require(actor, Permission.DELETE, instance)
    model = type(instance)
    if (
        expected_version is not None
        and not model._default_manager.filter(pk=instance.pk, version=expected_version).exists()
    ):
        raise StaleVersionError(
            _("Someone else changed this %(model)s since you opened it.")
            % {"model": model._meta.verbose_name}
        )
    # Collect what the delete cascades to, so each of those gets its own change record too.
    # The records are made (snapshots, names) before the delete, and written after it.
    collector = Collector(using=router.db_for_write(model, instance=instance), origin=instance)
    collector.collect([instance])
    pk = instance.pk
    with_parent = _("Deleted with %(model)s “%(object)s” (#%(pk)s).") % {
        "model": model._meta.verbose_name,
        "object": instance,
        "pk": pk,
    }
    records = [
        change_record(
            actor=actor,
            action=Action.DELETE,
            instance=instance,
            before=snapshot(instance),
            after=None,
            note=note,
        )
    ]
    records += [
        change_record(
            actor=actor,
            action=Action.DELETE,
            instance=obj,
            before=snapshot(obj),
            after=None,
            note=with_parent,
        )
        for obj in _cascaded(collector, instance)
    ]
    collector.delete()
    ChangeRecord.objects.bulk_create(records)


def _cascaded(collector: Collector, origin: models.Model) -> list[models.Model]:
    """The records a delete takes with it, except `origin` itself and the rows of many-to-many
    tables (those are part of their owner's snapshot)."""
    found: list[models.Model] = []
    for model, instances in collector.data.items():
        if model._meta.auto_created:
            continue
        found += [
            obj for obj in instances if not (type(obj) is type(origin) and obj.pk == origin.pk)
        ]
    for rows in collector.fast_deletes:
        if not rows.model._meta.auto_created:
            found += list(rows)
    return found
