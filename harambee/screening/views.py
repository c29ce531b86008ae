"""Screening pages: lists and versions, single and batch screening with hit review, the
decision record, the compliance profile, payees, due-diligence packages and the alert inbox.

Thin like every page: reads go through `.restrict()` (404 when hidden), forms check input,
the services write (and check permissions again).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.core.errors import ServiceError
from harambee.core.forms import apply_error, attempt
from harambee.core.views import denials_as_403, is_partial, paginate
from harambee.network.models import Organisation
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction as PersonalDataAccess
from harambee.privacy.choices import AccessChannel

from . import selectors, services
from .choices import AccessAction, AlertStatus, BatchStatus
from .dd import decisions as decision_services
from .dd import packages as package_services
from .dd import profile as profile_services
from .dd.payees import payee_add, payee_ids_by_name, payee_remove, payees, payees_in_order
from .filtersets import ScreeningAlertFilterSet
from .forms import (
    BatchForm,
    DecisionForm,
    DocumentForm,
    FocalPointForm,
    ListLoadForm,
    PackageForm,
    PayeeForm,
    ProfileForm,
    ScreenForm,
    ShareForm,
    VerifyForm,
)
from .matching.engine import Query
from .models import (
    ComplianceFocalPoint,
    DueDiligencePackage,
    Payee,
    ProfileDocument,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningResult,
    SigningKey,
)

GET_POST = require_http_methods(["GET", "POST"])
WORKING = frozenset({BatchStatus.PENDING, BatchStatus.RUNNING})
RESULTS_PER_PAGE = 50


def _member(request: HttpRequest) -> None:
    """Screening pages are for members of the network (people of an organisation)."""
    access = access_for(request.user)
    if not (access.is_member or access.is_admin):
        raise PermissionDenied(_("Only members of the network use sanctions screening."))


def _organisation_id(request: HttpRequest) -> int | None:
    return access_for(request.user).organisation_id


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _query_string(query: Query) -> str:
    from urllib.parse import urlencode

    return urlencode(
        {
            "name": query.name,
            "schema": query.schema,
            "date_of_birth": query.date_of_birth,
            "nationality": query.nationality,
            "identifiers": ",".join(query.identifiers),
        }
    )


# --- single screening -------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Screen one name (results come back through htmx, or with the page)."""
    _member(request)
    form = ScreenForm(request.GET if "name" in request.GET else None)
    context: dict[str, Any] = {"form": form, "searched": False, "nav": "screen"}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        query = Query(
            name=data["name"],
            schema=data.get("schema") or "",
            date_of_birth=data.get("date_of_birth") or "",
            nationality=data.get("nationality") or "",
            identifiers=tuple(form.identifier_list()),
        )
        index = selectors.active_index()
        hits = services.screen_name(
            name=query.name,
            schema=query.schema,
            date_of_birth=query.date_of_birth,
            nationality=query.nationality,
            identifiers=query.identifiers,
            index=index,
        )
        context.update(
            searched=True,
            query=query,
            hits=decision_services.annotate_hits(
                organisation_id=_organisation_id(request),
                query=query,
                hits=hits,
                version_ids=index.version_ids,
            ),
            list_count=len(index.version_ids),
            may_decide=decision_services.may_decide(request.user),
            here=f"{reverse('screening:index')}?{_query_string(query)}",
        )
    if is_partial(request):
        return render(request, "screening/_hits.html", context)
    return render(request, "screening/index.html", context)


# --- lists ------------------------------------------------------------------------------


@login_required
@require_GET
def list_versions(request: HttpRequest) -> HttpResponse:
    _member(request)
    context = {
        "page_obj": paginate(request, selectors.list_versions(user=request.user)),
        "active": selectors.active_versions().order_by("source__code"),
        "can_load": access_for(request.user).is_admin,
        "nav": "lists",
    }
    return render(request, "screening/list_versions.html", context)


@login_required
@require_GET
def list_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    version = get_object_or_404(selectors.list_versions(user=request.user), pk=pk)
    return render(request, "screening/list_version.html", {"version": version, "nav": "lists"})


