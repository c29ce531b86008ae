"""One FilterSet per model, shared by the API and (later) the money pages.

Filters on parties (country, year, sector, organisation, plan, pooled fund) are `Exists`
subqueries: a flow with several parties of a kind is never listed twice."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from harambee.activities.filtersets import query_code, sector_condition
from harambee.core.filters import BoundedIntegerFilter, IdFilter
from harambee.network.filtersets import RestrictedFilterSet

from . import counting
from .choices import (
    AggregateKind,
    Boundary,
    Channel,
    FlowStatus,
    FlowType,
    FundType,
    OnBoundary,
    PartyKind,
    PlanKind,
    SourceSystem,
)
from .models import AggregateFlow, ExchangeRate, Flow, FlowParty, Plan, PooledFund


def _party(kind: str, condition: Q) -> Exists:
    return Exists(FlowParty.objects.filter(Q(flow=OuterRef("pk"), kind=kind) & condition))


class FlowFilterSet(RestrictedFilterSet):
    country = filters.CharFilter(
        label=_("Country"), method="filter_country", help_text=_("ISO3 code, either side.")
    )
    year = BoundedIntegerFilter(
        label=_("Usage year"), method="filter_year", min_value=1900, max_value=2200
    )
    sector = filters.CharFilter(
        label=_("Sector"),
        method="filter_sector",
        help_text=_("Sector code (e.g. EDU) or id, destination side."),
    )
    organisation = IdFilter(
        label=_("Organisation"), method="filter_organisation", help_text=_("Either side (id).")
    )
    plan = IdFilter(label=_("Plan"), method="filter_plan")
    pooled_fund = IdFilter(label=_("Pooled fund"), method="filter_pooled_fund")
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=FlowStatus.choices)
    boundary = filters.MultipleChoiceFilter(label=_("Boundary"), choices=Boundary.choices)
    on_boundary = filters.ChoiceFilter(label=_("On the boundary"), choices=OnBoundary.choices)
    flow_type = filters.MultipleChoiceFilter(label=_("Flow type"), choices=FlowType.choices)
    channel = filters.MultipleChoiceFilter(label=_("Channel"), choices=Channel.choices)
    source_system = filters.ChoiceFilter(label=_("Source system"), choices=SourceSystem.choices)
    source_id = filters.CharFilter(label=_("Id in the source"), method="filter_source_id")
    parent = IdFilter(label=_("Parent flow"), field_name="parent_id")
    parent_missing = filters.BooleanFilter(label=_("Parent not held"))
    counted = filters.BooleanFilter(
        label=_("Counted in totals"),
        method="filter_counted",
        help_text=_("Flows the counting rule counts (true) or leaves out (false)."),
    )

    class Meta:
        model = Flow
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Flow], name: str, value: str) -> QuerySet[Flow]:
        code = query_code(value, 3).upper()
        return queryset.filter(_party(PartyKind.LOCATION, Q(country_id=code)))

    def filter_year(self, queryset: QuerySet[Flow], name: str, value: Any) -> QuerySet[Flow]:
        return queryset.filter(_party(PartyKind.USAGE_YEAR, Q(year=value)))

    def filter_sector(self, queryset: QuerySet[Flow], name: str, value: str) -> QuerySet[Flow]:
        code = query_code(value)
        if not code:
            return queryset.none()
        return queryset.filter(
            _party(PartyKind.SECTOR, Q(side="destination") & sector_condition(code, "sector__"))
        )

    def filter_organisation(
        self, queryset: QuerySet[Flow], name: str, value: Any
    ) -> QuerySet[Flow]:
        return queryset.filter(_party(PartyKind.ORGANISATION, Q(organisation_id=value)))

    def filter_plan(self, queryset: QuerySet[Flow], name: str, value: Any) -> QuerySet[Flow]:
        return queryset.filter(_party(PartyKind.PLAN, Q(plan_id=value)))

    def filter_pooled_fund(self, queryset: QuerySet[Flow], name: str, value: Any) -> QuerySet[Flow]:
        return queryset.filter(_party(PartyKind.POOLED_FUND, Q(pooled_fund_id=value)))

    def filter_source_id(self, queryset: QuerySet[Flow], name: str, value: str) -> QuerySet[Flow]:
        code = query_code(value, 128)
        return queryset.filter(source_id=code) if code else queryset.none()

    def filter_counted(self, queryset: QuerySet[Flow], name: str, value: Any) -> QuerySet[Flow]:
        if value is None:
            return queryset
        rule = counting.counted_condition()
        return queryset.filter(rule) if value else queryset.exclude(rule)


class PlanFilterSet(RestrictedFilterSet):
    country = filters.CharFilter(label=_("Country"), method="filter_country")
    year = BoundedIntegerFilter(label=_("Year"), min_value=1900, max_value=2200)
    kind = filters.MultipleChoiceFilter(label=_("Kind"), choices=PlanKind.choices)
    code = filters.CharFilter(label=_("Code"), lookup_expr="iexact")

    class Meta:
        model = Plan
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        code = query_code(value, 3).upper()
        return queryset.filter(
            pk__in=Plan.countries.through.objects.filter(country_id=code).values("plan_id")
        )


class PooledFundFilterSet(RestrictedFilterSet):
    country = filters.CharFilter(label=_("Country"), method="filter_country")
    fund_type = filters.ChoiceFilter(label=_("Type"), choices=FundType.choices)

    class Meta:
        model = PooledFund
        fields: list[str] = []

    def filter_country(
        self, queryset: QuerySet[PooledFund], name: str, value: str
    ) -> QuerySet[PooledFund]:
        return queryset.filter(country_id=query_code(value, 3).upper())


class ExchangeRateFilterSet(RestrictedFilterSet):
    currency = filters.CharFilter(label=_("Currency"), method="filter_currency")
    date_from = filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")
    source = filters.CharFilter(label=_("Source"), lookup_expr="iexact")

    class Meta:
        model = ExchangeRate
        fields: list[str] = []

    def filter_currency(
        self, queryset: QuerySet[ExchangeRate], name: str, value: str
    ) -> QuerySet[ExchangeRate]:
        return queryset.filter(currency=query_code(value, 3).upper())


class AggregateFlowFilterSet(RestrictedFilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=AggregateKind.choices)
    destination_country = filters.CharFilter(label=_("To country"), method="filter_destination")

    class Meta:
        model = AggregateFlow
        fields: list[str] = []

    def filter_destination(
        self, queryset: QuerySet[AggregateFlow], name: str, value: str
    ) -> QuerySet[AggregateFlow]:
        return queryset.filter(destination_country_id=query_code(value, 3).upper())
