"""One FilterSet per model, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from harambee.core.filters import IdFilter
from harambee.network.filtersets import RestrictedFilterSet, _search

from .choices import MatchStatus, NeedKind, NeedStatus, OfferKind, ProfileKind
from .languages import normalise_language
from .models import Match, Need, Offer, Profile

MAX_CODE = 32


def _code(value: str) -> str:
    return "".join(ch for ch in value.strip()[:MAX_CODE] if ch.isalnum() or ch == ".")


class NeedFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=NeedKind.choices)
    status = filters.ChoiceFilter(label=_("Status"), choices=NeedStatus.choices)
    country = filters.CharFilter(label=_("Country (ISO3)"), method="filter_country")
    group = IdFilter(label=_("Group"), field_name="group_id")
    cohort = filters.CharFilter(label=_("Cohort"), field_name="cohort")
    occupation = filters.CharFilter(label=_("Occupation code"), method="filter_occupation")
    language = filters.CharFilter(label=_("Language"), method="filter_language")

    class Meta:
        model = Need
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["title", "description", "place"], value[:200])

    def filter_country(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(country_id=value.strip().upper()[:3])

    def filter_occupation(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = _code(value)
        return queryset.annotate(_occ=Cast("occupations", TextField())).filter(
            _occ__contains=f'"{code}'
        )

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = normalise_language(value) or "---"
        return queryset.annotate(_lang=Cast("languages", TextField())).filter(
            _lang__contains=f'"{code}"'
        )


class OfferFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=OfferKind.choices)
    country = filters.CharFilter(label=_("Country (ISO3)"), method="filter_country")
    cohort = filters.CharFilter(label=_("Cohort"), field_name="cohort")
    occupation = filters.CharFilter(label=_("Occupation code"), method="filter_occupation")
    language = filters.CharFilter(label=_("Language"), method="filter_language")
    active = filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["title", "description"], value[:200])

    def filter_country(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = value.strip().upper()[:3]
        return queryset.filter(Q(profile__country_id=code) | Q(countries=code)).distinct()

    def filter_occupation(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = _code(value)
        return (
            queryset.annotate(_occ=Cast("occupations", TextField()))
            .filter(Q(profile__occupations__code__startswith=code) | Q(_occ__contains=f'"{code}'))
            .distinct()
        )

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        code = normalise_language(value) or "---"
        return (
            queryset.annotate(_lang=Cast("languages", TextField()))
            .filter(Q(profile__languages__code=code) | Q(_lang__contains=f'"{code}"'))
            .distinct()
        )


class ProfileFilterSet(RestrictedFilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=ProfileKind.choices)
    country = filters.CharFilter(label=_("Country (ISO3)"), method="filter_country")
    occupation = filters.CharFilter(label=_("Occupation code"), method="filter_occupation")
    language = filters.CharFilter(label=_("Language"), method="filter_language")
    cohort = filters.CharFilter(label=_("Cohort"), field_name="cohort")

    class Meta:
        model = Profile
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(country_id=value.strip().upper()[:3])

    def filter_occupation(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(occupations__code__startswith=_code(value)).distinct()

    def filter_language(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(languages__code=normalise_language(value) or "---").distinct()


class MatchFilterSet(RestrictedFilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=MatchStatus.choices)
    need = IdFilter(label=_("Need"), field_name="need_id")
    run = IdFilter(label=_("Run"), field_name="run_id")

    class Meta:
        model = Match
        fields: list[str] = []
