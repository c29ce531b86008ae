"""Pages: countries, admin areas (with a map), emergencies and their editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.core.errors import VERSION_MISSING, PermissionDeniedError, StaleVersionError
from harambee.core.security import public

from .filtersets import AdminAreaFilterSet, CountryFilterSet, EmergencyFilterSet
from .forms import EmergencyForm
from .models import AdminArea, Country, Emergency
from .services import emergency_create, emergency_delete, emergency_update

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _count(queryset: QuerySet[Any], field: str) -> Coalesce:
    """A correlated COUNT subquery: no join, so several counts do not multiply each other."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _warn_invalid(request: HttpRequest, filterset: Any) -> None:
    """An invalid filter value (an admin level out of range, a bad date) is ignored; say so."""
    if not filterset.is_bound or filterset.is_valid():
        return
    for name, errors in filterset.errors.items():
        label = filterset.filters[name].label if name in filterset.filters else name
        messages.warning(
            request,
            _("The filter “%(filter)s” was ignored: %(error)s")
            % {"filter": label, "error": " ".join(errors)},
        )


def _valid_filters(filterset: Any) -> QuerySet[Any]:
    """The filterset's rows, leaving out only the filters whose values are invalid."""
    filterset.is_valid()
    return filterset.filter_queryset(filterset.queryset.all())


def _emergency_rows(user: Any) -> QuerySet[Emergency]:
    return Emergency.objects.restrict(user, Permission.VIEW).prefetch_related("countries")


# Countries and admin areas -------------------------------------------------------------


@public("Reference data: countries.")
def country_list(request: HttpRequest) -> HttpResponse:
    countries = Country.objects.restrict(request.user, Permission.VIEW).annotate(
        area_count=_count(AdminArea.objects.all(), "country"),
        emergency_count=_count(Emergency.countries.through.objects.all(), "country"),
    )
    filterset = CountryFilterSet(request.GET or None, queryset=countries)
    _warn_invalid(request, filterset)
    rows = _valid_filters(filterset) if filterset.is_bound else countries
    context = {
        "filterset": filterset,
        "page": _page(request, rows.order_by("name")),
        "query": _query_without_page(request),
    }
    return render(request, "places/country_list.html", context)


def country_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    country = get_object_or_404(
        Country.objects.restrict(request.user, Permission.VIEW), iso3=iso3.upper()
    )
    areas = AdminArea.objects.restrict(request.user, Permission.VIEW).defer("boundary")
    search = AdminAreaFilterSet(request.GET, queryset=areas.filter(country=country))
    searching = bool(request.GET.get("q", "").strip() or request.GET.get("level"))
    results = None
    if searching:
        _warn_invalid(request, search)
        rows = _valid_filters(search)
        results = _page(request, rows.select_related("parent").defer("parent__boundary"))
    level_one = (
        areas.filter(country=country, level=1)
        .annotate(child_count=_count(AdminArea.objects.all(), "parent"))
        .order_by("name")
    )
    context = {
        "country": country,
        "search": search,
        "results": results,
        "query": _query_without_page(request),
        "level_one": level_one,
        "area_count": areas.filter(country=country).count(),
        "emergencies": _emergency_rows(request.user).filter(countries=country),
    }
    return render(request, "places/country_detail.html", context)


def _map_data(area: AdminArea) -> dict[str, Any] | None:
    """What the page's map draws: the boundary, else the centre point, as GeoJSON."""
    if area.boundary:
        return {"type": "Feature", "geometry": area.boundary, "properties": {"kind": "boundary"}}
    if area.latitude is not None and area.longitude is not None:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [area.longitude, area.latitude]},
            "properties": {"kind": "point"},
        }
    return None


def area_detail(request: HttpRequest, pcode: str) -> HttpResponse:
    area = get_object_or_404(
        AdminArea.objects.restrict(request.user, Permission.VIEW)
        .select_related("country", "parent__parent__parent")
        .defer("parent__boundary", "parent__parent__boundary", "parent__parent__parent__boundary"),
        pcode=pcode,
    )
    ancestors: list[AdminArea] = []
    parent = area.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    children = (
        AdminArea.objects.restrict(request.user, Permission.VIEW)
        .filter(parent=area)
        .defer("boundary")
        .annotate(child_count=_count(AdminArea.objects.all(), "parent"))
        .order_by("name")
    )
    context = {
        "area": area,
        "ancestors": ancestors,
        "children": children,
        "map_data": _map_data(area),
        "emergencies": _emergency_rows(request.user).filter(countries=area.country_id),
    }
    return render(request, "places/area_detail.html", context)


