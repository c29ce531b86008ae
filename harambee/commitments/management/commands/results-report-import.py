"""`harambee results-report-import REPORTS.csv --framework CODE`: progress reports from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.commitments.loading import read_report_csv, reports_import
from harambee.commitments.models import ResultsFramework
from harambee.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Import progress reports (CSV columns: indicator, organisation, place, period_start, "
        "period_end, value, numerator, denominator, sex, age, population_group, status). "
        "All or nothing; errors by row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="REPORTS.csv")
        parser.add_argument("--framework", required=True, help="Code of the results framework")
        parser.add_argument(
            "--create-organisations",
            action="store_true",
            help="Create organisations that match none in the network (marked unverified)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        framework = ResultsFramework.objects.filter(code=options["framework"]).first()
        if framework is None:
            raise CommandError(f"No results framework with code {options['framework']!r}.")
        try:
            rows = read_report_csv(path.read_bytes())
            result = reports_import(
                actor=None,
                framework=framework,
                rows=rows,
                create_organisations=options["create_organisations"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{n} {s}" for s, n in sorted(result.by_status.items()))
        self.stdout.write(f"{result.rows} report(s) imported ({counts}).")
        if result.created_organisations:
            self.stdout.write("Organisations created (unverified):")
            for name in result.created_organisations:
                self.stdout.write(f"  {name}")
