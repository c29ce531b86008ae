"""`harambee load-list --source un|ofac|eu|uk PATH`: load a list as a new version, show the diff."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.core.errors import ServiceError
from harambee.screening.loaders import SOURCES
from harambee.screening.services import load_list

SHOWN = 20


class Command(BaseCommand):
    help = "Load a sanctions list file (OFAC: the folder of its three CSV files) as a new version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=SOURCES)
        parser.add_argument("path")

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        try:
            version = load_list(source=str(options["source"]), path=str(options["path"]))
        except ServiceError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        counts, diff = version.counts, version.diff
        self.stdout.write(
            f"Loaded {version.source.code} version {version.pk} "
            f"(sha256 {version.file_sha256[:12]}) in {time.perf_counter() - started:.1f} s: "
            f"{counts['entries']} entries, {counts['names']} names "
            f"({counts['weak_names']} weak, {counts['original_script_names']} in original script), "
            f"{counts['birth_dates']} dates of birth, {counts['nationalities']} nationalities, "
            f"{counts['identifiers']} identifiers, {counts['addresses']} addresses; "
            f"types {counts['by_type']}."
        )
        if diff.get("previous") is None:
            self.stdout.write("First version of this list: every entry is new.")
            return
        self.stdout.write(
            f"Since version {diff['previous']}: {diff['added']} added, {diff['removed']} removed, "
            f"{diff['changed']} changed, {diff['unchanged']} unchanged."
        )
        for label in ("added", "removed", "changed"):
            refs = diff[f"{label}_refs"]
            if refs:
                more = f" (+{len(refs) - SHOWN} more)" if len(refs) > SHOWN else ""
                self.stdout.write(f"  {label}: {', '.join(refs[:SHOWN])}{more}")
