"""Import pages: upload a 3W file, watch it being read, review the preview, confirm.

Thin like every page: reads through `.restrict()` (404 when hidden), forms check input, the
import services do the work (and check permissions again). Every POST carries the batch version
the user saw, so two people reviewing the same batch do not overwrite each other's decisions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.core.forms import attempt
from harambee.core.security import any_user
from harambee.core.services import require, require_create
from harambee.core.views import denials_as_403, paginate, search_organisations
from harambee.network.models import Organisation

from . import selectors, services
from .choices import ImportStatus, MatchDecision
from .import_forms import BatchActionForm, DecisionForm, MappingForm, UploadForm
from .models import Activity, ImportBatch

# While the batch is in one of these, the page shows a progress bar and polls for news.
WORKING = frozenset({ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.COMMITTING})
SEARCH_RESULTS = 10


def _batches(user: Any, action: str = Permission.VIEW) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.restrict(user, action).select_related("country", "created_by")


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(_batches(request.user), pk=pk)


def _may_change(user: Any, batch: ImportBatch) -> bool:
    return ImportBatch.objects.restrict(user, Permission.CHANGE).filter(pk=batch.pk).exists()


def _stale(batch: ImportBatch, form: BatchActionForm) -> bool:
    """The version the user saw is no longer the batch's: put the reason on the form."""
    if form.cleaned_data["version"] == batch.version:
        return False
    form.add_error(None, str(_stale_message()))
    return True


def _stale_message() -> str:
    return _(
        "Someone else changed this import since you opened it (or it moved on by itself). "
        "The page now shows its current state: check it, then try again."
    )


@any_user("The user's own imports (and those of their organisation).")
@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page_obj": paginate(request, _batches(request.user).defer("mapping", "decisions")),
        "can_create": Activity.can_create(access_for(request.user)),
    }
    return render(request, "activities/imports/list.html", context)


@login_required
@denials_as_403
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Activity)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        country = form.cleaned_data["country"]
        ok, batch = attempt(
            form,
            services.import_start,
            actor=request.user,
            file_name=upload.name,
            content=form.content,
            country=country.pk if country else None,
            source=form.cleaned_data["source"].strip(),
            run="background",
        )
        if ok:
            return redirect(batch)
    return render(request, "activities/imports/new.html", {"form": form})


@login_required
@denials_as_403
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return _detail_page(request, batch)


