"""`harambee load-boundaries PATH`: GeoJSON boundaries onto admin areas, matched by P-code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.places.boundaries import load_boundaries
from harambee.places.importers import ImportFileError

from ._report import print_errors

MAX_UNMATCHED = 50


class Command(BaseCommand):
    help = (
        "Store boundaries from a GeoJSON FeatureCollection on the admin areas with the same "
        "P-code (property detected: ADM2_PCODE, ADM1_PCODE, pcode...)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="GeoJSON FeatureCollection")
        parser.add_argument("--pcode-field", help="Feature property holding the P-code")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Store the valid features and report the skipped ones",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_boundaries(
                options["path"],
                pcode_field=options["pcode_field"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("%(source)s (P-code property %(field)s): %(summary)s")
            % {"source": result.source, "field": result.pcode_field, "summary": result.summary()}
        )
        if result.errors:
            self.stderr.write(
                _("Skipped features:")
                if options["skip_invalid"]
                else _("Errors (nothing was written):")
            )
            print_errors(self.stderr, result.errors, unit=_("feature"))
            if not options["skip_invalid"]:
                raise CommandError(
                    _(
                        "Nothing was written: %(n)s features have errors. Fix the file, or use "
                        "--skip-invalid to store the other boundaries."
                    )
                    % {"n": len(result.skipped_features)}
                )
        if result.unmatched:
            shown = ", ".join(result.unmatched[:MAX_UNMATCHED])
            more = len(result.unmatched) - MAX_UNMATCHED
            self.stdout.write(
                _("P-codes with no admin area (load the P-codes first): %(list)s") % {"list": shown}
                + (" " + _("and %(n)s more.") % {"n": more} if more > 0 else "")
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
