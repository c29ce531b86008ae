"""Commitments pages. Thin: selectors read (restricted, 404 when hidden), forms check, services
write. Dashboards are public for what the visitor may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harambee.core.access import access_for
from harambee.core.choices import Permission, Role
from harambee.core.forms import attempt
from harambee.core.security import any_user, public
from harambee.core.services import require, require_create
from harambee.core.views import denials_as_403, paginate, partial_or_page
from harambee.network.models import Group
from harambee.network.selectors import group_get, history_rows
from harambee.network.views import GET_POST, filter_form, may, warn_invalid_filters

from . import charts, exports, money, selectors, services
from . import status as rules
from .choices import IndicatorStatus, ReportStatus
from .filtersets import CommitmentFilterSet
from .forms import (
    AsOfForm,
    CommitmentForm,
    ConfirmImportForm,
    FlowLinkForm,
    FrameworkForm,
    ImportForm,
    IndicatorForm,
    LinkForm,
    MilestoneForm,
    OutcomeForm,
    ReportForm,
    ReviewForm,
    RulesForm,
)
from .loading import LoadError
from .models import (
    REVIEW,
    Commitment,
    Forum,
    GroupRules,
    Indicator,
    Milestone,
    Outcome,
    ProgressReport,
    ResultsFramework,
    ScheduleLine,
)

HISTORY_ON_DETAIL = 20


def _as_of(request: HttpRequest) -> datetime.date:
    form = AsOfForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("as_of"):
        return form.cleaned_data["as_of"]
    return timezone.localdate()


# Commitments ---------------------------------------------------------------------------------------


@public("Commitments are public accountability: the list shows only what the visitor may see.")
def commitment_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.commitment_list(user=request.user, filters=request.GET)
    form = filter_form(CommitmentFilterSet, request)
    if form is not None:
        warn_invalid_filters(request, CommitmentFilterSet)
        from django import forms

        form.fields["forum"].widget = forms.Select(
            choices=[("", _("Any")), *((f.pk, f.name) for f in Forum.objects.all())]
        )
        form.fields["organisation"].widget = forms.HiddenInput()
    context = {
        "filter_form": form,
        "page_obj": paginate(request, queryset),
        "can_create": request.user.is_authenticated
        and Commitment.can_create(access_for(request.user)),
        "query": request.GET.urlencode(),
    }
    return partial_or_page(request, "commitments/list.html", "commitments/_results.html", context)


@public("Export of the commitments list: the same restricted rows, no personal data.")
def commitment_export(request: HttpRequest) -> HttpResponse:
    queryset = exports.export_queryset(
        selectors.commitment_list(user=request.user, filters=request.GET)
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.commitments_xlsx(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="commitments.xlsx"'
        return response
    response = HttpResponse(exports.commitments_csv(queryset), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="commitments.csv"'
    return response


def _indicator_panels(indicators: list[Any], as_of: datetime.date) -> list[dict[str, Any]]:
    results = rules.summarise_by_pk(rules.specs_for(indicators), as_of)
    panels = []
    for ind in indicators:
        spec = rules.IndicatorSpec.of(ind)
        ends = sorted(
            set(
                ind.reports.filter(status=ReportStatus.APPROVED, period_end__lte=as_of).values_list(
                    "period_end", flat=True
                )
            )
        )[-12:]
        series = rules.indicator_series(ind, ends)
        panels.append(
            {
                "indicator": ind,
                "result": results[ind.pk],
                "chart": charts.indicator_chart(
                    title=str(ind),
                    baseline=(spec.baseline_date, spec.baseline_value),
                    targets=spec.targets,
                    actuals=series,
                ),
            }
        )
    return panels


def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    commitment = selectors.commitment_get(user=user, pk=pk)
    as_of = _as_of(request)
    indicators = list(commitment.indicators.all())
    evidence = (
        selectors.reports(user=user)
        .filter(indicator__in=indicators, status=ReportStatus.APPROVED)
        .exclude(evidence_url="", evidence_file="")
        .order_by("-period_end")[:20]
    )
    can_change = may(user, Permission.CHANGE, commitment)
    context = {
        "commitment": commitment,
        "shares": commitment.shares.all(),
        "panels": _indicator_panels(indicators, as_of),
        "as_of": as_of,
        "evidence": evidence,
        "milestones": commitment.milestones.select_related("organisation").order_by("due_date"),
        "candidates": selectors.match_candidates(user=user, commitment=commitment)
        if can_change
        else [],
        "history": history_rows(user=user, obj=commitment, limit=HISTORY_ON_DETAIL),
        "can_change": can_change,
        "can_delete": may(user, Permission.DELETE, commitment),
        "money": money.schedule_money(user=user, commitment=commitment, with_candidates=can_change)
        if commitment.schedule.all()
        else None,
    }
    return render(request, "commitments/detail.html", context)


@login_required
@denials_as_403
@require_POST
def commitment_flows(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a funding flow to a line of the pledge's schedule, or unlink it."""
    commitment = selectors.commitment_get(user=request.user, pk=pk)
    form = FlowLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of a flow."))
        return redirect(f"{commitment.get_absolute_url()}#money")
    line = get_object_or_404(ScheduleLine, pk=form.cleaned_data["line"], commitment=commitment)
    from harambee.funding.selectors import visible_flows

    flow = visible_flows(user=request.user).filter(pk=form.cleaned_data["flow"]).first()
    try:
        if flow is None:
            raise services.FlowLinkInvalid(_("That flow does not exist."))
        if request.POST.get("remove"):
            services.schedule_flow_unlink(actor=request.user, line=line, flow=flow)
            messages.success(request, _("The flow was unlinked."))
        else:
            services.schedule_flow_link(actor=request.user, line=line, flow=flow)
            messages.success(request, _("The flow was linked to %(line)s.") % {"line": line})
    except services.FlowLinkInvalid as exc:
        messages.error(request, exc.message)
    return redirect(f"{commitment.get_absolute_url()}#money")


