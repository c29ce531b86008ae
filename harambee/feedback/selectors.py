"""Reads for feedback. `visible_items` is the one rule every page, API endpoint, export and
count reads through: ordinary items by the VIEW permission, sensitive ones only by the
VIEW_SENSITIVE permission (named focal points and PSEA coordinators). Nothing else reads
FeedbackItem rows for a user."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from harambee.core.access import ANONYMOUS, access_for
from harambee.core.choices import Permission, Role
from harambee.network.filtersets import UserRequest
from harambee.network.models import Group, GroupRole, Membership

from .choices import ClusterKind, RawStatus, Status
from .clustering import week_of
from .filtersets import FeedbackItemFilterSet
from .models import (
    AGGREGATE,
    FeedbackCluster,
    FeedbackEvent,
    FeedbackItem,
    FocalPoint,
    InboxMessage,
    IntakeToken,
    PseaCoordinator,
    RawIntake,
    ServiceLevel,
)


def visible_items(*, user: Any) -> QuerySet[FeedbackItem]:
    """Every item the user may see: the pair of permissions, in one query condition."""
    access = access_for(user)
    ordinary = FeedbackItem.ordinary_condition(access, Permission.VIEW)  # = VIEW
    sensitive = FeedbackItem.sensitive_condition(access)  # = VIEW_SENSITIVE
    return FeedbackItem.objects.filter(ordinary | sensitive)


def aggregate_items() -> QuerySet[FeedbackItem]:
    """What the public statistics count (small cells suppressed by stats.py): never a
    sensitive item."""
    return FeedbackItem.objects.restrict_access(ANONYMOUS, AGGREGATE)


def filtered(queryset: QuerySet[Any], user: Any, filters: Any) -> QuerySet[Any]:
    if not filters:
        return queryset
    return FeedbackItemFilterSet(data=filters, queryset=queryset, request=UserRequest(user)).qs


def items(*, user: Any) -> QuerySet[FeedbackItem]:
    return visible_items(user=user).select_related(
        "group",
        "admin_area",
        "population_group",
        "sector",
        "assigned_organisation",
        "concerned_organisation",
        "concerned_activity",
    )


def item_list(*, user: Any, filters: Any = None) -> QuerySet[FeedbackItem]:
    return filtered(items(user=user), user, filters)


def item_get(*, user: Any, pk: Any) -> FeedbackItem:
    try:
        return items(user=user).get(pk=pk)
    except (FeedbackItem.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("No such feedback item.") from exc


def timeline(*, user: Any, item: FeedbackItem) -> QuerySet[FeedbackEvent]:
    return (
        FeedbackEvent.objects.restrict(user, Permission.VIEW)
        .filter(item=item)
        .select_related("actor", "organisation")
        .order_by("time", "pk")
    )


# How the timeline notes are named on the item's access-log entry (the events are read with
# their item: one entry per item shown, so the officer finds it under the item).
EVENT_NOTES = "events.note"


def personal_fields_shown(item: FeedbackItem, *, handler: bool, events: Any = ()) -> list[str]:
    """The personal fields of `item` a page or answer shows in clear, for its access-log entry:
    the item's own, as the privacy registry lists them (the words to whoever sees the item;
    contact and answer to those who handle it), then the timeline notes if one is shown.
    Empty (erased) fields are not shown and not named."""
    from harambee.core.fields import personal_fields
    from harambee.privacy.registry import personal_data

    handler_only = {"contact_name", "contact", "answer"}
    entry = personal_data.get(FeedbackItem._meta.label)
    names = [
        f.name
        for f in (entry.fields if entry is not None else personal_fields(FeedbackItem))
        if (handler or f.name not in handler_only) and f.value_from_object(item)
    ]
    if any(event.note for event in events):
        names.append(EVENT_NOTES)
    return names


def same_person(*, user: Any, item: FeedbackItem) -> QuerySet[FeedbackItem]:
    """Other items from the same contact (by its keyed hash), among those the user may see."""
    if not item.contact_hash:
        return FeedbackItem.objects.none()
    return visible_items(user=user).filter(contact_hash=item.contact_hash).exclude(pk=item.pk)


def referral_inbox(*, user: Any, organisation_id: int | None) -> QuerySet[FeedbackItem]:
    """Open items referred to (or, for sensitive cases, concerning) the organisation."""
    if organisation_id is None:
        return FeedbackItem.objects.none()
    return (
        items(user=user)
        .filter(
            Q(assigned_organisation_id=organisation_id)
            | Q(sensitive=True, concerned_organisation_id=organisation_id)
        )
        .exclude(status__in=[Status.ANSWERED, Status.CLOSED])
        .order_by("resolve_due", "pk")
    )


def inbox_messages(*, user: Any) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.restrict(user, Permission.VIEW).select_related("item")


def raw_intake(*, user: Any, status: str | None = RawStatus.REJECTED) -> QuerySet[RawIntake]:
    """Raw intake the user may see (RawIntake.permission_filter: sensitive intake only to the
    group's PSEA coordinators and the focal points of its sensitive items). Every page that
    shows raw intake reads through this."""
    queryset = RawIntake.objects.restrict(user, Permission.VIEW).select_related("group", "token")
    return queryset.filter(status=status) if status else queryset


def sensitive_intake_awaiting_psea(*, user: Any) -> list[dict[str, Any]]:
    """Sensitive raw intake waiting for review in groups with no (active) PSEA coordinator,
    whom nobody may read: how many per group, never which or what, for those who name the
    group's PSEA coordinators (its coordinators; platform admins). The one read of RawIntake
    that does not go through its permission filter: it gives counts, not rows."""
    access = access_for(user)
    if not access.is_authenticated:
        return []
    if access.is_admin:
        managed: Any = feedback_groups(user=user).values("pk")
    else:
        managed = list(access.groups_with(Role.COORDINATOR))
        if not managed:
            return []
    staffed = PseaCoordinator.objects.filter(user__is_active=True).values("group_id")
    waiting = (
        RawIntake.objects.filter(sensitive=True, status=RawStatus.REJECTED, group_id__in=managed)
        .exclude(group_id__in=staffed)
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["group_id"]: row["n"] for row in waiting}
    groups = Group.objects.filter(pk__in=list(counts)).order_by("name")
    return [{"group": group, "count": counts[group.pk]} for group in groups]


def raw_intake_get(*, user: Any, pk: Any) -> RawIntake:
    try:
        return raw_intake(user=user, status=None).get(pk=pk)
    except (RawIntake.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("No such intake.") from exc


def tokens(*, user: Any) -> QuerySet[IntakeToken]:
    return IntakeToken.objects.restrict(user, Permission.VIEW).select_related(
        "group", "organisation"
    )


def focal_points(*, user: Any) -> QuerySet[FocalPoint]:
    return FocalPoint.objects.restrict(user, Permission.VIEW).select_related("organisation", "user")


def psea_coordinators(*, user: Any) -> QuerySet[PseaCoordinator]:
    return PseaCoordinator.objects.restrict(user, Permission.VIEW).select_related("group", "user")


def _current_members(group: Group) -> QuerySet[Any]:
    """Organisations that are confirmed, current members of the group (ids)."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(group=group, confirmed=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values("organisation_id")
    )


