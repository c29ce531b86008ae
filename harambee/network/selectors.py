"""Reads for the network pages and API. Each one restricts to what the user may see and loads
related rows up front, so a list costs the same few queries whatever its length."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.core.models import ChangeRecord

from .choices import MembershipRole
from .filtersets import (
    GroupFilterSet,
    GroupRoleFilterSet,
    MembershipFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
    RequestFilterSet,
    RequestResponseFilterSet,
    UserRequest,
    WorkplanItemFilterSet,
    current_membership,
)
from .filtersets import member_organisation_ids as member_organisation_ids  # for other apps
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

A_HARAMBEE_USER = _("a Harambee user")


def visible_organisation(user: Any, field: str) -> Exists:
    """Whether the organisation in `field` is one the user may see (False when there is none):
    pages and the API name a related organisation only then."""
    visible = Organisation.objects.restrict(user, Permission.VIEW).filter(pk=OuterRef(field))
    return Exists(visible)


def nameable_users(user: Any) -> QuerySet[Any]:
    """Whom a user may name on a record: colleagues and people they share a group with.

    Never the whole user list: who uses Harambee is itself not public. Pages and the API
    both offer (and accept) exactly these.
    """
    access = access_for(user)
    users = get_user_model().objects.filter(is_active=True).select_related("organisation")
    if access.is_admin:
        return users
    condition = Q(pk=access.user_id)
    if access.organisation_id is not None:
        condition |= Q(organisation_id=access.organisation_id)
    if access.group_roles:
        condition |= Q(group_roles__group_id__in=list(access.group_roles))
    return users.filter(condition).distinct()


def _filtered(
    filterset_class: Any, queryset: QuerySet[Any], user: Any, filters: Any
) -> QuerySet[Any]:
    """Apply the shared FilterSet; invalid values are ignored, as a list page would."""
    if not filters:
        return queryset
    return filterset_class(data=filters, queryset=queryset, request=UserRequest(user)).qs


def _count(model: Any, field: str, condition: Q | None = None) -> Coalesce:
    rows = model.objects.filter(**{field: OuterRef("pk")})
    if condition is not None:
        rows = rows.filter(condition)
    counted = rows.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- organisations and people -----------------------------------------------------------------


def organisations(*, user: Any) -> QuerySet[Organisation]:
    """Every organisation the user may see, ready for a list."""
    return (
        Organisation.objects.restrict(user, Permission.VIEW)
        .select_related("hq_country", "origin_country", "owner_organisation")
        .prefetch_related("countries", "residence_countries", "shared_with")
    )


def organisation_list(*, user: Any, filters: Any = None) -> QuerySet[Organisation]:
    return _filtered(OrganisationFilterSet, organisations(user=user), user, filters)


def organisation_get(*, user: Any, pk: Any) -> Organisation:
    try:
        return organisations(user=user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such organisation.") from exc


def people(*, user: Any) -> QuerySet[Person]:
    return (
        Person.objects.restrict(user, Permission.VIEW)
        .select_related("organisation", "owner_organisation")
        .prefetch_related("shared_with")
    )


def person_list(*, user: Any, filters: Any = None) -> QuerySet[Person]:
    return _filtered(PersonFilterSet, people(user=user), user, filters)


def people_for_organisation(*, user: Any, organisation: Organisation) -> QuerySet[Person]:
    return people(user=user).filter(organisation=organisation)


# --- groups -----------------------------------------------------------------------------------


_current = current_membership


def groups(*, user: Any) -> QuerySet[Group]:
    """Groups the user may see, with their lead organisations (`lead_memberships`, only those
    the user may see) and `member_count` (current, confirmed members the user may see)."""
    visible = Organisation.objects.restrict(user, Permission.VIEW)
    leads = (
        Membership.objects.filter(role=MembershipRole.LEAD, organisation__in=visible)
        .filter(_current())
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return (
        Group.objects.restrict(user, Permission.VIEW)
        .select_related("country", "owner_organisation")
        .prefetch_related(Prefetch("memberships", queryset=leads, to_attr="lead_memberships"))
        .prefetch_related("shared_with")
        .annotate(
            member_count=_count(Membership, "group", _current() & Q(organisation__in=visible))
        )
    )


def group_list(*, user: Any, filters: Any = None) -> QuerySet[Group]:
    return _filtered(GroupFilterSet, groups(user=user), user, filters)


def group_get(*, user: Any, pk: Any) -> Group:
    try:
        return groups(user=user).get(pk=pk)
    except (Group.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such group.") from exc


def memberships(*, user: Any) -> QuerySet[Membership]:
    """Memberships of visible groups, of organisations the user may see."""
    visible = Organisation.objects.restrict(user, Permission.VIEW)
    return (
        Membership.objects.restrict(user, Permission.VIEW)
        .filter(organisation__in=visible)
        .select_related("group", "organisation", "organisation__hq_country")
    )


def membership_list(*, user: Any, filters: Any = None) -> QuerySet[Membership]:
    return _filtered(MembershipFilterSet, memberships(user=user), user, filters)


def group_members(*, user: Any, group: Group) -> QuerySet[Membership]:
    """A group's confirmed memberships (past ones too) of organisations the user may see."""
    return (
        memberships(user=user)
        .filter(group=group, confirmed=True)
        .order_by("role", "organisation__name")
    )


