"""`harambee load-pcodes PATH`: admin areas from OCHA's global P-code list or an HXL CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.places.importers import FORMATS, ImportFileError, import_admin_areas

from ._report import print_errors


class Command(BaseCommand):
    help = (
        "Load admin areas (P-codes) from OCHA's global P-code CSV or from any HXL-tagged CSV. "
        "Running it again with the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV file to load")
        parser.add_argument(
            "--format", choices=FORMATS, help="Skip detection: 'ocha' P-code list or 'hxl' CSV"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the skipped ones (default: all or nothing)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_admin_areas(
                options["path"],
                format=options["format"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        kind = _("OCHA P-code list") if result.format == "ocha" else _("HXL CSV")
        self.stdout.write(f"{result.source} ({kind}): {result.summary()}")
        if result.warnings:
            self.stdout.write(_("Warnings:"))
            print_errors(self.stdout, result.warnings, unit=_("row"))
        if result.errors:
            heading = (
                _("Skipped rows:") if result.skip_invalid else _("Errors (nothing was written):")
            )
            self.stderr.write(heading)
            print_errors(self.stderr, result.errors, unit=_("row"))
            if not result.skip_invalid:
                raise CommandError(
                    _(
                        "Nothing was written: %(errors)s errors on %(rows)s rows. Fix the file, "
                        "or use --skip-invalid to import the other rows."
                    )
                    % {"errors": len(result.errors), "rows": len(result.skipped_rows)}
                )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s.")
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    }
                )
            )
