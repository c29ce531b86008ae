"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from harambee.activities.filtersets import first_words, query_code
from harambee.core.filters import IdFilter
from harambee.network.filtersets import RestrictedFilterSet

from .choices import CommitmentType, IndicatorStatus, ReportStatus, SmartElement
from .models import Commitment, Indicator, Milestone, ProgressReport, ResultsFramework

SMART_CHOICES = [("complete", _("Complete")), ("incomplete", _("Incomplete"))]


class CommitmentFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q")
    forum = IdFilter(label=_("Forum"), field_name="forum_id")
    type = filters.ChoiceFilter(label=_("Type"), choices=CommitmentType.choices)
    organisation = IdFilter(label=_("Organisation"), method="filter_organisation")
    country = filters.CharFilter(label=_("Country"), method="filter_country")
    group = IdFilter(label=_("Group"), field_name="group_id")
    status = filters.ChoiceFilter(label=_("Status"), choices=IndicatorStatus.choices)
    smart = filters.ChoiceFilter(label=_("SMART"), choices=SMART_CHOICES, method="filter_smart")
    missing = filters.ChoiceFilter(
        label=_("Missing"), choices=SmartElement.choices, method="filter_missing"
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        condition = Q()
        for word in first_words(value).split():
            condition &= (
                Q(code__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
            )
        return queryset.filter(condition)

    def filter_organisation(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        from .models import CommitmentOrganisation

        shares = CommitmentOrganisation.objects.filter(organisation_id=value)
        return queryset.filter(pk__in=shares.values("commitment_id"))

    def filter_country(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = query_code(value, max_length=3).upper()
        through = Commitment.countries.through
        return queryset.filter(
            pk__in=through.objects.filter(country_id=code).values("commitment_id")
        )

    def filter_smart(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "complete":
            return queryset.filter(smart_missing_count=0)
        return queryset.filter(smart_missing_count__gt=0)

    def filter_missing(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(smart_missing__contains=value)


class FrameworkFilterSet(RestrictedFilterSet):
    group = IdFilter(label=_("Group"), field_name="group_id")
    forum = IdFilter(label=_("Forum"), field_name="forum_id")

    class Meta:
        model = ResultsFramework
        fields: list[str] = []


class MilestoneFilterSet(RestrictedFilterSet):
    framework = IdFilter(label=_("Framework"), field_name="framework_id")
    commitment = IdFilter(label=_("Commitment"), field_name="commitment_id")

    class Meta:
        model = Milestone
        fields: list[str] = []


class IndicatorFilterSet(RestrictedFilterSet):
    framework = IdFilter(label=_("Framework"), field_name="framework_id")

    class Meta:
        model = Indicator
        fields: list[str] = []


class ProgressReportFilterSet(RestrictedFilterSet):
    framework = IdFilter(label=_("Framework"), field_name="indicator__framework_id")
    indicator = IdFilter(label=_("Indicator"), field_name="indicator_id")
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")
    status = filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices)

    class Meta:
        model = ProgressReport
        fields: list[str] = []
