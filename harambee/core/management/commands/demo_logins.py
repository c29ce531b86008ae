"""`harambee demo_logins`: where to go and whom to log in as, after `harambee demo`."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from harambee.network.demo import DEMO_USERS

# What each demo user shows in the apps added after the network (see docs/getting-started.md).
SHOWS: dict[str, str] = {
    "admin": "everything: screening results (API), every feedback item, the whole audit trail",
    "coordinator": "matchmaker (matching board, proposal sent); PSEA coordinator of the Uganda "
    "group (sees the sensitive feedback case); reviews progress reports",
    "editor": "PSEA and feedback focal point of DRC (sees the sensitive case, referrals to DRC); "
    "DRC reports progress on the Uganda results framework",
    "viewer": "read-only: money pages, commitments; no sensitive feedback",
}


class Command(BaseCommand):
    help = "Print the URL and the demo users' usernames, passwords and roles."

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            get_user_model()
            .objects.filter(username__in=[u.username for u in DEMO_USERS])
            .values_list("username", flat=True)
        )
        users = [u for u in DEMO_USERS if u.username in existing]
        if not users:
            self.stdout.write("No demo users: run `harambee demo` first.")
            return
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Open http://{host}:{port}/ and log in as:\n")
        rows = [("username", "password", "organisation", "role")]
        rows += [(u.username, u.password, u.organisation, u.description) for u in users]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("\nWhat each one shows:")
        for u in users:
            if u.username in SHOWS:
                self.stdout.write(f"  {u.username}: {SHOWS[u.username]}")
