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

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
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

from .choices import (
    AggregateKind,
    Boundary,
    Channel,
    CountingReason,
    FlowStatus,
    FundStage,
    OnBoundary,
    PartyKind,
    Side,
)
from .models import AggregateFlow, Flow, FlowFact, FlowParty, PooledFund, PooledFundEntry

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


def moved_condition() -> Q:
    """Money that moved at a funding stage, whatever the boundary: what a pooled fund or an
    agency passed on. Shown as such (allocations), never added to a funding total."""
    return Q(status__in=COUNTED_STATUSES)


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


def moved_total(queryset: QuerySet[Flow]) -> Decimal:
    """Money moved (moved_condition) in `queryset`: allocations, not funding."""
    value = queryset.filter(moved_condition()).aggregate(s=Sum("amount_usd"))["s"]
    return Decimal(value or ZERO)


def grouped(
    queryset: QuerySet[Flow], dimension: str, *, pledges: bool = False, moved: bool = False
) -> list[dict[str, Any]]:
    """Counted flows (or pledges, or money moved) grouped by a dimension, largest first: rows
    of key, label, amount_usd and flows. The rows add up to total() (or pledge_total(),
    moved_total())."""
    condition = (
        pledge_condition() if pledges else moved_condition() if moved else counted_condition()
    )
    flows = queryset.filter(condition)
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


# --- Counting facts: the rule applied once per flow, kept current on write ---------------------
#
# The money pages total hundreds of thousands of flows by donor, channel, sector and year. Doing
# the rule and the "shared / not specified" grouping for every flow on every page view costs a
# subquery per flow and dimension; instead each flow's outcome is stored in FlowFact when the
# flow is written (every write path ends in services.link_flows, which calls
# refresh_stale_facts), and the pages sum those rows. Same rule, same groups: the tests compare
# money_picture() with total()/grouped() computed from the flows themselves.

FACT_DIMENSIONS: dict[str, tuple[str | None, str]] = {
    "sector": DIMENSIONS["sector"],
    "donor": DIMENSIONS["donor"],
    "year": DIMENSIONS["year"],
}
FACT_CHUNK = 5000


def reason(*, boundary: str, on_boundary: str, counted_upstream: bool, status: str) -> str:
    """Why a flow is counted or not: the rule above, one condition after another."""
    if boundary == Boundary.OUTGOING:
        return CountingReason.OUTGOING
    if boundary != Boundary.INCOMING:
        return CountingReason.INTERNAL
    if on_boundary != OnBoundary.SINGLE:
        return CountingReason.SHARED
    if counted_upstream:
        return CountingReason.UPSTREAM
    if status == FlowStatus.PLEDGE:
        return CountingReason.PLEDGE
    if status in COUNTED_STATUSES:
        return CountingReason.COUNTED
    return CountingReason.NO_STAGE


def _group(parties: Sequence[tuple[str, str, str]]) -> tuple[str, str]:
    """(key, label) of a flow in one dimension, from its parties' (key, source_key, label):
    as grouped() does it."""
    if not parties:
        return NOT_SPECIFIED, NOT_SPECIFIED
    if len({source_key for _key, source_key, _label in parties}) > 1:
        return SHARED, SHARED
    key, _source_key, label = min(parties)
    return key, label


FACT_FLOW_FIELDS = (
    "pk",
    "version",
    "counted_upstream",
    "boundary",
    "on_boundary",
    "status",
    "amount_usd",
    "channel",
    "budget_classification_code",
    "reporting_organisation_id",
    "reporting_organisation_name",
)


