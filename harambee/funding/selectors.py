"""Reads of the money app, each restricted to what the user may see. Totals go through
counting.py over these querysets, so a user's totals never include flows hidden from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from harambee.core.choices import Permission

from . import counting
from .choices import PartyKind
from .filtersets import (
    AggregateFlowFilterSet,
    ExchangeRateFilterSet,
    FlowFilterSet,
    PlanFilterSet,
    PooledFundFilterSet,
)
from .models import (
    AggregateFlow,
    ExchangeRate,
    Flow,
    FlowFact,
    FlowParty,
    Plan,
    PooledFund,
    PooledFundEntry,
)


def filtered(
    filterset_class: Any, queryset: QuerySet[Any], user: Any, filters: Any
) -> QuerySet[Any]:
    """Apply the shared FilterSet; invalid values are ignored, as a list page would."""
    from harambee.network.filtersets import UserRequest

    if not filters:
        return queryset
    return filterset_class(data=filters, queryset=queryset, request=UserRequest(user)).qs


def visible_flows(*, user: Any) -> QuerySet[Flow]:
    """The flows the user may see, nothing loaded beyond the row: the base of every total."""
    return Flow.objects.restrict(user, Permission.VIEW)


def flows(*, user: Any) -> QuerySet[Flow]:
    """Flows with their parties, ready for a list or the API."""
    parties = FlowParty.objects.select_related(
        "organisation", "country", "sector", "plan", "pooled_fund", "emergency"
    ).order_by("side", "kind", "pk")
    return visible_flows(user=user).prefetch_related(Prefetch("parties", queryset=parties))


def flow_list(*, user: Any, filters: Any = None) -> QuerySet[Flow]:
    return filtered(FlowFilterSet, flows(user=user), user, filters)


def flow_get(*, user: Any, pk: Any) -> Flow:
    try:
        return flows(user=user).get(pk=pk)
    except (Flow.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such flow.") from exc


def flow_chain(*, user: Any, flow: Flow) -> dict[str, Any]:
    """A flow's ancestors (nearest first) and its children, as far as the user may see them."""
    visible = visible_flows(user=user)
    ancestors: list[Flow] = []
    seen = {flow.pk}
    current = flow
    while current.parent_id is not None and current.parent_id not in seen:  # type: ignore[attr-defined]
        parent = visible.filter(pk=current.parent_id).first()  # type: ignore[attr-defined]
        if parent is None:
            break
        ancestors.append(parent)
        seen.add(parent.pk)
        current = parent
    return {"ancestors": ancestors, "children": list(visible.filter(parent=flow))}


def funding_summary(*, user: Any, country: str, year: int) -> dict[str, Any]:
    return counting.summary(visible_flows(user=user), country=country, year=year)


def plans(*, user: Any) -> QuerySet[Plan]:
    return Plan.objects.restrict(user, Permission.VIEW).prefetch_related(
        "countries", "requirements"
    )


def plan_list(*, user: Any, filters: Any = None) -> QuerySet[Plan]:
    return filtered(PlanFilterSet, plans(user=user), user, filters)


def pooled_funds(*, user: Any) -> QuerySet[PooledFund]:
    return PooledFund.objects.restrict(user, Permission.VIEW).select_related("country")


def pooled_fund_list(*, user: Any, filters: Any = None) -> QuerySet[PooledFund]:
    return filtered(PooledFundFilterSet, pooled_funds(user=user), user, filters)


def pooled_fund_stages(*, user: Any, fund: PooledFund) -> dict[str, Any]:
    entries = PooledFundEntry.objects.restrict(user, Permission.VIEW)
    return counting.pooled_fund_stages(fund, entries)


def exchange_rates(*, user: Any) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.restrict(user, Permission.VIEW)


def exchange_rate_list(*, user: Any, filters: Any = None) -> QuerySet[ExchangeRate]:
    return filtered(ExchangeRateFilterSet, exchange_rates(user=user), user, filters)


def aggregate_flows(*, user: Any) -> QuerySet[AggregateFlow]:
    return AggregateFlow.objects.restrict(user, Permission.VIEW).select_related(
        "origin_country", "destination_country"
    )


def aggregate_flow_list(*, user: Any, filters: Any = None) -> QuerySet[AggregateFlow]:
    return filtered(AggregateFlowFilterSet, aggregate_flows(user=user), user, filters)


# IATI transaction types by direction, for following money through an activity.
_IATI_RECEIVED = ("1", "11")
_IATI_PASSED_ON = ("2", "3", "4")


