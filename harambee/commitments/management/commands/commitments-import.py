"""`harambee commitments-import FILE.csv|FILE.xlsx`: create or update commitments by code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.commitments.exports import commitments_import, read_rows
from harambee.core.errors import ServiceError


class Command(BaseCommand):
    help = "Import commitments from CSV or XLSX (the columns commitments-export writes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            counts = commitments_import(actor=None, rows=read_rows(path.name, path.read_bytes()))
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{counts['created']} created, {counts['updated']} updated.")