def _fact_rows(flow_rows: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """FlowFact rows for flows given as FACT_FLOW_FIELDS tuples (their parties read here)."""
    if not flow_rows:
        return
    ids = [row[0] for row in flow_rows]
    kinds = {kind for _side, kind in FACT_DIMENSIONS.values()} | {PartyKind.BUDGET_LINE}
    parties: dict[tuple[int, str, str], list[tuple[str, str, str]]] = defaultdict(list)
    party_rows = FlowParty.objects.filter(kind__in=kinds).order_by()
    if len(ids) == ids[-1] - ids[0] + 1:  # a run of ids: a range reads the index in one go
        party_rows = party_rows.filter(flow_id__gte=ids[0], flow_id__lte=ids[-1])
    else:
        party_rows = party_rows.filter(flow_id__in=ids)
    for flow_id, side, kind, key, source_key, label in party_rows.values_list(
        "flow_id", "side", "kind", "key", "source_key", "label"
    ):
        parties[flow_id, side, kind].append((key, source_key, label))
    for (
        pk,
        version,
        upstream,
        boundary,
        on_boundary,
        status,
        amount,
        channel,
        code,
        rep_id,
        rep_name,
    ) in flow_rows:
        row: dict[str, Any] = {
            "flow_id": pk,
            "flow_version": version,
            "counted_upstream": upstream,
            "reason": reason(
                boundary=boundary,
                on_boundary=on_boundary,
                counted_upstream=upstream,
                status=status,
            ),
            "status": status,
            "amount_usd": amount,
            "channel": channel,
            "on_budget": bool(
                channel == Channel.GOVERNMENT_BUDGET
                or code
                or parties.get((pk, Side.DESTINATION, PartyKind.BUDGET_LINE))
            ),
        }
        for name, (side, kind) in FACT_DIMENSIONS.items():
            if side:
                found = parties.get((pk, side, kind), [])
            else:
                found = parties.get((pk, Side.SOURCE, kind), []) + parties.get(
                    (pk, Side.DESTINATION, kind), []
                )
            row[f"{name}_key"], row[f"{name}_label"] = _group(found)
        if rep_id is not None:
            row["reporter_key"], row["reporter_label"] = f"organisation:{rep_id}", rep_name
        elif rep_name:
            row["reporter_key"], row["reporter_label"] = f"name:{rep_name}"[:200], rep_name
        else:
            row["reporter_key"] = row["reporter_label"] = NOT_SPECIFIED
        yield row


def refresh_facts(flow_ids: Iterable[int] | None = None) -> int:
    """Rebuild the counting facts of these flows (every flow when None); returns how many.

    Every write path ends in services.link_flows(), which calls refresh_stale_facts(); a write
    of flows or parties that does not (and does not raise the flow's version) calls this with
    the flows it wrote."""
    from harambee.core.bulk import insert_values

    written = 0
    with transaction.atomic():
        if flow_ids is None:
            FlowFact.objects.all().delete()
            last = 0
            while True:
                rows = list(
                    Flow.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .values_list(*FACT_FLOW_FIELDS)[: FACT_CHUNK * 4]
                )
                if not rows:
                    return written
                last = rows[-1][0]
                written += insert_values(FlowFact, _fact_rows(rows))
        ids = sorted(set(flow_ids))
        for start in range(0, len(ids), FACT_CHUNK):
            chunk = ids[start : start + FACT_CHUNK]
            rows = list(
                Flow.objects.filter(pk__in=chunk).order_by("pk").values_list(*FACT_FLOW_FIELDS)
            )
            FlowFact.objects.filter(flow_id__in=chunk).delete()
            written += insert_values(FlowFact, _fact_rows(rows))
    return written


def stale_fact_ids() -> list[int]:
    """Flows whose fact is missing or older than the flow (version or counted_upstream)."""
    current = FlowFact.objects.filter(
        flow=OuterRef("pk"),
        flow_version=OuterRef("version"),
        counted_upstream=OuterRef("counted_upstream"),
    )
    return list(Flow.objects.filter(~Exists(current)).order_by().values_list("pk", flat=True))


def refresh_stale_facts() -> int:
    """Bring every flow's counting fact up to date (cheap when nothing changed)."""
    stale = stale_fact_ids()
    return refresh_facts(stale) if stale else 0


# --- Totals from the facts --------------------------------------------------------------------


def country_facts(
    facts: QuerySet[FlowFact], *, country: str, year: int | None = None
) -> QuerySet[FlowFact]:
    """The facts of flows with a place in `country` (either side) and, when given, usage year
    `year` (either side): the scope of in_scope(country=..., year=...)."""
    places = FlowParty.objects.filter(kind=PartyKind.LOCATION, country_id=country.strip().upper())
    facts = facts.filter(flow_id__in=places.values("flow_id"))
    if year:
        years = FlowParty.objects.filter(kind=PartyKind.USAGE_YEAR, year=year)
        facts = facts.filter(flow_id__in=years.values("flow_id"))
    return facts


def _rows(facts: QuerySet[FlowFact], *fields: str) -> list[dict[str, Any]]:
    return list(facts.order_by().values(*fields).annotate(amount=Sum("amount_usd"), n=Count("pk")))


def _money(value: Any) -> Decimal:
    return Decimal(value or ZERO)


def _table(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows.values(), key=lambda r: (-r["amount_usd"], str(r["label"])))


def money_picture(facts: QuerySet[FlowFact]) -> dict[str, Any]:
    """Everything the country money page shows, from `facts` (already scoped and restricted): funding and pledges; committed vs paid; what was left out and why;
    by channel, on/off budget, donor (pledged, committed, paid), sector, year; and the
    donor -> channel -> sector links of the flow diagram. Six grouped queries, each returning
    a handful of rows per donor, sector or year (never a row per flow)."""
    counted, pledge = CountingReason.COUNTED, CountingReason.PLEDGE
    result: dict[str, Any] = {
        "funding_total_usd": ZERO,
        "pledge_total_usd": ZERO,
        "committed_usd": ZERO,
        "paid_usd": ZERO,
        "on_budget_usd": ZERO,
        "flows_total": 0,
        "flows_counted": 0,
        "flows_pledged": 0,
    }
    reasons: dict[str, dict[str, Any]] = {}
    channels: dict[str, dict[str, Any]] = {}
    for row in _rows(facts, "reason", "status", "channel", "on_budget"):
        amount = _money(row["amount"])
        result["flows_total"] += row["n"]
        entry = reasons.setdefault(row["reason"], {"amount_usd": ZERO, "flows": 0})
        entry["amount_usd"] += amount
        entry["flows"] += row["n"]
        if row["reason"] == pledge:
            result["pledge_total_usd"] += amount
            result["flows_pledged"] += row["n"]
        if row["reason"] != counted:
            continue
        result["funding_total_usd"] += amount
        result["flows_counted"] += row["n"]
        result["committed_usd" if row["status"] == FlowStatus.COMMITMENT else "paid_usd"] += amount
        if row["on_budget"]:
            result["on_budget_usd"] += amount
        key = row["channel"] or NOT_SPECIFIED
        channel = channels.setdefault(
            key, {"key": key, "label": key, "amount_usd": ZERO, "flows": 0}
        )
        channel["amount_usd"] += amount
        channel["flows"] += row["n"]
    result["off_budget_usd"] = result["funding_total_usd"] - result["on_budget_usd"]
    result["by_reason"] = reasons
    result["by_channel"] = _table(channels)

    donors: dict[str, dict[str, Any]] = {}
    for row in _rows(
        facts.filter(reason__in=[counted, pledge]), "donor_key", "donor_label", "reason", "status"
    ):
        donor = donors.setdefault(
            row["donor_key"],
            {
                "key": row["donor_key"],
                "label": row["donor_label"],
                "amount_usd": ZERO,
                "pledged_usd": ZERO,
                "committed_usd": ZERO,
                "paid_usd": ZERO,
                "flows": 0,
            },
        )
        amount = _money(row["amount"])
        if row["reason"] == pledge:
            donor["pledged_usd"] += amount
            continue
        donor["amount_usd"] += amount
        donor["flows"] += row["n"]
        stage = "committed_usd" if row["status"] == FlowStatus.COMMITMENT else "paid_usd"
        donor[stage] += amount
    result["by_donor"] = _table(donors)

    years: dict[str, dict[str, Any]] = {}
    for row in _rows(
        facts.filter(reason__in=[counted, pledge]), "year_key", "year_label", "reason", "status"
    ):
        entry = years.setdefault(
            row["year_key"],
            {
                "key": row["year_key"],
                "label": row["year_label"],
                "amount_usd": ZERO,
                "pledged_usd": ZERO,
                "committed_usd": ZERO,
                "paid_usd": ZERO,
                "flows": 0,
            },
        )
        amount = _money(row["amount"])
        if row["reason"] == pledge:
            entry["pledged_usd"] += amount
            continue
        entry["amount_usd"] += amount
        entry["flows"] += row["n"]
        stage = "committed_usd" if row["status"] == FlowStatus.COMMITMENT else "paid_usd"
        entry[stage] += amount
    result["by_year"] = sorted(years.values(), key=lambda r: str(r["label"]))

    counted_facts = facts.filter(reason=counted)
    result["by_sector"] = _sorted(
        {
            "key": row["sector_key"],
            "label": row["sector_label"],
            "amount_usd": _money(row["amount"]),
            "flows": row["n"],
        }
        for row in _rows(counted_facts, "sector_key", "sector_label")
    )
    # The flow diagram: donor -> channel and channel -> sector (what enters a channel leaves it).
    result["links"] = {
        "donor_channel": [
            {
                "source": (row["donor_key"], row["donor_label"]),
                "target": row["channel"] or NOT_SPECIFIED,
                "amount_usd": _money(row["amount"]),
            }
            for row in _rows(counted_facts, "donor_key", "donor_label", "channel")
        ],
        "channel_sector": [
            {
                "source": row["channel"] or NOT_SPECIFIED,
                "target": (row["sector_key"], row["sector_label"]),
                "amount_usd": _money(row["amount"]),
            }
            for row in _rows(counted_facts, "channel", "sector_key", "sector_label")
        ],
    }
    return result


def reporters(facts: QuerySet[FlowFact]) -> list[dict[str, Any]]:
    """Who reported the flows in `facts`, and how much of it is counted, pledged, or left out
    and why: rows of key, label, counted_usd, pledged_usd, excluded_usd, flows, and by_reason
    (reason -> amount and flows). Largest reporter first."""
    table: dict[str, dict[str, Any]] = {}
    for row in _rows(facts, "reporter_key", "reporter_label", "reason"):
        entry = table.setdefault(
            row["reporter_key"],
            {
                "key": row["reporter_key"],
                "label": row["reporter_label"],
                "counted_usd": ZERO,
                "pledged_usd": ZERO,
                "excluded_usd": ZERO,
                "flows": 0,
                "flows_counted": 0,
                "by_reason": {},
            },
        )
        amount = _money(row["amount"])
        entry["flows"] += row["n"]
        entry["by_reason"][row["reason"]] = {"amount_usd": amount, "flows": row["n"]}
        if row["reason"] == CountingReason.COUNTED:
            entry["counted_usd"] += amount
            entry["flows_counted"] += row["n"]
        elif row["reason"] == CountingReason.PLEDGE:
            entry["pledged_usd"] += amount
        else:
            entry["excluded_usd"] += amount
    return sorted(
        table.values(),
        key=lambda r: (-(r["counted_usd"] + r["excluded_usd"]), str(r["label"])),
    )


def diaspora_totals(queryset: QuerySet[AggregateFlow]) -> list[dict[str, Any]]:
    """Diaspora remittances and philanthropy by kind: shown beside aid, never added to it."""
    labels = dict(AggregateKind.choices)
    rows = queryset.order_by().values("kind").annotate(s=Sum("amount_usd"), n=Count("pk"))
    return _sorted(
        {
            "key": row["kind"],
            "label": str(labels.get(row["kind"], row["kind"])),
            "amount_usd": Decimal(row["s"] or ZERO),
            "entries": row["n"],
        }
        for row in rows
    )
