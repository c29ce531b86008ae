"""`harambee dd-package verify FILE`: check a due-diligence package offline.

Checks that the file is exactly its own canonical JSON, that its SHA-256 is the one recorded
and that the Ed25519 signature holds for the public key it carries; prints who signed what,
when. No database or network is used. Exit status 0 when valid, 1 when not (any change to the
file), 2 when the file is not a package at all.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.screening.dd.canonical import PackageFileError, verify_document


class Command(BaseCommand):
    help = "Verify a due-diligence package file offline (signature and hash)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check the signature and hash of FILE.")
        verify.add_argument("file")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}", returncode=2) from exc
        try:
            result = verify_document(data)
        except PackageFileError as exc:
            raise CommandError(f"{path.name} is unreadable: {exc}", returncode=2) from exc
        for line in result.summary():
            self.stdout.write(line)
        if not result.valid:
            sys.exit(1)
