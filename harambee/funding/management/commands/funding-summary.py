"""`harambee funding-summary --country ISO3 --year YYYY [--json]`: funding counted once."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from harambee.funding import counting
from harambee.funding.choices import Channel
from harambee.funding.models import Flow
from harambee.places.models import Country


def as_json(summary: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return counting.plain_amount(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(summary)


class Command(BaseCommand):
    help = (
        "Funding to a country in a year, counted by the one counting rule (incoming, committed "
        "or paid, single boundary, never twice): total, pledges, and by sector and channel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", required=True, help="ISO3 code, e.g. JOR")
        parser.add_argument("--year", required=True, type=int, help="Usage year, e.g. 2020")
        parser.add_argument("--json", action="store_true", help="Print a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        iso3 = options["country"].strip().upper()
        if not Country.objects.filter(pk=iso3).exists():
            raise CommandError(_("Unknown country code “%(code)s”.") % {"code": options["country"]})
        summary = counting.summary(Flow.objects.all(), country=iso3, year=options["year"])
        if options["json"]:
            self.stdout.write(json.dumps(as_json(summary), indent=2, ensure_ascii=False))
            return
        self._table(summary)

    def _table(self, summary: dict[str, Any]) -> None:
        def money(value: Decimal) -> str:
            return f"{value:,.0f}"

        total = summary["funding_total_usd"]
        self.stdout.write(_("Funding to %(country)s in %(year)s (USD)") % summary)
        width = 44
        lines = [
            (_("Funding (committed and paid)"), money(total)),
            (_("Pledges (not in funding)"), money(summary["pledge_total_usd"])),
            (
                _("Flows counted / flows held"),
                f"{summary['flows_counted']} / {summary['flows_total']}",
            ),
            (_("Flows whose parent is not held"), str(summary["flows_parent_missing"])),
        ]
        for label, value in lines:
            self.stdout.write(f"  {label:<{width}} {value:>18}")
        channels = {str(k): str(v) for k, v in Channel.choices}
        by_channel = {channels.get(k, k): v for k, v in summary["by_channel"].items()}
        for title, rows in ((_("By sector"), summary["by_sector"]), (_("By channel"), by_channel)):
            self.stdout.write("")
            self.stdout.write(title)
            for label, amount in rows.items():
                share = f"{100 * amount / total:5.1f}%" if total else ""
                self.stdout.write(f"  {str(label)[:width]:<{width}} {money(amount):>18} {share}")
