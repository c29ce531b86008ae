"""Reading OCHA FTS API answers: flow pages (`/v1/public/fts/flow?...`, `data.flows`) and the
plan overview (`data.plans`). Reading checks everything before anything is written; the writing
is in services.import_fts.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError

from ..choices import (
    FTS_OBJECT_KIND,
    Behavior,
    Boundary,
    ContributionType,
    FlowStatus,
    FlowType,
    OnBoundary,
    PartyKind,
    Side,
)
from ..currency import is_known_currency

MAX_ERRORS = 20

FLOW_TYPES = {
    "standard": FlowType.STANDARD,
    "parked": FlowType.PARKED,
    "pass through": FlowType.PASS_THROUGH,
    "carryover": FlowType.CARRYOVER,
}
CONTRIBUTION_TYPES = {"financial": ContributionType.FINANCIAL, "in kind": ContributionType.IN_KIND}
STATUSES = {s.value for s in FlowStatus if s != FlowStatus.OTHER}
BOUNDARIES = set(Boundary.values)
ON_BOUNDARY = set(OnBoundary.values)
BEHAVIORS = set(Behavior.values)


class FtsFileError(ServiceError):
    code = "import_invalid"


@dataclass
class PartyRecord:
    side: str
    kind: str
    source_type: str
    source_id: str
    name: str
    behavior: str
    code: str = ""
    organisation_types: list[str] = field(default_factory=list)
    year: int | None = None


@dataclass
class FlowRecord:
    file: str
    source_id: str
    version: int
    values: dict[str, Any]
    parties: list[PartyRecord]


@dataclass
class PlanRecord:
    file: str
    source_id: str
    values: dict[str, Any]
    countries: list[str]


@dataclass
class FtsBundle:
    """Everything read from the files of one run."""

    files: list[dict[str, str]] = field(default_factory=list)
    flows: dict[str, FlowRecord] = field(default_factory=dict)
    plans: dict[str, PlanRecord] = field(default_factory=dict)
    records_read: int = 0
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the .json files of each folder given (sorted, so page 1 comes first)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".json")
        else:
            found.append(path)
    if not found:
        raise FtsFileError(_("No JSON files to import."))
    return found


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    return datetime.date.fromisoformat(str(value)[:10])


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value))
    if not number.is_finite():
        raise InvalidOperation
    return number


def load_json(name: str, content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FtsFileError(_("%(file)s is not a UTF-8 text file.") % {"file": name}) from exc
    except json.JSONDecodeError as exc:
        raise FtsFileError(
            _("%(file)s is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"file": name, "error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from exc


def file_kind(document: Any) -> str | None:
    """'flows' for an FTS flow page, 'plans' for the plan overview, None for anything else."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("flows"), list):
        return "flows"
    if isinstance(data.get("plans"), list):
        return "plans"
    return None


def read_files(paths: Iterable[str | Path], *, progress: Any = None) -> FtsBundle:
    """Read and check every file; raise FtsFileError (nothing is written) on the first file
    that is not FTS JSON, or with the first MAX_ERRORS bad records named by file and flow id."""
    bundle = FtsBundle()
    errors: list[str] = []
    documents: list[tuple[str, str, Any]] = []
    for path in expand_paths(paths):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise FtsFileError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
            ) from exc
        document = load_json(path.name, content)
        kind = file_kind(document)
        if kind is None:
            raise FtsFileError(
                _(
                    "%(file)s is not an FTS flow page or plan overview: it has no data.flows or "
                    "data.plans list."
                )
                % {"file": path.name}
            )
        bundle.files.append(
            {"name": path.name, "kind": kind, "sha256": hashlib.sha256(content).hexdigest()}
        )
        documents.append((path.name, kind, document))
    total = sum(len(doc["data"][kind]) for _n, kind, doc in documents)
    done = 0
    expected: dict[str, int] = {}
    read_per_query: dict[str, int] = {}
    for name, kind, document in documents:
        records = document["data"][kind]
        if kind == "flows":
            meta = document.get("meta") or {}
            signature = json.dumps(
                [meta.get("count"), {k: v for k, v in document["data"].items() if k != "flows"}],
                sort_keys=True,
            )
            if isinstance(meta.get("count"), int):
                expected[signature] = meta["count"]
                read_per_query[signature] = read_per_query.get(signature, 0) + len(records)
        for index, raw in enumerate(records):
            done += 1
            bundle.records_read += 1
            try:
                if kind == "flows":
                    record = _flow(name, raw)
                    previous = bundle.flows.get(record.source_id)
                    if previous is not None:
                        bundle.duplicates += 1
                        if previous.version >= record.version:
                            continue
                    bundle.flows[record.source_id] = record
                else:
                    plan = _plan(name, raw)
                    bundle.plans[plan.source_id] = plan
            except FtsFileError as exc:
                ident = raw.get("id") if isinstance(raw, dict) else None
                where = (
                    _("flow %(id)s") % {"id": ident}
                    if kind == "flows" and ident is not None
                    else _("record %(n)s") % {"n": index + 1}
                )
                errors.append(f"{name}, {where}: {exc.message}")
                if len(errors) >= MAX_ERRORS:
                    break
            if progress is not None:
                progress(done, total)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise FtsFileError(
            _("Nothing was imported: %(n)s bad records.") % {"n": len(errors)}
            + "\n"
            + "\n".join(errors)
        )
    for signature, count in expected.items():
        if read_per_query[signature] < count:
            bundle.warnings.append(
                _(
                    "The pages given hold %(read)s of the %(count)s flows of their search: "
                    "some pages are missing."
                )
                % {"read": read_per_query[signature], "count": count}
            )
    return bundle


