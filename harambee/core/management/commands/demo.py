"""`harambee demo [--if-empty]`: load the demo data of every app, in order. Idempotent."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from harambee.network.models import Organisation

# Each module has `load(stdout)`. Places first: the network refers to its countries.
DEMO_MODULES = ["harambee.places.demo", "harambee.network.demo"]


def _exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing too
        return False


class Command(BaseCommand):
    help = "Load demo data (places, then the network). Running it twice adds nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if there are organisations already (used by `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organisation.objects.exists():
            self.stdout.write("Organisations exist already: demo data not loaded.")
            return
        for name in DEMO_MODULES:
            # A module another part of the project has not written yet is skipped; an error
            # inside a module that exists is not hidden.
            if not _exists(name):
                self.stdout.write(f"{name}: not available, skipped.")
                continue
            importlib.import_module(name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        call_command("demo_logins", stdout=self.stdout)