@login_required
@denials_as_403
@GET_POST
def list_load(request: HttpRequest) -> HttpResponse:
    """Platform admins load a list file from the page (as `harambee load-list`)."""
    if not access_for(request.user).is_admin:
        raise PermissionDenied(_("Only platform admins load sanctions lists."))
    form = ListLoadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        uploads = form.cleaned_data["list_files"]
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "ofac"
            target.mkdir()
            for upload in uploads:
                (target / Path(upload.name).name).write_bytes(upload.read())
            path = target if source == "ofac" else target / Path(uploads[0].name).name
            ok, version = attempt(
                form, services.load_list, source=source, path=path, actor=request.user
            )
        if ok:
            messages.success(
                request,
                _(
                    "Loaded: %(entries)s entries, %(added)s added, %(removed)s removed, %(changed)s changed."
                )
                % {
                    "entries": version.entry_count,
                    **{k: version.diff.get(k, 0) for k in ("added", "removed", "changed")},
                },
            )
            return redirect("screening:list-version", pk=version.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "screening/list_load.html",
        {"form": form, "active": selectors.active_versions(), "nav": "lists"},
        status=status,
    )


# --- batches ----------------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    queryset = selectors.batches(user=request.user).defer("queries")
    return render(
        request,
        "screening/batch_list.html",
        {"page_obj": paginate(request, queryset), "nav": "batches"},
    )


@login_required
@denials_as_403
@GET_POST
def batch_new(request: HttpRequest) -> HttpResponse:
    _member(request)
    form = BatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        ok, batch = attempt(
            form,
            services.start_batch,
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            threshold=form.cleaned_data.get("threshold"),
        )
        if ok:
            return redirect("screening:batch-detail", pk=batch.pk)
    status = 400 if form.errors else 200
    return render(
        request, "screening/batch_new.html", {"form": form, "nav": "batches"}, status=status
    )


def _batch(request: HttpRequest, pk: int) -> ScreeningBatch:
    _member(request)
    return get_object_or_404(selectors.batches(user=request.user).defer("queries"), pk=pk)


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    show = request.GET.get("show", "hits")
    results = batch.results.order_by("row")
    if show != "all":
        results = results.filter(hit_count__gt=0)
    page = paginate(request, results, RESULTS_PER_PAGE)
    versions = list(batch.list_versions.values_list("pk", flat=True))
    rows = []
    for result in page.object_list:
        query = {
            "name": result.name,
            "schema": result.schema,
            "date_of_birth": result.date_of_birth,
            "nationality": result.nationality,
        }
        rows.append(
            {
                "result": result,
                "hits": decision_services.annotate_hits(
                    organisation_id=_organisation_id(request),
                    query=query,
                    hits=result.hits,
                    version_ids=versions,
                ),
            }
        )
    if rows:
        # Names and dates of birth of the people screened, in clear: logged (one call per page).
        log_access(request.user, [row["result"] for row in rows], request=request)
    context = {
        "batch": batch,
        "working": batch.status in WORKING,
        "rows": rows,
        "page_obj": page,
        "show": show,
        "may_decide": decision_services.may_decide(request.user),
        "here": request.get_full_path(),
        "nav": "batches",
    }
    return render(request, "screening/batch_detail.html", context)


@login_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    response = render(request, "screening/_progress.html", {"batch": batch})
    if batch.status not in WORKING:
        # The whole page changes once the batch is done: tell htmx to reload it.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def batch_csv(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    response = HttpResponse(services.batch_csv(batch), content_type="text/csv; charset=utf-8")
    log_access(
        request.user,
        [batch],
        action=PersonalDataAccess.EXPORT,
        channel=AccessChannel.EXPORT,
        request=request,
    )
    response["Content-Disposition"] = f'attachment; filename="screening-{batch.pk}.csv"'
    return response


# --- decisions --------------------------------------------------------------------------


