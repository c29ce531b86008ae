"""Who does what where: the activity list, detail and forms, the map, the coverage matrix and
the exports. Thin: selectors and coverage.py read (restricted to what the user may see), forms
validate, activity_services.py writes."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.core.forms import attempt
from harambee.core.security import public
from harambee.core.services import require, require_create
from harambee.core.views import denials_as_403, is_partial, paginate, partial_or_page
from harambee.network.forms import DeleteForm
from harambee.network.selectors import history_rows
from harambee.network.views import GET_POST, filter_form, may, warn_invalid_filters
from harambee.places.models import AdminArea, Country, Emergency

from . import activity_services, coverage, exports, selectors
from .choices import AgeGroup, FigureKind, Sex
from .filtersets import ActivityFilterSet, query_code
from .forms import ActivityForm
from .models import Activity, PopulationGroup, Sector

MEASURES = {
    "organisations": gettext_lazy("Organisations"),
    "activities": gettext_lazy("Activities"),
    "in_need": gettext_lazy("People in need"),
    "targeted": gettext_lazy("People targeted"),
    "reached": gettext_lazy("People reached"),
}
SHAPES_MAX_AGE = 3600
EXPORT_FORMATS = ("csv", "xlsx", "geojson")
ISO3 = re.compile(r"[a-z]{3}")
HISTORY_ON_DETAIL = 20


def activity_filter_form(request: HttpRequest, *, drop: tuple[str, ...] = ()) -> Any:
    """The API's FilterSet form with lists to choose from where a code or id is expected."""
    form = filter_form(ActivityFilterSet, request, drop=drop)
    if form is None:
        return None
    # The whole page (not an htmx swap) says which filters were ignored, and why.
    warn_invalid_filters(request, ActivityFilterSet)
    country = query_code(request.GET.get("country")).upper()
    if "sector" in form.fields:
        sectors = Sector.objects.select_related("country").order_by("country_id", "name")
        if country:
            sectors = sectors.filter(country__isnull=True) | sectors.filter(country_id=country)
        choices = [("", _("Any")), *((s.code, str(s)) for s in sectors)]
        form.fields["sector"].widget = forms.Select(choices=choices)
        form.fields["sector"].help_text = ""
    if "population_group" in form.fields:
        groups = [(g.code, str(g)) for g in PopulationGroup.objects.all()]
        form.fields["population_group"].widget = forms.Select(choices=[("", _("Any")), *groups])
        form.fields["population_group"].help_text = ""
    if "emergency" in form.fields:
        emergencies = Emergency.objects.order_by("-start_date", "name")
        if country:
            emergencies = emergencies.filter(countries=country)
        choices = [("", _("Any")), *((e.pk, e.name) for e in emergencies[:200])]
        form.fields["emergency"].widget = forms.Select(choices=choices)
    for name in ("organisation", "import_batch"):
        if name in form.fields:
            # Thousands of organisations (or imports) make no list: the filter arrives from links.
            form.fields[name].widget = forms.HiddenInput()
    for name in ("start", "end"):
        if name in form.fields:
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    if "ordering" in form.fields and "ordering" in drop:
        form.fields.pop("ordering")
    return form


