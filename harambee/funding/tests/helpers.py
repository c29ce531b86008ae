"""Small hand-built flows for counting tests, and FTS-shaped JSON for import tests."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from ..choices import PartyKind, Side, SourceSystem
from ..models import Flow
from ..services import flow_create

DATA = Path(settings.PROJECT_DIR).parent / "shared" / "data" / "funding"

_counter = {"n": 0}


def party(kind: str, name: str, side: str = Side.DESTINATION, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "side": side, "name": name, "source_id": name, **extra}


def place(iso3: str = "JOR", side: str = Side.DESTINATION) -> dict[str, Any]:
    return party(PartyKind.LOCATION, iso3, side, country_id=iso3)


def year(value: int = 2020, side: str = Side.DESTINATION) -> dict[str, Any]:
    return party(PartyKind.USAGE_YEAR, str(value), side, year=value)


def sector(name: str) -> dict[str, Any]:
    return party(PartyKind.SECTOR, name)


def flow(
    amount: int | str,
    *,
    status: str = "paid",
    boundary: str = "incoming",
    on_boundary: str = "single",
    flow_type: str = "standard",
    parent: str = "",
    repeats_parent: bool = False,
    parties: list[dict[str, Any]] | None = None,
    source_id: str | None = None,
    **data: Any,
) -> Flow:
    _counter["n"] += 1
    return flow_create(
        actor=None,
        data={
            "source_system": SourceSystem.MANUAL,
            "source_id": source_id or f"t{_counter['n']}",
            "status": status,
            "boundary": boundary,
            "on_boundary": on_boundary,
            "flow_type": flow_type,
            "amount_usd": Decimal(str(amount)),
            "parent_source_id": parent,
            "repeats_parent": repeats_parent,
            **data,
        },
        parties=parties if parties is not None else [place(), year()],
    )


def fts_flow(flow_id: int, amount: int, **overrides: Any) -> dict[str, Any]:
    """An FTS API flow record for Jordan 2020 (the shape of the real files)."""
    record: dict[str, Any] = {
        "id": str(flow_id),
        "amountUSD": amount,
        "budgetYear": "2020",
        "childFlowIds": None,
        "contributionType": "financial",
        "date": "2020-03-01T00:00:00Z",
        "decisionDate": "2020-02-15T00:00:00Z",
        "description": f"Flow {flow_id}",
        "exchangeRate": None,
        "firstReportedDate": "2020-03-02T00:00:00Z",
        "flowType": "Standard",
        "keywords": [],
        "newMoney": True,
        "method": "Traditional aid",
        "parentFlowId": None,
        "status": "paid",
        "versionId": 1,
        "sourceObjects": [
            {
                "type": "Organization",
                "id": "4306",
                "name": "Germany, Government of",
                "behavior": "single",
                "organizationTypes": ["Government"],
            },
            {"type": "UsageYear", "id": "41", "name": "2020", "behavior": "single"},
        ],
        "destinationObjects": [
            {
                "type": "Organization",
                "id": "4398",
                "name": "United Nations High Commissioner for Refugees",
                "behavior": "single",
                "organizationTypes": ["UN agency"],
            },
            {"type": "Location", "id": "114", "name": "Jordan", "behavior": "single"},
            {"type": "UsageYear", "id": "41", "name": "2020", "behavior": "single"},
        ],
        "boundary": "incoming",
        "onBoundary": "single",
        "reportDetails": [{"sourceType": "Primary", "organization": "Germany, Government of"}],
    }
    record.update(overrides)
    return record


def fts_page(tmp_path: Path, name: str, flows: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"status": "ok", "data": {"flows": flows}, "meta": {"count": len(flows)}})
    )
    return path
