"""Network pages. Thin: selectors read (404 when hidden), forms validate, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harambee.core.access import access_for
from harambee.core.choices import Permission, Role, Visibility
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.forms import apply_error, attempt
from harambee.core.security import public
from harambee.core.services import require, require_create
from harambee.core.views import denials_as_403, is_partial, paginate, partial_or_page
from harambee.places.models import Country
from harambee.privacy.access import log_access

from . import selectors, services
from .duplicates import find_duplicates
from .filtersets import GroupFilterSet, OrganisationFilterSet, RequestFilterSet
from .forms import (
    DeleteForm,
    GroupForm,
    GroupRoleForm,
    GroupRoleRowForm,
    MembershipAnswerForm,
    MembershipForm,
    MergeForm,
    OrganisationForm,
    PersonForm,
    RequestForm,
    RequestResponseForm,
    RequestStatusForm,
    WorkplanItemForm,
)
from .models import (
    SET_STATUS,
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)

HISTORY_ON_DETAIL = 20
GET_POST = require_http_methods(["GET", "POST"])


def may(user: Any, action: str, obj: Any) -> bool:
    """Whether the page should offer an action; the service still decides on submit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def manages_roles(user: Any, group: Group) -> bool:
    access = access_for(user)
    return access.is_admin or access.role_in(group.pk) == Role.COORDINATOR


def filter_form(filterset_class: Any, request: HttpRequest, *, drop: tuple[str, ...] = ()) -> Any:
    """The API's FilterSet form, made friendly for people: ids and codes become choices.

    Not built for an htmx request, which only swaps the results.
    """
    if is_partial(request):
        return None
    model = filterset_class._meta.model
    form = filterset_class(request.GET or None, queryset=model.objects.none(), request=request).form
    for name in drop:
        form.fields.pop(name, None)
    user = request.user
    countries: list[tuple[Any, str]] | None = None
    groups: list[tuple[Any, str]] | None = None
    for name, field in form.fields.items():
        if name == "q":
            field.widget.input_type = "search"
        elif name == "country":
            countries = countries or _choices(Country.objects.only("iso3", "name"), "iso3")
            field.widget = forms.Select(choices=countries)
            field.help_text = ""
        elif name in {"group", "from_group", "to_group"}:
            groups = groups or _choices(Group.objects.restrict(user).only("pk", "name"), "pk")
            field.widget = forms.Select(choices=groups)
            field.help_text = ""
        elif isinstance(field.widget, forms.NullBooleanSelect):
            field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif isinstance(field.widget, forms.SelectMultiple):
            if len(field.choices) <= 6:
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        elif isinstance(field.widget, forms.Select):
            # django-filter's empty choice is a row of dashes; say what it means.
            rest = [(k, v) for k, v in field.choices if k != ""]
            field.choices = [("", _("Any")), *rest]
    return form


def warn_invalid_filters(request: HttpRequest, filterset_class: Any) -> None:
    """Invalid filter values (an id out of range, a typo in a date) are ignored; say so."""
    if not request.GET:
        return
    model = filterset_class._meta.model
    filterset = filterset_class(request.GET, queryset=model.objects.none(), request=request)
    for name, errors in filterset.errors.items():
        label = filterset.filters[name].label if name in filterset.filters else name
        messages.warning(
            request,
            _("The filter “%(filter)s” was ignored: %(error)s")
            % {"filter": label, "error": " ".join(errors)},
        )


def _choices(queryset: Any, key: str) -> list[tuple[Any, str]]:
    return [("", _("Any")), *((getattr(o, key), o.name) for o in queryset)]


def _edit_page(
    request: HttpRequest,
    *,
    form: Any,
    update: Callable[..., Any],
    target: dict[str, Any],
    success_url: str,
    template: str,
    context: dict[str, Any],
    with_m2m: bool = True,
) -> HttpResponse:
    """Save an edit form through the service, with the version the user read."""
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        extra = {"m2m": m2m} if with_m2m else {}
        ok, _result = attempt(
            form,
            update,
            actor=request.user,
            data=data,
            expected_version=form.expected_version,
            **target,
            **extra,
        )
        if ok:
            messages.success(request, _("Your changes were saved."))
            return redirect(success_url)
    return render(request, template, {"form": form, **context})