IMPORT_SESSION_KEY = "commitments_import"


def _preview(user: Any, name: str, content: bytes) -> dict[str, Any]:
    """Run the import without keeping anything: counts, or the problems by row and column."""
    try:
        rows = exports.read_rows(name, content)
    except Exception:
        return {"errors": [(None, "", _("The file cannot be read as CSV or Excel (.xlsx)."))]}
    try:
        counts = exports.commitments_import(actor=user, rows=rows, dry_run=True)
    except LoadError as exc:
        return {"errors": exc.items, "rows": len(rows)}
    return {"errors": [], "rows": len(rows), **counts}


@login_required
@denials_as_403
@GET_POST
def commitment_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX of commitments; see what it would do (or why not); confirm."""
    import base64
    import hashlib

    require_create(request.user, Commitment)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        preview = _preview(request.user, upload.name, content)
        token = hashlib.sha256(content).hexdigest()
        if not preview["errors"]:
            request.session[IMPORT_SESSION_KEY] = {
                "name": upload.name,
                "token": token,
                "content": base64.b64encode(content).decode("ascii"),
            }
        context.update(
            {
                "preview": preview,
                "file_name": upload.name,
                "confirm_form": ConfirmImportForm(initial={"token": token}),
            }
        )
    return render(request, "commitments/import.html", context)


@login_required
@denials_as_403
@require_POST
def commitment_import_confirm(request: HttpRequest) -> HttpResponse:
    import base64

    require_create(request.user, Commitment)
    form = ConfirmImportForm(request.POST)
    stored = request.session.get(IMPORT_SESSION_KEY) or {}
    if not form.is_valid() or stored.get("token") != form.cleaned_data["token"]:
        messages.error(request, _("This preview has expired: upload the file again."))
        return redirect("commitments:commitment-import")
    content = base64.b64decode(stored["content"])
    try:
        counts = exports.commitments_import(
            actor=request.user, rows=exports.read_rows(stored["name"], content)
        )
    except LoadError as exc:
        # The data changed since the preview: show the problems as a new preview would.
        return render(
            request,
            "commitments/import.html",
            {
                "form": ImportForm(),
                "preview": {"errors": exc.items},
                "file_name": stored["name"],
            },
        )
    del request.session[IMPORT_SESSION_KEY]
    messages.success(
        request,
        _("%(created)d commitment(s) created, %(updated)d updated.") % counts,
    )
    return redirect("commitments:commitment-list")


@login_required
@denials_as_403
@GET_POST
def commitment_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Commitment)
    form = CommitmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, commitment = attempt(
            form, services.commitment_create, actor=request.user, **form.service_kwargs()
        )
        if ok:
            messages.success(request, _("“%(object)s” was created.") % {"object": commitment})
            return redirect(commitment)
    return render(request, "commitments/form.html", {"form": form})


@login_required
@denials_as_403
@GET_POST
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, commitment)
    form = CommitmentForm(request.POST or None, instance=commitment, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, saved = attempt(
            form,
            services.commitment_update,
            actor=request.user,
            commitment=Commitment.objects.get(pk=pk),
            expected_version=form.cleaned_data.get("version"),
            **form.service_kwargs(),
        )
        if ok:
            messages.success(request, _("“%(object)s” was saved.") % {"object": saved})
            return redirect(saved)
    return render(request, "commitments/form.html", {"form": form, "commitment": commitment})


@login_required
@denials_as_403
@require_POST
def commitment_link(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get(user=request.user, pk=pk)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            if request.POST.get("remove"):
                services.commitment_unlink(
                    actor=request.user, policy=commitment, enabling=form.cleaned_data["enabling"]
                )
            else:
                services.commitment_link(
                    actor=request.user, policy=commitment, enabling=form.cleaned_data["enabling"]
                )
        except services.MatchInvalid as exc:
            messages.error(request, exc.message)
    return redirect(commitment)


# Dashboards -----------------------------------------------------------------------------------------


def dashboard_group(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_get(user=request.user, pk=pk)
    as_of = _as_of(request)
    context = selectors.dashboard(
        user=request.user,
        commitment_queryset=Commitment.objects.filter(group=group),
        as_of=as_of,
    )
    rules_row = GroupRules.objects.filter(group=group).first()
    context.update(
        {
            "subject": group,
            "kind": "group",
            "list_query": f"group={group.pk}",
            "required": rules_row.required_elements if rules_row else [],
            "can_set_rules": access_for(request.user).is_admin
            or group.pk in access_for(request.user).groups_with(Role.COORDINATOR),
            "frameworks": selectors.frameworks(user=request.user).filter(group=group),
        }
    )
    return render(request, "commitments/dashboard.html", context)


def dashboard_forum(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_object_or_404(Forum, pk=pk)
    context = selectors.dashboard(
        user=request.user,
        commitment_queryset=Commitment.objects.filter(forum=forum),
        as_of=_as_of(request),
    )
    context.update(
        {
            "subject": forum,
            "kind": "forum",
            "list_query": f"forum={forum.pk}",
            "frameworks": selectors.frameworks(user=request.user).filter(forum=forum),
        }
    )
    return render(request, "commitments/dashboard.html", context)


@login_required
@denials_as_403
@GET_POST
def group_rules(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.restrict(request.user), pk=pk)
    current = GroupRules.objects.filter(group=group).first()
    form = RulesForm(
        request.POST or None, initial={"required": current.required_elements if current else []}
    )
    if request.method == "POST" and form.is_valid():
        ok, _saved = attempt(
            form,
            services.group_rules_set,
            actor=request.user,
            group=group,
            required=form.cleaned_data["required"],
        )
        if ok:
            messages.success(request, _("The group's rules were saved."))
            return redirect("commitments:dashboard-group", pk=group.pk)
    return render(request, "commitments/rules.html", {"form": form, "group": group})


# Frameworks, indicators, timeline ----------------------------------------------------------------


@public("Results frameworks are public accountability; restricted per user.")
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "commitments/frameworks.html",
        {
            "frameworks": selectors.frameworks(user=request.user),
            "can_create": request.user.is_authenticated
            and ResultsFramework.can_create(access_for(request.user)),
        },
    )


@login_required
@denials_as_403
@GET_POST
def framework_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, ResultsFramework)
    form = FrameworkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, framework = attempt(
            form, services.framework_create, actor=request.user, data=form.service_data()
        )
        if ok:
            messages.success(request, _("“%(object)s” was created.") % {"object": framework})
            return redirect(framework)
    return render(request, "commitments/framework_form.html", {"form": form})


@login_required
@denials_as_403
@GET_POST
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, framework)
    form = FrameworkForm(request.POST or None, instance=framework, user=request.user)
    if request.method == "POST" and form.is_valid():
        ok, saved = attempt(
            form,
            services.framework_update,
            actor=request.user,
            framework=ResultsFramework.objects.get(pk=pk),
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        )
        if ok:
            messages.success(request, _("“%(object)s” was saved.") % {"object": saved})
            return redirect(saved)
    return render(
        request, "commitments/framework_form.html", {"form": form, "framework": framework}
    )


def _framework_to_change(request: HttpRequest, pk: int) -> ResultsFramework:
    framework = selectors.framework_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, framework)
    return framework


@login_required
@denials_as_403
@GET_POST
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework_to_change(request, pk)
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _outcome = attempt(
            form,
            services.outcome_create,
            actor=request.user,
            framework=framework,
            data=form.service_data(),
        )
        if ok:
            messages.success(request, _("The outcome was added."))
            return redirect(framework)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": framework, "kind": "outcome"},
    )


@login_required
@denials_as_403
@GET_POST
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_object_or_404(Outcome.objects.restrict(request.user), pk=pk)
    require(request.user, Permission.CHANGE, outcome)
    form = OutcomeForm(request.POST or None, instance=outcome)
    if request.method == "POST" and form.is_valid():
        ok, _saved = attempt(
            form,
            services.outcome_update,
            actor=request.user,
            outcome=Outcome.objects.get(pk=pk),
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        )
        if ok:
            messages.success(request, _("The outcome was saved."))
            return redirect(outcome.framework)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": outcome.framework, "kind": "outcome", "object": outcome},
    )


@login_required
@denials_as_403
@GET_POST
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework_to_change(request, pk)
    form = IndicatorForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        ok, indicator = attempt(
            form,
            services.indicator_create,
            actor=request.user,
            framework=framework,
            data=form.service_data(),
            targets=form.cleaned_data["targets_text"],
        )
        if ok:
            messages.success(request, _("The indicator was added."))
            return redirect(indicator)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": framework, "kind": "indicator"},
    )


@login_required
@denials_as_403
@GET_POST
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, indicator)
    form = IndicatorForm(request.POST or None, instance=indicator, framework=indicator.framework)
    if request.method == "POST" and form.is_valid():
        ok, saved = attempt(
            form,
            services.indicator_update,
            actor=request.user,
            indicator=Indicator.objects.get(pk=pk),
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
            targets=form.cleaned_data["targets_text"],
        )
        if ok:
            messages.success(request, _("The indicator was saved."))
            return redirect(saved)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": indicator.framework, "kind": "indicator", "object": indicator},
    )


@login_required
@denials_as_403
@GET_POST
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework_to_change(request, pk)
    form = MilestoneForm(request.POST or None, user=request.user, framework=framework)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        ok, _milestone = attempt(
            form,
            services.milestone_create,
            actor=request.user,
            data={**kwargs["data"], "framework": framework},
            m2m=kwargs["m2m"],
        )
        if ok:
            messages.success(request, _("The milestone was added."))
            return redirect("commitments:framework-timeline", pk=framework.pk)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": framework, "kind": "milestone"},
    )


@login_required
@denials_as_403
@GET_POST
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.restrict(request.user), pk=pk)
    require(request.user, Permission.CHANGE, milestone)
    framework = milestone.framework
    form = MilestoneForm(
        request.POST or None, instance=milestone, user=request.user, framework=framework
    )
    if request.method == "POST" and form.is_valid():
        ok, _saved = attempt(
            form,
            services.milestone_update,
            actor=request.user,
            milestone=Milestone.objects.get(pk=pk),
            expected_version=form.cleaned_data.get("version"),
            **form.service_kwargs(),
        )
        if ok:
            messages.success(request, _("The milestone was saved."))
            return redirect("commitments:framework-timeline", pk=framework.pk)
    return render(
        request,
        "commitments/part_form.html",
        {"form": form, "framework": framework, "kind": "milestone", "object": milestone},
    )


def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(user=request.user, pk=pk)
    as_of = _as_of(request)
    indicators = list(
        framework.indicators.select_related("framework", "outcome").prefetch_related("targets")
    )
    results = rules.summarise_by_pk(rules.specs_for(indicators), as_of)
    rows = [{"indicator": i, "result": results[i.pk]} for i in indicators]
    return render(
        request,
        "commitments/framework.html",
        {
            "framework": framework,
            "rows": rows,
            "as_of": as_of,
            "counts": rules.count_by(results.values()),
            "overdue": selectors.overdue_reports(
                as_of=as_of, indicator_queryset=framework.indicators.all()
            )[:50],
            "outcomes": framework.outcomes.all(),
            "can_change": may(request.user, Permission.CHANGE, framework),
        },
    )


def framework_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(user=request.user, pk=pk)
    today = timezone.localdate()
    items = selectors.milestones(user=request.user, framework=framework)
    return render(
        request,
        "commitments/timeline.html",
        {
            "framework": framework,
            "milestones": items,
            "chart": charts.gantt(items, today),
            "today": today,
            "can_change": may(request.user, Permission.CHANGE, framework),
        },
    )


def framework_iati(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(user=request.user, pk=pk)
    response = HttpResponse(
        exports.iati_results(framework, _as_of(request)), content_type="application/xml"
    )
    response["Content-Disposition"] = f'attachment; filename="{framework.code}-iati.xml"'
    return response


def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_get(user=request.user, pk=pk)
    as_of = _as_of(request)
    panel = _indicator_panels([indicator], as_of)[0]
    reports = selectors.reports(user=request.user).filter(indicator=indicator)
    return render(
        request,
        "commitments/indicator.html",
        {
            "indicator": indicator,
            "panel": panel,
            "as_of": as_of,
            "page_obj": paginate(request, reports),
            "can_change": may(request.user, Permission.CHANGE, indicator),
        },
    )


# Progress reports ---------------------------------------------------------------------------------


@any_user("Progress reports the user may see (restricted per user).")
@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    access = access_for(user)
    mine = selectors.reports(user=user).filter(organisation_id=access.organisation_id or 0)
    to_review = (
        ProgressReport.objects.restrict(user, REVIEW)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("indicator", "indicator__framework", "organisation")
    )
    overdue = (
        selectors.overdue_reports(organisation_id=access.organisation_id)
        if access.organisation_id
        else []
    )
    return render(
        request,
        "commitments/reports.html",
        {
            "page_obj": paginate(request, mine),
            "to_review": to_review[:100],
            "overdue": overdue[:100],
            "can_create": ProgressReport.can_create(access),
        },
    )


@login_required
@denials_as_403
@GET_POST
def report_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, ProgressReport)
    initial = {}
    if request.GET.get("indicator", "").isdigit():
        initial["indicator"] = int(request.GET["indicator"])
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        ok, report = attempt(
            form, services.report_create, actor=request.user, data=form.service_data()
        )
        if ok:
            messages.success(request, _("The report was saved as a draft."))
            return redirect(report)
    return render(request, "commitments/report_form.html", {"form": form})


@login_required
@denials_as_403
@GET_POST
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, report)
    form = ReportForm(
        request.POST or None, request.FILES or None, instance=report, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        ok, saved = attempt(
            form,
            services.report_update,
            actor=request.user,
            report=ProgressReport.objects.get(pk=pk),
            data=form.service_data(),
            expected_version=form.cleaned_data.get("version"),
        )
        if ok:
            messages.success(request, _("The report was saved."))
            return redirect(saved)
    return render(request, "commitments/report_form.html", {"form": form, "report": report})


def _report_context(
    request: HttpRequest, report: ProgressReport, form: Any = None
) -> dict[str, Any]:
    user = request.user
    return {
        "report": report,
        "form": form or ReviewForm(initial={"version": report.version}),
        "can_change": may(user, Permission.CHANGE, report)
        and report.status in (ReportStatus.DRAFT, ReportStatus.SENT_BACK),
        "can_review": may(user, REVIEW, report) and report.status == ReportStatus.SUBMITTED,
        "history": history_rows(user=user, obj=report, limit=HISTORY_ON_DETAIL),
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    return render(request, "commitments/report.html", _report_context(request, report))


@login_required
def report_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report's evidence file, only to those who may see the report (404 otherwise)."""
    import mimetypes
    from pathlib import PurePosixPath

    from django.http import FileResponse

    report = selectors.report_get(user=request.user, pk=pk)
    if not report.evidence_file:
        raise Http404("No evidence file.")
    try:
        handle = report.evidence_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("The evidence file is missing.") from exc
    name = PurePosixPath(report.evidence_file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


ACTIONS = {
    "submit": services.report_submit,
    "approve": services.report_approve,
    "send_back": services.report_send_back,
}


@login_required
@denials_as_403
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve or send back; htmx swaps the workflow panel, others get the page."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    report = selectors.report_get(user=request.user, pk=pk)
    form: ReviewForm | None = ReviewForm(request.POST)
    if form is not None and form.is_valid():
        kwargs: dict[str, Any] = {
            "actor": request.user,
            "report": report,
            "expected_version": form.cleaned_data["version"],
        }
        if action != "submit":
            kwargs["note"] = form.cleaned_data["note"]
        ok, _saved = attempt(form, ACTIONS[action], **kwargs)
        if ok:
            report = selectors.report_get(user=request.user, pk=pk)
            messages.success(
                request,
                _("The report is now %(status)s.")
                % {"status": report.get_status_display().lower()},
            )
            if not getattr(request, "htmx", False):
                return redirect(report)
            form = None
    context = _report_context(request, report, form)
    if getattr(request, "htmx", False):
        return render(request, "commitments/_workflow.html", context)
    return render(request, "commitments/report.html", context)


__all__ = ["IndicatorStatus", "reverse"]
