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
from harambee.core.fields import keyed_hash
from harambee.core.filters import IdFilter

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


def current_membership() -> Q:
    """Current, confirmed memberships: what 'members' means (invitations are not members)."""
    return Q(confirmed=True) & (Q(until__isnull=True) | Q(until__gte=timezone.localdate()))


def member_organisation_ids(*, user: Any, group_id: int) -> QuerySet[Any]:
    """Ids of the organisations that are current, confirmed members of a group the user may
    see (none if the user may not see it): for filters by group anywhere in Harambee."""
    return (
        Membership.objects.filter(group_id=group_id, group__in=Group.objects.restrict(user))
        .filter(current_membership())
        .values("organisation_id")
    )


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
    group = IdFilter(
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
        return queryset.filter(pk__in=member_organisation_ids(user=self.user, group_id=value))


class PersonFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Name or role."))
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")

    class Meta:
        model = Person
        fields = ["q", "organisation"]

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Any]:
        # Names, email and phone are encrypted at rest: a name is found by its keyed hash
        # (the exact name, any case or accents), the role by its words.
        words = Q()
        for word in value.split():
            words &= Q(role__icontains=word)
        return queryset.filter(words | Q(name_hash=keyed_hash(value, "text")))


class GroupFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Name or purpose."))
    kind = filters.ChoiceFilter(label=_("Kind"), choices=GroupKind.choices)
    country = filters.CharFilter(
        label=_("Country"), method="filter_country", help_text=_("ISO3 code.")
    )
    organisation = IdFilter(
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
            organisation_id=value, organisation__in=visible, confirmed=True
        ).values("group_id")
        return queryset.filter(pk__in=members)


class MembershipFilterSet(RestrictedFilterSet):
    group = IdFilter(label=_("Group"), field_name="group_id")
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")
    role = filters.ChoiceFilter(label=_("Role"), choices=MembershipRole.choices)
    current = filters.BooleanFilter(
        label=_("Current"), method="filter_current", help_text=_("Not ended before today.")
    )
    confirmed = filters.BooleanFilter(
        label=_("Confirmed"),
        help_text=_("Confirmed by the member organisation (false: invitations)."),
    )

    class Meta:
        model = Membership
        fields = ["group", "organisation", "role", "current", "confirmed"]

    def filter_current(
        self, queryset: QuerySet[Membership], name: str, value: bool
    ) -> QuerySet[Any]:
        ongoing = Q(until__isnull=True) | Q(until__gte=timezone.localdate())
        return queryset.filter(ongoing) if value else queryset.exclude(ongoing)


class GroupRoleFilterSet(RestrictedFilterSet):
    group = IdFilter(label=_("Group"), field_name="group_id")
    user = IdFilter(label=_("User"), field_name="user_id")
    role = filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta:
        model = GroupRole
        fields = ["group", "user", "role"]


class WorkplanItemFilterSet(RestrictedFilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Challenge or objective.")
    )
    group = IdFilter(label=_("Group"), field_name="group_id")
    status = filters.MultipleChoiceFilter(label=_("Status"), choices=WorkplanStatus.choices)
    owner = IdFilter(label=_("Owner organisation"), field_name="owner_id")
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
    from_group = IdFilter(label=_("Requesting group"), field_name="from_group_id")
    to_group = IdFilter(label=_("Asked group"), field_name="to_group_id")
    to_organisation = IdFilter(label=_("Asked organisation"), field_name="to_organisation_id")
    group = IdFilter(
        label=_("Group"), method="filter_group", help_text=_("Made or received by this group (id).")
    )

    class Meta:
        model = Request
        fields = ["q", "status", "from_group", "to_group", "to_organisation", "group"]

    def filter_q(self, queryset: QuerySet[Request], name: str, value: str) -> QuerySet[Any]:
        return _search(queryset, ["title", "rationale"], value)

    def filter_group(self, queryset: QuerySet[Request], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(Q(from_group_id=value) | Q(to_group_id=value))


class RequestResponseFilterSet(RestrictedFilterSet):
    request = IdFilter(label=_("Request"), field_name="request_id")
    organisation = IdFilter(label=_("Organisation"), field_name="organisation_id")

    class Meta:
        model = RequestResponse
        fields = ["request", "organisation"]
