"""Feedback pages: the public intake form, staff intake, the item and its timeline, the referral
inbox, the trends dashboard (and its public version with small cells suppressed), import, raw
intake review, intake keys and focal points. Reads through selectors, writes through services."""

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
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harambee.activities.models import Sector
from harambee.core.access import access_for
from harambee.core.choices import Permission, Visibility
from harambee.core.forms import attempt
from harambee.core.security import any_user, public
from harambee.core.views import denials_as_403, paginate
from harambee.network.models import Group, Membership, Organisation
from harambee.network.views import GET_POST, may
from harambee.places.models import AdminArea
from harambee.privacy.access import log_access

from . import selectors, services, stats
from .choices import Channel, IntakeSource, RawStatus, SlaState, Status
from .forms import (
    ActionForm,
    AnswerForm,
    FocalPointForm,
    ImportForm,
    IntakeForm,
    NoteForm,
    RecodeForm,
    ReferForm,
    StaffIntakeForm,
    TokenForm,
)
from .framework import FeedbackType, label_of_category, label_of_code
from .importers import import_file
from .models import FeedbackItem
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
    context = {
        "item": item,
        "events": selectors.timeline(user=user, item=item),
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
    if can_change and (item.contact or item.contact_name):
        # The person's contact is shown in clear to those who handle the item: logged.
        log_access(user, [item], fields=["contact_name", "contact"], request=request)
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
        "organisation": organisation,
    }
    return render(request, "feedback/focal_points.html", context)
