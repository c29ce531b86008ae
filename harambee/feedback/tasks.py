"""Background work for feedback (django-tasks): escalate what is overdue.

Run it on a schedule (cron or a timer) with `harambee feedback_escalate`, which enqueues this
task (or runs it at once with --now)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def escalate_overdue() -> int:
    from .services import escalate_overdue as run

    count = run()
    if count:
        logger.info("Escalated %s overdue feedback items", count)
    return count
