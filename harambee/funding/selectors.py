"""Reads of the money app, each restricted to what the user may see. Totals go through
counting.py over these querysets, so a user's totals never include flows hidden from them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from harambee.core.choices import Permission

from . import counting
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
