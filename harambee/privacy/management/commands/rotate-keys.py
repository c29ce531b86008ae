"""harambee rotate-keys: re-encrypt every encrypted field with the first FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harambee.privacy.services import BATCH, hash_refresh, rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt encrypted personal fields with the newest key (the first of "
        "FIELD_ENCRYPTION_KEY), in batches; safe to run again. With --hashes, also recompute "
        "the keyed hashes (after FIELD_HASH_KEY changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument("--hashes", action="store_true", help="Recompute keyed hashes too.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate_keys(batch_size=options["batch_size"])
        for label, n in counts.items():
            self.stdout.write(f"{label}: re-encrypted {n} rows")
        self.stdout.write(f"Total: {sum(counts.values())} rows re-encrypted.")
        if options["hashes"]:
            for label, n in hash_refresh(batch_size=options["batch_size"]).items():
                self.stdout.write(f"{label}: recomputed hashes of {n} rows")
