"""One FilterSet per model, shared by the API and the pages so both filter the same way.

Filters that follow a relation only ever match records the user may see: filtering by a group
the user cannot see must not reveal who belongs to it.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harambee.core.choices import Role, Visibility

from .choices import GroupKind, MembershipRole, OrganisationType, RequestStatus, WorkplanStatus
from .models import (
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)


class UserRequest:
    """What a FilterSet needs from a request when a selector, not a view, builds it."""

    def __init__(self, user: Any) -> None:
        self.user = user


class RestrictedFilterSet(filters.FilterSet):
    @property
    def user(self) -> Any:
        return getattr(self.request, "user", None)

    def visible_groups(self) -> QuerySet[Group]:
        return Group.objects.restrict(self.user)


def _search(queryset: QuerySet[Any], fields: list[str], value: str) -> QuerySet[Any]:
    condition = Q()
    for word in value.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def _iso3(value: str) -> str:
    return value.strip().upper()


class OrganisationFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Words in the name, acronym or other names."),
    )
    org_type = filters.MultipleChoiceFilter(label=_("Type"), choices=OrganisationType.choices)
    country = filters.CharFilter(
        label=_("Country"),
        method="filter_country",
        help_text=_("ISO3 code: headquarters or country of operation."),
    )
    verified = filters.BooleanFilter(label=_("Verified"))
    visibility = filters.ChoiceFilter(label=_("Visibility"), choices=Visibility.choices)
    group = filters.NumberFilter(
        label=_("Group"), method="filter_group", help_text=_("Current member of this group (id).")
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("acronym", "acronym"),
            ("org_type", "org_type"),
            ("updated_at", "updated"),
        ),
        label=_("Order by"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "org_type", "country", "verified", "visibility", "group"]

    def filter_q(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["name", "acronym", "other_names"], value)

    def filter_country(
        self, queryset: QuerySet[Organisation], name: str, value: str
    ) -> QuerySet[Any]:
        code = _iso3(value)
        operating = Organisation.countries.through.objects.filter(country_id=code).values(
            "organisation_id"
        )
        return queryset.filter(Q(hq_country_id=code) | Q(pk__in=operating))

    def filter_group(
        self, queryset: QuerySet[Organisation], name: str, value: Any
    ) -> QuerySet[Any]:
        today = timezone.localdate()
        members = (
            Membership.objects.filter(group_id=int(value), group__in=self.visible_groups())
            .filter(Q(until__isnull=True) | Q(until__gte=today))
            .values("organisation_id")
        )
        return queryset.filter(pk__in=members)


class PersonFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Name or role."))
    organisation = filters.NumberFilter(label=_("Organisation"), field_name="organisation_id")

    class Meta:
        model = Person
        fields = ["q", "organisation"]

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Any]:
        # Email and phone are encrypted at rest: they cannot be searched, by design.
        return _search(queryset, ["name", "role"], value)


class GroupFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Name or purpose."))
    kind = filters.ChoiceFilter(label=_("Kind"), choices=GroupKind.choices)
    country = filters.CharFilter(
        label=_("Country"), method="filter_country", help_text=_("ISO3 code.")
    )
    organisation = filters.NumberFilter(
        label=_("Member organisation"),
        method="filter_organisation",
        help_text=_("Organisation id."),
    )

    class Meta:
        model = Group
        fields = ["q", "kind", "country", "organisation"]

    def filter_q(self, queryset: QuerySet[Group], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["name", "purpose"], value)

    def filter_country(self, queryset: QuerySet[Group], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(country_id=_iso3(value))

    def filter_organisation(
        self, queryset: QuerySet[Group], name: str, value: Any
    ) -> QuerySet[Any]:
        visible = Organisation.objects.restrict(self.user)
        members = Membership.objects.filter(
            organisation_id=int(value), organisation__in=visible
        ).values("group_id")
        return queryset.filter(pk__in=members)


class MembershipFilterSet(RestrictedFilterSet):
    group = filters.NumberFilter(label=_("Group"), field_name="group_id")
    organisation = filters.NumberFilter(label=_("Organisation"), field_name="organisation_id")
    role = filters.ChoiceFilter(label=_("Role"), choices=MembershipRole.choices)
    current = filters.BooleanFilter(
        label=_("Current"), method="filter_current", help_text=_("Not ended before today.")
    )

    class Meta:
        model = Membership
        fields = ["group", "organisation", "role", "current"]

    def filter_current(
        self, queryset: QuerySet[Membership], name: str, value: bool
    ) -> QuerySet[Any]:
        ongoing = Q(until__isnull=True) | Q(until__gte=timezone.localdate())
        return queryset.filter(ongoing) if value else queryset.exclude(ongoing)


class GroupRoleFilterSet(RestrictedFilterSet):
    group = filters.NumberFilter(label=_("Group"), field_name="group_id")
    user = filters.NumberFilter(label=_("User"), field_name="user_id")
    role = filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = GroupRole
        fields = ["group", "user", "role"]


class WorkplanItemFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Challenge or objective.")
    )
    group = filters.NumberFilter(label=_("Group"), field_name="group_id")
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=WorkplanStatus.choices)
    owner = filters.NumberFilter(label=_("Owner organisation"), field_name="owner_id")
    due_before = filters.DateFilter(label=_("Due before"), field_name="due_date", lookup_expr="lte")
    due_after = filters.DateFilter(label=_("Due after"), field_name="due_date", lookup_expr="gte")

    class Meta:
        model = WorkplanItem
        fields = ["q", "group", "status", "owner", "due_before", "due_after"]

    def filter_q(self, queryset: QuerySet[WorkplanItem], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["challenge", "objective"], value)


class RequestFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("What is needed, or why.")
    )
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    from_group = filters.NumberFilter(label=_("Requesting group"), field_name="from_group_id")
    to_group = filters.NumberFilter(label=_("Asked group"), field_name="to_group_id")
    to_organisation = filters.NumberFilter(
        label=_("Asked organisation"), field_name="to_organisation_id"
    )
    group = filters.NumberFilter(
        label=_("Group"), method="filter_group", help_text=_("Made or received by this group (id).")
    )

    class Meta:
        model = Request
        fields = ["q", "status", "from_group", "to_group", "to_organisation", "group"]

    def filter_q(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["title", "rationale"], value)

    def filter_group(self, queryset: QuerySet[Request], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(Q(from_group_id=int(value)) | Q(to_group_id=int(value)))


class RequestResponseFilterSet(RestrictedFilterSet):
    request = filters.NumberFilter(label=_("Request"), field_name="request_id")
    organisation = filters.NumberFilter(label=_("Organisation"), field_name="organisation_id")

    class Meta:
        model = RequestResponse
        fields = ["request", "organisation"]
