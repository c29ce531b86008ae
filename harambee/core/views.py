"""Home, global search, the user's profile, and what every page view shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from harambee.network.choices import GroupKind, OrganisationType, RequestStatus
from harambee.network.models import Group, GroupRole, Organisation, Request
from harambee.places.models import AdminArea, Country

from .errors import PermissionDeniedError
from .forms import LanguageForm, SearchForm, TokenForm
from .models import User
from .security import any_user, public
from .two_factor import two_factor_context

PAGE_SIZE = 25


def denials_as_403(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A service's PermissionDeniedError becomes the 403 page, with the service's message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False)


def partial_or_page(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """htmx asks for the results only (filters, pages); everyone else gets the whole page."""
    if is_partial(request):
        return render(request, partial, context)
    return render(request, page, context)


@public("Home page: public records only, restricted per user.")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisations = Organisation.objects.restrict(user)
    type_labels = dict(OrganisationType.choices)
    by_type = [
        {"value": row["org_type"], "label": type_labels.get(row["org_type"]), "count": row["n"]}
        for row in organisations.values("org_type").annotate(n=Count("pk")).order_by("-n")
    ]
    country_groups = list(
        Group.objects.restrict(user)
        .filter(kind=GroupKind.COUNTRY)
        .select_related("country")
        .order_by("country__name", "name")
    )
    groups = Group.objects.restrict(user)
    countries = {g.country_id for g in country_groups}
    countries |= set(
        organisations.exclude(hq_country=None).values_list("hq_country_id", flat=True).distinct()
    )
    countries |= set(
        Country.objects.filter(operating_organisations__in=organisations)
        .values_list("iso3", flat=True)
        .distinct()
    )
    requests = Request.objects.restrict(user)
    map_countries: dict[str, dict[str, Any]] = {}
    for group in country_groups:
        entry = map_countries.setdefault(
            group.country_id,
            {"numeric": group.country.numeric, "name": group.country.name, "groups": []},
        )
        entry["groups"].append({"name": group.name, "url": group.get_absolute_url()})
    context = {
        "organisation_count": sum(row["count"] for row in by_type),
        "organisations_by_type": by_type,
        "group_count": groups.count(),
        "open_request_count": requests.filter(status=RequestStatus.OPEN).count(),
        "country_count": len(countries),
        "country_groups": country_groups,
        "map_countries": list(map_countries.values()),
        "latest_requests": requests.select_related(
            "from_group", "to_group", "to_organisation"
        ).order_by("-created_at", "-pk")[:5],
    }
    return render(request, "core/home.html", context)


FUZZY_MIN_LENGTH = 3
FUZZY_SCORE = 80.0


def search_organisations(user: Any, query: str, limit: int = 20) -> list[Organisation]:
    """Name, acronym or other names; typos tolerated by fuzzy matching of normalised names.

    The fuzzy part runs over the duplicate finder's cached index of every organisation's
    normalised names; only the best matches the user may see are read from the database.
    """
    from rapidfuzz import fuzz, process

    from harambee.network.duplicates import find_duplicates, get_index, normalise_name

    visible = Organisation.objects.restrict(user)
    direct = visible.filter(
        Q(name__icontains=query) | Q(acronym__iexact=query) | Q(other_names__icontains=query)
    ).order_by("name")[:limit]
    scores: dict[int, float] = {o.pk: 101.0 for o in direct}
    objects: dict[int, Organisation] = {o.pk: o for o in direct}
    target = normalise_name(query)
    if len(query) >= FUZZY_MIN_LENGTH and target and len(scores) < limit:
        index = get_index()
        for _choice, score, i in process.extract(
            target,
            index.sorted_names,
            scorer=fuzz.WRatio,
            score_cutoff=FUZZY_SCORE,
            limit=limit * 4,
        ):
            pk = index.pks[i]
            scores[pk] = max(scores.get(pk, 0.0), score)
        for candidate in find_duplicates(query, query, limit=limit, queryset=visible):
            pk = candidate.organisation.pk
            scores[pk] = max(scores.get(pk, 0.0), candidate.score)
            objects.setdefault(pk, candidate.organisation)
        missing = [pk for pk in scores if pk not in objects]
        objects.update({o.pk: o for o in visible.filter(pk__in=missing)})
    ranked = sorted((o for pk, o in objects.items()), key=lambda o: (-scores[o.pk], o.name.lower()))
    return ranked[:limit]


@public("Search: every result set is restricted to what the user may see.")
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results: dict[str, Any] = {}
    if query:
        user = request.user
        results = {
            "organisations": search_organisations(user, query),
            "groups": list(
                Group.objects.restrict(user)
                .filter(Q(name__icontains=query) | Q(country__name__icontains=query))
                .select_related("country")[:20]
            ),
            "requests": list(
                Request.objects.restrict(user)
                .filter(Q(title__icontains=query) | Q(rationale__icontains=query))
                .select_related("from_group")[:20]
            ),
            "countries": list(
                Country.objects.restrict(user).filter(
                    Q(name__icontains=query)
                    | Q(official_name__icontains=query)
                    | Q(iso3__iexact=query)
                    | Q(iso2__iexact=query)
                )[:20]
            ),
            "admin_areas": list(
                AdminArea.objects.restrict(user)
                .filter(Q(name__icontains=query) | Q(pcode__iexact=query))
                .select_related("country")[:20]
            ),
        }
    context = {
        "form": form,
        "query": query,
        "results": results,
        "result_count": sum(len(v) for v in results.values()),
    }
    return render(request, "core/search.html", context)


def _profile_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = cast(User, request.user)  # only called behind login_required
    return {
        "organisation": user.organisation,
        "group_roles": GroupRole.objects.filter(user=user).select_related("group"),
        "token": Token.objects.filter(user=user).first(),
        "language_form": LanguageForm(initial={"language": get_language()}),
        **two_factor_context(user),
        **extra,
    }


@any_user("The user's own profile.")
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "core/profile.html", _profile_context(request))


@any_user("The user's own API token.")
@login_required
@require_POST
def profile_token(request: HttpRequest) -> HttpResponse:
    """Create, regenerate or revoke the user's API token; the key is shown once, here."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return redirect("profile")
    action = form.cleaned_data["action"]
    user = cast(User, request.user)
    Token.objects.filter(user=user).delete()
    if action == "revoke":
        messages.success(request, _("Your API token was revoked."))
        return redirect("profile")
    token = Token.objects.create(user=user)
    context = _profile_context(request, new_key=token.key)
    return render(request, "core/profile.html", context)
