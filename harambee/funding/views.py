"""The money pages: a country's money, plans and their gaps, pooled funds, the flow explorer
(with any flow's chain and where its money ended up), transparency, and the exports.

Thin: selectors read (restricted to what the user may see), counting.py totals, charts.py lays
out the charts, exports.py writes files. Read-only: money comes in by import."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from harambee.activities.filtersets import query_code
from harambee.core.security import public
from harambee.core.views import paginate, partial_or_page
from harambee.network.views import filter_form, warn_invalid_filters
from harambee.places.models import Country

from . import charts, counting, exports, selectors
from .choices import Channel, CountingReason, PartyKind, Side
from .filtersets import FlowFilterSet, PlanFilterSet, PooledFundFilterSet
from .models import Flow

EXPORT_FORMATS = ("csv", "xlsx")
ISO3 = re.compile(r"[a-z]{3}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for key in ("page", *changes):
        query.pop(key, None)
    for key, value in changes.items():
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


def _export_links(request: HttpRequest, url: str) -> list[dict[str, str]]:
    labels = {"csv": _("CSV"), "xlsx": _("Excel")}
    return [
        {"label": label, "url": f"{url}?{_query(request, format=fmt)}"}
        for fmt, label in labels.items()
    ]


def _year(request: HttpRequest) -> int | None:
    raw = (request.GET.get("year") or "").strip()
    if raw.isdigit() and 1900 <= int(raw) <= 2200:
        return int(raw)
    return None


def _country(iso3: str) -> Country:
    code = query_code(iso3, 3).upper()
    country = Country.objects.filter(iso3=code).first() if ISO3.fullmatch(code.lower()) else None
    if country is None:
        raise Http404("No such country.")
    return country


def _file_name(*parts: str) -> str:
    stamp = timezone.localdate().isoformat()
    safe = [p for p in parts if p and re.fullmatch(r"[a-z0-9-]+", p)]
    return "-".join(["harambee-money", *safe, stamp])


def _file_response(
    fmt: str, name: str, tables: list[tuple[str, Any]], csv_rows: Any
) -> HttpResponseBase:
    if fmt == "xlsx":
        response: HttpResponseBase = HttpResponse(exports.xlsx_bytes(tables), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(
        exports.csv_lines(csv_rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _bad_format() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Unknown export format: choose csv or xlsx."), content_type="text/plain; charset=utf-8"
    )


# Home and the country page -------------------------------------------------------------------


@public("Money pages: public flows only for anonymous visitors; restricted per user.")
def money_home(request: HttpRequest) -> HttpResponse:
    """Choose a country; links to plans, pooled funds, the flow explorer and transparency."""
    code = query_code(request.GET.get("country"), 3).lower()
    if ISO3.fullmatch(code):
        year = _year(request)
        url = reverse("funding:country", args=[code.upper()])
        return redirect(f"{url}?year={year}" if year else url)
    context = {"countries": selectors.countries_with_flows(user=request.user)}
    return render(request, "funding/home.html", context)


def _diaspora(user: Any, country: Country, year: int | None) -> list[dict[str, Any]]:
    entries = selectors.aggregate_flows(user=user).filter(destination_country=country)
    if year:
        entries = entries.filter(period_start__year__lte=year, period_end__year__gte=year)
    return counting.diaspora_totals(entries)


def _share(part: Any, whole: Any) -> float | None:
    return float(part / whole * 100) if whole else None


def country_money(request: HttpRequest, iso3: str) -> HttpResponse:
    """All the money supporting a country: by donor, channel, sector, on/off budget and year;
    pledged vs committed vs paid; the flow diagram; diaspora money beside it."""
    country = _country(iso3)
    year = _year(request)
    money = selectors.country_money(user=request.user, country=country.iso3, year=year)
    context = {
        "country": country,
        "year": year,
        "years": selectors.years_of_country(user=request.user, country=country.iso3),
        "money": money,
        "on_budget_share": _share(money["on_budget_usd"], money["funding_total_usd"]),
        "diagram": charts.flow_diagram(money["links"]),
        "channel_labels": dict(Channel.choices),
        "diaspora": _diaspora(request.user, country, year),
        "excluded": _excluded(money["by_reason"]),
        "export_links": _export_links(
            request, reverse("funding:country-export", args=[country.iso3])
        ),
        "flows_query": _query(request, country=country.iso3),
        "plans": selectors.plans(user=request.user)
        .filter(countries=country)
        .filter(**({"year": year} if year else {}))
        .order_by("-year", "name")[:20],
    }
    return render(request, "funding/country.html", context)


def _excluded(by_reason: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    labels = dict(CountingReason.choices)
    return [
        {"key": key, "label": labels[key], **by_reason[key]}
        for key in CountingReason.values
        if key in by_reason
    ]


@require_GET
def country_export(request: HttpRequest, iso3: str) -> HttpResponseBase:
    fmt = request.GET.get("format") or "csv"
    if fmt not in EXPORT_FORMATS:
        return _bad_format()
    country = _country(iso3)
    year = _year(request)
    money = selectors.country_money(user=request.user, country=country.iso3, year=year)
    tables = exports.country_tables(money, _diaspora(request.user, country, year))
    name = _file_name(country.iso3.lower(), str(year or "all-years"))
    return _file_response(fmt, name, tables, exports.country_csv_rows(tables))


@public("Transparency of the money picture: restricted per user.")
def transparency(request: HttpRequest) -> HttpResponse:
    """Who reports the money of a country, how much is counted, and what is left out and why."""
    code = query_code(request.GET.get("country"), 3).upper()
    country = Country.objects.filter(iso3=code).first() if code else None
    year = _year(request)
    context: dict[str, Any] = {
        "country": country,
        "year": year,
        "countries": selectors.countries_with_flows(user=request.user) if country is None else [],
    }
    if country is not None:
        money = selectors.country_money(user=request.user, country=country.iso3, year=year)
        visible = selectors.visible_flows(user=request.user)
        scoped = counting.in_scope(visible, country=country.iso3, year=year)
        context.update(
            money=money,
            excluded=_excluded(money["by_reason"]),
            reporters=selectors.country_reporters(
                user=request.user, country=country.iso3, year=year
            ),
            reasons=[(k, v) for k, v in CountingReason.choices],
            parent_missing=scoped.filter(parent_missing=True).count(),
            not_specified=next(
                (r for r in money["by_sector"] if r["key"] == counting.NOT_SPECIFIED), None
            ),
            years=selectors.years_of_country(user=request.user, country=country.iso3),
            flows_query=_query(request),
        )
    return render(request, "funding/transparency.html", context)


# Plans ---------------------------------------------------------------------------------------


@public("Plans and their requirements: restricted per user.")
def plan_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.plan_list(user=request.user, filters=request.GET).order_by("-year", "name")
    form = filter_form(PlanFilterSet, request)
    if form is not None:
        warn_invalid_filters(request, PlanFilterSet)
    context = {"filter_form": form, "page_obj": paginate(request, queryset)}
    return partial_or_page(request, "funding/plan_list.html", "funding/_plan_results.html", context)


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plans(user=request.user), pk=pk)
    gap = selectors.plan_gap(user=request.user, plan=plan)
    context = {
        "plan": plan,
        "gap": gap,
        "bars": charts.gap_bars(gap["rows"] or ([gap["total"]] if gap["total"] else [])),
        "flows_query": f"plan={plan.pk}",
    }
    return render(request, "funding/plan_detail.html", context)


# Pooled funds --------------------------------------------------------------------------------


@public("Pooled funds: restricted per user.")
def pooled_fund_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        selectors.pooled_fund_list(user=request.user, filters=request.GET)
        .annotate(entry_count=Count("entries", distinct=True))
        .order_by("name")
    )
    form = filter_form(PooledFundFilterSet, request)
    if form is not None:
        warn_invalid_filters(request, PooledFundFilterSet)
    context = {"filter_form": form, "page_obj": paginate(request, queryset)}
    return partial_or_page(
        request, "funding/pooled_fund_list.html", "funding/_pooled_fund_results.html", context
    )


def pooled_fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(selectors.pooled_funds(user=request.user), pk=pk)
    stages = selectors.pooled_fund_stages(user=request.user, fund=fund)
    entries = (
        selectors.pooled_fund_entries(user=request.user, fund=fund)
        .select_related("organisation")
        .order_by("date", "pk")
    )
    context = {
        "fund": fund,
        "stages": stages,
        "entries": paginate(request, entries),
        "flows": selectors.pooled_fund_flows(user=request.user, fund=fund),
        "flows_query": f"pooled_fund={fund.pk}",
    }
    return render(request, "funding/pooled_fund_detail.html", context)


# Flows ---------------------------------------------------------------------------------------


def flow_filter_form(request: HttpRequest) -> Any:
    form = filter_form(FlowFilterSet, request)
    if form is None:
        return None
    warn_invalid_filters(request, FlowFilterSet)
    for name in ("organisation", "plan", "pooled_fund", "parent"):
        # Thousands of them make no list: these filters arrive from links.
        if name in form.fields:
            form.fields[name].widget = forms.HiddenInput()
    return form


@public("Flow explorer: restricted per user.")
def flow_list(request: HttpRequest) -> HttpResponse:
    """The flow explorer: any filter of the API, each flow counted or not, and why."""
    queryset = selectors.flow_list(user=request.user, filters=request.GET).select_related("fact")
    context = {
        "filter_form": flow_filter_form(request),
        "page_obj": paginate(request, queryset),
        "export_links": _export_links(request, reverse("funding:flow-export")),
        "reasons": dict(CountingReason.choices),
    }
    return partial_or_page(request, "funding/flow_list.html", "funding/_flow_results.html", context)


def match_sides(flow: Flow) -> dict[str, list[Any]]:
    sides: dict[str, list[Any]] = {Side.SOURCE: [], Side.DESTINATION: []}
    for party in flow.parties.all():
        sides[party.side].append(party)
    return sides


def flow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One flow: its parties, amounts and rate, whether it is counted and why, its parent
    chain, and where its money ended up (its children, their children...)."""
    flow = selectors.flow_get(user=request.user, pk=pk)
    chain = selectors.flow_chain(user=request.user, flow=flow)
    fact = getattr(flow, "fact", None)
    context = {
        "flow": flow,
        "sides": match_sides(flow),
        "ancestors": list(reversed(chain["ancestors"])),
        "descendants": selectors.flow_descendants(user=request.user, flow=flow),
        "reason": dict(CountingReason.choices).get(fact.reason) if fact else None,
        "counted": counting.is_counted(flow),
        "party_kinds": PartyKind,
    }
    return render(request, "funding/flow_detail.html", context)


@public("Export of the flow list: the same restricted rows, no personal data.")
@require_GET
def flow_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered flow list (same filters as the explorer), as CSV or XLSX."""
    fmt = request.GET.get("format") or "csv"
    if fmt not in EXPORT_FORMATS:
        return _bad_format()
    queryset = selectors.flow_list(user=request.user, filters=request.GET).order_by("pk")
    country = query_code(request.GET.get("country"), 3).lower()
    name = _file_name("flows", country if ISO3.fullmatch(country) else "")
    return _file_response(
        fmt,
        name,
        [(_("Flows"), exports.flow_table(queryset))],
        exports.flow_table(queryset),
    )
