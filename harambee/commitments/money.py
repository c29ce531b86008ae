"""Financial pledges and the money that fulfils them.

A pledge's schedule line (one year and currency) is linked to the funding flows recorded as
fulfilling it (`ScheduleLine.flows`). Nothing here adds amounts up: every figure of money
comes from `harambee.funding.counting` over a queryset of *distinct* flows (a flow linked
twice, or a parent and its child that repeats it, counts once, as the counting rule says),
restricted to the flows the user may see.

- **Pledged**: the schedule line's amount, in its currency (a promise, not a flow). For a
  comparison in US dollars it is converted with a stored rate (`funding.currency.to_usd`)
  at the end of its year, or today for the current and later years; no stored rate, no
  conversion (shown as unknown, never as zero).
- **Committed** and **paid**: `counting.total` of the linked flows at that stage (USD, the
  funding app's unit of account). **Money recorded** = `counting.total` of all of them.
  A linked flow that repeats money counted upstream is counted through the ancestor that
  carries it (`with_carriers`), so linking a child, its parent or both counts it once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from harambee.funding import counting
from harambee.funding.choices import FlowStatus, PartyKind, Side
from harambee.funding.currency import RateMissingError, UnknownCurrencyError, to_usd
from harambee.funding.models import Flow, FlowParty
from harambee.funding.selectors import visible_flows

from .models import Commitment, ScheduleLine

ZERO = Decimal(0)
MAX_SCANNED = 200
LINKS = ScheduleLine.flows.through


def flows_of_lines(*, user: Any, lines: QuerySet[ScheduleLine]) -> QuerySet[Flow]:
    """The flows linked to any of these lines that the user may see, each once."""
    linked = LINKS.objects.filter(scheduleline__in=lines.values("pk")).values("flow_id")
    return visible_flows(user=user).filter(pk__in=linked)


def with_carriers(*, user: Any, flows: QuerySet[Flow]) -> QuerySet[Flow]:
    """The flows, plus for each one that repeats money counted upstream (`counted_upstream`:
    an implementer's incoming funds under a donor's disbursement) the ancestor that carries
    it. The counting rule leaves the repeat out and counts the carrier, so linking the child,
    the parent or both counts the money exactly once."""
    wanted = set(flows.values_list("pk", flat=True))
    for repeat in flows.filter(counted_upstream=True).only("pk", "parent_id", "repeats_parent"):
        current, seen = repeat, {repeat.pk}
        while current.repeats_parent and current.parent_id and current.parent_id not in seen:  # type: ignore[attr-defined]
            parent = Flow.objects.filter(pk=current.parent_id).first()  # type: ignore[attr-defined]
            if parent is None:
                break
            seen.add(parent.pk)
            if counting.is_counted(parent):
                wanted.add(parent.pk)
                break
            current = parent
    return visible_flows(user=user).filter(pk__in=wanted)


@dataclass
class Figures:
    """Money recorded against some pledge lines, in USD, all from funding.counting."""

    committed_usd: Decimal = ZERO
    paid_usd: Decimal = ZERO
    recorded_usd: Decimal = ZERO
    flows: int = 0

    @classmethod
    def of(cls, flows: QuerySet[Flow], *, user: Any) -> Figures:
        """`flows`: the linked flows the user may see."""
        base = with_carriers(user=user, flows=flows)
        return cls(
            committed_usd=counting.total(base.filter(status=FlowStatus.COMMITMENT)),
            paid_usd=counting.total(base.filter(status=FlowStatus.PAID)),
            recorded_usd=counting.total(base),
            flows=flows.count(),
        )


def pledged_usd(amount: Decimal, currency: str, year: int) -> Decimal | None:
    """A pledge converted to USD with a stored rate, or None when there is none."""
    today = timezone.localdate()
    day = min(datetime.date(year, 12, 31), today)
    try:
        return to_usd(amount, currency, day).amount_usd
    except (RateMissingError, UnknownCurrencyError):
        return None


def _share(recorded: Decimal, pledged: Decimal | None) -> float | None:
    if not pledged:
        return None
    return float(recorded / pledged)


@dataclass
class LineMoney:
    line: ScheduleLine
    flows: list[Flow]
    figures: Figures
    pledged_usd: Decimal | None
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def share_recorded(self) -> float | None:
        return _share(self.figures.recorded_usd, self.pledged_usd)


@dataclass
class Candidate:
    flow: Flow
    amount: Decimal  # in the line's currency
    difference: Decimal


def schedule_money(
    *, user: Any, commitment: Commitment, with_candidates: bool = False
) -> dict[str, Any]:
    """Per schedule line: pledged, the linked flows, committed, paid and recorded; and the
    commitment's totals over its distinct linked flows."""
    lines = list(commitment.schedule.all().order_by("year", "currency"))
    rows = []
    for line in lines:
        flows = flows_of_lines(user=user, lines=ScheduleLine.objects.filter(pk=line.pk))
        rows.append(
            LineMoney(
                line=line,
                flows=list(flows.order_by("-date", "pk")),
                figures=Figures.of(flows, user=user),
                pledged_usd=pledged_usd(line.amount, line.currency, line.year),
                candidates=flow_candidates(user=user, line=line) if with_candidates else [],
            )
        )
    known = [r.pledged_usd for r in rows]
    pledged_total = sum((p for p in known if p is not None), ZERO) if None not in known else None
    totals = Figures.of(flows_of_lines(user=user, lines=commitment.schedule.all()), user=user)
    return {
        "rows": rows,
        "totals": totals,
        "pledged_usd": pledged_total,
        "share_recorded": _share(totals.recorded_usd, pledged_total),
    }


