"""The one counting rule. Every total of money in Harambee (pages, API, exports, commands)
comes from the functions here; nothing else adds up `amount_usd`.

A flow is COUNTED when all of these hold:

1. `boundary == incoming`: the money enters the place it was reported for. Internal flows
   (a country-based pooled fund passing money on to a partner in the same country, an agency
   passing it to a partner) move money already counted when it came in; outgoing flows leave.
   This is also what keeps money entering a pooled fund and leaving it from counting twice.
2. `status` is commitment or paid. Pledges are totalled separately (`pledge_total`); IATI
   transaction types with no stage (loan repayments, equity, ...) have status "other" and are
   never counted.
3. `on_boundary == single`: the whole amount belongs to the place and year. "Shared" flows
   (a multi-year or multi-country parent whose money its children carry) are left out.
4. `counted_upstream` is false: the flow does not repeat money that an ancestor along its
   parent chain already carries (an implementer's "incoming funds" under the donor's
   disbursement, linked by provider-activity-id). FTS parent and child flows never repeat each
   other: a parked parent holds only what is not yet passed to its children.

Pledges: the same rule with status pledge. This reproduces FTS's `fundingTotal` and
`pledgeTotal` to the dollar (docs/funding.md has a worked example).

Groups: by a kind of destination party (sector, plan, country, year, emergency, recipient
organisation), the source organisation (donor), a pooled fund on either side, or the channel.
A flow with no party of the kind goes to "not specified"; with several, to "shared", as FTS's
sector tables do, so the groups always add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .choices import Boundary, FlowStatus, FundStage, OnBoundary, PartyKind, Side
from .models import Flow, FlowParty, PooledFund, PooledFundEntry

NOT_SPECIFIED = "not specified"
SHARED = "shared"
ZERO = Decimal(0)

COUNTED_STATUSES = (FlowStatus.COMMITMENT, FlowStatus.PAID)

# Dimension name -> (side or None for either side, party kind); "channel" is a flow field.
DIMENSIONS: dict[str, tuple[str | None, str]] = {
    "sector": (Side.DESTINATION, PartyKind.SECTOR),
    "cluster": (Side.DESTINATION, PartyKind.CLUSTER),
    "plan": (Side.DESTINATION, PartyKind.PLAN),
    "country": (Side.DESTINATION, PartyKind.LOCATION),
    "year": (Side.DESTINATION, PartyKind.USAGE_YEAR),
    "emergency": (Side.DESTINATION, PartyKind.EMERGENCY),
    "organisation": (Side.DESTINATION, PartyKind.ORGANISATION),
    "donor": (Side.SOURCE, PartyKind.ORGANISATION),
    "pooled_fund": (None, PartyKind.POOLED_FUND),
    "budget_line": (Side.DESTINATION, PartyKind.BUDGET_LINE),
}


def on_single_boundary() -> Q:
    return (
        Q(boundary=Boundary.INCOMING) & Q(on_boundary=OnBoundary.SINGLE) & Q(counted_upstream=False)
    )


def counted_condition() -> Q:
    """The rule: incoming, commitment or paid, single, not repeating a counted ancestor."""
    return on_single_boundary() & Q(status__in=COUNTED_STATUSES)


def pledge_condition() -> Q:
    """Pledges, under the same boundary rule, totalled apart from funding."""
    return on_single_boundary() & Q(status=FlowStatus.PLEDGE)


def is_counted(flow: Flow) -> bool:
    """The rule for one flow in memory (same as counted_condition)."""
    return (
        flow.boundary == Boundary.INCOMING
        and flow.on_boundary == OnBoundary.SINGLE
        and not flow.counted_upstream
        and flow.status in COUNTED_STATUSES
    )


def _with_party(kind: str, condition: Q, side: str | None = None) -> Exists:
    parties = FlowParty.objects.filter(Q(flow=OuterRef("pk"), kind=kind) & condition)
    if side:
        parties = parties.filter(side=side)
    return Exists(parties)


def in_scope(
    queryset: QuerySet[Flow],
    *,
    country: str | None = None,
    year: int | None = None,
    plan: int | None = None,
    pooled_fund: int | None = None,
    organisation: int | None = None,
    channel: str | None = None,
) -> QuerySet[Flow]:
    """Flows that touch a country (a place on either side), a usage year (either side), a plan,
    a pooled fund or an organisation (either side), or go through a channel."""
    if country:
        queryset = queryset.filter(
            _with_party(PartyKind.LOCATION, Q(country_id=country.strip().upper()))
        )
    if year:
        queryset = queryset.filter(_with_party(PartyKind.USAGE_YEAR, Q(year=year)))
    if plan:
        queryset = queryset.filter(_with_party(PartyKind.PLAN, Q(plan_id=plan)))
    if pooled_fund:
        queryset = queryset.filter(
            _with_party(PartyKind.POOLED_FUND, Q(pooled_fund_id=pooled_fund))
        )
    if organisation:
        queryset = queryset.filter(
            _with_party(PartyKind.ORGANISATION, Q(organisation_id=organisation))
        )
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset


def total(queryset: QuerySet[Flow]) -> Decimal:
    """Funding: the sum of the counted flows in `queryset`."""
    value = queryset.filter(counted_condition()).aggregate(s=Sum("amount_usd"))["s"]
    return Decimal(value or ZERO)


def pledge_total(queryset: QuerySet[Flow]) -> Decimal:
    value = queryset.filter(pledge_condition()).aggregate(s=Sum("amount_usd"))["s"]
    return Decimal(value or ZERO)


def grouped(
    queryset: QuerySet[Flow], dimension: str, *, pledges: bool = False
) -> list[dict[str, Any]]:
    """Counted flows (or pledges) grouped by a dimension, largest first: rows of key, label,
    amount_usd and flows. The rows add up to total() (or pledge_total())."""
    flows = queryset.filter(pledge_condition() if pledges else counted_condition())
    if dimension == "channel":
        rows = flows.order_by().values("channel").annotate(amount=Sum("amount_usd"), n=Count("pk"))
        return _sorted(
            {
                "key": row["channel"] or NOT_SPECIFIED,
                "label": row["channel"] or NOT_SPECIFIED,
                "amount_usd": Decimal(row["amount"] or ZERO),
                "flows": row["n"],
            }
            for row in rows
        )
    if dimension not in DIMENSIONS:
        raise ValueError(
            f"Unknown dimension {dimension!r}; one of {sorted([*DIMENSIONS, 'channel'])}"
        )
    side, kind = DIMENSIONS[dimension]
    parties = FlowParty.objects.filter(flow=OuterRef("pk"), kind=kind)
    if side:
        parties = parties.filter(side=side)
    how_many = (
        parties.order_by().values("flow").annotate(n=Count("source_key", distinct=True)).values("n")
    )
    first = parties.order_by("key")
    rows = (
        flows.order_by()
        .annotate(
            _n=Coalesce(Subquery(how_many), 0),
            _key=Subquery(first.values("key")[:1]),
            _label=Subquery(first.values("label")[:1]),
        )
        .annotate(
            group_key=Case(
                When(_n=0, then=Value(NOT_SPECIFIED)),
                When(_n=1, then=F("_key")),
                default=Value(SHARED),
                output_field=CharField(),
            ),
            group_label=Case(
                When(_n=0, then=Value(NOT_SPECIFIED)),
                When(_n=1, then=F("_label")),
                default=Value(SHARED),
                output_field=CharField(),
            ),
        )
        .values("group_key", "group_label")
        .annotate(amount=Sum("amount_usd"), n=Count("pk"))
    )
    return _sorted(
        {
            "key": row["group_key"],
            "label": row["group_label"],
            "amount_usd": Decimal(row["amount"] or ZERO),
            "flows": row["n"],
        }
        for row in rows
    )


def _sorted(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-r["amount_usd"], str(r["label"])))


def by_label(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Rows as label -> amount (two groups with the same label are added together)."""
    result: dict[str, Decimal] = {}
    for row in rows:
        result[row["label"]] = result.get(row["label"], ZERO) + row["amount_usd"]
    return result


