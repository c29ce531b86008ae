"""`harambee results-summary --framework CODE --as-of YYYY-MM-DD [--json]`: computed status."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from harambee.commitments.models import ResultsFramework
from harambee.commitments.status import summarise, summary_json


class Command(BaseCommand):
    help = "Actual, expected, baseline, final target, progress and status of every indicator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--framework", required=True, help="Code of the results framework")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--json", action="store_true", help="Print JSON")

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
        results = summarise(framework, as_of)
        if options["json"]:
            self.stdout.write(json.dumps(summary_json(results), sort_keys=True))
            return
        self.stdout.write(f"{framework.code} as of {as_of}")
        header = f"{'indicator':<20} {'actual':>12} {'expected':>12} {'target':>12} {'progress':>9}  status"
        self.stdout.write(header)
        for code, r in sorted(results.items()):

            def show(v: float | None) -> str:
                return "—" if v is None else f"{v:.6g}"

            self.stdout.write(
                f"{code:<20} {show(r.actual):>12} {show(r.expected):>12} {show(r.target):>12} "
                f"{show(r.progress):>9}  {r.status}"
            )
