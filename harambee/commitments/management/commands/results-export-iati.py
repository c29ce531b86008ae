"""`harambee results-export-iati --framework CODE FILE.xml`: results in IATI's shape."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from harambee.commitments.exports import iati_results
from harambee.commitments.models import ResultsFramework


class Command(BaseCommand):
    help = "Write a framework's results as IATI result/indicator XML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--framework", required=True)
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        framework = ResultsFramework.objects.filter(code=options["framework"]).first()
        if framework is None:
            raise CommandError(f"No results framework with code {options['framework']!r}.")
        try:
            as_of = (
                datetime.date.fromisoformat(options["as_of"])
                if options["as_of"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError("--as-of: give a date as YYYY-MM-DD.") from exc
        Path(options["path"]).write_bytes(iati_results(framework, as_of))
        self.stdout.write(f"Wrote {options['path']}.")