def flow_trace(*, user: Any, flow: Flow, limit: int = 500) -> dict[str, Any]:
    """Where a flow's money came from and where it went, as far as the user may see.

    Upstream (nearest first): the flow's parent, and for an IATI flow that passes on money its
    activity received (outgoing commitment, disbursement, expenditure), that activity's incoming
    transactions, then theirs, up the chain of publishers (provider-activity-id links the
    incoming funds to the donor's disbursement). Downstream (breadth first): the flow's
    children, and for an incoming IATI transaction, what its activity passed on or spent, and
    so on down. At most `limit` flows each way."""
    visible = visible_flows(user=user)

    def step_up(current: Flow) -> list[Flow]:
        if current.parent_id is not None:  # type: ignore[attr-defined]
            parent = visible.filter(pk=current.parent_id).first()  # type: ignore[attr-defined]
            return [parent] if parent is not None else []
        if current.iati_activity_id and current.iati_transaction_type in _IATI_PASSED_ON:  # type: ignore[attr-defined]
            return list(
                visible.filter(
                    iati_activity_id=current.iati_activity_id,  # type: ignore[attr-defined]
                    iati_transaction_type__in=_IATI_RECEIVED,
                ).order_by("date", "pk")
            )
        return []

    def step_down(current: Flow) -> list[Flow]:
        found = list(visible.filter(parent=current).order_by("date", "pk"))
        if current.iati_activity_id and current.iati_transaction_type in _IATI_RECEIVED:  # type: ignore[attr-defined]
            found += list(
                visible.filter(
                    iati_activity_id=current.iati_activity_id,  # type: ignore[attr-defined]
                    iati_transaction_type__in=_IATI_PASSED_ON,
                ).order_by("date", "pk")
            )
        return found

    def walk(step: Any) -> list[Flow]:
        seen = {flow.pk}
        result: list[Flow] = []
        queue = [flow]
        while queue and len(result) < limit:
            current = queue.pop(0)
            for item in step(current):
                if item.pk not in seen:
                    seen.add(item.pk)
                    result.append(item)
                    queue.append(item)
        return result[:limit]

    return {"flow": flow, "upstream": walk(step_up), "downstream": walk(step_down)}


# --- The money pages --------------------------------------------------------------------------

CHAIN_LIMIT = 200


def visible_facts(*, user: Any) -> QuerySet[FlowFact]:
    """The counting facts of the flows the user may see: the base of the pages' totals."""
    return FlowFact.objects.restrict(user, Permission.VIEW)


def country_money(*, user: Any, country: str, year: int | None = None) -> dict[str, Any]:
    """The country money page: every total through counting (from the flows' counting facts),
    restricted to what the user may see."""
    facts = counting.country_facts(visible_facts(user=user), country=country, year=year)
    return counting.money_picture(facts)


def country_reporters(*, user: Any, country: str, year: int | None = None) -> list[dict[str, Any]]:
    facts = counting.country_facts(visible_facts(user=user), country=country, year=year)
    return counting.reporters(facts)


def countries_with_flows(*, user: Any) -> list[dict[str, Any]]:
    """Countries named by a place party of a flow the user may see, with how many flows."""
    rows = (
        FlowParty.objects.filter(
            kind=PartyKind.LOCATION,
            country__isnull=False,
            flow__in=visible_flows(user=user),
        )
        .order_by()
        .values("country_id", "country__name")
        .annotate(n=Count("flow", distinct=True))
        .order_by("country__name")
    )
    return [{"iso3": r["country_id"], "name": r["country__name"], "flows": r["n"]} for r in rows]


def years_of_country(*, user: Any, country: str) -> list[int]:
    """The usage years of the country's flows (for the year filter)."""
    in_country = FlowParty.objects.filter(kind=PartyKind.LOCATION, country_id=country)
    return sorted(
        FlowParty.objects.filter(
            kind=PartyKind.USAGE_YEAR,
            year__isnull=False,
            flow_id__in=in_country.values("flow_id"),
        )
        .order_by()
        .values_list("year", flat=True)
        .distinct(),
        reverse=True,
    )


def flow_descendants(*, user: Any, flow: Flow, limit: int = CHAIN_LIMIT) -> dict[str, Any]:
    """Where the money ended up: the flow's children, their children... (as far as the user
    may see them), as a list of (depth, flow) in tree order, with whether it was cut short."""
    visible = visible_flows(user=user)
    children: dict[int, list[Flow]] = {}
    frontier = [flow.pk]
    seen = {flow.pk}
    total = 0
    truncated = False
    while frontier and not truncated:
        level = list(
            visible.filter(parent_id__in=frontier)
            .select_related("fact")
            .prefetch_related("parties")
            .order_by("pk")[: limit + 1]
        )
        frontier = []
        for child in level:
            if child.pk in seen:
                continue
            if total >= limit:
                truncated = True
                break
            seen.add(child.pk)
            total += 1
            children.setdefault(child.parent_id, []).append(child)  # type: ignore[attr-defined,arg-type]
            frontier.append(child.pk)
    rows: list[tuple[int, Flow]] = []

    def walk(pk: int, depth: int) -> None:
        for child in children.get(pk, []):
            rows.append((depth, child))
            walk(child.pk, depth + 1)

    walk(flow.pk, 1)
    leaves = [f for _depth, f in rows if f.pk not in children]
    return {"rows": rows, "truncated": truncated, "leaves": leaves}


