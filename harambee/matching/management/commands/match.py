"""harambee match --offers OFFERS.csv --needs NEEDS.csv --output MATCHES.csv [--mode ...]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.core.errors import ServiceError
from harambee.matching.batch import match_files


class Command(BaseCommand):
    help = (
        "Match offers to needs from two CSV files and write MATCHES.csv (need_id, offer_id, "
        "score, reasons), one row per assigned post. Bad rows: an error naming each row and "
        "column, and nothing written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offers", required=True, type=Path, metavar="OFFERS.csv")
        parser.add_argument("--needs", required=True, type=Path, metavar="NEEDS.csv")
        parser.add_argument("--output", required=True, type=Path, metavar="MATCHES.csv")
        parser.add_argument("--mode", choices=["optimal", "stable"], default="optimal")
        parser.add_argument(
            "--cap-by", choices=["organisation", "nationality"], default=None,
            help="Cap how many matches one organisation or nationality gets (optimal mode).",
        )  # fmt: skip
        parser.add_argument("--cap", type=int, default=None)
        parser.add_argument("--max-candidates", type=int, default=25)

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("offers", "needs"):
            options[key] = Path(options[key])
            if not options[key].is_file():
                raise CommandError(f"{options[key]} does not exist.")
        try:
            result, written = match_files(
                options["offers"], options["needs"], Path(options["output"]), mode=options["mode"],
                cap_by=options["cap_by"], cap=options["cap"],
                max_candidates=options["max_candidates"],
            )  # fmt: skip
        except ServiceError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        unfilled = sum(result.unfilled.values())
        self.stdout.write(
            f"{written} matches written to {options['output']} (total score "
            f"{result.total_score:.2f}, {len(result.candidates)} candidate pairs, "
            f"{unfilled} posts unfilled, {result.timings['total']:.2f} s)."
        )
