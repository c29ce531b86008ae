"""Exports of the money pages: any filtered list of flows, and the country page's tables, as
CSV and XLSX. The numbers are the pages' own (counting.py); nothing is added up here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .choices import CountingReason, PartyKind, Side
from .models import Flow

CHUNK = 2000
SEPARATOR = "; "


def flow_headers() -> list[str]:
    return [
        _("Flow"),
        _("Source system"),
        _("Id in the source"),
        _("Version in the source"),
        _("Date"),
        _("Status"),
        _("Boundary"),
        _("On the boundary"),
        _("Flow type"),
        _("Channel"),
        _("Budget classification code"),
        _("Donors"),
        _("Recipients"),
        _("Sectors"),
        _("Countries"),
        _("Usage years"),
        _("Plans"),
        _("Pooled funds"),
        _("Original amount"),
        _("Original currency"),
        _("Exchange rate (units per USD)"),
        _("Amount (USD)"),
        _("Parent flow (id in the source)"),
        _("Parent not held"),
        _("Counted or why not"),
        _("Reported by"),
    ]


def _names(flow: Flow, side: str | None, *kinds: str) -> str:
    names = [
        p.label or p.name
        for p in flow.parties.all()
        if p.kind in kinds and (side is None or p.side == side)
    ]
    return SEPARATOR.join(dict.fromkeys(names))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def flow_row(flow: Flow) -> list[Any]:
    fact = getattr(flow, "fact", None)
    reasons = dict(CountingReason.choices)
    return [
        flow.pk,
        flow.source_system,
        flow.source_id,
        flow.source_version,
        _text(flow.date),
        flow.status,
        flow.boundary,
        flow.on_boundary,
        flow.flow_type,
        flow.channel,
        flow.budget_classification_code,
        _names(flow, Side.SOURCE, PartyKind.ORGANISATION, PartyKind.POOLED_FUND),
        _names(flow, Side.DESTINATION, PartyKind.ORGANISATION, PartyKind.POOLED_FUND),
        _names(flow, Side.DESTINATION, PartyKind.SECTOR),
        _names(flow, None, PartyKind.LOCATION),
        _names(flow, None, PartyKind.USAGE_YEAR),
        _names(flow, None, PartyKind.PLAN),
        _names(flow, None, PartyKind.POOLED_FUND),
        flow.original_amount,
        flow.original_currency,
        flow.exchange_rate,
        flow.amount_usd,
        flow.parent_source_id,
        flow.parent_missing,
        str(reasons.get(fact.reason, fact.reason)) if fact is not None else "",
        flow.reporting_organisation_name,
    ]


def flow_table(queryset: QuerySet[Flow]) -> Iterator[list[Any]]:
    yield flow_headers()
    for flow in queryset.select_related("fact").iterator(chunk_size=CHUNK):
        yield flow_row(flow)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Decimal):  # the same text whatever the database: 60, 60.5
        return str(_cell(value))
    return "" if value is None else value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV line by line (a BOM first, so spreadsheets read UTF-8)."""
    writer = csv.writer(_Echo())
    for index, row in enumerate(rows):
        line = writer.writerow([_csv_value(v) for v in row])
        yield ("\ufeff" + line) if index == 0 else line


def _cell(value: Any) -> Any:
    # Amounts as numbers, so the sheet can sum them.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[list[Any]]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- The country page's tables ------------------------------------------------------------------


def country_tables(
    money: dict[str, Any], diaspora: list[dict[str, Any]]
) -> list[tuple[str, list[list[Any]]]]:
    """(title, rows) for each table of the country page: the summary, by donor, channel,
    sector, year, what was left out and why, and diaspora money (beside aid, not in it)."""
    reasons = dict(CountingReason.choices)
    stage_headers = [
        _("Funding (USD)"),
        _("Committed (USD)"),
        _("Paid (USD)"),
        _("Pledged (USD)"),
        _("Flows counted"),
    ]
    summary = [
        [_("Figure"), _("Value")],
        [_("Funding (USD)"), money["funding_total_usd"]],
        [_("Committed (USD)"), money["committed_usd"]],
        [_("Paid (USD)"), money["paid_usd"]],
        [_("Pledged (USD)"), money["pledge_total_usd"]],
        [_("On budget (USD)"), money["on_budget_usd"]],
        [_("Off budget (USD)"), money["off_budget_usd"]],
        [_("Flows"), money["flows_total"]],
        [_("Flows counted"), money["flows_counted"]],
        [_("Flows pledged"), money["flows_pledged"]],
    ]

    def staged(rows: list[dict[str, Any]], name: str) -> list[list[Any]]:
        return [[name, *stage_headers]] + [
            [
                r["label"],
                r["amount_usd"],
                r["committed_usd"],
                r["paid_usd"],
                r["pledged_usd"],
                r["flows"],
            ]
            for r in rows
        ]

    def simple(rows: list[dict[str, Any]], name: str) -> list[list[Any]]:
        return [[name, _("Funding (USD)"), _("Flows counted")]] + [
            [r["label"], r["amount_usd"], r["flows"]] for r in rows
        ]

    excluded = [[_("Counted or why not"), _("Amount (USD)"), _("Flows")]] + [
        [str(reasons.get(key, key)), value["amount_usd"], value["flows"]]
        for key, value in money["by_reason"].items()
    ]
    diaspora_rows = [[_("Kind"), _("Amount (USD)"), _("Corridors and periods")]] + [
        [r["label"], r["amount_usd"], r["entries"]] for r in diaspora
    ]
    return [
        (_("Summary"), summary),
        (_("By donor"), staged(money["by_donor"], _("Donor"))),
        (_("By channel"), simple(money["by_channel"], _("Channel"))),
        (_("By sector"), simple(money["by_sector"], _("Sector"))),
        (_("By year"), staged(money["by_year"], _("Usage year"))),
        (_("Counted or not"), excluded),
        (_("Diaspora (beside aid)"), diaspora_rows),
    ]


def country_csv_rows(tables: list[tuple[str, list[list[Any]]]]) -> Iterator[list[Any]]:
    """All the tables in one CSV: a column naming the table, then each table's own columns."""
    for index, (title, rows) in enumerate(tables):
        if index:
            yield []
        for row in rows:
            yield [title, *row]
