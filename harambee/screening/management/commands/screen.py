"""`harambee screen --input QUERIES.csv --output HITS.jsonl [--threshold T]`.

QUERIES columns: id, name, schema (person|organisation|vessel, optional), date_of_birth
(optional, YYYY or YYYY-MM-DD), nationality (optional, ISO2 or name). One JSON line per query:
{"id": ..., "hits": [{"source", "ref", "name", "matched_name", "score", "explanation"}]}, hits
best first, only those at or above the threshold (default 0.80).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.core.errors import ServiceError
from harambee.screening.matching.scorer import DEFAULT_THRESHOLD
from harambee.screening.selectors import active_index
from harambee.screening.services import read_queries, screen_batch


class Command(BaseCommand):
    help = "Screen the names of a CSV file against the active sanctions lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True)
        parser.add_argument("--output", required=True)
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument("--workers", type=int, default=1, help="Processes (default 1).")

    def handle(self, *args: object, **options: object) -> None:
        source = Path(str(options["input"]))
        try:
            queries = read_queries(source.read_bytes(), source.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
        except ServiceError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        threshold = float(options["threshold"])  # type: ignore[arg-type]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold must be between 0 and 1.")
        started = time.perf_counter()
        index = active_index()
        if not len(index):
            raise CommandError("No list is loaded: run `harambee load-list` first.")
        built = time.perf_counter()
        with_hits = 0
        with open(str(options["output"]), "w", encoding="utf-8") as out:
            for query, hits in screen_batch(
                queries=queries,
                threshold=threshold,
                workers=int(str(options["workers"])),
                index=index,
            ):
                with_hits += bool(hits)
                out.write(json.dumps({"id": query.id, "hits": hits}, ensure_ascii=False) + "\n")
        done = time.perf_counter()
        rate = len(queries) / (done - built) if done > built else 0.0
        self.stderr.write(
            f"{len(queries)} names screened against {len(index)} list names in "
            f"{done - built:.1f} s ({rate:.0f}/s; index {built - started:.1f} s); "
            f"{with_hits} with hits at threshold {threshold}."
        )
