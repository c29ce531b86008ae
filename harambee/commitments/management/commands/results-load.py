"""`harambee results-load FRAMEWORK.yaml`: create or update a results framework from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harambee.commitments.loading import framework_load, parse_framework_yaml
from harambee.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Load a results framework (YAML: code, title, optional group, indicators with unit, "
        "time_aggregation, place_aggregation, direction, baseline and targets). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="FRAMEWORK.yaml")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            data = parse_framework_yaml(path.read_text(encoding="utf-8"), path.name)
            result = framework_load(actor=None, data=data, name=path.name)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        framework = result.framework
        self.stdout.write(
            f"Framework {framework.code}: {len(result.created)} indicator(s) created, "
            f"{len(result.updated)} updated."
        )
