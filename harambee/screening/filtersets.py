"""One FilterSet per model, shared by the API and the pages so both filter the same way.

They narrow a queryset the selector has already restricted to what the user may see: a filter
by another organisation matches nothing rather than revealing its rows.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from harambee.core.fields import keyed_hash
from harambee.core.filters import IdFilter

from .choices import AlertStatus, PayeeSchema, SubjectKind
from .models import ALERT_IS_OPEN, Payee, ScreeningAlert


class PayeeFilterSet(filters.FilterSet):
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")
    schema = filters.ChoiceFilter(label=_("Type"), choices=PayeeSchema.choices)
    name = filters.CharFilter(
        label=_("Name"),
        method="filter_name",
        help_text=_(
            "The exact name (case, accents and spacing aside): names are encrypted, "
            "so they are compared through their keyed hash."
        ),
    )

    class Meta:
        model = Payee
        fields = ["organisation", "schema", "name"]

    def filter_name(self, queryset: QuerySet[Payee], name: str, value: str) -> QuerySet[Payee]:
        from .dd.payees import find_payees

        return find_payees(queryset, value)


class ScreeningAlertFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=AlertStatus.choices,
        method="filter_status",
        help_text=_("Open: waiting for review (an erased alert has nothing left to review)."),
    )
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")
    list_version = IdFilter(
        label=_("List version"),
        field_name="list_version_id",
        help_text=_("The list version the hit was found in (id)."),
    )
    subject_kind = filters.ChoiceFilter(label=_("Who"), choices=SubjectKind.choices)
    name = filters.CharFilter(
        label=_("Name"),
        method="filter_name",
        help_text=_(
            "The exact name screened (case, accents and spacing aside): names are encrypted, "
            "so they are compared through their keyed hash."
        ),
    )

    class Meta:
        model = ScreeningAlert
        fields = ["status", "organisation", "list_version", "subject_kind", "name"]

    def filter_status(
        self, queryset: QuerySet[ScreeningAlert], name: str, value: str
    ) -> QuerySet[ScreeningAlert]:
        if value == AlertStatus.OPEN:
            return queryset.filter(ALERT_IS_OPEN)
        return queryset.filter(status=value)

    def filter_name(
        self, queryset: QuerySet[ScreeningAlert], name: str, value: str
    ) -> QuerySet[ScreeningAlert]:
        digest = keyed_hash(value, "text")
        return queryset.filter(subject_name_hash=digest) if digest else queryset.none()
