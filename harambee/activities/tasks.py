"""Background 3W imports (django-tasks): preview and commit, with progress on the batch."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from harambee.core.errors import ServiceError

from .models import ImportBatch

logger = logging.getLogger(__name__)


def _unexpected(batch_id: int, exc: Exception) -> None:
    """A bug, not a bad file: log it, and never leave the batch 'running' for ever."""
    from .services import mark_failed

    logger.exception("Import %s failed unexpectedly", batch_id)
    mark_failed(
        batch_id,
        ServiceError(
            _("The import stopped because of an internal error (%(error)s). Nothing was saved.")
            % {"error": type(exc).__name__},
            code="import_internal_error",
        ),
    )


@task()
def preview_import(batch_id: int) -> None:
    from .services import import_preview, mark_failed

    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        import_preview(batch=batch)
    except ServiceError as exc:
        mark_failed(batch_id, exc)
    except Exception as exc:
        _unexpected(batch_id, exc)
        raise


@task()
def commit_import(batch_id: int, actor_id: int | None = None, skip_invalid: bool = False) -> None:
    from django.contrib.auth import get_user_model

    from .services import commit_now, mark_failed

    batch = ImportBatch.objects.get(pk=batch_id)
    actor = get_user_model().objects.get(pk=actor_id) if actor_id is not None else None
    try:
        commit_now(batch=batch, actor=actor, skip_invalid=skip_invalid)
    except ServiceError as exc:
        mark_failed(batch_id, exc)
    except Exception as exc:
        _unexpected(batch_id, exc)
        raise
