"""Writes of the money app: FTS imports, rate imports, flows, pooled fund entries and aggregate
diaspora flows entered by hand, and the linking of parent and child flows.

Every write is all or nothing and leaves a change record.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.audit import change_record
from harambee.core.choices import Action
from harambee.core.errors import ServiceError
from harambee.core.models import ChangeRecord
from harambee.core.services import create_object, require_create

from .choices import (
    FTS_PLAN_KIND,
    Channel,
    FundType,
    PartyKind,
    PlanKind,
    Side,
    SourceSystem,
)
from .counting import FACT_CHUNK, is_counted, refresh_stale_facts
from .currency import check_currency, import_rates, to_usd
from .importers.fts import FlowRecord, FtsBundle, FtsFileError, PartyRecord, read_files
from .models import (
    AggregateFlow,
    Flow,
    FlowParty,
    FundingImport,
    Plan,
    PooledFund,
    PooledFundEntry,
)
from .reconcile import Reconciler

__all__ = [
    "FtsFileError",
    "aggregate_flow_create",
    "flow_create",
    "import_fts",
    "import_rates",
    "link_flows",
    "pooled_fund_entry_create",
]

Progress = Callable[[int, int], None]

# FTS organisation type (lower case) of the destination -> channel.
FTS_CHANNELS = {
    "un agency": Channel.UN_AGENCY,
    "ngo": Channel.NGO,
    "red cross/red crescent": Channel.RED_CROSS,
    "pooled fund": Channel.POOLED_FUND,
    "government": Channel.GOVERNMENT_BUDGET,
    "private organization/foundation": Channel.PRIVATE,
    "financial institution": Channel.PRIVATE,
    "inter-governmental": Channel.OTHER,
    "other": Channel.OTHER,
}

FLOW_FIELDS = (
    "status",
    "status_original",
    "boundary",
    "on_boundary",
    "flow_type",
    "contribution_type",
    "new_money",
    "description",
    "ref_code",
    "date",
    "decision_date",
    "first_reported_date",
    "budget_year",
    "original_amount",
    "original_currency",
    "exchange_rate",
    "exchange_rate_date",
    "exchange_rate_source",
    "amount_usd",
    "parent_source_id",
    "child_source_ids",
    "reporting_organisation_name",
    "reporting_organisation",
    "report_details",
    "extra",
    "channel",
    "source_version",
    "import_run",
)


# --- linking parents and children ---------------------------------------------------------------


def link_flows(*, source_system: str | None = None) -> dict[str, int]:
    """Link each flow to its parent by the source's id; flag those whose parent is not held
    (they link up when it arrives); mark flows that repeat money a counted ancestor carries;
    bring the counting facts (counting.FlowFact) of every changed flow up to date.

    Every write of flows ends here; cheap to run again (it only writes what changed)."""
    flows = Flow.objects.all()
    if source_system:
        flows = flows.filter(source_system=source_system)
    with_parent = flows.exclude(parent_source_id="")
    # Parents are looked for in the same source system.
    parents = {
        (system, sid): pk
        for system, sid, pk in Flow.objects.filter(
            source_id__in=with_parent.values("parent_source_id")
        )
        .order_by()
        .values_list("source_system", "source_id", "pk")
    }
    changed: list[tuple[int | None, bool, int]] = []
    linked = missing = 0
    for pk, system, parent_source_id, current_parent, current_missing in (
        with_parent.order_by()
        .values_list("pk", "source_system", "parent_source_id", "parent_id", "parent_missing")
        .iterator(chunk_size=FACT_CHUNK)
    ):
        parent_id = parents.get((system, parent_source_id))
        if parent_id == pk:
            parent_id = None
        is_missing = parent_id is None
        linked += not is_missing
        missing += is_missing
        if current_parent != parent_id or current_missing != is_missing:
            changed.append((parent_id, is_missing, pk))
    # A flow that no longer names a parent has none.
    stale = flows.filter(parent_source_id="").filter(
        Q(parent__isnull=False) | Q(parent_missing=True)
    )
    cleared = stale.update(parent=None, parent_missing=False, updated_at=timezone.now())
    _set_parents(changed)
    upstream = _mark_counted_upstream()
    facts = refresh_stale_facts()
    return {
        "linked": linked,
        "parent_missing": missing,
        "changed": len(changed) + cleared,
        "facts_refreshed": facts,
        **upstream,
    }


def _set_parents(changed: list[tuple[int | None, bool, int]]) -> None:
    """(parent id, parent missing, flow id) written by one prepared UPDATE run by executemany:
    bulk_update's CASE expressions cost seconds per ten thousand rows."""
    if not changed:
        return
    connection = connections[router.db_for_write(Flow)]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
        quote(Flow._meta.db_table),
        quote(Flow._meta.get_field("parent").column),
        quote(Flow._meta.get_field("parent_missing").column),
        quote(Flow._meta.pk.column),  # type: ignore[union-attr]
    )
    with connection.cursor() as cursor:
        for start in range(0, len(changed), FACT_CHUNK):
            cursor.executemany(sql, changed[start : start + FACT_CHUNK])