# Emergencies ---------------------------------------------------------------------------


@public("Reference data: emergencies.")
def emergency_list(request: HttpRequest) -> HttpResponse:
    rows = _emergency_rows(request.user)
    filterset = EmergencyFilterSet(request.GET or None, queryset=rows)
    if filterset.is_bound:
        _warn_invalid(request, filterset)
        rows = _valid_filters(filterset)
    context = {
        "filterset": filterset,
        "page": _page(request, rows),
        "query": _query_without_page(request),
        "can_create": Emergency.can_create(access_for(request.user)),
    }
    return render(request, "places/emergency_list.html", context)


def _allowed(user: Any, action: str, emergency: Emergency) -> bool:
    return Emergency.objects.restrict(user, action).filter(pk=emergency.pk).exists()


def emergency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    emergency = get_object_or_404(_emergency_rows(request.user), pk=pk)
    context = {
        "emergency": emergency,
        "can_change": _allowed(request.user, Permission.CHANGE, emergency),
        "can_delete": _allowed(request.user, Permission.DELETE, emergency),
    }
    return render(request, "places/emergency_detail.html", context)


def _deny(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("You do not have permission to do this."))


def _save(
    request: HttpRequest, form: EmergencyForm, emergency: Emergency | None
) -> Emergency | None:
    """Run the service; put its refusals on the form. The saved emergency, or None."""
    data = {
        name: form.cleaned_data[name]
        for name in ("name", "glide", "emergency_type", "start_date", "end_date", "description")
    }
    m2m = {"countries": list(form.cleaned_data["countries"])}
    try:
        if emergency is None:
            return emergency_create(actor=request.user, data=data, m2m=m2m)
        return emergency_update(
            actor=request.user,
            emergency=emergency,
            data=data,
            expected_version=form.cleaned_data["version"],
            m2m=m2m,
        )
    except StaleVersionError as exc:
        form.add_error(None, exc.message)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


@require_http_methods(["GET", "POST"])
def emergency_create_view(request: HttpRequest) -> HttpResponse:
    if not Emergency.can_create(access_for(request.user)):
        return _deny(request)
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        emergency = _save(request, form, None)
        if emergency is not None:
            messages.success(request, _("Emergency “%(name)s” added.") % {"name": emergency})
            return redirect(emergency)
    return render(request, "places/emergency_form.html", {"form": form, "emergency": None})


@require_http_methods(["GET", "POST"])
def emergency_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    emergency = get_object_or_404(_emergency_rows(request.user), pk=pk)
    if not _allowed(request.user, Permission.CHANGE, emergency):
        return _deny(request)
    form = EmergencyForm(request.POST or None, instance=emergency)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, Emergency.objects.get(pk=pk))
        if saved is not None:
            messages.success(request, _("Emergency “%(name)s” saved.") % {"name": saved})
            return redirect(saved)
    return render(request, "places/emergency_form.html", {"form": form, "emergency": emergency})


@require_http_methods(["GET", "POST"])
def emergency_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    emergency = get_object_or_404(_emergency_rows(request.user), pk=pk)
    if not _allowed(request.user, Permission.DELETE, emergency):
        return _deny(request)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            # Never fall back to the current version: that would delete blind.
            messages.error(request, str(VERSION_MISSING) + " " + _("It was not deleted."))
            context = {"emergency": emergency}
            return render(request, "places/emergency_confirm_delete.html", context, status=400)
        try:
            emergency_delete(actor=request.user, emergency=emergency, expected_version=version)
        except StaleVersionError as exc:
            messages.error(request, exc.message + " " + _("It was not deleted."))
            return redirect(emergency)
        messages.success(request, _("Emergency “%(name)s” deleted.") % {"name": emergency})
        return redirect("places:emergency-list")
    return render(request, "places/emergency_confirm_delete.html", {"emergency": emergency})