def summary(queryset: QuerySet[Flow], *, country: str, year: int) -> dict[str, Any]:
    """The money picture of a country and year: funding, pledges, counts, by sector and channel."""
    scoped = in_scope(queryset, country=country, year=year)
    counted = scoped.filter(counted_condition())
    return {
        "country": country.strip().upper(),
        "year": year,
        "currency": "USD",
        "funding_total_usd": total(scoped),
        "pledge_total_usd": pledge_total(scoped),
        "flows_total": scoped.count(),
        "flows_counted": counted.count(),
        "flows_pledged": scoped.filter(pledge_condition()).count(),
        "flows_parent_missing": scoped.filter(parent_missing=True).count(),
        "by_sector": by_label(grouped(scoped, "sector")),
        "by_channel": by_label(grouped(scoped, "channel")),
    }


def pooled_fund_stages(
    fund: PooledFund, entries: QuerySet[PooledFundEntry] | None = None
) -> dict[str, Decimal]:
    """A pooled fund's money at each stage (USD) and the balance between stages: committed but
    not deposited, in the fund (deposited, not transferred), with partners (transferred, not
    spent)."""
    rows = (entries if entries is not None else fund.entries.all()).filter(fund=fund)
    sums = {
        row["stage"]: Decimal(row["s"] or ZERO)
        for row in rows.order_by().values("stage").annotate(s=Sum("amount_usd"))
    }
    stage = {value: sums.get(value, ZERO) for value in FundStage.values}
    return {
        **stage,
        "awaiting_deposit": stage[FundStage.COMMITMENT] - stage[FundStage.DEPOSIT],
        "in_fund": stage[FundStage.DEPOSIT] - stage[FundStage.TRANSFER],
        "unspent_with_partners": stage[FundStage.TRANSFER] - stage[FundStage.EXPENDITURE],
    }


def plain_amount(value: Decimal) -> int | float:
    """A USD amount for JSON: a whole number when it is one (FTS amounts are)."""
    return int(value) if value == value.to_integral_value() else float(value)
