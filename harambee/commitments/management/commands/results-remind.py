"""`harambee results-remind`: queue the email reminders for overdue progress reports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harambee.commitments.tasks import send_report_reminders


class Command(BaseCommand):
    help = "Queue the background task that emails organisations about overdue reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send now, not in the background")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = send_report_reminders.call(options["as_of"])
            self.stdout.write(f"{sent} reminder(s) sent.")
            return
        result = send_report_reminders.enqueue(options["as_of"])
        self.stdout.write(f"Reminders queued (task {result.id}).")