def psea_candidates(*, group: Group) -> QuerySet[Any]:
    """Who may be named the group's PSEA coordinator: active users with a role in the group,
    or of an organisation that is a confirmed, current member of it (an invitation does not
    count). Never the whole user list."""
    members = _current_members(group)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(pk__in=GroupRole.objects.filter(group=group).values("user_id"))
            | Q(organisation_id__in=members)
        )
        .select_related("organisation")
        .order_by("first_name", "last_name", "username")
    )


def group_psea_coordinators(*, user: Any, group: Group) -> QuerySet[PseaCoordinator]:
    return psea_coordinators(user=user).filter(group=group).order_by("user__username")


def group_focal_points(*, user: Any, group: Group) -> QuerySet[FocalPoint]:
    """The focal points the user may see of the group's confirmed, current member
    organisations: with the PSEA coordinators, who handles the group's sensitive feedback."""
    members = _current_members(group)
    return focal_points(user=user).filter(organisation_id__in=members)


def service_levels(*, user: Any, action: str = Permission.VIEW) -> QuerySet[ServiceLevel]:
    return ServiceLevel.objects.restrict(user, action)


def feedback_groups(*, user: Any) -> QuerySet[Group]:
    """Country groups the user may see that are the user's own (any role, or PSEA coordinator)."""
    access = access_for(user)
    visible = Group.objects.restrict(user).filter(country__isnull=False)
    if access.is_admin:
        return visible
    mine = Q(pk__in=list(access.group_roles)) | Q(
        pk__in=PseaCoordinator.objects.filter(user_id=access.user_id).values("group_id")
    )
    return visible.filter(mine)