def _query(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for key in ("page", *changes):
        query.pop(key, None)
    for key, value in changes.items():
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


def _export_links(request: HttpRequest) -> list[dict[str, str]]:
    base = reverse("activities:export")
    labels = {"csv": _("CSV (HXL)"), "xlsx": _("Excel (HXL)"), "geojson": _("GeoJSON")}
    return [
        {"label": label, "url": f"{base}?{_query(request, format=fmt)}"}
        for fmt, label in labels.items()
    ]


# List, detail ---------------------------------------------------------------------------------


@public("Who does what where: public activities; rows restricted per user.")
def activity_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.activity_list(user=request.user, filters=request.GET)
    country = query_code(request.GET.get("country"), max_length=3).upper()
    context = {
        "filter_form": activity_filter_form(request),
        "page_obj": paginate(request, queryset),
        "can_create": request.user.is_authenticated
        and Activity.can_create(access_for(request.user)),
        "export_links": _export_links(request),
        "country": country,
        "map_query": _query(request),
    }
    return partial_or_page(request, "activities/list.html", "activities/_results.html", context)


def _figure_table(activity: Activity) -> list[dict[str, Any]]:
    """People figures by kind, with the sex × age breakdown the source gave."""
    kinds = dict(FigureKind.choices)
    sexes = dict(Sex.choices)
    ages = dict(AgeGroup.choices)
    rows: dict[str, dict[str, Any]] = {}
    totals = {
        FigureKind.IN_NEED: activity.people_in_need,
        FigureKind.TARGETED: activity.people_targeted,
        FigureKind.REACHED: activity.people_reached,
    }
    for kind, total in totals.items():
        if total is not None:
            rows[kind] = {"label": kinds[kind], "total": total, "parts": []}
    for figure in activity.figures.all():
        row = rows.setdefault(
            figure.kind, {"label": kinds[figure.kind], "total": None, "parts": []}
        )
        if figure.sex == Sex.ALL and figure.age_group == AgeGroup.ALL:
            row["total"] = figure.value if row["total"] is None else row["total"]
            continue
        row["parts"].append(
            {"sex": sexes[figure.sex], "age": ages[figure.age_group], "value": figure.value}
        )
    return [rows[k] for k in FigureKind.values if k in rows]


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get(user=user, pk=pk)
    context = {
        "activity": activity,
        "places": activity.places.all(),
        "other_organisations": activity.other_organisations.all(),
        "figures": _figure_table(activity),
        # Read with the activity: an import of another organisation is not named.
        "batch_visible": activity.import_batch_id is not None
        and getattr(activity, "import_batch_visible", False),
        # Visitors outside the network do not see who made each change.
        "history": history_rows(user=user, obj=activity, limit=HISTORY_ON_DETAIL),
        "can_change": may(user, Permission.CHANGE, activity),
        "can_delete": may(user, Permission.DELETE, activity),
    }
    return render(request, "activities/detail.html", context)


# Create, edit, delete -------------------------------------------------------------------------


@login_required
@denials_as_403
@GET_POST
def activity_create(request: HttpRequest) -> HttpResponse:
    require_create(request.user, Activity)
    initial = {}
    if request.GET.get("country"):
        initial["country"] = request.GET["country"].strip().upper()
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, activity = attempt(
            form,
            activity_services.activity_create,
            actor=request.user,
            data=data,
            m2m=m2m,
            places=form.place_data(),
        )
        if ok:
            messages.success(request, _("“%(object)s” was created.") % {"object": activity})
            return redirect(activity)
    return render(request, "activities/form.html", {"form": form, "creating": True})


@login_required
@denials_as_403
@GET_POST
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    require(request.user, Permission.CHANGE, activity)
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, m2m = form.service_data()
        ok, _result = attempt(
            form,
            activity_services.activity_update,
            actor=request.user,
            activity=activity,
            data=data,
            m2m=m2m,
            places=form.place_data(),
            expected_version=form.expected_version,
        )
        if ok:
            messages.success(request, _("Your changes were saved."))
            return redirect(activity)
    context = {"form": form, "activity": activity, "creating": False}
    return render(request, "activities/form.html", context)


@login_required
@denials_as_403
@GET_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    require(request.user, Permission.DELETE, activity)
    form = DeleteForm(
        request.POST if request.method == "POST" else None, initial={"version": activity.version}
    )
    if request.method == "POST" and form.is_valid():
        ok, _result = attempt(
            form,
            activity_services.activity_delete,
            actor=request.user,
            activity=activity,
            expected_version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("“%(object)s” was deleted.") % {"object": activity})
            return redirect("activities:activity-list")
    context = {"object": activity, "form": form, "cancel_url": activity.get_absolute_url()}
    return render(request, "network/confirm_delete.html", context)


# Map and coverage -----------------------------------------------------------------------------


def _countries_with_activities(user: Any) -> list[dict[str, Any]]:
    rows = (
        selectors.visible_activities(user=user)
        .order_by()
        .values("country_id", "country__name")
        .annotate(n=Count("pk"))
        .order_by("country__name")
    )
    return [
        {"iso3": r["country_id"], "name": r["country__name"], "activities": r["n"]} for r in rows
    ]


def _level(request: HttpRequest) -> int:
    try:
        return max(1, min(coverage.MAX_LEVEL, int(request.GET.get("level") or 1)))
    except ValueError:
        return 1


def _country(request: HttpRequest) -> Country | None:
    raw = (request.GET.get("country") or "").strip()
    if not raw:
        return None
    code = query_code(raw, max_length=3).upper()
    country = Country.objects.filter(iso3=code).first() if code else None
    if country is None:
        raise Http404("No such country.")
    return country


def _analysis_context(request: HttpRequest, *, cells: bool) -> dict[str, Any]:
    country = _country(request)
    context: dict[str, Any] = {
        "filter_form": activity_filter_form(request, drop=("ordering", "country")),
        "country": country,
        "level": _level(request),
    }
    if country is None:
        context["countries"] = _countries_with_activities(request.user)
        return context
    result = coverage.coverage(
        user=request.user,
        country=country,
        level=context["level"],
        filters=request.GET,
        cells=cells,
    )
    context.update(
        coverage=result,
        level=result.level,
        query=_query(request),
        query_without_level=_query(request, level=None),
        list_url=f"{reverse('activities:activity-list')}?{_query(request)}",
    )
    return context


@public("Map of presence: counts over the activities the user may see.")
def activity_map(request: HttpRequest) -> HttpResponse:
    """Admin areas coloured by how many organisations are present; a click lists them."""
    context = _analysis_context(request, cells=False)
    result = context.get("coverage")
    if result is not None:
        context["map_data"] = result.map_data()
        context["shapes_url"] = reverse(
            "activities:activity-map-shapes", args=[result.country.iso3, result.level]
        )
    return partial_or_page(request, "activities/map.html", "activities/_map_results.html", context)


@require_GET
def activity_map_shapes(request: HttpRequest, iso3: str, level: int) -> JsonResponse:
    """The imported boundaries of a country's areas at one level, as GeoJSON (reference data,
    the same for everyone: cached by the browser)."""
    if not ISO3.fullmatch(iso3.lower()):
        raise Http404("No such country.")
    rows = (
        AdminArea.objects.filter(country_id=iso3.upper(), level=level, boundary__isnull=False)
        .order_by("pcode")
        .values_list("pcode", "name", "boundary")
    )
    features = [
        {
            "type": "Feature",
            "id": pcode,
            "properties": {"pcode": pcode, "name": name},
            "geometry": g,
        }
        for pcode, name, g in rows
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = f"public, max-age={SHAPES_MAX_AGE}"
    return response


def activity_map_area(request: HttpRequest) -> HttpResponse:
    """Who is present in one area, for the map's side panel (and as a page without scripts)."""
    pcode = request.GET.get("area") or ""
    filters = QueryDict(mutable=True)
    filters.update(request.GET)
    filters.pop("area", None)
    presence = coverage.area_presence(user=request.user, pcode=pcode, filters=filters)
    area = presence["area"]
    context = {
        **presence,
        "list_url": reverse("activities:activity-list")
        + "?"
        + _query(request, area=None, admin_area=area.pcode, country=area.country_id),
    }
    template = "activities/_area_panel.html" if is_partial(request) else "activities/area.html"
    return render(request, template, context)


@public("Coverage matrix: restricted per user; small people figures hidden for anonymous visitors.")
def coverage_matrix(request: HttpRequest) -> HttpResponse:
    """Sector × admin area: how many organisations, where nobody is, people in need and reached."""
    context = _analysis_context(request, cells=True)
    measure = request.GET.get("measure") or "organisations"
    context["measure"] = measure if measure in MEASURES else "organisations"
    result = context.get("coverage")
    if result is not None and not request.user.is_authenticated:
        # Public view: no small people figure, nor one that totals would give away.
        coverage.protect_people_figures(result)
    context["measures"] = MEASURES
    return partial_or_page(
        request, "activities/coverage.html", "activities/_coverage_results.html", context
    )


# Exports --------------------------------------------------------------------------------------


@public("Export of the list: the same restricted rows, no personal data.")
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """Any filtered list, as HXL CSV, XLSX or GeoJSON (same filters as the list)."""
    fmt = request.GET.get("format") or "csv"
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(
            _("Unknown export format: choose csv, xlsx or geojson."),
            content_type="text/plain; charset=utf-8",
        )
    shapes = request.GET.get("shapes") in {"1", "true", "yes"}
    queryset = exports.export_queryset(
        selectors.filtered_activities(user=request.user, filters=request.GET),
        request.user,
        shapes=shapes and fmt == "geojson",
    )
    stamp = timezone.localdate().isoformat()
    # The file name goes into a header: only an ISO3 code from the query, nothing else.
    country = (request.GET.get("country") or "").strip().lower()
    name = f"harambee-3w-{country if ISO3.fullmatch(country) else 'all'}-{stamp}"
    if fmt == "xlsx":
        response: HttpResponse | StreamingHttpResponse = HttpResponse(
            exports.xlsx_bytes(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    elif fmt == "geojson":
        response = StreamingHttpResponse(
            exports.geojson_chunks(queryset, shapes=shapes), content_type="application/geo+json"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.geojson"'
    else:
        response = StreamingHttpResponse(
            exports.csv_lines(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