def group_invitations(*, user: Any, group: Group) -> QuerySet[Membership]:
    """Organisations invited to a group that have not confirmed yet (those the user may see)."""
    return (
        memberships(user=user).filter(group=group, confirmed=False).order_by("organisation__name")
    )


def organisation_memberships(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """An organisation's memberships and invitations, in groups the user may see (and, for its
    own people, in every group that invited it)."""
    return (
        Membership.objects.restrict(user, Permission.VIEW)
        .filter(organisation=organisation)
        .select_related("group")
        .order_by("-confirmed", "group__name")
    )


def group_roles(*, user: Any) -> QuerySet[GroupRole]:
    return GroupRole.objects.restrict(user, Permission.VIEW).select_related("group", "user")


def group_role_list(*, user: Any, filters: Any = None) -> QuerySet[GroupRole]:
    return _filtered(GroupRoleFilterSet, group_roles(user=user), user, filters)


def workplan_items(*, user: Any) -> QuerySet[WorkplanItem]:
    """Work plan items, with `owner_visible`: whether the user may see the owner organisation."""
    return (
        WorkplanItem.objects.restrict(user, Permission.VIEW)
        .select_related("group", "owner")
        .annotate(owner_visible=visible_organisation(user, "owner_id"))
    )


def workplan_item_list(*, user: Any, filters: Any = None) -> QuerySet[WorkplanItem]:
    return _filtered(WorkplanItemFilterSet, workplan_items(user=user), user, filters)


def group_workplan(*, user: Any, group: Group) -> QuerySet[WorkplanItem]:
    return workplan_items(user=user).filter(group=group)


# --- requests ---------------------------------------------------------------------------------


def requests(*, user: Any) -> QuerySet[Request]:
    """Requests the user may see, with `response_count` (offers the user may see) and
    `to_organisation_visible` (whether the user may see the organisation asked)."""
    visible = Organisation.objects.restrict(user, Permission.VIEW)
    return (
        Request.objects.restrict(user, Permission.VIEW)
        .select_related("from_group", "to_group", "to_organisation", "owner_organisation")
        .prefetch_related("shared_with")
        .annotate(
            response_count=_count(RequestResponse, "request", Q(organisation__in=visible)),
            to_organisation_visible=visible_organisation(user, "to_organisation_id"),
        )
    )


def request_list(*, user: Any, filters: Any = None) -> QuerySet[Request]:
    return _filtered(RequestFilterSet, requests(user=user), user, filters)


def request_get(*, user: Any, pk: Any) -> Request:
    """One request, with its responses (`responses`: those the user may see, prefetched with
    organisation and user)."""
    responses = RequestResponse.objects.restrict(user, Permission.VIEW).select_related(
        "organisation", "offered_by"
    )
    try:
        return (
            requests(user=user)
            .prefetch_related(Prefetch("responses", queryset=responses))
            .get(pk=pk)
        )
    except (Request.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such request.") from exc


def group_requests(*, user: Any, group: Group) -> QuerySet[Request]:
    return requests(user=user).filter(Q(from_group=group) | Q(to_group=group))


def request_responses(*, user: Any) -> QuerySet[RequestResponse]:
    return RequestResponse.objects.restrict(user, Permission.VIEW).select_related(
        "request", "organisation", "offered_by"
    )


def request_response_list(*, user: Any, filters: Any = None) -> QuerySet[RequestResponse]:
    return _filtered(RequestResponseFilterSet, request_responses(user=user), user, filters)


# --- history ----------------------------------------------------------------------------------


def history_for(*, user: Any, obj: Any) -> QuerySet[ChangeRecord]:
    """The change records of an object, newest first; Http404 if the user may not see it."""
    model = type(obj)
    if not model.objects.restrict(user, Permission.VIEW).filter(pk=obj.pk).exists():
        raise Http404("No such record.")
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(obj.pk)
    ).select_related("user")


def shows_editor_names(user: Any) -> bool:
    """Who changed what is for the network's members; visitors see 'a Harambee user'."""
    return access_for(user).is_member or access_for(user).is_admin


def history_rows(*, user: Any, obj: Any, limit: int | None = None) -> list[ChangeRecord]:
    """The change records of an object as a page shows them: without the editors' names for
    visitors who are not members of the network."""
    records = history_for(user=user, obj=obj)
    rows = list(records[:limit] if limit is not None else records)
    if not shows_editor_names(user):
        for row in rows:
            hide_editor(row)
    return rows


def hide_editor(record: ChangeRecord) -> ChangeRecord:
    """Blank out who made a change, in memory only (change records are never saved again)."""
    if record.user_id is not None or record.user_name not in ("", "system"):
        record.user = None
        record.user_name = str(A_HARAMBEE_USER)
    return record