def plan_gap(*, user: Any, plan: Plan) -> dict[str, Any]:
    """Requirements vs funding by sector for a plan: the gap and the coverage of each sector.
    Funding is every flow to the plan, counted once (counting.grouped by sector)."""
    flows = counting.in_scope(visible_flows(user=user), plan=plan.pk)
    funding = counting.total(flows)
    pledges = counting.pledge_total(flows)
    by_sector = counting.grouped(flows, "sector")
    requirements = list(plan.requirements.all())
    funded: dict[str, dict[str, Any]] = {row["key"]: dict(row) for row in by_sector}
    by_label = {str(row["label"]).strip().lower(): row["key"] for row in by_sector}
    rows: list[dict[str, Any]] = []
    sector_requirements: dict[str, dict[str, Any]] = {}
    for requirement in requirements:
        if requirement.sector_id is None and not requirement.sector_name:  # type: ignore[attr-defined]
            continue
        key = (
            f"sector:{requirement.sector_id}"  # type: ignore[attr-defined]
            if requirement.sector_id is not None  # type: ignore[attr-defined]
            else by_label.get(requirement.sector_name.strip().lower(), "")
        )
        label = str(requirement.sector) if requirement.sector else requirement.sector_name
        entry = sector_requirements.setdefault(
            key or f"name:{label}", {"key": key, "label": label, "required_usd": Decimal(0)}
        )
        entry["required_usd"] += requirement.amount_usd
    for entry in sector_requirements.values():
        row = funded.pop(entry["key"], None) if entry["key"] else None
        rows.append(
            _gap_row(
                entry["label"], entry["required_usd"], row["amount_usd"] if row else Decimal(0)
            )
        )
    rows.sort(key=lambda r: (-r["gap_usd"], r["label"]))
    unmatched = sorted(funded.values(), key=lambda r: (-r["amount_usd"], str(r["label"])))
    required = plan.requirements_usd
    if required is None and requirements:
        required = sum((r.amount_usd for r in requirements), Decimal(0))
    return {
        "funding_usd": funding,
        "pledges_usd": pledges,
        "total": _gap_row(str(plan), required, funding) if required is not None else None,
        "rows": rows,
        "unmatched": unmatched,
        "by_sector": by_sector,
        "only_total_requirements": not rows,
        "flows": flows.filter(counting.counted_condition()).count(),
    }


def _gap_row(label: str, required: Decimal | None, funding: Decimal) -> dict[str, Any]:
    required = required or Decimal(0)
    gap = max(required - funding, Decimal(0))
    coverage = (funding / required * 100) if required else None
    return {
        "label": label,
        "required_usd": required,
        "funding_usd": funding,
        "gap_usd": gap,
        "coverage": coverage,
        # For the bars: the funded share of the requirement, capped at the whole bar.
        "funded_share": min(float(funding / required), 1.0) if required else 1.0,
    }


def pooled_fund_flows(*, user: Any, fund: PooledFund) -> dict[str, Any]:
    """Flows into the fund (it is a destination: counted once, on the way in) and out of it
    (a source: allocations to partners, money already counted), restricted to what the user
    may see."""
    visible = visible_flows(user=user)

    def side(name: str) -> QuerySet[Flow]:
        parties = FlowParty.objects.filter(
            flow=OuterRef("pk"), kind=PartyKind.POOLED_FUND, side=name, pooled_fund=fund
        )
        return visible.filter(Exists(parties))

    into, out = side("destination"), side("source")
    return {
        "in_counted_usd": counting.total(into),
        "in_moved_usd": counting.moved_total(into),
        "out_moved_usd": counting.moved_total(out),
        "in_flows": into.count(),
        "out_flows": out.count(),
        "donors": counting.grouped(into, "donor", moved=True),
        "recipients": counting.grouped(out, "organisation", moved=True),
    }


def pooled_fund_entries(*, user: Any, fund: PooledFund) -> QuerySet[PooledFundEntry]:
    return PooledFundEntry.objects.restrict(user, Permission.VIEW).filter(fund=fund)
