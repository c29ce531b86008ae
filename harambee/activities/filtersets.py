"""One FilterSet per model, shared by the API, the list, the map, the coverage matrix and the
exports, so every view of "who does what where" filters the same way.

Filters across many-valued relations (places, population groups, group members) are written as
`pk__in` subqueries: they never duplicate rows, and the aggregates of the map and coverage
matrix, which join the places themselves, are not narrowed by a join made for a filter.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harambee.core.filters import MAX_ID, IdFilter
from harambee.network.choices import OrganisationType
from harambee.network.filtersets import RestrictedFilterSet, UserRequest, _search
from harambee.network.models import Group, Membership
from harambee.places.models import AdminArea

from .choices import ActivityStatus
from .models import Activity, ActivityPlace, PopulationGroup, Sector

__all__ = [
    "MAX_CODE_LENGTH",
    "MAX_SEARCH_WORDS",
    "ActivityFilterSet",
    "PopulationGroupFilterSet",
    "SectorFilterSet",
    "UserRequest",
    "area_and_below",
    "first_words",
    "query_code",
    "sector_condition",
]

# A code from a query string (ISO3, P-code) is never longer; longer is not a code.
MAX_CODE_LENGTH = 32
# Each word of a search is matched against six columns: a pasted paragraph would build a
# query SQLite refuses (expression tree too large) and PostgreSQL spends long on.
MAX_SEARCH_WORDS = 10


def first_words(value: str) -> str:
    """The words a search matches: the first MAX_SEARCH_WORDS of what was typed."""
    return " ".join(value.split()[:MAX_SEARCH_WORDS])


def query_code(value: Any, max_length: int = MAX_CODE_LENGTH) -> str:
    """A code read straight from a query string, or "" when it cannot be one: too long, or
    holding a NUL character (PostgreSQL refuses those outright, a crash instead of no match)."""
    code = str(value or "").strip()
    if len(code) > max_length or "\x00" in code:
        return ""
    return code


def area_and_below(pcode: str) -> Q:
    """Admin areas that are `pcode` or lie within it (levels 1 to 4: at most three steps down)."""
    code = pcode.strip()
    return (
        Q(pcode__iexact=code)
        | Q(parent__pcode__iexact=code)
        | Q(parent__parent__pcode__iexact=code)
        | Q(parent__parent__parent__pcode__iexact=code)
    )


def sector_condition(value: str, prefix: str = "") -> Q:
    """A sector by id (digits) or by code, global or a country's own (case-insensitive)."""
    value = value.strip()
    if value.isdigit():
        return Q(**{f"{prefix}pk": int(value)}) if int(value) <= MAX_ID else Q(pk__in=[])
    return Q(**{f"{prefix}code__iexact": value})


class ActivityFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Words in the title, description, organisation or sector."),
    )
    country = filters.CharFilter(
        label=_("Country"), method="filter_country", help_text=_("ISO3 code.")
    )
    admin_area = filters.CharFilter(
        label=_("Admin area"),
        method="filter_admin_area",
        help_text=_("P-code; activities in the areas within it are included."),
    )
    sector = filters.CharFilter(
        label=_("Sector"), method="filter_sector", help_text=_("Sector code (e.g. WSH) or id.")
    )
    organisation = IdFilter(
        label=_("Organisation"),
        field_name="implementing_organisation_id",
        help_text=_("Implementing organisation (id)."),
    )
    org_type = filters.MultipleChoiceFilter(
        label=_("Organisation type"),
        field_name="implementing_organisation__org_type",
        choices=OrganisationType.choices,
    )
    population_group = filters.CharFilter(
        label=_("Population group"), method="filter_population_group", help_text=_("Code.")
    )
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=ActivityStatus.choices)
    emergency = IdFilter(label=_("Emergency"), field_name="emergency_id")
    import_batch = IdFilter(
        label=_("Import"),
        field_name="import_batch_id",
        help_text=_("Activities from this import (id)."),
    )
    group = IdFilter(
        label=_("Group"),
        method="filter_group",
        help_text=_("Implemented by a current member of this group (id)."),
    )
    start = filters.DateFilter(
        label=_("From"), method="filter_start", help_text=_("Running on or after this date.")
    )
    end = filters.DateFilter(
        label=_("Until"), method="filter_end", help_text=_("Running on or before this date.")
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("implementing_organisation__name", "organisation"),
            ("sector__name", "sector"),
            ("start_date", "start"),
            ("end_date", "end"),
            ("updated_at", "updated"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Activity
        fields = [
            "q",
            "country",
            "admin_area",
            "sector",
            "organisation",
            "org_type",
            "population_group",
            "status",
            "emergency",
            "group",
            "import_batch",
            "start",
            "end",
        ]

    def filter_q(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Any]:
        value = first_words(value)
        fields = [
            "title",
            "description",
            "implementing_organisation__name",
            "implementing_organisation__acronym",
            "sector__name",
            "sector__code",
        ]
        return _search(queryset, fields, value)

    def filter_country(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(country_id=value.strip().upper())

    def filter_admin_area(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Any]:
        areas = AdminArea.objects.filter(area_and_below(value)).values("pk")
        places = ActivityPlace.objects.filter(admin_area__in=areas).values("activity_id")
        return queryset.filter(pk__in=places)

    def filter_sector(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(sector_condition(value, "sector__"))

    def filter_population_group(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Any]:
        through = Activity.population_groups.through.objects.filter(
            populationgroup__code__iexact=value.strip()
        )
        return queryset.filter(pk__in=through.values("activity_id"))

    def filter_group(self, queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Any]:
        # Only a group the user may see: filtering must not reveal who belongs to a hidden one.
        today = timezone.localdate()
        members = (
            Membership.objects.filter(
                group_id=int(value), group__in=Group.objects.restrict(self.user), confirmed=True
            )
            .filter(Q(until__isnull=True) | Q(until__gte=today))
            .values("organisation_id")
        )
        return queryset.filter(implementing_organisation_id__in=members)

    def filter_start(self, queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Any]:
        # Overlap: an activity without an end date is still running.
        return queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=value))

    def filter_end(self, queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=value))


class SectorFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Name, code or alias.")
    )
    country = filters.CharFilter(
        label=_("Country"),
        method="filter_country",
        help_text=_("ISO3 code: the global clusters and this country's own sectors."),
    )
    is_global = filters.BooleanFilter(
        label=_("Global cluster"), field_name="country", lookup_expr="isnull"
    )

    class Meta:
        model = Sector
        fields = ["q", "country", "is_global"]

    def filter_q(self, queryset: QuerySet[Sector], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["name", "code", "aliases"], first_words(value))

    def filter_country(self, queryset: QuerySet[Sector], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(country__isnull=True) | Q(country_id=value.strip().upper()))


class PopulationGroupFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = PopulationGroup
        fields = ["q"]

    def filter_q(self, queryset: QuerySet[PopulationGroup], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["name", "code"], first_words(value))
