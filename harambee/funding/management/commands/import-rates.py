"""`harambee import-rates FILE`: exchange rates from CSV (Date, Rate, Currency[, Source])."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError
from harambee.funding.currency import import_rates


class Command(BaseCommand):
    help = (
        "Import exchange rates (units of currency per US dollar) from a CSV with columns Date, "
        "Rate, Currency and optionally Frequency and Source. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        try:
            report = import_rates(name=path.name, content=content)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _(
                "Rates: %(created)s created, %(updated)s updated, %(unchanged)s unchanged; "
                "%(skipped_without_currency)s rows without a currency code and %(skipped_usd)s US dollar "
                "rows (always 1) skipped."
            )
            % report
        )