@login_required
@denials_as_403
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """Record a decision on a hit of a batch, an alert or a single screening."""
    _member(request)
    form = DecisionForm(request.POST)
    fallback = reverse("screening:decision-list")
    if not form.is_valid():
        messages.error(
            request,
            _("The decision was not recorded: %(errors)s")
            % {"errors": "; ".join(str(e) for errs in form.errors.values() for e in errs)},
        )
        return redirect(_safe_next(request, fallback))
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "list_code": data["list_code"],
        "ref": data["ref"],
        "outcome": data["outcome"],
        "reason": data["reason"],
    }
    try:
        if data.get("result"):
            result = get_object_or_404(
                ScreeningResult.objects.select_related("batch"), pk=data["result"]
            )
            decision = decision_services.decide_result_hit(result=result, **common)
        elif data.get("alert"):
            alert = get_object_or_404(
                ScreeningAlert.objects.restrict(request.user), pk=data["alert"]
            )
            common.pop("list_code")
            common.pop("ref")
            decision = decision_services.decide_alert(alert=alert, **common)
        else:
            query = Query(
                name=data.get("name") or "",
                schema=data.get("schema") or "",
                date_of_birth=data.get("date_of_birth") or "",
                nationality=data.get("nationality") or "",
                identifiers=tuple(i for i in (data.get("identifiers") or "").split(",") if i),
            )
            decision = decision_services.decide_query_hit(query=query, **common)
    except ServiceError as exc:
        if isinstance(exc, package_services.PermissionDeniedError):
            raise
        messages.error(request, exc.message)
        return redirect(_safe_next(request, fallback))
    messages.success(
        request,
        _("Recorded: %(outcome)s — %(name)s ~ %(ref)s.")
        % {
            "outcome": decision.get_outcome_display(),
            "name": decision.query["name"],
            "ref": decision.entry_ref,
        },
    )
    return redirect(_safe_next(request, fallback))


@login_required
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    queryset = decision_services.decisions(user=request.user)
    outcome = request.GET.get("outcome", "")
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    page = paginate(request, queryset)
    if page.object_list:
        # Each row shows the name screened: logged.
        log_access(request.user, page.object_list, request=request)
    context = {"page_obj": page, "outcome": outcome, "nav": "decisions"}
    return render(request, "screening/decision_list.html", context)


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    decision = get_object_or_404(decision_services.decisions(user=request.user), pk=pk)
    log_access(request.user, [decision], request=request)
    return render(
        request, "screening/decision_detail.html", {"decision": decision, "nav": "decisions"}
    )


