"""`harambee import-3w FILE`: preview a 3W file (CSV or XLSX) and, unless --dry-run, import it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.activities.choices import MatchDecision
from harambee.activities.services import (
    import_commit,
    import_decide,
    import_start,
)
from harambee.core.errors import ServiceError

MAX_PRINTED = 50


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream: Any, label: str, width: int = 30) -> None:
        self.stream, self.label, self.width = stream, label, width
        self._drawn_at = 0.0
        # Redrawn in place on a terminal; only the finished bar when stderr is a file.
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._drawn_at < 0.1:
            return
        self._drawn_at = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        prefix = "\r" if self.enabled else ""
        if self.enabled or done >= total:
            self.stream.write(f"{prefix}{self.label} [{bar}] {done}/{total} rows{end}", ending="")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import a 3W (who does what where) file: CSV or XLSX, with HXL hashtags. Prints the "
        "preview; without --dry-run, writes it when nothing needs a decision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV or XLSX file")
        parser.add_argument("--country", help="ISO3 code, when the file has no country column")
        parser.add_argument("--source", default="", help="Who sends the file, e.g. 'OCHA AFG 3W'")
        parser.add_argument("--dry-run", action="store_true", help="Preview only; write nothing")
        parser.add_argument(
            "--create-organisations",
            action="store_true",
            help="Create the organisations whose match is uncertain instead of stopping",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows even when some rows have errors",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        try:
            batch = import_start(
                actor=None,
                file_name=path.name,
                content=content,
                country=options["country"],
                source=options["source"],
                progress=ProgressBar(self.stderr, _("Reading")),
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        report = batch.report
        self._print(report)
        if report.get("needs_mapping"):
            raise CommandError(
                _(
                    "The file has no HXL hashtags: add a hashtag row, or map its columns on the "
                    "import page (the mapping is then kept for this source)."
                )
            )
        if report["errors"] and not options["skip_invalid"]:
            raise CommandError(
                _("Nothing was written: %(n)s errors. Fix the file or use --skip-invalid.")
                % {"n": len(report["errors"])}
            )
        uncertain = [
            i
            for i in report["organisations"]["items"]
            if i["status"] == "uncertain" and not i["decision"]
        ]
        if uncertain and not options["dry_run"]:
            if not options["create_organisations"]:
                for item in uncertain[:MAX_PRINTED]:
                    names = ", ".join(
                        f"{c['name']} ({c['score']:.0f})" for c in item["candidates"][:3]
                    )
                    self.stderr.write(f"  {item['name']} [{item['acronym']}] ~ {names}")
                raise CommandError(
                    _(
                        "Nothing was written: %(n)s organisations may already exist under another "
                        "name. Decide on the import page, or use --create-organisations."
                    )
                    % {"n": len(uncertain)}
                )
            for item in uncertain:
                batch = import_decide(
                    actor=None,
                    batch=batch,
                    key=item["key"],
                    action=MatchDecision.CREATE,
                    expected_version=batch.version,
                )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            batch = import_commit(
                actor=None,
                batch=batch,
                expected_version=batch.version,
                skip_invalid=options["skip_invalid"],
                progress=ProgressBar(self.stderr, _("Importing")),
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        committed = batch.report["committed"]
        self.stdout.write(
            _(
                "Imported: %(created)s activities created, %(updated)s updated, %(unchanged)s "
                "unchanged; %(organisations_created)s organisations and %(sectors_created)s "
                "country sectors created. %(remove_candidates)s activities of this source are "
                "no longer in the file (not deleted)."
            )
            % committed
        )

    def _print(self, report: dict[str, Any]) -> None:
        activities = report["activities"]
        organisations = report["organisations"]
        places = report["places"]
        where = f" ({_('sheet')} {report['sheet']})" if report.get("sheet") else ""
        self.stdout.write(
            _("%(rows)s rows read%(where)s, hashtags on row %(tag)s.")
            % {"rows": report["rows_read"], "where": where, "tag": report.get("tag_row") or "—"}
        )
        self.stdout.write(
            _(
                "Activities: %(create)s to create, %(update)s to update, %(unchanged)s unchanged, "
                "%(remove)s no longer in the file."
            )
            % activities
        )
        self.stdout.write(
            _("Organisations: %(matched)s matched, %(new)s new, %(uncertain)s uncertain.")
            % organisations
        )
        sectors = report.get("sectors", {})
        if sectors.get("new"):
            names = ", ".join(f"{s['name']} ({s['country']})" for s in sectors["items_new"][:20])
            self.stdout.write(_("New country sectors: %(names)s") % {"names": names})
        self.stdout.write(
            _(
                "Places: %(matched)s matched, %(unmatched)s not found, %(partial)s found only at a higher level."
            )
            % places
        )
        for item in places["items_unmatched"][:MAX_PRINTED]:
            label = " / ".join(item["names"]) or item["pcode"]
            self.stdout.write(f"  {_('not found')}: {label} ({item['rows']})")
        for warning in report["warnings"][:MAX_PRINTED]:
            row = warning["row"] or "—"
            self.stderr.write(f"  {_('warning')} {_('row')} {row}: {warning['message']}")
        for error in report["errors"][: MAX_PRINTED * 2]:
            self.stderr.write(f"  {_('row')} {error['row']}, {error['column']}: {error['message']}")
        if len(report["errors"]) > MAX_PRINTED * 2:
            self.stderr.write(
                "  " + _("… and %(n)s more.") % {"n": len(report["errors"]) - MAX_PRINTED * 2}
            )
