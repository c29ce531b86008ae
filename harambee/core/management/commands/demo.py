"""`harambee demo [--if-empty]`: load the demo data of every app, in order. Idempotent."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from harambee.network.models import Organisation

# Each module has `load(stdout)`. Places first: the network refers to its countries, and
# activities to both.
DEMO_MODULES = ["harambee.places.demo", "harambee.network.demo", "harambee.activities.demo"]


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
            importlib.import_module(name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not options["if_empty"]:  # `make run` prints the log-ins itself, every time
            call_command("demo_logins", stdout=self.stdout)