def may_see_dashboard(user: Any, group: Group) -> bool:
    return feedback_groups(user=user).filter(pk=group.pk).exists()


def may_manage(user: Any, group: Group) -> bool:
    access = access_for(user)
    return access.is_admin or group.pk in access.groups_with(Role.EDITOR)


# --- counts -----------------------------------------------------------------------------------


def count_by(queryset: QuerySet[FeedbackItem], field: str) -> dict[Any, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}


def count_by_week(queryset: QuerySet[FeedbackItem], weeks: int = 12) -> dict[datetime.date, int]:
    """Items per week (Monday), the last `weeks` weeks, empty weeks included."""
    today = timezone.localdate()
    start = week_of(today) - datetime.timedelta(weeks=weeks - 1)
    days = count_by(queryset.filter(received_on__gte=start), "received_on")
    result = {start + datetime.timedelta(weeks=i): 0 for i in range(weeks)}
    for day, n in days.items():
        result[week_of(day)] = result.get(week_of(day), 0) + n
    return result


def _hours(pairs: list[tuple[Any, Any]]) -> float | None:
    spans = [(end - start).total_seconds() / 3600 for start, end in pairs if start and end]
    return round(statistics.median(spans), 1) if spans else None


def response_times(queryset: QuerySet[FeedbackItem]) -> dict[str, Any]:
    """Median hours to acknowledge and to answer; how many loops were closed."""
    rows = list(
        queryset.values_list("received_at", "acknowledged_at", "answered_at", "wants_answer")
    )
    wanting = [r for r in rows if r[3]]
    closed = [r for r in wanting if r[2] is not None]
    return {
        "acknowledge_hours": _hours([(r[0], r[1]) for r in rows]),
        "answer_hours": _hours([(r[0], r[2]) for r in rows]),
        "acknowledged": sum(1 for r in rows if r[1] is not None),
        "answered": sum(1 for r in rows if r[2] is not None),
        "wanting_answer": len(wanting),
        "loops_closed": len(closed),
        "loops_closed_share": round(100 * len(closed) / len(wanting)) if wanting else None,
    }


def rising_rumours(*, user: Any, group: Group, limit: int = 10) -> list[dict[str, Any]]:
    """Rumour clusters of the last two weeks, with how many visible items they hold this week
    and the week before (through the `previous` link): rising when this week's is larger."""
    visible = visible_items(user=user).filter(group=group, cluster__isnull=False)
    this_week = week_of(timezone.localdate())
    clusters = (
        FeedbackCluster.objects.filter(
            group=group,
            kind=ClusterKind.RUMOUR,
            week__gte=this_week - datetime.timedelta(days=7),
            pk__in=visible.values("cluster_id"),
        )
        .select_related("admin_area", "previous")
        .order_by("-week", "pk")
    )
    sizes = Counter(
        visible.filter(cluster__in=clusters.values("pk")).values_list("cluster_id", flat=True)
    )
    previous_ids = [c.previous_id for c in clusters if c.previous_id]
    earlier = Counter(
        visible.filter(cluster_id__in=previous_ids).values_list("cluster_id", flat=True)
    )
    result = [
        {
            "cluster": c,
            "count": sizes.get(c.pk, 0),
            "before": earlier.get(c.previous_id, 0) if c.previous_id else 0,
        }
        for c in clusters
    ]
    for row in result:
        row["rising"] = row["count"] > row["before"]
    result.sort(key=lambda r: (-int(r["rising"]), -r["count"]))
    return result[:limit]
