"""Reads for the commitments pages, the API, the commands and the reminders. Each restricts to
what the user may see and loads related rows up front."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from harambee.core.choices import Permission
from harambee.network.filtersets import UserRequest
from harambee.network.models import Organisation

from . import status as rules
from .choices import ENABLING_TYPES, FREQUENCY_MONTHS, CommitmentType, ReportStatus
from .models import (
    Commitment,
    CommitmentOrganisation,
    Indicator,
    Milestone,
    ProgressReport,
    ResultsFramework,
)
from .money import dashboard_money


def filtered(
    filterset_class: Any, queryset: QuerySet[Any], user: Any, filters: Any
) -> QuerySet[Any]:
    """Apply the shared FilterSet; invalid values are ignored, as a list page would."""
    if not filters:
        return queryset
    return filterset_class(data=filters, queryset=queryset, request=UserRequest(user)).qs


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("Not found.") from exc


def commitments(*, user: Any) -> QuerySet[Commitment]:
    visible = Organisation.objects.restrict(user, Permission.VIEW)
    shares = CommitmentOrganisation.objects.filter(organisation__in=visible).select_related(
        "organisation"
    )
    return (
        Commitment.objects.restrict(user, Permission.VIEW)
        .select_related("forum", "group")
        .prefetch_related(
            Prefetch("shares", queryset=shares),
            "countries",
            "population_groups",
        )
    )


def commitment_list(*, user: Any, filters: Any = None) -> QuerySet[Commitment]:
    from .filtersets import CommitmentFilterSet

    return filtered(CommitmentFilterSet, commitments(user=user), user, filters)


def commitment_get(*, user: Any, pk: Any) -> Commitment:
    queryset = commitments(user=user).prefetch_related(
        "admin_areas",
        "sectors",
        "targets",
        "schedule",
        "outcomes",
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("framework").prefetch_related("targets"),
        ),
        Prefetch("enabled_by", queryset=Commitment.objects.restrict(user)),
        Prefetch("enables", queryset=Commitment.objects.restrict(user)),
    )
    return _get(queryset, pk)


def match_candidates(*, user: Any, commitment: Commitment, limit: int = 10) -> list[Commitment]:
    """Financial or technical pledges that could make a policy pledge possible: those sharing a
    country, a population group or a sector with it, the most shared first."""
    if commitment.type != CommitmentType.POLICY:
        return []
    countries = list(commitment.countries.values_list("pk", flat=True))
    groups = list(commitment.population_groups.values_list("pk", flat=True))
    sectors = list(commitment.sectors.values_list("pk", flat=True))
    if not (countries or groups or sectors):
        return []
    linked = commitment.enabled_by.values("pk")
    candidates = (
        Commitment.objects.restrict(user)
        .filter(type__in=ENABLING_TYPES)
        .exclude(pk=commitment.pk)
        .exclude(pk__in=linked)
        .annotate(
            same_countries=Count("countries", filter=Q(countries__in=countries), distinct=True),
            same_groups=Count(
                "population_groups", filter=Q(population_groups__in=groups), distinct=True
            ),
            same_sectors=Count("sectors", filter=Q(sectors__in=sectors), distinct=True),
        )
        .filter(Q(same_countries__gt=0) | Q(same_groups__gt=0) | Q(same_sectors__gt=0))
    )
    ranked = sorted(
        candidates,
        key=lambda c: (-(c.same_countries + c.same_groups + c.same_sectors), c.code),  # type: ignore[attr-defined]
    )
    return ranked[:limit]


def frameworks(*, user: Any) -> QuerySet[ResultsFramework]:
    return ResultsFramework.objects.restrict(user, Permission.VIEW).select_related("group", "forum")


def framework_get(*, user: Any, pk: Any) -> ResultsFramework:
    return _get(frameworks(user=user), pk)


def indicators(*, user: Any) -> QuerySet[Indicator]:
    return (
        Indicator.objects.restrict(user, Permission.VIEW)
        .select_related("framework", "outcome")
        .prefetch_related("targets")
    )


def indicator_get(*, user: Any, pk: Any) -> Indicator:
    return _get(indicators(user=user), pk)


def reports(*, user: Any) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.restrict(user, Permission.VIEW).select_related(
        "indicator", "indicator__framework", "organisation", "admin_area", "reviewed_by"
    )


def report_get(*, user: Any, pk: Any) -> ProgressReport:
    return _get(reports(user=user), pk)


def milestone_queryset(*, user: Any) -> QuerySet[Milestone]:
    return (
        Milestone.objects.restrict(user, Permission.VIEW)
        .select_related("organisation", "commitment", "framework")
        .prefetch_related("depends_on")
    )


def milestones(*, user: Any, framework: ResultsFramework) -> list[Milestone]:
    return list(
        Milestone.objects.restrict(user)
        .filter(framework=framework)
        .select_related("organisation", "commitment")
        .prefetch_related("depends_on")
        .order_by("due_date", "pk")
    )


# Due dates and overdue reports -------------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def periods_between(
    frequency: str, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """Calendar reporting periods (months, quarters, halves, years) from the one holding
    `start` to the last that ends on or before `end`."""
    months = FREQUENCY_MONTHS[frequency]  # type: ignore[index]
    first_month = ((start.month - 1) // months) * months + 1
    current = datetime.date(start.year, first_month, 1)
    found: list[tuple[datetime.date, datetime.date]] = []
    while True:
        following = _add_months(current, months)
        last_day = following - datetime.timedelta(days=1)
        if last_day > end:
            return found
        found.append((current, last_day))
        current = following


@dataclass
class Due:
    indicator: Indicator
    organisation: Organisation
    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date


MAX_PERIODS_BACK = 8


def expected_reporters(indicator_ids: list[int]) -> dict[int, set[int]]:
    """The organisations expected to report on each indicator: those making the commitments
    that contribute to it."""
    rows = CommitmentOrganisation.objects.filter(
        commitment__indicators__in=indicator_ids
    ).values_list("commitment__indicators", "organisation_id")
    found: dict[int, set[int]] = defaultdict(set)
    for indicator_id, organisation_id in rows:
        found[indicator_id].add(organisation_id)
    return found


def overdue_reports(
    *,
    as_of: datetime.date | None = None,
    indicator_queryset: QuerySet[Indicator] | None = None,
    organisation_id: int | None = None,
) -> list[Due]:
    """Reports whose due date (period end + the framework's days to report) has passed with
    no submitted or approved report from the organisation for a period ending in it."""
    day = as_of or timezone.localdate()
    inds = list(
        (
            indicator_queryset if indicator_queryset is not None else Indicator.objects.all()
        ).select_related("framework")
    )
    if not inds:
        return []
    reporters = expected_reporters([i.pk for i in inds])
    org_ids = {o for s in reporters.values() for o in s}
    if organisation_id is not None:
        org_ids &= {organisation_id}
    organisations = Organisation._base_manager.in_bulk(org_ids)
    sent = defaultdict(list)
    for ind_id, org_id, end in ProgressReport.objects.filter(
        indicator__in=inds,
        organisation_id__in=org_ids,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
    ).values_list("indicator_id", "organisation_id", "period_end"):
        sent[ind_id, org_id].append(end)
    found: list[Due] = []
    for ind in inds:
        grace = datetime.timedelta(days=ind.framework.grace_days)
        periods = periods_between(ind.frequency, ind.baseline_date, day - grace)[-MAX_PERIODS_BACK:]
        for org_id in sorted(reporters.get(ind.pk, set()) & org_ids):
            ends = sent.get((ind.pk, org_id), [])
            for start, end in periods:
                if not any(start <= e <= end for e in ends):
                    found.append(Due(ind, organisations[org_id], start, end, end + grace))
    found.sort(key=lambda d: (d.due_date, d.organisation.name, d.indicator.code))
    return found


# Dashboards ----------------------------------------------------------------------------------


def dashboard(
    *, user: Any, commitment_queryset: QuerySet[Commitment], as_of: datetime.date
) -> dict[str, Any]:
    """What a group's or forum's accountability dashboard shows, from what the user may see."""
    items = commitment_queryset.restrict(user, Permission.VIEW)  # type: ignore[attr-defined]
    by_status = dict(items.values_list("status").annotate(n=Count("pk")).order_by())
    by_type = dict(items.values_list("type").annotate(n=Count("pk")).order_by())
    smart_complete = items.filter(smart_missing_count=0).count()
    # Pledged by currency beside the money recorded against it (funding.counting, USD).
    money = dashboard_money(user=user, commitments=items)
    indicator_qs = (
        Indicator.objects.restrict(user)
        .filter(commitments__in=items.values("pk"))
        .distinct()
        .select_related("framework")
        .prefetch_related("targets")
    )
    inds = list(indicator_qs)
    results = rules.summarise_by_pk(rules.specs_for(inds), as_of)
    rows = []
    for ind in inds:
        result = results[ind.pk]
        rows.append({"indicator": ind, "result": result})
    rows.sort(
        key=lambda r: (
            rules.STATUS_ORDER.index(r["result"].status)
            if r["result"].status in rules.STATUS_ORDER
            else -1,
            r["indicator"].code,
        )
    )
    overdue = overdue_reports(
        as_of=as_of, indicator_queryset=Indicator.objects.filter(pk__in=[i.pk for i in inds])
    )
    visible_orgs = set(
        Organisation.objects.restrict(user)
        .filter(pk__in={d.organisation.pk for d in overdue})
        .values_list("pk", flat=True)
    )
    non_reporting: dict[int, dict[str, Any]] = {}
    for due in overdue:
        if due.organisation.pk not in visible_orgs:
            continue
        entry = non_reporting.setdefault(
            due.organisation.pk, {"organisation": due.organisation, "missing": 0}
        )
        entry["missing"] += 1
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_type": by_type,
        "smart_complete": smart_complete,
        "pledged": money["pledged"],
        "money_total": money["money_total"],
        "indicator_rows": rows,
        "indicator_counts": rules.count_by(results.values()),
        "non_reporting": sorted(non_reporting.values(), key=lambda e: -e["missing"]),
        "as_of": as_of,
    }
