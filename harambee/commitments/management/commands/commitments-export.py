"""`harambee commitments-export FILE.csv|FILE.xlsx`: every commitment, one row each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from harambee.commitments.exports import commitments_csv, commitments_xlsx, export_queryset
from harambee.commitments.models import Commitment


class Command(BaseCommand):
    help = "Export commitments to CSV or XLSX (by the file's extension)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        queryset = export_queryset(Commitment.objects.all())
        if path.suffix.lower() == ".xlsx":
            path.write_bytes(commitments_xlsx(queryset))
        else:
            path.write_text(commitments_csv(queryset), encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
