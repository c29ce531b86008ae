"""`harambee commitments-refresh-status`: recompute stored commitment statuses (run daily)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.commitments.tasks import refresh_statuses


class Command(BaseCommand):
    help = (
        "Recompute every commitment's stored status from approved reports as of a day "
        "(enqueued, or at once with --now). Run it daily from cron: status moves with time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here instead of enqueuing.")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"]
        if as_of:
            try:
                datetime.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError("--as-of: give a date as YYYY-MM-DD.") from exc
        if options["now"]:
            counts = refresh_statuses.call(as_of)
            self.stdout.write(f"{counts['checked']} checked, {counts['changed']} changed.")
            return
        result = refresh_statuses.enqueue(as_of)
        self.stdout.write(f"Status refresh queued (task {result.id}).")
