"""Change records: a snapshot of an object before and after each change made by a service."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .models import ChangeRecord


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The object's fields as JSON values (many-to-many as sorted key lists).

    Encrypted personal fields are recorded as changed/unchanged markers, never in clear.
    """
    data = serializers.serialize("python", [instance])[0]["fields"]
    exclude = set(getattr(instance, "audit_exclude", ()))
    result: dict[str, Any] = {}
    for name, value in data.items():
        if name in exclude:
            continue
        field = instance._meta.get_field(name)
        if getattr(field, "personal", False):
            value = _fingerprint(value)
        elif isinstance(value, list):
            value = sorted(value, key=str)
        result[name] = value
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))


def _fingerprint(value: Any) -> str | None:
    if not value:
        return None
    import hashlib

    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]


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
