"""harambee apply-retention [--dry-run] [--enqueue]: erase personal data past its retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harambee.privacy.registry import personal_data
from harambee.privacy.services import apply_retention
from harambee.privacy.tasks import apply_retention_task


class Command(BaseCommand):
    help = "Erase the personal fields of records kept longer than their retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the background worker (django-tasks) instead.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = apply_retention_task.enqueue(dry_run=options["dry_run"])
            self.stdout.write(f"Enqueued retention task {result.id}.")
            return
        report = apply_retention(dry_run=options["dry_run"])
        verb = "would erase" if report.dry_run else "erased"
        for entry in personal_data:
            days = entry.days
            if days is None:
                self.stdout.write(f"{entry.label}: kept until erased by hand")
                continue
            count = report.counts.get(entry.label, 0)
            self.stdout.write(
                f"{entry.label}: {verb} {count} (kept {days} days, "
                f"before {report.cutoffs[entry.label]})"
            )
        self.stdout.write(f"Total: {verb} {report.total}.")
