"""Scheduled work (django-tasks): the retention rules.

django-tasks runs what is enqueued; something must enqueue it daily: a cron line or systemd
timer running `harambee apply-retention --enqueue` (or the command itself, without a worker).
"""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def apply_retention_task(dry_run: bool = False) -> dict[str, Any]:
    from .services import apply_retention

    report = apply_retention(dry_run=dry_run)
    return {"dry_run": report.dry_run, "counts": report.counts}
