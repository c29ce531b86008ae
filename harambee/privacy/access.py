"""Logging access to personal data, and who may manage a person's data.

Call `log_access` wherever personal fields are shown in clear, exported or changed:

    log_access(request.user, people, action="view", channel="page", request=request)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from harambee.core.fields import personal_fields

from .choices import AccessAction, AccessChannel
from .models import AccessLog

MANAGE_PERMISSION = "privacy.manage_personal_data"


def is_data_protection_officer(user: Any) -> bool:
    """Superusers and whoever holds the permission (give it to a group in the admin)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_perm(MANAGE_PERMISSION))
    )


def log_access(
    user: Any,
    objects: Iterable[models.Model],
    *,
    action: str = AccessAction.VIEW,
    channel: str = AccessChannel.PAGE,
    fields: Iterable[str] | None = None,
    request: Any = None,
    note: str = "",
) -> int:
    """One log entry per record, written at once. Returns how many were written."""
    actor = user if getattr(user, "is_authenticated", False) else None
    path = request.path[:255] if request is not None else ""
    entries = []
    types: dict[type, ContentType] = {}
    for obj in objects:
        model = type(obj)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(model)
        names = list(fields) if fields is not None else [f.name for f in personal_fields(model)]
        entries.append(
            AccessLog(
                user=actor,
                user_name=actor.get_username() if actor else "system",
                action=action,
                channel=channel,
                content_type=types[model],
                object_id=str(obj.pk),
                fields=names,
                path=path,
                note=note[:255],
            )
        )
    AccessLog.objects.bulk_create(entries)
    return len(entries)


def log_event(user: Any, *, action: str, channel: str, request: Any = None, note: str = "") -> None:
    """An access that concerns no one record (a search): no query text, only what was done."""
    actor = user if getattr(user, "is_authenticated", False) else None
    AccessLog.objects.create(
        user=actor,
        user_name=actor.get_username() if actor else "system",
        action=action,
        channel=channel,
        path=request.path[:255] if request is not None else "",
        note=note[:255],
    )
