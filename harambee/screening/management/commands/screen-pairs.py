"""`harambee screen-pairs --input PAIRS.csv --output SCORES.csv`: score name pairs.

PAIRS columns: id, name1, name2, schema. SCORES columns: id, score, match (true/false at the
default threshold). The same name scorer as `harambee screen`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.screening.matching.pairs import score_pairs


class Command(BaseCommand):
    help = "Score pairs of names with the screening scorer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args: object, **options: object) -> None:
        source = Path(str(options["input"]))
        try:
            with source.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
                missing = [c for c in ("name1", "name2") if c not in fields]
                if missing:
                    raise CommandError(f"{source.name} has no column {', '.join(missing)}.")
                reader.fieldnames = fields
                rows = list(reader)
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
        results = score_pairs(rows)
        with open(str(options["output"]), "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["id", "score", "match"])
            for row_id, score, match in results:
                writer.writerow([row_id, f"{score:.4f}", "true" if match else "false"])
        self.stderr.write(f"{len(results)} pairs scored, {sum(m for *_, m in results)} matches.")
