"""Feedback pages: the public intake form, staff intake, the item and its timeline, the referral
inbox, the trends dashboard (and its public version with small cells suppressed), import, raw
intake review, intake keys, focal points, a group's PSEA coordinators and service levels. Reads
through selectors, writes through services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harambee.activities.models import Sector
from harambee.core.access import access_for
from harambee.core.choices import Permission, Role, Visibility
from harambee.core.forms import attempt
from harambee.core.security import any_user, public
from harambee.core.services import require_create
from harambee.core.views import denials_as_403, paginate
from harambee.network.forms import DeleteForm
from harambee.network.models import Group, Membership, Organisation
from harambee.network.views import GET_POST, may
from harambee.places.models import AdminArea
from harambee.privacy.access import log_access

from . import selectors, services, sla, stats
from .choices import Channel, FocalPointKind, IntakeSource, RawStatus, SlaState, Status
from .forms import (
    ActionForm,
    AnswerForm,
    FocalPointForm,
    ImportForm,
    IntakeForm,
    NoteForm,
    PseaCoordinatorChangeForm,
    PseaCoordinatorForm,
    PseaCoordinatorRemoveForm,
    RecodeForm,
    ReferForm,
    ServiceLevelForm,
    StaffIntakeForm,
    TokenForm,
)
from .framework import FeedbackType, label_of_category, label_of_code
from .importers import import_file
from .models import FeedbackItem, ServiceLevel
from .sla import sla_state

# --- public intake ----------------------------------------------------------------------------


def _public_groups() -> Any:
    return Group.objects.filter(country__isnull=False, visibility=Visibility.PUBLIC).select_related(
        "country"
    )


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate(setting: str) -> tuple[int, int]:
    count, _slash, period = setting.partition("/")
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}.get(period, 3600)
    return int(count), seconds


def _over_limit(request: HttpRequest) -> bool:
    """Submissions per address per period (settings.FEEDBACK_FORM_RATE)."""
    from django.conf import settings

    limit, seconds = _rate(settings.FEEDBACK_FORM_RATE)
    key = f"feedback-form:{_client_address(request)}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


@public("Affected people give feedback without an account (anti-spam and rate limit).")
def submit_choose(request: HttpRequest) -> HttpResponse:
    """Anyone: which country's group to write to."""
    return render(request, "feedback/submit_choose.html", {"groups": _public_groups()})


