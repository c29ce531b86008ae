"""`harambee export-iati --country ISO3 [--year YYYY] --output FILE`: IATI 2.03 XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError
from harambee.funding.exporters.iati import export_iati
from harambee.funding.models import Flow


class Command(BaseCommand):
    help = (
        "Write the money Harambee holds for a country (and year) as an IATI 2.03 activity file, "
        "valid against the schema: IATI activities as imported, other counted flows and pledges "
        "as activities reported by Harambee."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", required=True, help="ISO3 code, e.g. HTI")
        parser.add_argument("--year", type=int, help="Usage year (transactions of that year)")
        parser.add_argument("--output", required=True, help="File to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            content, counts = export_iati(
                Flow.objects.all(), country=options["country"], year=options["year"]
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        Path(options["output"]).write_bytes(content)
        self.stdout.write(
            _(
                "%(file)s: %(activities)s activities, %(transactions)s transactions, "
                "%(budgets)s budgets (IATI 2.03, valid against the schema)."
            )
            % {"file": options["output"], **counts}
        )