def _chunks(values: Iterable[int], size: int = FACT_CHUNK) -> Iterable[list[int]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _mark_counted_upstream() -> dict[str, int]:
    """counted_upstream = the flow repeats its parent, and some ancestor along the unbroken
    chain of repeats (the first that does not repeat, or any before it) is itself counted.

    Reads only the flows that repeat their parent and their ancestors along such chains,
    level by level (not every flow), so it scales with the repeats, not the table."""
    repeating = dict(
        Flow.objects.filter(repeats_parent=True, parent__isnull=False)
        .order_by()
        .values_list("pk", "parent_id")
    )
    # pk -> (parent_id, repeats its parent, counted by rules 1-3)
    rows: dict[int, tuple[int | None, bool, bool]] = {}
    needed = set(repeating.values())
    while needed:
        following: set[int] = set()
        for chunk in _chunks(needed - rows.keys()):
            for pk, parent_id, repeats, b, ob, s in (
                Flow.objects.filter(pk__in=chunk)
                .order_by()
                .values_list(
                    "pk", "parent_id", "repeats_parent", "boundary", "on_boundary", "status"
                )
            ):
                counted = is_counted(Flow(boundary=b, on_boundary=ob, status=s))
                rows[pk] = (parent_id, repeats, counted)
                if repeats and parent_id is not None and not counted:
                    following.add(parent_id)
        needed = following - rows.keys()
    wanted: set[int] = set()
    for pk, parent_id in repeating.items():
        seen = {pk}
        current: int | None = parent_id
        while current is not None and current not in seen and current in rows:
            seen.add(current)
            up_parent, up_repeats, up_counted = rows[current]
            if up_counted:
                wanted.add(pk)
                break
            current = up_parent if up_repeats else None
    marked = set(Flow.objects.filter(counted_upstream=True).values_list("pk", flat=True))
    changes = 0
    for chunk in _chunks(wanted - marked):
        changes += Flow.objects.filter(pk__in=chunk).update(counted_upstream=True)
    for chunk in _chunks(marked - wanted):
        changes += Flow.objects.filter(pk__in=chunk).update(counted_upstream=False)
    return {"counted_upstream": len(wanted), "counted_upstream_changed": changes}


# --- FTS ----------------------------------------------------------------------------------------


def import_fts(
    *,
    actor: Any,
    paths: Sequence[str | Path],
    progress: Progress | None = None,
    write_progress: Progress | None = None,
) -> dict[str, Any]:
    """Import FTS flow pages and/or the plan overview (files, or folders of .json files).

    Everything is read and checked first (FtsFileError, nothing written); then one transaction
    writes plans, then flows: new flow ids are created, a higher `versionId` replaces the stored
    flow, the same or a lower one leaves it as it is. Returns the report."""
    require_create(actor, Flow)
    bundle = read_files(paths, progress=progress)
    with transaction.atomic():
        run = FundingImport.objects.create(
            source_system=SourceSystem.FTS,
            kind="+".join(sorted({f["kind"] for f in bundle.files})),
            files=bundle.files,
        )
        reconciler = Reconciler()
        plans = _write_plans(actor, bundle, reconciler)
        flows = _write_flows(actor, bundle, reconciler, run, write_progress)
        links = link_flows(source_system=SourceSystem.FTS)
        relinked = _link_plan_parties()
        report = {
            "files": len(bundle.files),
            "records_read": bundle.records_read,
            "duplicates_in_files": bundle.duplicates,
            "plans": plans,
            "flows": flows,
            "parents": {"linked": links["linked"], "missing": links["parent_missing"]},
            "plan_parties_linked": relinked,
            "warnings": bundle.warnings,
        }
        run.report = report
        run.save(update_fields=["report", "updated_at"])
    return report


def _write_plans(actor: Any, bundle: FtsBundle, reconciler: Reconciler) -> dict[str, int]:
    if not bundle.plans:
        return {"created": 0, "updated": 0}
    existing = {
        p.source_id: p
        for p in Plan.objects.filter(
            source_system=SourceSystem.FTS, source_id__in=list(bundle.plans)
        )
    }
    known_countries = reconciler.countries.known
    created = updated = 0
    records: list[ChangeRecord] = []
    for source_id, record in bundle.plans.items():
        values = dict(record.values)
        values["kind"] = FTS_PLAN_KIND.get(values["kind_original"].strip().lower(), PlanKind.OTHER)
        plan = existing.get(source_id)
        if plan is None:
            plan = Plan.objects.create(
                source_system=SourceSystem.FTS, source_id=source_id, **values
            )
            created += 1
            action = Action.CREATE
        else:
            for name, value in values.items():
                setattr(plan, name, value)
            plan.version += 1
            plan.save()
            updated += 1
            action = Action.UPDATE
        plan.countries.set([c for c in record.countries if c in known_countries])
        records.append(
            change_record(
                actor=actor,
                action=action,
                instance=plan,
                before=None,
                after={"source_id": source_id, "source_version": values["source_version"]},
                note=_("FTS import (%(file)s)") % {"file": record.file},
            )
        )
    ChangeRecord.objects.bulk_create(records)
    return {"created": created, "updated": updated}


def _link_plan_parties() -> int:
    """Plan parties that name an FTS plan now held get linked to it."""
    plans = dict(
        Plan.objects.filter(source_system=SourceSystem.FTS)
        .exclude(source_id="")
        .values_list("source_id", "pk")
    )
    parties = list(
        FlowParty.objects.filter(
            kind=PartyKind.PLAN,
            plan__isnull=True,
            flow__source_system=SourceSystem.FTS,
            source_id__in=list(plans),
        )
    )
    for party in parties:
        party.plan_id = plans[party.source_id]  # type: ignore[attr-defined]
        party.refresh_key()
    FlowParty.objects.bulk_update(parties, ["plan", "key", "label"], batch_size=2000)
    return len(parties)


def _pooled_funds(records: Iterable[PartyRecord], reconciler: Reconciler) -> dict[str, int]:
    """The pooled funds FTS names (organisations of type "Pooled fund"), created when new."""
    wanted = {p.source_id: p for p in records if p.kind == PartyKind.POOLED_FUND and p.source_id}
    found = dict(
        PooledFund.objects.filter(
            source_system=SourceSystem.FTS, source_id__in=list(wanted)
        ).values_list("source_id", "pk")
    )
    organisations = reconciler.organisations([p.name for p in wanted.values()])
    for source_id, party in wanted.items():
        if source_id in found:
            continue
        subtypes = {t.lower() for t in party.organisation_types}
        fund_type = (
            FundType.COUNTRY_BASED
            if "country-based" in subtypes
            else FundType.GLOBAL
            if "global" in subtypes
            else FundType.OTHER
        )
        fund = PooledFund.objects.create(
            name=party.name or source_id,
            fund_type=fund_type,
            organisation_id=organisations.get(party.name),
            source_system=SourceSystem.FTS,
            source_id=source_id,
        )
        found[source_id] = fund.pk
    return found


def _channel(parties: list[PartyRecord]) -> str:
    for party in parties:
        if party.side != Side.DESTINATION or party.kind not in (
            PartyKind.ORGANISATION,
            PartyKind.POOLED_FUND,
        ):
            continue
        for kind in party.organisation_types:
            channel = FTS_CHANNELS.get(kind.lower())
            if channel:
                return channel
    return ""


def _write_flows(
    actor: Any,
    bundle: FtsBundle,
    reconciler: Reconciler,
    run: FundingImport,
    progress: Progress | None,
) -> dict[str, int]:
    if not bundle.flows:
        return {"created": 0, "updated": 0, "unchanged": 0, "older_in_file": 0}
    existing = {
        sid: (pk, version)
        for sid, pk, version in Flow.objects.filter(
            source_system=SourceSystem.FTS, source_id__in=list(bundle.flows)
        ).values_list("source_id", "pk", "source_version")
    }
    to_create: list[FlowRecord] = []
    to_update: list[FlowRecord] = []
    unchanged = older = 0
    for source_id, record in bundle.flows.items():
        stored = existing.get(source_id)
        if stored is None:
            to_create.append(record)
        elif record.version > stored[1]:
            to_update.append(record)
        elif record.version == stored[1]:
            unchanged += 1
        else:
            older += 1
    writing = to_create + to_update
    all_parties = [p for r in writing for p in r.parties]
    org_names = {p.name for p in all_parties if p.kind == PartyKind.ORGANISATION}
    org_names |= {r.values["reporting_organisation_name"] for r in writing}
    organisations = reconciler.organisations(sorted(n for n in org_names if n))
    funds = _pooled_funds(all_parties, reconciler)
    plans = dict(Plan.objects.filter(source_system=SourceSystem.FTS).values_list("source_id", "pk"))

    def build(record: FlowRecord, flow: Flow) -> Flow:
        for name, value in record.values.items():
            setattr(flow, name, value)
        flow.source_version = record.version
        flow.import_run = run
        flow.reporting_organisation_id = organisations.get(  # type: ignore[attr-defined]
            record.values["reporting_organisation_name"]
        )
        flow.channel = _channel(record.parties)
        return flow

    new_flows = [
        build(r, Flow(source_system=SourceSystem.FTS, source_id=r.source_id)) for r in to_create
    ]
    Flow.objects.bulk_create(new_flows, batch_size=1000)
    if any(f.pk is None for f in new_flows):  # a database that does not return ids
        ids = dict(
            Flow.objects.filter(
                source_system=SourceSystem.FTS, source_id__in=[f.source_id for f in new_flows]
            ).values_list("source_id", "pk")
        )
        for flow in new_flows:
            flow.pk = ids[flow.source_id]
    updated_flows = []
    if to_update:
        current = {
            f.source_id: f
            for f in Flow.objects.filter(
                source_system=SourceSystem.FTS, source_id__in=[r.source_id for r in to_update]
            )
        }
        now = timezone.now()
        for record in to_update:
            flow = build(record, current[record.source_id])
            flow.version += 1
            flow.updated_at = now
            updated_flows.append(flow)
        FlowParty.objects.filter(flow__in=updated_flows).delete()
        Flow.objects.bulk_update(
            updated_flows, [*FLOW_FIELDS, "version", "updated_at"], batch_size=500
        )
    parties: list[FlowParty] = []
    pairs = zip(to_create + to_update, new_flows + updated_flows, strict=True)
    for done, (record, flow) in enumerate(pairs, start=1):
        for p in record.parties:
            party = FlowParty(
                flow_id=flow.pk,
                side=p.side,
                kind=p.kind,
                behavior=p.behavior,
                source_type=p.source_type,
                source_id=p.source_id,
                name=p.name,
                code=p.code,
                organisation_types=p.organisation_types,
                year=p.year,
            )
            if p.kind == PartyKind.ORGANISATION:
                party.organisation_id = organisations.get(p.name)  # type: ignore[attr-defined]
            elif p.kind == PartyKind.POOLED_FUND:
                party.pooled_fund_id = funds.get(p.source_id)  # type: ignore[attr-defined]
            elif p.kind == PartyKind.LOCATION:
                party.country_id = reconciler.country(p.name)  # type: ignore[attr-defined]
            elif p.kind in (PartyKind.SECTOR, PartyKind.CLUSTER):
                party.sector_id = reconciler.sector(p.name)  # type: ignore[attr-defined]
            elif p.kind == PartyKind.EMERGENCY:
                party.emergency_id = reconciler.emergency(p.name)  # type: ignore[attr-defined]
            elif p.kind == PartyKind.PLAN:
                party.plan_id = plans.get(p.source_id)  # type: ignore[attr-defined]
            party.refresh_key()
            parties.append(party)
        if progress is not None:
            progress(done, len(writing))
    FlowParty.objects.bulk_create(parties, batch_size=2000)
    note = _("FTS import")
    records = [
        change_record(
            actor=actor,
            action=Action.CREATE if flow.version == 1 else Action.UPDATE,
            instance=flow,
            before=None,
            after={
                "source_id": flow.source_id,
                "source_version": flow.source_version,
                "status": flow.status,
                "amount_usd": str(flow.amount_usd),
            },
            note=note,
        )
        for flow in new_flows + updated_flows
    ]
    ChangeRecord.objects.bulk_create(records, batch_size=2000)
    return {
        "created": len(new_flows),
        "updated": len(updated_flows),
        "unchanged": unchanged,
        "older_in_file": older,
    }


# --- entered by hand ----------------------------------------------------------------------------


def _convert(data: dict[str, Any], day: datetime.date | None) -> dict[str, Any]:
    """Fill amount_usd and the rate (with its date and source) from the original amount."""
    amount = data.get("original_amount")
    currency = data.get("original_currency")
    if amount is None or not currency:
        if data.get("amount_usd") is None:
            raise ServiceError(_("Give the amount and its currency."))
        return data
    if day is None:
        raise ServiceError(_("A date is needed to convert the amount to US dollars."))
    conversion = to_usd(Decimal(amount), check_currency(currency), day)
    return {
        **data,
        "original_currency": check_currency(currency),
        "amount_usd": conversion.amount_usd,
        "exchange_rate": conversion.rate,
        "exchange_rate_date": conversion.rate_date,
        "exchange_rate_source": conversion.source,
    }


@transaction.atomic
def flow_create(
    *,
    actor: Any,
    data: Mapping[str, Any],
    parties: Sequence[Mapping[str, Any]] = (),
) -> Flow:
    """A flow entered in Harambee (or built by another importer) with its parties. The amount
    is converted with a stored rate when it is not in US dollars."""
    values = dict(data)
    values.setdefault("source_system", SourceSystem.MANUAL)
    day = values.get("value_date") or values.get("date") or values.get("decision_date")
    values = _convert(values, day)
    flow = create_object(Flow, actor=actor, data=values)
    for spec in parties:
        party = FlowParty(flow=flow, **spec)
        party.refresh_key()
        party.full_clean()
        party.save()
    link_flows(source_system=flow.source_system)
    flow.refresh_from_db()
    return flow


@transaction.atomic
def pooled_fund_entry_create(*, actor: Any, data: Mapping[str, Any]) -> PooledFundEntry:
    values = _convert(dict(data), data.get("date"))
    return create_object(PooledFundEntry, actor=actor, data=values)


@transaction.atomic
def aggregate_flow_create(*, actor: Any, data: Mapping[str, Any]) -> AggregateFlow:
    """A remittance or philanthropy figure for a corridor and period (never in aid totals)."""
    values = _convert(dict(data), data.get("period_end"))
    return create_object(AggregateFlow, actor=actor, data=values)