@GET_POST
def submit(request: HttpRequest, group_pk: int) -> HttpResponse:
    """Anyone, with or without an account, may give feedback."""
    group = _public_groups().filter(pk=group_pk).first()
    if group is None:
        raise Http404("No such group.")
    form = IntakeForm(request.POST or None, group=group)
    if request.method == "POST":
        if form.is_spam:
            # Say nothing a robot could learn from; keep nothing.
            return render(request, "feedback/submitted.html", {"reference": None}, status=200)
        if _over_limit(request):
            return render(request, "feedback/rate_limited.html", status=429)
        if form.is_valid():
            try:
                _raw, item = services.take_in(
                    actor=request.user,
                    group=group,
                    data=form.intake_data(),
                    source=IntakeSource.WEB_FORM,
                    payload={k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
                )
            except services.IntakeError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                request.session["feedback_reference"] = item.reference
                return redirect("feedback:submitted")
    return render(request, "feedback/submit.html", {"form": form, "group": group})


@public("The thank-you page after giving feedback; shows nothing stored.")
def submitted(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop("feedback_reference", None)
    return render(request, "feedback/submitted.html", {"reference": reference})


# --- staff intake, list, item -----------------------------------------------------------------


def _group_or_404(user: Any, pk: Any) -> Group:
    group = selectors.feedback_groups(user=user).filter(pk=pk).first()
    if group is None:
        raise Http404("No such group.")
    return group


def _member_organisations(group: Group) -> Any:
    members = Membership.objects.filter(group=group).values("organisation_id")
    return Organisation.objects.filter(pk__in=members).order_by("name")


@login_required
@denials_as_403
@GET_POST
def item_create(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = _group_or_404(request.user, group_pk)
    if not FeedbackItem.can_create(access_for(request.user)):
        raise PermissionDenied(_("You may not take feedback in."))
    form = StaffIntakeForm(
        request.POST or None, group=group, organisations=_member_organisations(group)
    )
    if request.method == "POST" and form.is_valid():
        try:
            _raw, item = services.take_in(
                actor=request.user,
                group=group,
                data=form.intake_data(),
                source=IntakeSource.STAFF,
                payload={k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
            )
        except services.IntakeError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if item.sensitive:
                messages.success(
                    request,
                    _(
                        "%(ref)s is sensitive: it went to the focal points, and you no longer "
                        "see it."
                    )
                    % {"ref": item.reference},
                )
                return redirect("feedback:item-list")
            messages.success(request, _("%(ref)s was taken in.") % {"ref": item.reference})
            return redirect(item)
    return render(request, "feedback/item_form.html", {"form": form, "group": group})


@any_user("Feedback items the user may see (sensitive ones only to focal points).")
@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.item_list(user=request.user, filters=request.GET)
    page = paginate(request, queryset)
    _with_sla(page.object_list)
    context = {
        "page_obj": page,
        "groups": selectors.feedback_groups(user=request.user),
        "psea_groups": psea_managed_groups(request.user),
        "awaiting_psea": selectors.sensitive_intake_awaiting_psea(user=request.user),
        "statuses": Status.choices,
        "types": FeedbackType.choices,
        "query": request.GET,
    }
    return render(request, "feedback/item_list.html", context)


def _with_sla(items: Any) -> None:
    now = timezone.now()
    for item in items:
        item.sla = sla_state(item, now)
        item.sla_label = SlaState(item.sla).label


def _referable(user: Any, item: FeedbackItem) -> Any:
    visible = Organisation.objects.restrict(user, Permission.VIEW)
    return visible.filter(
        Q(pk__in=Membership.objects.filter(group_id=item.group_id).values("organisation_id"))
        | Q(pk=item.concerned_organisation_id)
    ).order_by("name")


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get(user=user, pk=pk)
    can_change = may(user, Permission.CHANGE, item)
    can_route = can_change and services._may_route(user, item)
    events = list(selectors.timeline(user=user, item=item))
    context = {
        "item": item,
        "events": events,
        "sla": sla_state(item),
        "sla_label": SlaState(sla_state(item)).label,
        "category_label": label_of_category(item.category),
        "code_label": label_of_code(item.code),
        "same_person": selectors.same_person(user=user, item=item)[:10],
        "cluster_items": selectors.visible_items(user=user)
        .filter(cluster_id=item.cluster_id)
        .exclude(pk=item.pk)[:20]
        if item.cluster_id
        else [],
        "can_change": can_change,
        "can_route": can_route,
    }
    if can_change:
        context.update(
            {
                "note_form": NoteForm(),
                "action_form": ActionForm(),
                "answer_form": AnswerForm(initial={"via": item.answer_channel}),
                "recode_form": RecodeForm(
                    initial={
                        "feedback_type": item.feedback_type,
                        "category": item.category,
                        "code": item.code,
                        "sector": item.sector_id,
                        "priority": item.priority,
                        "summary": item.summary,
                    }
                ),
            }
        )
    if can_route:
        context["refer_form"] = ReferForm(organisations=_referable(user, item))
        context["suggestions"] = services.suggest_organisations(user=user, item=item)
    # The words as given (to whoever sees the item), the contact and the answer (to those who
    # handle it) and the timeline notes are shown in clear: one entry naming those shown.
    shown = selectors.personal_fields_shown(item, handler=can_change, events=events)
    if shown:
        log_access(user, [item], fields=shown, request=request)
    return render(request, "feedback/item_detail.html", context)


def _step(request: HttpRequest, pk: int, form_class: Any, run: Any) -> HttpResponse:
    """One step on an item (acknowledge, act, answer, close, recode): form, service, back."""
    item = selectors.item_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        ok, _result = attempt(form, run, item=item, **form.cleaned_data)
        if ok:
            messages.success(request, _("Saved."))
            if not selectors.visible_items(user=request.user).filter(pk=item.pk).exists():
                return redirect("feedback:item-list")
            return redirect(item)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect(item)


@login_required
@denials_as_403
@require_POST
def item_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        NoteForm,
        lambda item, note: services.acknowledge(actor=request.user, item=item, note=note),
    )


@login_required
@denials_as_403
@require_POST
def item_action(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        ActionForm,
        lambda item, note: services.record_action(actor=request.user, item=item, note=note),
    )


@login_required
@denials_as_403
@require_POST
def item_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        NoteForm,
        lambda item, note: services.close_item(actor=request.user, item=item, note=note),
    )


@login_required
@denials_as_403
@require_POST
def item_answer(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: FeedbackItem, **values: Any) -> Any:
        return services.give_answer(actor=request.user, item=item, **values)

    return _step(request, pk, AnswerForm, run)


@login_required
@denials_as_403
@require_POST
def item_recode(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: FeedbackItem, **values: Any) -> Any:
        values["category"] = values.get("category") or ""
        values["code"] = values.get("code") or ""
        return services.recode(actor=request.user, item=item, data=values)

    return _step(request, pk, RecodeForm, run)


@login_required
@denials_as_403
@require_POST
def item_refer(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    form = ReferForm(request.POST, organisations=_referable(request.user, item))
    if form.is_valid():
        ok, _result = attempt(
            form,
            services.refer,
            actor=request.user,
            item=item,
            organisation=form.cleaned_data["organisation"],
            note=form.cleaned_data["note"],
        )
        if ok:
            messages.success(request, _("Referred."))
            return redirect(item)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return redirect(item)


# --- inbox ------------------------------------------------------------------------------------


@any_user("The user's own referral inbox.")
@login_required
@GET_POST
def inbox(request: HttpRequest) -> HttpResponse:
    """The referral inbox of the user's organisation, and the user's own notices."""
    user = request.user
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("message") if v.isdigit()]
        services.mark_read(user=user, message_ids=ids)
        return redirect("feedback:inbox")
    organisation_id = access_for(user).organisation_id
    referred = list(selectors.referral_inbox(user=user, organisation_id=organisation_id)[:200])
    _with_sla(referred)
    context = {
        "referred": referred,
        "notices": selectors.inbox_messages(user=user)[:50],
        "organisation": getattr(user, "organisation", None),
    }
    return render(request, "feedback/inbox.html", context)


# --- dashboards -------------------------------------------------------------------------------


def _bars(rows: Sequence[tuple[str, int | None]]) -> dict[str, Any]:
    """Rows for an inline SVG bar chart (None: suppressed)."""
    top = max((v for _label, v in rows if v), default=0) or 1
    return {
        "rows": [
            {"label": label, "value": v, "width": round(300 * (v or 0) / top), "y": i * 22}
            for i, (label, v) in enumerate(rows)
        ],
        "height": max(22, 22 * len(rows)),
    }


def _labels(queryset: Any) -> dict[str, dict[Any, Any]]:
    sectors = {s.pk: str(s) for s in Sector.objects.filter(pk__in=queryset.values("sector_id"))}
    areas = {
        a.pk: a.name
        for a in AdminArea.objects.filter(pk__in=queryset.values("admin_area_id")).only(
            "pk", "name"
        )
    }
    return {
        "feedback_type": dict(FeedbackType.choices),
        "sector_id": {None: _("No sector"), **sectors},
        "admin_area_id": {None: _("No place given"), **areas},
    }


def _dimension_rows(queryset: Any, field: str, labels: dict[Any, str]) -> list[tuple[str, int]]:
    counts = selectors.count_by(queryset, field)
    return sorted(((str(labels.get(k, k)), v) for k, v in counts.items()), key=lambda r: -r[1])


@login_required
def dashboard(request: HttpRequest, group_pk: int) -> HttpResponse:
    """Trends for a country group, from the items the user may see (PSEA coordinators' counts
    include the sensitive cases they handle; nobody else's do)."""
    group = _group_or_404(request.user, group_pk)
    queryset = selectors.visible_items(user=request.user).filter(group=group)
    labels = _labels(queryset)
    weeks = selectors.count_by_week(queryset)
    context = {
        "group": group,
        "total": queryset.count(),
        "by_type": _bars(_dimension_rows(queryset, "feedback_type", labels["feedback_type"])),
        "by_sector": _bars(_dimension_rows(queryset, "sector_id", labels["sector_id"])[:15]),
        "by_place": _bars(_dimension_rows(queryset, "admin_area_id", labels["admin_area_id"])[:15]),
        "by_week": _bars([(w.isoformat(), n) for w, n in weeks.items()]),
        "times": selectors.response_times(queryset),
        "rumours": selectors.rising_rumours(user=request.user, group=group),
        "open_count": queryset.exclude(status__in=[Status.ANSWERED, Status.CLOSED]).count(),
        "names_psea": services.may_name_psea_coordinator(request.user, group),
    }
    return render(request, "feedback/dashboard.html", context)


def public_dashboard(request: HttpRequest, group_pk: int) -> HttpResponse:
    """Anyone: counts with small cells suppressed (primary and secondary), never sensitive."""
    group = _public_groups().filter(pk=group_pk).first()
    if group is None:
        raise Http404("No such group.")
    queryset = selectors.aggregate_items().filter(group=group)
    labels = _labels(queryset)
    tables = {}
    for field in ("feedback_type", "sector_id", "admin_area_id"):
        counts = selectors.count_by(queryset, field)
        table = stats.suppress_counts(counts)
        tables[field] = _bars(
            sorted(
                ((str(labels[field].get(k, k)), v) for k, v in table.one_way),
                key=lambda r: -(r[1] or 0),
            )
        )
        tables[field]["total"] = table.total
    weeks = stats.suppress_counts(
        {w.isoformat(): n for w, n in selectors.count_by_week(queryset).items()}
    )
    times = selectors.response_times(queryset)
    limit = stats.threshold()
    if times["wanting_answer"] < limit:
        times["loops_closed_share"] = None
    if times["answered"] < limit:
        times["answer_hours"] = None
    if times["acknowledged"] < limit:
        times["acknowledge_hours"] = None
    context = {
        "group": group,
        "by_type": tables["feedback_type"],
        "by_sector": tables["sector_id"],
        "by_place": tables["admin_area_id"],
        "by_week": _bars(weeks.one_way),
        "total": tables["feedback_type"]["total"],
        "times": times,
        "threshold": limit,
    }
    return render(request, "feedback/public_dashboard.html", context)


# --- import and raw intake --------------------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def import_view(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = _group_or_404(request.user, group_pk)
    if not selectors.may_manage(request.user, group):
        raise PermissionDenied(_("Only the group's editors import feedback."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_file(
            actor=request.user,
            group=group,
            file_name=upload.name,
            content=upload.read(),
            mapping=form.cleaned_data["mapping"],
            default_channel=form.cleaned_data["default_channel"],
        )
        if report.ok:
            messages.success(request, _("%(n)s items imported.") % {"n": len(report.created)})
            return redirect(f"{reverse('feedback:item-list')}?group={group.pk}")
    context = {"form": form, "group": group, "report": report, "channels": Channel.choices}
    return render(request, "feedback/import.html", context, status=400 if report else 200)


@any_user("Raw intake the user may review (restricted per user).")
@login_required
def raw_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", RawStatus.REJECTED)
    if status not in RawStatus.values:
        status = RawStatus.REJECTED
    context = {
        "page_obj": paginate(request, selectors.raw_intake(user=request.user, status=status)),
        "awaiting_psea": selectors.sensitive_intake_awaiting_psea(user=request.user),
        "status": status,
        "statuses": RawStatus.choices,
    }
    return render(request, "feedback/raw_list.html", context)


@login_required
@denials_as_403
@GET_POST
def raw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raw = selectors.raw_intake_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.resolve_raw(actor=request.user, raw=raw, note=request.POST.get("note", ""))
        messages.success(request, _("Marked as reviewed."))
        return redirect("feedback:raw-list")
    if raw.payload:
        # What was sent (words, contact) is shown in clear: logged. An erased payload is not.
        log_access(request.user, [raw], fields=["payload"], request=request)
    return render(request, "feedback/raw_detail.html", {"raw": raw})


# --- intake keys and focal points -------------------------------------------------------------


@any_user("Intake keys of the user's own organisation.")
@login_required
@denials_as_403
@GET_POST
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    access = access_for(user)
    organisation = cast(Any, user).organisation
    form = TokenForm(request.POST or None, groups=selectors.feedback_groups(user=user))
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = selectors.tokens(user=user).filter(pk=request.POST.get("revoke", "0")).first()
            if token is None:
                raise Http404("No such key.")
            services.token_revoke(actor=user, token=token)
            messages.success(request, _("The key was revoked."))
            return redirect("feedback:tokens")
        if organisation is None and not access.is_admin:
            raise PermissionDenied(_("Intake keys belong to an organisation."))
        if form.is_valid() and organisation is not None:
            _token, new_key = services.token_create(
                actor=user,
                organisation=organisation,
                group=form.cleaned_data["group"],
                name=form.cleaned_data["name"],
            )
    context = {"form": form, "tokens": selectors.tokens(user=user), "new_key": new_key}
    return render(request, "feedback/tokens.html", context)


@any_user("Focal points of the user's own organisation (restricted per user).")
@login_required
@denials_as_403
@GET_POST
def focal_points(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = cast(Any, user).organisation
    colleagues = (
        get_user_model().objects.filter(organisation=organisation, is_active=True)
        if organisation
        else get_user_model().objects.none()
    )
    form = FocalPointForm(request.POST or None, users=colleagues)
    if request.method == "POST" and organisation is not None:
        if "remove" in request.POST:
            focal = (
                selectors.focal_points(user=user).filter(pk=request.POST.get("remove", "0")).first()
            )
            if focal is None:
                raise Http404("No such focal point.")
            services.focal_point_remove(actor=user, focal_point=focal)
            return redirect("feedback:focal-points")
        if form.is_valid():
            ok, _focal = attempt(
                form,
                services.focal_point_add,
                actor=user,
                organisation=organisation,
                user=form.cleaned_data["user"],
                kind=form.cleaned_data["kind"],
            )
            if ok:
                return redirect("feedback:focal-points")
    context = {
        "form": form,
        "focal_points": selectors.focal_points(user=user),
        "coordinators": selectors.psea_coordinators(user=user),
        "psea_groups": selectors.feedback_groups(user=user).filter(
            pk__in=psea_managed_groups(user)
        ),
        "organisation": organisation,
    }
    return render(request, "feedback/focal_points.html", context)


# --- a group's PSEA coordinators ----------------------------------------------------------------


def psea_managed_groups(user: Any) -> set[int]:
    """Groups whose PSEA coordinators the user names (admins: all; the pages link from here)."""
    access = access_for(user)
    if access.is_admin:
        return set(selectors.feedback_groups(user=user).values_list("pk", flat=True))
    return access.groups_with(Role.COORDINATOR)


def _psea_row_forms(
    row: Any, candidates: Any, posted: tuple[str, Any] | None
) -> tuple[PseaCoordinatorChangeForm, PseaCoordinatorRemoveForm]:
    """The change and remove forms of one row, from the version shown (or as posted)."""
    change = PseaCoordinatorChangeForm(
        initial={"user": row.user_id, "version": row.version},
        candidates=candidates,
        prefix=f"change-{row.pk}",
    )
    remove = PseaCoordinatorRemoveForm(initial={"version": row.version}, prefix=f"remove-{row.pk}")
    if posted is not None:
        kind, form = posted
        if kind == "change":
            change = form
        else:
            remove = form
    return change, remove


@login_required
@denials_as_403
@GET_POST
def psea_coordinators(request: HttpRequest, group_pk: int) -> HttpResponse:
    """The group's PSEA coordinators (who, besides the PSEA focal points of the organisation
    concerned, see its sensitive feedback): named, handed over and removed by the group's
    coordinators and platform admins, each change through the service (audited)."""
    user = request.user
    group = _group_or_404(user, group_pk)
    if not services.may_name_psea_coordinator(user, group):
        raise PermissionDenied(_("Only the group's coordinators name its PSEA coordinator."))
    candidates = selectors.psea_candidates(group=group)
    rows = list(selectors.group_psea_coordinators(user=user, group=group))
    here = reverse("feedback:psea-coordinators", args=[group.pk])
    add_form = PseaCoordinatorForm(candidates=candidates)
    posted: dict[int, tuple[str, Any]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            add_form = PseaCoordinatorForm(request.POST, candidates=candidates)
            if add_form.is_valid():
                ok, named = attempt(
                    add_form,
                    services.psea_coordinator_add,
                    actor=user,
                    group=group,
                    user=add_form.cleaned_data["user"],
                )
                if ok:
                    messages.success(
                        request,
                        _("%(user)s is now a PSEA coordinator of this group.")
                        % {"user": named.user},
                    )
                    return redirect(here)
        elif action in ("change", "remove"):
            row = next((r for r in rows if str(r.pk) == request.POST.get("coordinator")), None)
            if row is None:
                messages.error(
                    request,
                    _("This PSEA coordinator was removed meanwhile: check the list again."),
                )
                return redirect(here)
            if action == "change":
                form: Any = PseaCoordinatorChangeForm(
                    request.POST, candidates=candidates, prefix=f"change-{row.pk}"
                )
                if form.is_valid():
                    previous = row.user
                    ok, changed = attempt(
                        form,
                        services.psea_coordinator_change,
                        actor=user,
                        psea_coordinator=row,
                        user=form.cleaned_data["user"],
                        expected_version=form.cleaned_data["version"],
                    )
                    if ok:
                        messages.success(
                            request,
                            _(
                                "%(user)s is now a PSEA coordinator of this group, instead of "
                                "%(previous)s."
                            )
                            % {"user": changed.user, "previous": previous},
                        )
                        return redirect(here)
            else:
                form = PseaCoordinatorRemoveForm(request.POST, prefix=f"remove-{row.pk}")
                if form.is_valid():
                    ok, _result = attempt(
                        form,
                        services.psea_coordinator_remove,
                        actor=user,
                        psea_coordinator=row,
                        expected_version=form.cleaned_data["version"],
                    )
                    if ok:
                        messages.success(
                            request,
                            _("%(user)s is no longer a PSEA coordinator of this group.")
                            % {"user": row.user},
                        )
                        return redirect(here)
            posted[row.pk] = (action, form)
    for row in rows:
        row_forms = _psea_row_forms(row, candidates, posted.get(row.pk))
        row.change_form, row.remove_form = row_forms  # type: ignore[attr-defined]
    context = {
        "group": group,
        "coordinators": rows,
        "form": add_form,
        "focal_points": selectors.group_focal_points(user=user, group=group).filter(
            kind=FocalPointKind.PSEA
        ),
    }
    return render(request, "feedback/psea_coordinators.html", context)


# --- service levels ---------------------------------------------------------------------------


def _require_member(user: Any) -> None:
    access = access_for(user)
    if not (access.is_admin or access.is_member):
        raise PermissionDenied(_("Service levels are shown to the network's members."))


@login_required
@denials_as_403
def service_levels(request: HttpRequest) -> HttpResponse:
    """The hours every item gets (members read them; platform admins change them)."""
    user = request.user
    _require_member(user)
    rows = list(selectors.service_levels(user=user))
    changeable = set(
        selectors.service_levels(user=user, action=Permission.CHANGE).values_list("pk", flat=True)
    )
    for row in rows:
        row.can_change = row.pk in changeable  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "levels": sla.effective_levels(rows),
        "can_create": ServiceLevel.can_create(access_for(user)),
    }
    return render(request, "feedback/service_levels.html", context)


@login_required
@denials_as_403
@GET_POST
def service_level_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, ServiceLevel)
    form = ServiceLevelForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, _m2m = form.service_data()
        ok, _level = attempt(form, services.service_level_create, actor=request.user, data=data)
        if ok:
            messages.success(request, _("The service level was saved."))
            return redirect("feedback:service-levels")
    return render(request, "feedback/service_level_form.html", {"form": form, "level": None})


def _service_level(request: HttpRequest, pk: int, action: str) -> ServiceLevel:
    level = get_object_or_404(selectors.service_levels(user=request.user), pk=pk)
    if not may(request.user, action, level):
        raise PermissionDenied(_("Only platform admins change service levels."))
    return level


@login_required
@denials_as_403
@GET_POST
def service_level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    level = _service_level(request, pk, Permission.CHANGE)
    form = ServiceLevelForm(request.POST or None, instance=level, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, _m2m = form.service_data()
        ok, _result = attempt(
            form,
            services.service_level_update,
            actor=request.user,
            service_level=level,
            data=data,
            expected_version=form.expected_version,
        )
        if ok:
            messages.success(request, _("Your changes were saved."))
            return redirect("feedback:service-levels")
    return render(request, "feedback/service_level_form.html", {"form": form, "level": level})


@login_required
@denials_as_403
@GET_POST
def service_level_delete(request: HttpRequest, pk: int) -> HttpResponse:
    level = _service_level(request, pk, Permission.DELETE)
    back = reverse("feedback:service-levels")
    form = DeleteForm(
        request.POST if request.method == "POST" else None, initial={"version": level.version}
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = attempt(
            form,
            services.service_level_delete,
            actor=request.user,
            service_level=level,
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(
                request, _("“%(object)s” was deleted: the default hours apply.") % {"object": level}
            )
            return redirect(back)
    context = {"object": level, "form": form, "cancel_url": back}
    return render(request, "network/confirm_delete.html", context)
