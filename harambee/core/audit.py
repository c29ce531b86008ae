"""Change records: a snapshot of an object before and after each change made by a service."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.encoding import is_protected_type

from .fields import hash_key, is_personal
from .models import ChangeRecord


def _plain(field: Any, instance: models.Model) -> Any:
    # As Django's "python" serializer gives it: dates and numbers as they are, the rest as text.
    value = field.value_from_object(instance)
    return value if is_protected_type(value) else field.value_to_string(instance)


def _related_keys(instance: models.Model, field: Any) -> list[Any]:
    cache = getattr(instance, "_prefetched_objects_cache", {})
    if field.name in cache:
        related = list(cache[field.name])
    else:
        related = list(getattr(instance, field.name).select_related(None).only("pk"))
    return [_plain(r._meta.pk, r) for r in related]


def snapshot(
    instance: models.Model, *, related: Mapping[str, Iterable[Any]] | None = None
) -> dict[str, Any]:
    """The object's fields as JSON values (many-to-many as sorted key lists), as Django's
    serializer would give them, without its per-object overhead (imports snapshot thousands).

    Personal fields (encrypted or listed) are recorded as changed/unchanged markers, never in clear.
    `related` gives many-to-many keys the caller has just written (no query for them).
    """
    model = instance._meta.concrete_model or type(instance)
    meta = model._meta
    exclude = set(getattr(instance, "audit_exclude", ()))
    result: dict[str, Any] = {}
    for field in meta.local_fields:
        if not getattr(field, "serialize", True) or field.name in exclude:
            continue
        value = _plain(field, instance)
        if is_personal(model, field):
            value = _fingerprint(value)
        elif isinstance(value, list):
            value = sorted(value, key=str)
        result[field.name] = value
    for field in meta.local_many_to_many:
        if not getattr(field, "serialize", True) or field.name in exclude:
            continue
        if not field.remote_field.through._meta.auto_created:  # type: ignore[union-attr]
            continue  # the serializer leaves explicit through models out too
        if related is not None and field.name in related:
            keys = list(related[field.name])
        else:
            keys = _related_keys(instance, field)
        result[field.name] = sorted(keys, key=str)
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))


def _fingerprint(value: Any) -> str | None:
    """A keyed hash, shortened: shows that a value changed, and cannot be reversed by trying
    every phone number (an unkeyed hash could)."""
    if not value:
        return None
    return "hmac:" + hmac.new(hash_key(), str(value).encode(), hashlib.sha256).hexdigest()[:16]


def record_change(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
    object_id: Any = None,
) -> ChangeRecord:
    record = change_record(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=after,
        note=note,
        object_id=object_id,
    )
    record.save()
    return record


def change_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
    object_id: Any = None,
) -> ChangeRecord:
    """An unsaved change record, for callers that write many at once (bulk_create)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return ChangeRecord(
        user=user,
        user_name=getattr(user, "username", "") if user else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(object_id if object_id is not None else instance.pk),
        object_repr=str(instance)[:255],
        before=before,
        after=after,
        note=note,
    )
