"""`harambee import-fts FILE_OR_FOLDER...`: FTS flow pages and/or the FTS plan overview."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError
from harambee.funding.progress import ProgressBar
from harambee.funding.services import import_fts


class Command(BaseCommand):
    help = (
        "Import OCHA FTS API answers: flow pages (data.flows; give every page, or the folder "
        "holding them) and the plan overview (data.plans). The kind of each file is detected. "
        "All or nothing; flows are matched by FTS id and replaced only by a higher versionId."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="JSON files or folders of JSON files")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_fts(
                actor=None,
                paths=options["paths"],
                progress=ProgressBar(self.stderr, _("Reading"), _("records")),
                write_progress=ProgressBar(self.stderr, _("Writing"), _("flows")),
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        flows, plans = report["flows"], report["plans"]
        self.stdout.write(
            _(
                "%(files)s files, %(records)s records read. Flows: %(created)s created, "
                "%(updated)s updated (newer version), %(unchanged)s unchanged, %(older)s older "
                "than what is held (kept as held). Plans: %(plans_created)s created, "
                "%(plans_updated)s updated."
            )
            % {
                "files": report["files"],
                "records": report["records_read"],
                "created": flows["created"],
                "updated": flows["updated"],
                "unchanged": flows["unchanged"],
                "older": flows["older_in_file"],
                "plans_created": plans["created"],
                "plans_updated": plans["updated"],
            }
        )
        self.stdout.write(
            _(
                "Parent flows: %(linked)s linked, %(missing)s not held yet (kept, flagged, and "
                "linked when the parent is imported)."
            )
            % report["parents"]
        )
        for warning in report["warnings"]:
            self.stderr.write(_("Warning: %(warning)s") % {"warning": warning})