def _delete_page(
    request: HttpRequest,
    *,
    obj: Any,
    delete: Callable[..., Any],
    target: dict[str, Any],
    success_url: str,
    cancel_url: str,
    label: str | None = None,
) -> HttpResponse:
    """Confirm, then delete through the service with the version the user saw. `label` names
    the record on the page (default: its string, which is what messages and history say)."""
    form = DeleteForm(
        request.POST if request.method == "POST" else None, initial={"version": obj.version}
    )
    if request.method == "POST" and form.is_valid():
        title = str(obj)  # before the delete: a reference made from the id has none after it
        ok, _result = attempt(
            form,
            delete,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **target,
        )
        if ok:
            messages.success(request, _("“%(object)s” was deleted.") % {"object": title})
            return redirect(success_url)
    context = {"object": obj, "label": label or str(obj), "form": form, "cancel_url": cancel_url}
    return render(request, "network/confirm_delete.html", context)


# Organisations ---------------------------------------------------------------------------------


@public("Directory of organisations: public records only for anonymous visitors.")
def organisation_list(request: HttpRequest) -> HttpResponse:
    warn_invalid_filters(request, OrganisationFilterSet)
    queryset = selectors.organisation_list(user=request.user, filters=request.GET).select_related(
        "hq_country"
    )
    context = {
        "filter_form": filter_form(OrganisationFilterSet, request, drop=("visibility",)),
        "page_obj": paginate(request, queryset),
        "can_create": request.user.is_authenticated
        and Organisation.can_create(access_for(request.user)),
    }
    return partial_or_page(
        request, "network/organisations/list.html", "network/organisations/_results.html", context
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    user = request.user
    memberships = list(selectors.organisation_memberships(user=user, organisation=organisation))
    # Names are encrypted at rest: sorted here. Whoever sees contact details is logged.
    people = sorted(
        selectors.people_for_organisation(user=user, organisation=organisation),
        key=lambda p: p.name.casefold(),
    )
    if people:
        log_access(user, people, request=request)
    context = {
        "organisation": organisation,
        "countries": organisation.countries.all(),
        "residence_countries": organisation.residence_countries.all(),
        "memberships": [m for m in memberships if m.confirmed],
        "invitations": [m for m in memberships if not m.confirmed],
        "answers_invitations": services.speaks_for(user, organisation.pk) and user.is_authenticated,
        "people": people,
        "requests": Request.objects.restrict(user)
        .filter(Q(to_organisation=organisation) | Q(responses__organisation=organisation))
        .select_related("from_group", "to_group")
        .distinct(),
        "history": selectors.history_rows(user=user, obj=organisation, limit=HISTORY_ON_DETAIL),
        "can_change": may(user, Permission.CHANGE, organisation),
        "can_delete": may(user, Permission.DELETE, organisation),
        "can_add_person": may(user, Permission.CHANGE, organisation)
        and Person.can_create(access_for(user)),
    }
    return render(request, "network/organisations/detail.html", context)


def organisation_history(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    context = {
        "object": organisation,
        "history": selectors.history_rows(user=request.user, obj=organisation),
        "back_url": organisation.get_absolute_url(),
    }
    return partial_or_page(request, "network/history.html", "includes/history.html", context)


@login_required
@denials_as_403
@GET_POST
def organisation_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Organisation)
    form = OrganisationForm(request.POST or None, user=request.user, show_duplicate_choice=True)
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        try:
            organisation = services.organisation_create(
                actor=request.user, data=data, m2m=m2m, allow_duplicate=form.duplicate_confirmed
            )
        except services.DuplicateSuspected as exc:
            candidates = list(exc.candidates)
        except (ServiceError, ValidationError) as exc:
            if isinstance(exc, PermissionDeniedError):
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("“%(object)s” was created.") % {"object": organisation})
            return redirect(organisation)
    context = {"form": form, "candidates": candidates, "creating": True}
    return render(request, "network/organisations/form.html", context)


@login_required
@denials_as_403
@GET_POST
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, organisation)
    return _edit_page(
        request,
        form=OrganisationForm(request.POST or None, instance=organisation, user=request.user),
        update=services.organisation_update,
        target={"organisation": organisation},
        success_url=organisation.get_absolute_url(),
        template="network/organisations/form.html",
        context={"organisation": organisation, "creating": False},
    )


