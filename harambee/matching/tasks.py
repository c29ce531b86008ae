"""Matching runs in the background (django-tasks), with progress on the run."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from harambee.core.errors import ServiceError

from .models import MatchingRun

logger = logging.getLogger(__name__)


@task()
def run_matching(run_id: int) -> None:
    from .engine import EngineError
    from .services import execute_run, fail_run

    run = MatchingRun.objects.get(pk=run_id)
    try:
        execute_run(run)
    except (ServiceError, EngineError) as exc:
        fail_run(run_id, getattr(exc, "message", str(exc)))
    except Exception as exc:
        logger.exception("Matching run %s failed unexpectedly", run_id)
        fail_run(
            run_id,
            _("The run stopped because of an internal error (%(error)s).")
            % {"error": type(exc).__name__},
        )
        raise