@login_required
@require_GET
def decision_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _member(request)
    queryset = decision_services.decisions(user=request.user).order_by("decided_at", "pk")
    # The organisation's own record keeps the names screened: the export is logged.
    decision_services.log_export(request.user, queryset, request=request)
    if fmt == "json":
        response = HttpResponse(
            decision_services.export_json(queryset), content_type="application/json"
        )
    else:
        response = HttpResponse(
            decision_services.export_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="screening-decisions.{fmt}"'
    return response


# --- alerts -----------------------------------------------------------------------------


@login_required
@require_GET
def alert_inbox(request: HttpRequest) -> HttpResponse:
    _member(request)
    # Open alerts unless asked otherwise; "all" (not a status) filters nothing. The same
    # FilterSet as the API: an invalid value is ignored here, refused there.
    filters = request.GET.copy()
    status = filters.setdefault("status", AlertStatus.OPEN)
    alerts = ScreeningAlertFilterSet(
        filters, queryset=selectors.alerts(user=request.user), request=request
    ).qs
    page = paginate(request, alerts)
    shown = [alert for alert in page.object_list if not alert.erased]
    if shown:
        # Each alert shows the name screened and the hit's explanation: logged (an erased one
        # shows nothing personal).
        log_access(request.user, shown, request=request)
    context = {
        "page_obj": page,
        "status": status,
        "may_decide": decision_services.may_decide(request.user),
        "focal_point": ComplianceFocalPoint.objects.filter(user_id=request.user.pk).exists(),
        "here": request.get_full_path(),
        "nav": "alerts",
    }
    return render(request, "screening/alert_inbox.html", context)


# --- compliance profile -----------------------------------------------------------------


def _own_profile(request: HttpRequest) -> Any:
    organisation = profile_services.own_organisation(request.user)
    return profile_services.profile_for(organisation)


@login_required
@denials_as_403
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    item = _own_profile(request)
    organisation = item.organisation
    user_model = get_user_model()
    can_change = (
        item.__class__.objects.restrict(request.user, Permission.CHANGE).filter(pk=item.pk).exists()
    )
    can_name = ComplianceFocalPoint.can_create(access_for(request.user))
    context = {
        "profile": item,
        "organisation": organisation,
        "sections": [
            (key, title, [(item._meta.get_field(f).verbose_name, f) for f in fields])
            for key, title, fields in profile_services.SECTIONS
        ],
        "practice": profile_services.screening_practice(organisation),
        "documents": item.documents.all(),
        "focal_points": ComplianceFocalPoint.objects.filter(
            organisation=organisation
        ).select_related("user"),
        "can_change": can_change,
        "can_name": can_name,
        "document_form": DocumentForm() if can_change else None,
        "focal_form": FocalPointForm(
            users=user_model.objects.filter(organisation=organisation, is_active=True)
        )
        if can_name
        else None,
        "key": SigningKey.objects.filter(organisation=organisation).first(),
        "nav": "profile",
    }
    return render(request, "screening/profile.html", context)


@login_required
@denials_as_403
@GET_POST
def profile_edit(request: HttpRequest) -> HttpResponse:
    item = _own_profile(request)
    from harambee.core.services import require

    require(request.user, Permission.CHANGE, item)
    form = ProfileForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = {
            f: form.cleaned_data[f] for f in ProfileForm.Meta.fields if f != "high_risk_countries"
        }
        data["board"] = form.cleaned_data["board_lines"]
        ok, _saved = attempt(
            form,
            profile_services.update_profile,
            actor=request.user,
            profile=item,
            data=data,
            expected_version=form.cleaned_data["version"],
            high_risk_countries=list(form.cleaned_data["high_risk_countries"]),
        )
        if ok:
            messages.success(request, _("Compliance profile saved."))
            return redirect("screening:profile")
        item.refresh_from_db()
    return render(
        request,
        "screening/profile_form.html",
        {"form": form, "profile": item, "nav": "profile"},
        status=400 if form.errors else 200,
    )


@login_required
@denials_as_403
@require_POST
def document_add(request: HttpRequest) -> HttpResponse:
    item = _own_profile(request)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > profile_services.max_document_bytes():
            messages.error(
                request,
                _("%(file)s is too big: documents may be at most %(limit)s KB.")
                % {"file": upload.name, "limit": profile_services.max_document_bytes() // 1024},
            )
            return redirect("screening:profile")
        try:
            profile_services.document_add(
                actor=request.user,
                profile=item,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                file_name=upload.name,
                content=upload.read(),
                expires_on=form.cleaned_data["expires_on"],
            )
            messages.success(request, _("Document attached."))
        except profile_services.DocumentError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(
            request,
            _("The document was not attached: %(errors)s")
            % {"errors": "; ".join(str(e) for errs in form.errors.values() for e in errs)},
        )
    return redirect(reverse("screening:profile") + "#documents")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    _member(request)
    document = get_object_or_404(ProfileDocument.objects.restrict(request.user), pk=pk)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type=document.content_type,
    )


@login_required
@denials_as_403
@require_POST
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    document = get_object_or_404(ProfileDocument.objects.restrict(request.user), pk=pk)
    profile_services.document_remove(actor=request.user, document=document)
    messages.success(request, _("Document removed."))
    return redirect(reverse("screening:profile") + "#documents")


@login_required
@denials_as_403
@require_POST
def focal_point_add(request: HttpRequest) -> HttpResponse:
    organisation = profile_services.own_organisation(request.user)
    form = FocalPointForm(
        request.POST,
        users=get_user_model().objects.filter(organisation=organisation, is_active=True),
    )
    if form.is_valid():
        try:
            profile_services.focal_point_add(actor=request.user, user=form.cleaned_data["user"])
            messages.success(request, _("Compliance focal point named."))
        except ServiceError as exc:
            if isinstance(exc, package_services.PermissionDeniedError):
                raise
            messages.error(request, exc.message)
        except Exception as exc:  # the unique constraint: already named
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            messages.error(request, _("This person is already a compliance focal point."))
    return redirect(reverse("screening:profile") + "#focal-points")


@login_required
@denials_as_403
@require_POST
def focal_point_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    focal = get_object_or_404(ComplianceFocalPoint.objects.restrict(request.user), pk=pk)
    profile_services.focal_point_remove(actor=request.user, focal_point=focal)
    messages.success(request, _("Compliance focal point removed."))
    return redirect(reverse("screening:profile") + "#focal-points")


def public_key(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's published signing key (public: anyone may check a package)."""
    organisation = get_object_or_404(Organisation.objects.restrict(request.user), pk=pk)
    key = SigningKey.objects.filter(organisation=organisation).first()
    if key is None:
        raise Http404(_("This organisation has no signing key yet."))
    if request.GET.get("format") == "text":
        return HttpResponse(f"{key.public_key}\n", content_type="text/plain; charset=utf-8")
    return render(request, "screening/public_key.html", {"organisation": organisation, "key": key})


# --- payees -----------------------------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def payee_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    can_add = Payee.can_create(access_for(request.user))
    form = PayeeForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only editors add payees."))
        if form.is_valid():
            ok, payee = attempt(form, payee_add, actor=request.user, data=form.service_data())
            if ok:
                messages.success(request, _("Payee added and screened."))
                return redirect("screening:payee-list")
    index = selectors.active_index()
    rows = []
    # Names are encrypted: sorted here (the names only), then the page's payees are read.
    visible = payees(user=request.user)
    page = paginate(request, payee_ids_by_name(visible))  # type: ignore[arg-type]
    shown = payees_in_order(visible, list(page.object_list))
    for payee in shown:
        query = Query(
            name=payee.name,
            schema=payee.schema,
            date_of_birth=payee.date_of_birth,
            nationality=payee.nationality,
            identifiers=tuple(payee.identifiers or ()),
        )
        hits = (
            []
            if payee.erased
            else services.screen_name(
                name=query.name,
                schema=query.schema,
                date_of_birth=query.date_of_birth,
                nationality=query.nationality,
                identifiers=query.identifiers,
                index=index,
            )
        )
        rows.append(
            {
                "payee": payee,
                "query": query,
                "query_string": _query_string(query),
                "hits": decision_services.annotate_hits(
                    organisation_id=payee.organisation_id,
                    query=query,
                    hits=hits,
                    version_ids=index.version_ids,
                ),
            }
        )
    if shown:
        # Names, dates of birth and identifiers in clear: one log call for the page's payees.
        log_access(request.user, shown, request=request)
    context = {
        "form": form,
        "rows": rows,
        "page_obj": page,
        "may_decide": decision_services.may_decide(request.user),
        "nav": "payees",
    }
    return render(
        request,
        "screening/payee_list.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@denials_as_403
@require_POST
def payee_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    payee = get_object_or_404(payees(user=request.user), pk=pk)
    payee_remove(actor=request.user, payee=payee)
    messages.success(request, _("Payee removed."))
    return redirect("screening:payee-list")


# --- packages ---------------------------------------------------------------------------


@login_required
@require_GET
def package_list(request: HttpRequest) -> HttpResponse:
    _member(request)
    visible = package_services.packages(user=request.user)
    organisation_id = _organisation_id(request)
    context = {
        "own": visible.filter(organisation_id=organisation_id)
        if organisation_id
        else visible.none(),
        "received": visible.filter(shares__recipient_id=request.user.pk)
        .exclude(organisation_id=organisation_id or 0)
        .distinct(),
        "can_create": package_services.is_bank_user(request.user) is False
        and decision_services.may_decide(request.user),
        "nav": "packages",
    }
    return render(request, "screening/package_list.html", context)


@login_required
@denials_as_403
@GET_POST
def package_new(request: HttpRequest) -> HttpResponse:
    _member(request)
    own = (
        Payee.objects.restrict(request.user)
        .filter(organisation_id=_organisation_id(request))
        .exclude(name="")  # erased: nothing left to screen or to put in a package
    )
    form = PackageForm(request.POST or None, payees=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, package = attempt(
            form,
            package_services.create_package,
            actor=request.user,
            title=data["title"],
            kind=data["kind"],
            purpose=data["purpose"],
            amounts=data["amounts"],
            places=data["places"],
            payees=list(data["payees"]),
            valid_days=data["valid_days"],
        )
        if ok:
            messages.success(request, _("Package signed. Share it with your bank."))
            return redirect(package)
    if form.listed:
        # The form lists the payees by name: logged.
        log_access(request.user, form.listed, fields=["name"], request=request)
    return render(
        request,
        "screening/package_form.html",
        {"form": form, "nav": "packages"},
        status=400 if form.errors else 200,
    )


def _package(request: HttpRequest, pk: int) -> DueDiligencePackage:
    _member(request)
    return get_object_or_404(package_services.packages(user=request.user), pk=pk)


@login_required
@denials_as_403
@require_GET
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package(request, pk)
    try:
        package_services.open_package(
            actor=request.user, package=package, action=AccessAction.VIEWED
        )
    except package_services.PackageExpiredError as exc:
        return render(
            request,
            "screening/package_expired.html",
            {"package": package, "message": exc.message},
            status=410,
        )
    owner = (
        access_for(request.user).organisation_id == package.organisation_id
        or access_for(request.user).is_admin
    )
    from .dd.canonical import verify_document

    verification = verify_document(package.document)
    content = verification.content.get("package", {})
    share_users = package_services.bank_users().exclude(pk=request.user.pk)
    can_share = (owner and decision_services.may_decide(request.user)) or (
        package_services.is_bank_user(request.user)
        and package.shares.filter(recipient_id=request.user.pk).exists()
    )
    context = {
        "package": package,
        "owner": owner,
        "content": content,
        "signer": verification.signer,
        "verification": verification,
        "shares": package.shares.select_related("recipient__organisation", "shared_by"),
        "accesses": package.accesses.all()[:200] if owner else None,
        "share_form": ShareForm(users=share_users) if can_share and not package.expired else None,
        "forwarding": not owner,
        "nav": "packages",
    }
    return render(request, "screening/package_detail.html", context)


@login_required
@denials_as_403
@require_POST
def package_share(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package(request, pk)
    form = ShareForm(request.POST, users=package_services.bank_users())
    if form.is_valid():
        try:
            package_services.share_package(
                actor=request.user,
                package=package,
                recipient=form.cleaned_data["recipient"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request, _("Shared with %(user)s.") % {"user": form.cleaned_data["recipient"]}
            )
        except package_services.PackageError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose a bank user."))
    return redirect(package)


@login_required
@denials_as_403
@require_GET
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package(request, pk)
    package_services.open_package(
        actor=request.user, package=package, action=AccessAction.DOWNLOADED
    )
    response = HttpResponse(package.document.encode("utf-8"), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="dd-package-{package.reference}.json"'
    return response


@login_required
@denials_as_403
@require_POST
def package_verify(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package(request, pk)
    verification = package_services.verify_package(actor=request.user, package=package)
    registered = SigningKey.objects.filter(organisation_id=package.organisation_id).first()
    context = {
        "verification": verification,
        "known": {
            "key_matches": bool(registered and registered.key_id == package.key_id),
            "registered_key_id": registered.key_id if registered else None,
            "package": package,
        },
        "nav": "packages",
    }
    return render(request, "screening/verify.html", context)


@login_required
@GET_POST
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Verify a package file (as `harambee dd-package verify FILE`, plus the registered key)."""
    _member(request)
    form = VerifyForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "nav": "packages"}
    if request.method == "POST" and form.is_valid():
        try:
            verification, known = package_services.verify_file(form.cleaned_data["file"].read())
            found = known.get("package")
            visible = package_services.packages(user=request.user)
            if found is not None and visible.filter(pk=found.pk).exists():
                package_services.open_package(
                    actor=request.user, package=found, action=AccessAction.VERIFIED
                )
            else:
                known["package"] = None
            context.update(verification=verification, known=known)
        except package_services.PackageError as exc:
            apply_error(form, exc)
    return render(request, "screening/verify.html", context, status=400 if form.errors else 200)
