"""Data protection pages: find a person's data, export, correct, erase; the access log."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harambee.core.errors import ServiceError
from harambee.core.forms import apply_error
from harambee.core.models import ChangeRecord
from harambee.core.views import paginate

from . import services
from .access import is_data_protection_officer
from .forms import AccessLogFilterForm, CorrectForm, FindForm
from .models import AccessLog, RetentionRun
from .registry import personal_data


def dpo_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in (else the log-in page) and a data protection officer (else 403)."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_data_protection_officer(request.user):
            raise PermissionDenied(_("Only data protection officers may open this page."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _match(request: HttpRequest, label: str, pk: str) -> services.Match:
    try:
        return services.get_record(actor=request.user, label=label, pk=pk, request=request)
    except ServiceError as exc:
        raise Http404(exc.message) from exc


@dpo_required
def home(request: HttpRequest) -> HttpResponse:
    """Find a person's records (POST: the query never goes into a URL or a server log)."""
    form = FindForm(request.POST or None)
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = services.find_person(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            request=request,
        )
        if "export" in request.POST:
            data = services.export_person(actor=request.user, matches=matches, request=request)
            response = HttpResponse(
                json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
            return response
    now = timezone.now()
    rules = []
    for entry in personal_data:
        due = services.due_for_erasure(entry, now)
        rules.append(
            {
                "label": entry.label,
                "name": entry.model._meta.verbose_name_plural,
                "days": entry.days,
                "date_field": entry.date_label,
                "fields": [f.verbose_name for f in entry.fields],
                "due": None if due is None else due.count(),
            }
        )
    context = {
        "form": form,
        "matches": matches,
        "rules": rules,
        "last_run": RetentionRun.objects.filter(dry_run=False).first(),
    }
    return render(request, "privacy/home.html", context)


@dpo_required
def record(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    """One record's personal data, consents and history; correct or erase it."""
    match = _match(request, label, pk)
    form = CorrectForm(request.POST or None, entry=match.entry, initial_values=match.personal())
    if request.method == "POST" and form.is_valid():
        changes = form.changed()
        if changes:
            try:
                services.correct_record(
                    actor=request.user, match=match, data=changes, request=request
                )
            except (ServiceError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The record was corrected."))
                return redirect(request.path)
        else:
            messages.info(request, _("Nothing was changed."))
    context = {
        "match": match,
        "pending": match.pending(),
        "form": form,
        "consents": services.consents_for(match.record),
        "changes": ChangeRecord.objects.for_object(match.record)[:50],
    }
    return render(request, "privacy/record.html", context)


@dpo_required
@require_POST
def erase(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    match = _match(request, label, pk)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("privacy:record", label=label, pk=pk)
    services.erase_record(actor=request.user, match=match, request=request)
    messages.success(request, _("The person's data was erased from this record."))
    return redirect("privacy:record", label=label, pk=pk)


@dpo_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who looked at whose personal data (for the data protection officer)."""
    form = AccessLogFilterForm(request.GET or None)
    entries = AccessLog.objects.select_related("content_type")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            entries = entries.filter(user_name__iexact=data["user"].strip())
        if data["kind"]:
            app_label, _sep, model = data["kind"].strip().lower().partition(".")
            entries = entries.filter(
                content_type__in=ContentType.objects.filter(app_label=app_label, model=model)
            )
        if data["record"]:
            entries = entries.filter(object_id=data["record"].strip())
    page = paginate(request, entries, per_page=50)
    return render(request, "privacy/access_log.html", {"form": form, "page": page})


def record_url(label: str, pk: Any) -> str:
    return reverse("privacy:record", kwargs={"label": label, "pk": pk})