@login_required
@denials_as_403
@GET_POST
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    require(request.user, Permission.DELETE, organisation)
    return _delete_page(
        request,
        obj=organisation,
        delete=services.organisation_delete,
        target={"organisation": organisation},
        success_url=reverse("network:organisation-list"),
        cancel_url=organisation.get_absolute_url(),
    )


@login_required
@denials_as_403
@GET_POST
def organisation_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the duplicate, confirm what will move, merge."""
    keep = selectors.organisation_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, keep)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "duplicate" in request.GET else None)
    )
    form = MergeForm(data, user=request.user, keep=keep)
    duplicate = None
    if data is not None and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.method == "POST" and form.cleaned_data["confirm"]:
            ok, _result = attempt(
                form,
                services.organisation_merge,
                actor=request.user,
                keep=keep,
                duplicate=duplicate,
                keep_version=form.cleaned_data["keep_version"],
                duplicate_version=form.cleaned_data["duplicate_version"],
            )
            if ok:
                messages.success(
                    request,
                    _("“%(duplicate)s” was merged into “%(keep)s”.")
                    % {"duplicate": duplicate, "keep": keep},
                )
                return redirect(keep)
    suggestions = [
        c
        for c in find_duplicates(
            keep.name,
            keep.acronym,
            exclude_pk=keep.pk,
            queryset=Organisation.objects.restrict(request.user, Permission.CHANGE),
        )
    ]
    context = {
        "organisation": keep,
        "form": form,
        "duplicate": duplicate if not form.errors else None,
        "suggestions": suggestions,
        "moving": _what_moves(duplicate) if duplicate is not None else None,
    }
    return render(request, "network/organisations/merge.html", context)


def _what_moves(duplicate: Organisation) -> dict[str, int]:
    return {
        "people": duplicate.people.count(),
        "memberships": duplicate.memberships.count(),
        "requests": duplicate.requests_received.count(),
        "responses": duplicate.request_responses.count(),
        "workplan_items": duplicate.workplan_items.count(),
        "users": duplicate.users.count(),
    }


# People ----------------------------------------------------------------------------------------


def _person(request: HttpRequest, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.restrict(request.user).select_related("organisation"), pk=pk
    )


@login_required
@denials_as_403
@GET_POST
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, organisation)
    require_create(request.user, Person)
    form = PersonForm(request.POST or None, user=request.user)
    form.instance.organisation = organisation
    if request.method == "POST" and form.is_valid():
        data, _m2m = form.service_data()
        data.update(organisation=organisation, owner_organisation=organisation)
        data.setdefault("visibility", Visibility.ORGANISATION)
        ok, person = attempt(
            form,
            services.person_create,
            actor=request.user,
            data=data,
            consent=form.cleaned_data["consent"],
        )
        if ok:
            messages.success(request, _("“%(object)s” was added.") % {"object": person})
            return redirect(reverse("network:organisation-detail", args=[pk]) + "#people")
    context = {"form": form, "organisation": organisation}
    return render(request, "network/people/form.html", context)


@login_required
@denials_as_403
@GET_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request.user, Permission.CHANGE, person)
    response = _edit_page(
        request,
        form=PersonForm(request.POST or None, instance=person, user=request.user),
        update=services.person_update,
        target={"person": person},
        success_url=person.organisation.get_absolute_url() + "#people",
        template="network/people/form.html",
        context={"organisation": person.organisation, "person": person},
        with_m2m=False,
    )
    if not isinstance(response, HttpResponseRedirect):
        # The form shows the person's name, email and phone in clear: logged.
        log_access(request.user, [person], request=request)
    return response


@login_required
@denials_as_403
@GET_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request.user, Permission.DELETE, person)
    back = person.organisation.get_absolute_url() + "#people"
    response = _delete_page(
        request,
        obj=person,
        delete=services.person_delete,
        target={"person": person},
        success_url=back,
        cancel_url=back,
        label=person.name or person.reference,
    )
    if not isinstance(response, HttpResponseRedirect) and person.name:
        # The confirmation names the person (the message after it gives the reference only).
        log_access(request.user, [person], fields=["name"], request=request)
    return response


# Groups ----------------------------------------------------------------------------------------


@public("Groups: public records only for anonymous visitors.")
def group_list(request: HttpRequest) -> HttpResponse:
    warn_invalid_filters(request, GroupFilterSet)
    queryset = selectors.group_list(user=request.user, filters=request.GET).select_related(
        "country"
    )
    context = {
        "filter_form": filter_form(GroupFilterSet, request, drop=("organisation",)),
        "page_obj": paginate(request, queryset, per_page=50),
        "can_create": request.user.is_authenticated and Group.can_create(access_for(request.user)),
    }
    return partial_or_page(
        request, "network/groups/list.html", "network/groups/_results.html", context
    )


LEAD_FIRST = Case(
    When(role="lead", then=Value(0)),
    When(role="member", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    group = selectors.group_get(user=user, pk=pk)
    requests = list(
        selectors.group_requests(user=user, group=group).select_related(
            "from_group", "to_group", "to_organisation"
        )
    )
    can_change = may(user, Permission.CHANGE, group)
    roles = (
        GroupRole.objects.restrict(user).filter(group=group).select_related("user")
        if manages_roles(user, group)
        else None
    )
    context = {
        "group": group,
        "members": selectors.group_members(user=user, group=group)
        .select_related("organisation")
        .order_by(LEAD_FIRST, "organisation__name"),
        "invitations": selectors.group_invitations(user=user, group=group),
        "workplan": selectors.group_workplan(user=user, group=group).select_related("owner"),
        "requests_made": [r for r in requests if r.from_group_id == group.pk],
        "requests_received": [r for r in requests if r.to_group_id == group.pk],
        "roles": roles,
        "history": selectors.history_rows(user=user, obj=group, limit=HISTORY_ON_DETAIL),
        "can_change": can_change,
        "can_delete": may(user, Permission.DELETE, group),
        "can_request": can_change or access_for(user).is_admin,
    }
    return render(request, "network/groups/detail.html", context)


def group_history(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    context = {
        "object": group,
        "history": selectors.history_rows(user=request.user, obj=group),
        "back_url": group.get_absolute_url(),
    }
    return partial_or_page(request, "network/history.html", "includes/history.html", context)


@login_required
@denials_as_403
@GET_POST
def group_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Group)
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, group = attempt(form, services.group_create, actor=request.user, data=data, m2m=m2m)
        if ok:
            messages.success(request, _("“%(object)s” was created.") % {"object": group})
            return redirect(group)
    return render(request, "network/groups/form.html", {"form": form})


@login_required
@denials_as_403
@GET_POST
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, group)
    return _edit_page(
        request,
        form=GroupForm(request.POST or None, instance=group, user=request.user),
        update=services.group_update,
        target={"group": group},
        success_url=group.get_absolute_url(),
        template="network/groups/form.html",
        context={"group": group},
    )


@login_required
@denials_as_403
@GET_POST
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    require(request.user, Permission.DELETE, group)
    return _delete_page(
        request,
        obj=group,
        delete=services.group_delete,
        target={"group": group},
        success_url=reverse("network:group-list"),
        cancel_url=group.get_absolute_url(),
    )


# Memberships -----------------------------------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, group)
    form = MembershipForm(request.POST or None, user=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        data, _m2m = form.service_data()
        ok, membership = attempt(
            form, services.membership_create, actor=request.user, group=group, data=data
        )
        if ok:
            messages.success(request, _("“%(object)s” was added.") % {"object": membership})
            return redirect(group.get_absolute_url() + "#members")
    context = {"form": form, "group": group, "kind": "membership"}
    return render(request, "network/groups/item_form.html", context)


def _membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.restrict(request.user).select_related("group", "organisation"), pk=pk
    )


@login_required
@denials_as_403
@GET_POST
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    require(request.user, Permission.CHANGE, membership)
    group = membership.group
    return _edit_page(
        request,
        form=MembershipForm(
            request.POST or None, instance=membership, user=request.user, group=group
        ),
        update=services.membership_update,
        target={"membership": membership},
        success_url=group.get_absolute_url() + "#members",
        template="network/groups/item_form.html",
        context={"group": group, "kind": "membership", "object": membership},
        with_m2m=False,
    )


@login_required
@denials_as_403
@GET_POST
def membership_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    require(request.user, Permission.DELETE, membership)
    back = membership.group.get_absolute_url() + "#members"
    return _delete_page(
        request,
        obj=membership,
        delete=services.membership_delete,
        target={"membership": membership},
        success_url=back,
        cancel_url=back,
    )


def _invitation(request: HttpRequest, pk: int) -> Membership:
    membership = _membership(request, pk)
    if not services.speaks_for(request.user, membership.organisation_id):
        raise PermissionDeniedError(
            _("Only editors of the member organisation confirm or decline its memberships.")
        )
    return membership


def _answer_membership(request: HttpRequest, pk: int, *, confirm: bool) -> HttpResponse:
    """Confirm or decline an invitation, from the version shown on the organisation page."""
    membership = _invitation(request, pk)
    back = reverse("network:organisation-detail", args=[membership.organisation_id])
    form = MembershipAnswerForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(back + "#memberships")
    service = services.membership_confirm if confirm else services.membership_decline
    try:
        service(
            actor=request.user, membership=membership, expected_version=form.cleaned_data["version"]
        )
    except PermissionDeniedError:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back + "#memberships")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back + "#memberships")
    if confirm:
        message = _("“%(organisation)s” is now a member of “%(group)s”.")
    else:
        message = _("“%(organisation)s” declined to be a member of “%(group)s”.")
    messages.success(
        request,
        message % {"organisation": membership.organisation, "group": membership.group},
    )
    return redirect(back + "#memberships")


@login_required
@denials_as_403
@require_http_methods(["POST"])
def membership_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer_membership(request, pk, confirm=True)


@login_required
@denials_as_403
@require_http_methods(["POST"])
def membership_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer_membership(request, pk, confirm=False)


# Work plan -------------------------------------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def workplan_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, group)
    form = WorkplanItemForm(request.POST or None, user=request.user, group=group)
    if request.method == "POST" and form.is_valid():
        data, _m2m = form.service_data()
        ok, item = attempt(
            form, services.workplan_item_create, actor=request.user, group=group, data=data
        )
        if ok:
            messages.success(request, _("“%(object)s” was added.") % {"object": item})
            return redirect(group.get_absolute_url() + "#workplan")
    context = {"form": form, "group": group, "kind": "workplan"}
    return render(request, "network/groups/item_form.html", context)


def _workplan_item(request: HttpRequest, pk: int) -> WorkplanItem:
    return get_object_or_404(
        WorkplanItem.objects.restrict(request.user).select_related("group"), pk=pk
    )


@login_required
@denials_as_403
@GET_POST
def workplan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workplan_item(request, pk)
    require(request.user, Permission.CHANGE, item)
    group = item.group
    return _edit_page(
        request,
        form=WorkplanItemForm(request.POST or None, instance=item, user=request.user, group=group),
        update=services.workplan_item_update,
        target={"workplan_item": item},
        success_url=group.get_absolute_url() + "#workplan",
        template="network/groups/item_form.html",
        context={"group": group, "kind": "workplan", "object": item},
        with_m2m=False,
    )


@login_required
@denials_as_403
@GET_POST
def workplan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _workplan_item(request, pk)
    require(request.user, Permission.DELETE, item)
    back = item.group.get_absolute_url() + "#workplan"
    return _delete_page(
        request,
        obj=item,
        delete=services.workplan_item_delete,
        target={"workplan_item": item},
        success_url=back,
        cancel_url=back,
    )


# User roles in a group (coordinators) ----------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def group_roles(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    if not manages_roles(request.user, group):
        raise PermissionDeniedError(_("Only the group's coordinators manage its user roles."))
    form = GroupRoleForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        ok, role = attempt(
            form,
            services.group_role_set,
            actor=request.user,
            group=group,
            user=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
            expected_version=form.expected_version,
        )
        if ok:
            messages.success(request, _("“%(object)s” was saved.") % {"object": role})
            return redirect("network:group-roles", pk=group.pk)
    roles = list(
        GroupRole.objects.restrict(request.user).filter(group=group).select_related("user")
    )
    for row in roles:
        # Each row changes that role from the version shown (optimistic locking).
        row.form = GroupRoleRowForm(  # type: ignore[attr-defined]
            initial={"role": row.role, "username": row.user.username, "version": row.version},
            auto_id=f"role{row.pk}_%s",
        )
    context = {"group": group, "form": form, "roles": roles}
    return render(request, "network/groups/roles.html", context)


@login_required
@denials_as_403
@GET_POST
def group_role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(
        GroupRole.objects.restrict(request.user).select_related("group", "user"), pk=pk
    )
    if not manages_roles(request.user, role.group):
        raise PermissionDeniedError(_("Only the group's coordinators manage its user roles."))
    back = reverse("network:group-roles", args=[role.group_id])
    form = DeleteForm(
        request.POST if request.method == "POST" else None, initial={"version": role.version}
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = attempt(
            form,
            services.group_role_remove,
            actor=request.user,
            group_role=role,
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("“%(object)s” was removed.") % {"object": role})
            return redirect(back)
    context = {"object": role, "form": form, "cancel_url": back}
    return render(request, "network/confirm_delete.html", context)


# Requests --------------------------------------------------------------------------------------


@public("Requests: public records only for anonymous visitors.")
def request_list(request: HttpRequest) -> HttpResponse:
    warn_invalid_filters(request, RequestFilterSet)
    queryset = selectors.request_list(user=request.user, filters=request.GET).select_related(
        "from_group", "to_group", "to_organisation"
    )
    context = {
        "filter_form": filter_form(RequestFilterSet, request, drop=("to_organisation", "group")),
        "page_obj": paginate(request, queryset),
        "can_create": request.user.is_authenticated
        and Request.can_create(access_for(request.user)),
    }
    return partial_or_page(
        request, "network/requests/list.html", "network/requests/_results.html", context
    )


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = selectors.request_get(user=user, pk=pk)
    can_change = may(user, Permission.CHANGE, obj)
    can_set_status = may(user, SET_STATUS, obj)
    access = access_for(user)
    context = {
        "object": obj,
        "responses": obj.responses.all(),
        "history": selectors.history_rows(user=user, obj=obj, limit=HISTORY_ON_DETAIL),
        "can_change": can_change,
        "can_delete": may(user, Permission.DELETE, obj),
        "status_form": RequestStatusForm(request_obj=obj) if can_set_status else None,
        "can_respond": RequestResponse.can_create(access),
    }
    return render(request, "network/requests/detail.html", context)


@login_required
@denials_as_403
@GET_POST
def request_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Request)
    initial = {}
    if request.GET.get("from_group", "").isdigit():
        initial["from_group"] = int(request.GET["from_group"])
    form = RequestForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, obj = attempt(form, services.request_create, actor=request.user, data=data, m2m=m2m)
        if ok:
            messages.success(request, _("Your request was sent."))
            return redirect(obj)
    return render(request, "network/requests/form.html", {"form": form})


@login_required
@denials_as_403
@GET_POST
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, obj)
    return _edit_page(
        request,
        form=RequestForm(request.POST or None, instance=obj, user=request.user),
        update=services.request_update,
        target={"request": obj},
        success_url=obj.get_absolute_url(),
        template="network/requests/form.html",
        context={"object": obj},
    )


@login_required
@denials_as_403
@GET_POST
def request_delete(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_get(user=request.user, pk=pk)
    require(request.user, Permission.DELETE, obj)
    return _delete_page(
        request,
        obj=obj,
        delete=services.request_delete,
        target={"request": obj},
        success_url=reverse("network:request-list"),
        cancel_url=obj.get_absolute_url(),
    )


@login_required
@denials_as_403
@GET_POST
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_get(user=request.user, pk=pk)
    require(request.user, SET_STATUS, obj)
    form = RequestStatusForm(request.POST or None, request_obj=obj)
    if request.method == "POST" and form.is_valid():
        ok, updated = attempt(
            form,
            services.request_set_status,
            actor=request.user,
            request=obj,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(
                request,
                _("The request is now “%(status)s”.") % {"status": updated.get_status_display()},
            )
            return redirect(obj)
    return render(request, "network/requests/status.html", {"object": obj, "form": form})


@login_required
@denials_as_403
@GET_POST
def request_respond(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.request_get(user=request.user, pk=pk)
    require_create(request.user, RequestResponse)
    form = RequestResponseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, _result = attempt(
            form,
            services.request_respond,
            actor=request.user,
            request=obj,
            organisation=form.cleaned_data["organisation"],
            offer=form.cleaned_data["offer"],
        )
        if ok:
            messages.success(request, _("Thank you: your offer was sent."))
            return redirect(obj.get_absolute_url() + "#responses")
    return render(request, "network/requests/respond.html", {"object": obj, "form": form})
