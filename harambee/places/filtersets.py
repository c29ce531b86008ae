"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from harambee.core.filters import BoundedIntegerFilter

from .choices import EmergencyType
from .models import AdminArea, Country, Emergency


class CountryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    has_areas = django_filters.BooleanFilter(method="filter_has_areas", label=_("Has admin areas"))

    class Meta:
        model = Country
        fields = ["q", "has_areas"]

    def search(self, queryset: QuerySet[Country], name: str, value: str) -> QuerySet[Country]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(official_name__icontains=value)
            | Q(iso3__iexact=value)
            | Q(iso2__iexact=value)
        )

    def filter_has_areas(
        self, queryset: QuerySet[Country], name: str, value: bool | None
    ) -> QuerySet[Country]:
        if value is None:
            return queryset
        has = Exists(AdminArea.objects.filter(country_id=OuterRef("pk")))
        return queryset.filter(has) if value else queryset.exclude(has)


class AdminAreaFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO3 code)"))
    level = BoundedIntegerFilter(
        field_name="level", label=_("Admin level"), min_value=0, max_value=10
    )
    parent = django_filters.CharFilter(
        field_name="parent__pcode", lookup_expr="iexact", label=_("Parent P-code")
    )

    class Meta:
        model = AdminArea
        fields = ["q", "country", "level", "parent"]

    def filter_country(
        self, queryset: QuerySet[AdminArea], name: str, value: str
    ) -> QuerySet[AdminArea]:
        return queryset.filter(country_id=value.strip().upper()) if value.strip() else queryset

    def search(self, queryset: QuerySet[AdminArea], name: str, value: str) -> QuerySet[AdminArea]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(other_names__icontains=value) | Q(pcode__istartswith=value)
        )


class EmergencyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO3 code)"))
    type = django_filters.ChoiceFilter(
        field_name="emergency_type", choices=EmergencyType.choices, label=_("Type")
    )
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))

    class Meta:
        model = Emergency
        fields = ["q", "country", "type", "active_on"]

    def search(self, queryset: QuerySet[Emergency], name: str, value: str) -> QuerySet[Emergency]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(glide__icontains=value) | Q(description__icontains=value)
        )

    def filter_country(
        self, queryset: QuerySet[Emergency], name: str, value: str
    ) -> QuerySet[Emergency]:
        value = value.strip().upper()
        if not value:
            return queryset
        # A subquery, not a join, so an emergency in several countries is listed once.
        ids = Emergency.countries.through.objects.filter(country_id=value).values("emergency_id")
        return queryset.filter(pk__in=ids)

    def filter_active_on(
        self, queryset: QuerySet[Emergency], name: str, value: datetime.date | None
    ) -> QuerySet[Emergency]:
        if value is None:
            return queryset
        return queryset.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=value),
            Q(end_date__isnull=True) | Q(end_date__gte=value),
        )