def _need(raw: dict[str, Any], key: str) -> Any:
    if key not in raw or raw[key] is None:
        raise FtsFileError(_("“%(field)s” is missing.") % {"field": key})
    return raw[key]


def _choice(value: Any, allowed: set[str] | Mapping[str, str], key: str) -> str:
    text = str(value).strip().lower()
    if text not in allowed:
        raise FtsFileError(
            _("“%(field)s” is “%(value)s”, not one of %(allowed)s.")
            % {"field": key, "value": value, "allowed": ", ".join(sorted(allowed))}
        )
    return allowed[text] if isinstance(allowed, Mapping) else text


def _flow(file: str, raw: Any) -> FlowRecord:
    if not isinstance(raw, dict):
        raise FtsFileError(_("a flow must be a JSON object."))
    source_id = str(_need(raw, "id")).strip()
    if not source_id:
        raise FtsFileError(_("“id” is empty."))
    try:
        version = int(raw.get("versionId") or 1)
        amount_usd = _decimal(_need(raw, "amountUSD"))
        original_amount = _decimal(raw.get("originalAmount"))
        rate = _decimal(raw.get("exchangeRate"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise FtsFileError(_("an amount, rate or version is not a number.")) from exc
    if amount_usd is None or amount_usd < 0:
        raise FtsFileError(_("“amountUSD” must be zero or more."))
    if rate is not None and rate <= 0:
        rate = None  # FTS gives 0 when it has no rate: "none", never a zero rate
    currency = str(raw.get("originalCurrency") or "").strip().upper()
    if currency and not is_known_currency(currency):
        raise FtsFileError(_("Unknown currency “%(code)s”.") % {"code": raw["originalCurrency"]})
    try:
        date = _date(raw.get("date"))
        decision_date = _date(raw.get("decisionDate"))
        first_reported = _date(raw.get("firstReportedDate"))
        budget_year = _int(raw.get("budgetYear"))
    except ValueError as exc:
        raise FtsFileError(_("a date or the budget year is not valid.")) from exc
    parent = raw.get("parentFlowId")
    children = raw.get("childFlowIds") or []
    if not isinstance(children, list):
        raise FtsFileError(_("“childFlowIds” must be a list."))
    reports = raw.get("reportDetails") or []
    primary = next(
        (r for r in reports if isinstance(r, dict) and r.get("sourceType") == "Primary"),
        reports[0] if reports and isinstance(reports[0], dict) else {},
    )
    values = {
        "status": _choice(_need(raw, "status"), STATUSES, "status"),
        "status_original": str(raw["status"]),
        "boundary": _choice(_need(raw, "boundary"), BOUNDARIES, "boundary"),
        "on_boundary": _choice(_need(raw, "onBoundary"), ON_BOUNDARY, "onBoundary"),
        "flow_type": _choice(raw.get("flowType") or "Standard", FLOW_TYPES, "flowType"),
        "contribution_type": _choice(
            raw.get("contributionType") or "financial", CONTRIBUTION_TYPES, "contributionType"
        ),
        "new_money": bool(raw.get("newMoney", True)),
        "description": str(raw.get("description") or ""),
        "ref_code": str(raw.get("refCode") or "")[:255],
        "date": date,
        "decision_date": decision_date,
        "first_reported_date": first_reported,
        "budget_year": budget_year,
        "original_amount": original_amount,
        "original_currency": currency,
        "exchange_rate": rate,
        "exchange_rate_date": (decision_date or date) if rate is not None else None,
        "exchange_rate_source": "FTS" if rate is not None else "",
        "amount_usd": amount_usd,
        "parent_source_id": str(parent) if parent not in (None, "") else "",
        "child_source_ids": [str(c) for c in children],
        "reporting_organisation_name": str(primary.get("organization") or "")[:500],
        "report_details": reports,
        "extra": {
            key: raw.get(key)
            for key in (
                "flowType",
                "method",
                "keywords",
                "grandBargainEarmarkingType",
                "createdAt",
                "updatedAt",
            )
            if raw.get(key) not in (None, "", [])
        },
    }
    parties = [
        _party(side, obj)
        for side, key in ((Side.SOURCE, "sourceObjects"), (Side.DESTINATION, "destinationObjects"))
        for obj in _list(raw, key)
    ]
    return FlowRecord(file, source_id, version, values, parties)


def _list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise FtsFileError(_("“%(field)s” must be a list.") % {"field": key})
    return value


def _party(side: str, obj: Any) -> PartyRecord:
    if not isinstance(obj, dict) or "type" not in obj:
        raise FtsFileError(_("a source or destination object has no type."))
    source_type = str(obj["type"])
    kind = FTS_OBJECT_KIND.get(source_type)
    if kind is None:
        raise FtsFileError(_("unknown object type “%(type)s”.") % {"type": source_type})
    types = [str(t) for t in obj.get("organizationTypes") or []]
    subtypes = [str(t) for t in obj.get("organizationSubTypes") or []]
    if kind == PartyKind.ORGANISATION and any(t.lower() == "pooled fund" for t in types):
        kind = PartyKind.POOLED_FUND
    behavior = str(obj.get("behavior") or Behavior.SINGLE).lower()
    if behavior not in BEHAVIORS:
        raise FtsFileError(_("unknown behaviour “%(value)s”.") % {"value": obj.get("behavior")})
    name = str(obj.get("name") or "")
    year = None
    if kind == PartyKind.USAGE_YEAR:
        try:
            year = int(name)
        except ValueError as exc:
            raise FtsFileError(
                _("usage year “%(value)s” is not a year.") % {"value": name}
            ) from exc
    return PartyRecord(
        side=side,
        kind=kind,
        source_type=source_type,
        source_id=str(obj.get("id") or ""),
        name=name[:500],
        behavior=behavior,
        code=str(obj.get("code") or "")[:128],
        organisation_types=[*types, *subtypes],
        year=year,
    )


def _plan(file: str, raw: Any) -> PlanRecord:
    if not isinstance(raw, dict):
        raise FtsFileError(_("a plan must be a JSON object."))
    source_id = str(_need(raw, "id"))
    requirements = raw.get("requirements") or {}
    funding = raw.get("funding") or {}
    years = [y.get("year") for y in raw.get("usageYears") or [] if isinstance(y, dict)]
    try:
        original = _decimal(requirements.get("origRequirements"))
        revised = _decimal(requirements.get("revisedRequirements"))
        reported = _decimal(funding.get("totalFunding"))
        year = _int(years[0]) if years else None
        start, end = _date(raw.get("startDate")), _date(raw.get("endDate"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise FtsFileError(_("a requirement, funding figure, year or date is not valid.")) from exc
    plan_type = raw.get("planType") or {}
    values = {
        "name": str(_need(raw, "name"))[:500],
        "code": str(raw.get("code") or "")[:64],
        "kind_original": str(plan_type.get("name") or "")[:200],
        "year": year,
        "start_date": start,
        "end_date": end,
        "original_requirements_usd": original,
        # "Revised" is 0 when never revised: the original requirements stand.
        "requirements_usd": revised if revised else original,
        "reported_funding_usd": reported,
        "source_version": str(raw.get("planVersionId") or ""),
    }
    countries = [
        str(c["iso3"]).upper()
        for c in raw.get("countries") or []
        if isinstance(c, dict) and c.get("iso3")
    ]
    return PlanRecord(file, source_id, values, countries)
