"""harambee load-esco PATH [PATH ...]: load or refresh the ESCO/ISCO-08 taxonomy."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.core.errors import ServiceError
from harambee.matching.taxonomy import load_esco


class Command(BaseCommand):
    help = (
        "Load the ESCO classification and relations zips (or a folder holding them): ISCO-08 "
        "groups, occupations, skills and occupation–skill relations. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            counts = load_esco(*options["paths"])
        except ServiceError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        figures = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
        self.stdout.write(f"ESCO loaded in {time.perf_counter() - started:.1f} s: {figures}")
