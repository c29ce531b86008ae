"""`harambee import-iati FILE [--force] [--json]`: an IATI 2.01-2.03 activity file."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError
from harambee.funding.importers.iati_writer import import_iati


class Command(BaseCommand):
    help = (
        "Import an IATI activity file (versions 2.01 to 2.03), validated against the IATI 2.03 "
        "schema: activities, participating organisations, budgets, and transactions as flows. "
        "All or nothing; a file that fails the schema is imported only with --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="IATI activity XML file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import a file that fails the schema anyway (its failures become warnings)",
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_iati(
                actor=None,
                path=options["path"],
                force=options["force"],
                progress=lambda message: self.stderr.write(message),
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        activities, flows = report["activities"], report["flows"]
        by_type = ", ".join(f"{k}: {v}" for k, v in report["transactions"]["by_type"].items())
        self.stdout.write(
            _(
                "%(file)s (IATI %(version)s): %(activities)s activities (%(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged; %(linked)s in who does what "
                "where), %(transactions)s transactions (by type %(by_type)s). Flows: "
                "%(flows_created)s created, %(flows_updated)s updated, %(flows_deleted)s deleted. "
                "%(budgets)s budgets and planned disbursements."
            )
            % {
                "file": report["file"],
                "version": report["version"],
                "activities": activities["read"],
                "created": activities["created"],
                "updated": activities["updated"],
                "unchanged": activities["unchanged"],
                "linked": activities["linked_to_3w"],
                "transactions": report["transactions"]["read"],
                "by_type": by_type,
                "flows_created": flows["created"],
                "flows_updated": flows["updated"],
                "flows_deleted": flows["deleted"],
                "budgets": report["budgets"],
            }
        )
        trace = report["traceability"]
        self.stdout.write(
            _(
                "Traceability: %(linked)s incoming transactions linked to the provider's, "
                "%(missing)s name a provider activity not held yet."
            )
            % {"linked": trace["linked"], "missing": trace["provider_not_held"]}
        )
        for name in report["organisations"]["uncertain"]:
            self.stderr.write(
                _("Organisation “%(name)s” may already be in the network: not linked, review it.")
                % {"name": name}
            )
        for line in report["tolerated"]:
            self.stderr.write(_("Tolerated: %(what)s") % {"what": line})
        for line in report["schema_errors"]:
            self.stderr.write(_("Schema (imported anyway): %(error)s") % {"error": line})
        for line in report["skipped"]:
            self.stderr.write(_("Skipped: %(what)s") % {"what": line})