def _detail_page(
    request: HttpRequest,
    batch: ImportBatch,
    *,
    mapping_form: MappingForm | None = None,
    decision_form: DecisionForm | None = None,
    action_form: BatchActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The batch's page for its status; a refused form is shown in place with its errors."""
    user = request.user
    report = selectors.import_report(user=user, report=batch.report)
    can_change = _may_change(user, batch)
    context: dict[str, Any] = {
        "batch": batch,
        "report": report,
        "working": batch.status in WORKING,
        "can_change": can_change,
        "action_form": action_form or BatchActionForm(initial={"version": batch.version}),
    }
    if batch.status == ImportStatus.PREVIEW:
        context.update(_review_context(request, batch, report, can_change))
        if can_change and report.get("needs_mapping"):
            context["mapping_form"] = mapping_form or MappingForm(
                initial={"version": batch.version}, columns=report.get("columns") or []
            )
        if decision_form is not None:
            for row in context["review"]:
                if row["item"]["key"] == decision_form.data.get("key"):
                    row["form"] = decision_form
    return render(request, "activities/imports/detail.html", context, status=status)


def _review_context(
    request: HttpRequest, batch: ImportBatch, report: dict[str, Any], can_change: bool
) -> dict[str, Any]:
    """Organisations by status; a decision form for each uncertain one."""
    items = (report.get("organisations") or {}).get("items") or []
    uncertain = [i for i in items if i.get("status") == "uncertain"]
    # "Search for another organisation" on one item: its results join that item's choices.
    find_key = request.GET.get("item", "")
    query = request.GET.get("find", "").strip()
    found: list[Organisation] = []
    if can_change and find_key and query:
        found = search_organisations(request.user, query, limit=SEARCH_RESULTS)
    visible = Organisation.objects.restrict(request.user).only("pk", "name", "acronym")
    review = []
    for n, item in enumerate(uncertain, start=1):
        searched = item["key"] == find_key and bool(query)
        row: dict[str, Any] = {"n": n, "item": item, "searched": searched}
        if searched:
            row["query"] = query
            row["found"] = found
        if can_change:
            row["form"] = DecisionForm(
                initial={"version": batch.version},
                item=item,
                organisations=visible,
                extra=found if searched else [],
                auto_id=f"id_org{n}_%s",
            )
        review.append(row)
    return {
        "review": review,
        "undecided": sum(1 for i in uncertain if not i.get("decision")),
        "new_organisations": [i for i in items if i.get("status") == "new"],
        "matched_organisations": [i for i in items if i.get("status") == "matched"],
    }


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx; once the work is done, the page reloads."""
    batch = _batch(request, pk)
    response = render(request, "activities/imports/_progress.html", {"batch": batch})
    if batch.status not in WORKING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@denials_as_403
@require_POST
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require(request.user, Permission.CHANGE, batch)
    columns = (batch.report or {}).get("columns") or []
    form = MappingForm(request.POST, columns=columns)
    if form.is_valid() and not _stale(batch, form):
        ok, _result = attempt(
            form,
            services.import_set_mapping,
            actor=request.user,
            batch=batch,
            mapping=form.mapping(),
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("The columns were mapped; the file was read again."))
            return redirect(batch)
    batch.refresh_from_db()
    return _detail_page(request, batch, mapping_form=_with_current_version(form, batch))


@login_required
@denials_as_403
@require_POST
def import_decide(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require(request.user, Permission.CHANGE, batch)
    report = selectors.import_report(user=request.user, report=batch.report)
    items = (report.get("organisations") or {}).get("items") or []
    item = next((i for i in items if i.get("key") == request.POST.get("key")), None)
    visible = Organisation.objects.restrict(request.user).only("pk", "name", "acronym")
    form = DecisionForm(request.POST, item=item, organisations=visible)
    if item is None:
        messages.error(request, _stale_message())
        return redirect(batch)
    n = next((i for i, x in enumerate(_uncertain(items), start=1) if x["key"] == item["key"]), 0)
    form.auto_id = f"id_org{n}_%s"
    if form.is_valid() and not _stale(batch, form):
        ok, _result = attempt(
            form,
            services.import_decide,
            actor=request.user,
            batch=batch,
            key=item["key"],
            action=form.cleaned_data["action"],
            organisation_id=form.organisation_id,
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _decided_message(form, item))
            return redirect(reverse("activities:import-detail", args=[batch.pk]) + "#review")
    batch.refresh_from_db()
    return _detail_page(request, batch, decision_form=_with_current_version(form, batch))


def _uncertain(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("status") == "uncertain"]


def _decided_message(form: DecisionForm, item: dict[str, Any]) -> str:
    name = item.get("name") or item.get("acronym") or ""
    action = form.cleaned_data["action"]
    if action == MatchDecision.CREATE:
        return _("“%(name)s” will be added as a new organisation.") % {"name": name}
    if action == MatchDecision.PICK:
        return _("“%(name)s” will be read as “%(organisation)s”.") % {
            "name": name,
            "organisation": form.cleaned_data["organisation"],
        }
    return _("The suggested match for “%(name)s” was accepted.") % {"name": name}


@login_required
@denials_as_403
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require(request.user, Permission.CHANGE, batch)
    form = BatchActionForm(request.POST)
    if form.is_valid() and not _stale(batch, form):
        ok, _result = attempt(
            form,
            services.import_commit,
            actor=request.user,
            batch=batch,
            expected_version=form.cleaned_data["version"],
            run="background",
        )
        if ok:
            return redirect(batch)
    batch.refresh_from_db()
    return _detail_page(request, batch, action_form=_with_current_version(form, batch))


@login_required
@denials_as_403
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    require(request.user, Permission.CHANGE, batch)
    form = BatchActionForm(request.POST)
    if form.is_valid() and not _stale(batch, form):
        ok, _result = attempt(form, services.import_cancel, actor=request.user, batch=batch)
        if ok:
            messages.success(
                request, _("The import of “%(file)s” was cancelled.") % {"file": batch}
            )
            return redirect("activities:import-list")
    batch.refresh_from_db()
    return _detail_page(request, batch, action_form=_with_current_version(form, batch))


def _with_current_version(form: Any, batch: ImportBatch) -> Any:
    """A refused form shown again carries the current version, so a retry can succeed."""
    data = form.data.copy()
    data["version"] = str(batch.version)
    form.data = data
    return form
