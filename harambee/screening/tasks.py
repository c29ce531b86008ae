"""Background batch screening (django-tasks), with progress stored on the batch."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from .models import ScreeningBatch

logger = logging.getLogger(__name__)


@task()
def run_screening_batch(batch_id: int) -> None:
    from .services import mark_batch_failed, run_batch

    batch = ScreeningBatch.objects.get(pk=batch_id)
    try:
        run_batch(batch=batch)
    except Exception as exc:
        logger.exception("Screening batch %s failed", batch_id)
        mark_batch_failed(
            batch_id,
            _("The screening stopped because of an internal error (%(error)s).")
            % {"error": type(exc).__name__},
        )
        raise


@task()
def rescreen_after_list_change(version_id: int) -> int:
    """Continuous screening: everyone watched, against the lists now active."""
    from .dd.continuous import rescreen_all

    alerts = rescreen_all()
    logger.info("List version %s: %s new screening alert(s)", version_id, len(alerts))
    return len(alerts)
