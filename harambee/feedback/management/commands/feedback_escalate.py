"""`harambee feedback_escalate`: escalate overdue feedback (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harambee.feedback.tasks import escalate_overdue


class Command(BaseCommand):
    help = "Escalate feedback items past their service level (enqueued, or at once with --now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here instead of enqueuing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = escalate_overdue.call()
            self.stdout.write(f"{count} item(s) escalated.")
        else:
            result = escalate_overdue.enqueue()
            self.stdout.write(f"Enqueued ({result.id}).")
