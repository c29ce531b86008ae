"""One FilterSet for feedback items, shared by the pages, the API and the dashboard."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from harambee.activities.filtersets import area_and_below, first_words, query_code, sector_condition
from harambee.core.filters import IdFilter
from harambee.network.filtersets import RestrictedFilterSet, UserRequest, _search
from harambee.places.models import AdminArea

from .choices import Channel, Priority, Status
from .framework import CATEGORY_BY_KEY, FeedbackType
from .models import FeedbackItem

__all__ = ["FeedbackItemFilterSet", "UserRequest"]


class FeedbackItemFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(method="filter_q", label=_("Search the summaries"))
    group = IdFilter(field_name="group_id", label=_("Group"))
    status = filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    open = filters.BooleanFilter(method="filter_open", label=_("Open"))
    feedback_type = filters.ChoiceFilter(choices=FeedbackType.choices, label=_("Type"))
    category = filters.ChoiceFilter(
        choices=[(k, c.label) for k, c in CATEGORY_BY_KEY.items()], label=_("Category")
    )
    channel = filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    priority = filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    sector = filters.CharFilter(method="filter_sector", label=_("Sector (code)"))
    admin_area = filters.CharFilter(method="filter_area", label=_("Place (P-code, and below)"))
    assigned_organisation = IdFilter(field_name="assigned_organisation_id", label=_("Referred to"))
    cluster = IdFilter(field_name="cluster_id", label=_("Cluster"))
    received_after = filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("From")
    )
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("To"))
    escalated = filters.BooleanFilter(
        field_name="escalated_at", lookup_expr="isnull", exclude=True, label=_("Escalated")
    )
    ordering = filters.OrderingFilter(
        fields=(("received_at", "received"), ("resolve_due", "due"), ("priority", "priority")),
        label=_("Order"),
    )

    class Meta:
        model = FeedbackItem
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # The words as given are encrypted: only summaries can be searched.
        return _search(queryset, ["summary"], first_words(value))

    def filter_open(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        closed = [Status.ANSWERED, Status.CLOSED]
        if value is None:
            return queryset
        return queryset.exclude(status__in=closed) if value else queryset.filter(status__in=closed)

    def filter_sector(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = query_code(value)
        if not code:
            return queryset.none()
        return queryset.filter(sector_condition(code, "sector__"))

    def filter_area(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = query_code(value)
        if not code:
            return queryset.none()
        return queryset.filter(admin_area__in=AdminArea.objects.filter(area_and_below(code)))