def dashboard_money(*, user: Any, commitments: QuerySet[Commitment]) -> dict[str, Any]:
    """Financial pledges by currency beside the money recorded against them."""
    lines = ScheduleLine.objects.filter(commitment__in=commitments.values("pk"))
    by_currency = []
    for row in lines.values("currency").annotate(amount=Sum("amount")).order_by("currency"):
        flows = flows_of_lines(user=user, lines=lines.filter(currency=row["currency"]))
        figures = Figures.of(flows, user=user)
        by_currency.append(
            {
                "currency": row["currency"],
                "amount": row["amount"],
                "figures": figures,
            }
        )
    return {
        "pledged": by_currency,
        "money_total": Figures.of(flows_of_lines(user=user, lines=lines), user=user),
    }


def _amount_in(flow: Flow, currency: str) -> Decimal | None:
    if flow.original_currency:
        return flow.original_amount if flow.original_currency == currency else None
    return flow.amount_usd if currency == "USD" else None


def flow_candidates(*, user: Any, line: ScheduleLine, limit: int = 5) -> list[Candidate]:
    """Flows that may fulfil a schedule line: from an organisation making the commitment
    (source side), to one of its countries (when it names any), for the line's year (usage
    year, budget year or date), in its currency, not linked to a pledge yet; closest in
    amount first."""
    commitment = line.commitment
    donors = list(commitment.shares.values_list("organisation_id", flat=True))
    if not donors:
        return []
    countries = set(commitment.countries.values_list("pk", flat=True)) | set(
        commitment.admin_areas.values_list("country_id", flat=True)
    )
    parties = FlowParty.objects.filter(flow=OuterRef("pk"))
    queryset = (
        visible_flows(user=user)
        .exclude(status=FlowStatus.OTHER)
        .exclude(pk__in=LINKS.objects.values("flow_id"))
        .filter(
            Exists(
                parties.filter(
                    side=Side.SOURCE, kind=PartyKind.ORGANISATION, organisation_id__in=donors
                )
            )
        )
        .filter(
            Exists(parties.filter(kind=PartyKind.USAGE_YEAR, year=line.year))
            | Q(budget_year=line.year)
            | Q(date__year=line.year)
        )
    )
    if countries:
        queryset = queryset.filter(
            Exists(parties.filter(kind=PartyKind.LOCATION, country_id__in=countries))
        )
    if line.currency == "USD":
        queryset = queryset.filter(original_currency__in=["", "USD"])
    else:
        queryset = queryset.filter(original_currency=line.currency)
    found = []
    for flow in queryset.order_by("-date", "-pk")[:MAX_SCANNED]:
        amount = _amount_in(flow, line.currency)
        if amount is None:
            continue
        found.append(Candidate(flow=flow, amount=amount, difference=abs(amount - line.amount)))
    found.sort(key=lambda c: (c.difference, -(c.flow.pk or 0)))
    return found[:limit]


__all__ = [
    "Candidate",
    "Figures",
    "LineMoney",
    "dashboard_money",
    "flow_candidates",
    "flows_of_lines",
    "pledged_usd",
    "schedule_money",
    "with_carriers",
]
