"""`harambee demo [--if-empty]`: load the demo data of every app, in order. Idempotent."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from harambee.network.models import Organisation

# Each module has `load(stdout)`. Places first: the network refers to its countries, and
# activities to both. Funding after activities (IATI links to who does what where), commitments
# after funding (a pledge's schedule is fulfilled by FTS flows), screening last (it screens every
# organisation, those the 3W import added included).
DEMO_MODULES = [
    "harambee.places.demo",
    "harambee.network.demo",
    "harambee.activities.demo",
    "harambee.funding.demo",
    "harambee.commitments.demo",
    "harambee.feedback.demo",
    "harambee.matching.demo",
    "harambee.screening.demo",
]


class Command(BaseCommand):
    help = "Load demo data of every app, in order. Running it twice adds nothing."

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
        # The demo's notifications (feedback referrals...) go to made-up addresses: not sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for name in DEMO_MODULES:
                importlib.import_module(name).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if not options["if_empty"]:  # `make run` prints the log-ins itself, every time
            call_command("demo_logins", stdout=self.stdout)
