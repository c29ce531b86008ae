"""Reads for the activity pages, the API and the exports. Each one restricts to the activities
the user may see and loads related rows up front, so a list costs the same few queries whatever
its length."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from harambee.core.choices import Permission
from harambee.network.models import Organisation

from .filtersets import (
    ActivityFilterSet,
    PopulationGroupFilterSet,
    SectorFilterSet,
    UserRequest,
)
from .models import (
    Activity,
    ActivityFigure,
    ActivityOrganisation,
    ActivityPlace,
    PopulationGroup,
    Sector,
)


def filtered(
    filterset_class: Any, queryset: QuerySet[Any], user: Any, filters: Any
) -> QuerySet[Any]:
    """Apply the shared FilterSet; invalid values are ignored, as a list page would."""
    if not filters:
        return queryset
    return filterset_class(data=filters, queryset=queryset, request=UserRequest(user)).qs


def visible_activities(*, user: Any) -> QuerySet[Activity]:
    """The activities the user may see, nothing loaded beyond the row: for aggregates."""
    return Activity.objects.restrict(user, Permission.VIEW)


def activities(*, user: Any) -> QuerySet[Activity]:
    """Activities the user may see, ready for a list or the API (places with their areas, other
    organisations only when the user may see them, population groups, figures)."""
    # Boundaries can weigh megabytes: never read them for a list.
    places = ActivityPlace.objects.select_related("admin_area").defer("admin_area__boundary")
    others = ActivityOrganisation.objects.filter(
        organisation__in=Organisation.objects.restrict(user, Permission.VIEW)
    ).select_related("organisation")
    return (
        visible_activities(user=user)
        .select_related("country", "implementing_organisation", "sector", "emergency")
        .prefetch_related(
            Prefetch("places", queryset=places),
            Prefetch("other_organisations", queryset=others),
            "population_groups",
            Prefetch("figures", queryset=ActivityFigure.objects.all()),
            "shared_with",
        )
    )


def activity_list(*, user: Any, filters: Any = None) -> QuerySet[Activity]:
    return filtered(ActivityFilterSet, activities(user=user), user, filters)


def filtered_activities(*, user: Any, filters: Any = None) -> QuerySet[Activity]:
    """The filtered activities without prefetches: the base of the map, matrix and panels."""
    return filtered(ActivityFilterSet, visible_activities(user=user), user, filters)


def activity_get(*, user: Any, pk: Any) -> Activity:
    try:
        return activities(user=user).select_related("import_batch").get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such activity.") from exc


def sectors(*, user: Any) -> QuerySet[Sector]:
    return Sector.objects.restrict(user, Permission.VIEW).select_related("country")


def sector_list(*, user: Any, filters: Any = None) -> QuerySet[Sector]:
    return filtered(SectorFilterSet, sectors(user=user), user, filters)


def population_groups(*, user: Any) -> QuerySet[PopulationGroup]:
    return PopulationGroup.objects.restrict(user, Permission.VIEW)


def population_group_list(*, user: Any, filters: Any = None) -> QuerySet[PopulationGroup]:
    return filtered(PopulationGroupFilterSet, population_groups(user=user), user, filters)


def organisation_presence(*, user: Any, organisation: Organisation) -> dict[str, Any]:
    """Where an organisation works, from the activities the user may see: activity counts by
    country and sector, and the number of admin areas (two queries)."""
    own = visible_activities(user=user).filter(implementing_organisation=organisation)
    rows = list(
        own.values(
            "country_id",
            "country__name",
            "sector_id",
            "sector__name",
            "sector__code",
            "sector__country_id",
        )
        .annotate(n=Count("pk"))
        .order_by("country__name", "-n", "sector__name")
    )
    areas = dict(
        ActivityPlace.objects.filter(activity__in=own.values("pk"), admin_area__isnull=False)
        .values("activity__country_id")
        .annotate(n=Count("admin_area_id", distinct=True))
        .values_list("activity__country_id", "n")
    )
    countries: dict[str, dict[str, Any]] = {}
    for row in rows:
        country = countries.setdefault(
            row["country_id"],
            {
                "iso3": row["country_id"],
                "name": row["country__name"],
                "activities": 0,
                "areas": areas.get(row["country_id"], 0),
                "sectors": [],
            },
        )
        country["activities"] += row["n"]
        sector = Sector(
            pk=row["sector_id"],
            name=row["sector__name"],
            code=row["sector__code"],
            country_id=row["sector__country_id"],
        )
        country["sectors"].append(
            {"code": sector.code, "name": str(sector), "activities": row["n"]}
        )
    return {
        "countries": list(countries.values()),
        "activities": sum(c["activities"] for c in countries.values()),
    }


def group_presence(*, user: Any, group: Any) -> dict[str, Any]:
    """Where a group's current members work, from the activities the user may see.

    A country group: its members' organisations, activities and admin areas in its country by
    sector. Another group: the same by country. Three queries.
    """
    filters: dict[str, Any] = {"group": group.pk}
    if group.country_id:
        filters["country"] = group.country_id
    members = filtered_activities(user=user, filters=filters).order_by()
    by: tuple[str, ...] = ("sector_id", "sector__name", "sector__code", "sector__country_id")
    if not group.country_id:
        by = ("country_id", "country__name")
    rows = list(
        members.values(*by)
        .annotate(
            organisations=Count("implementing_organisation_id", distinct=True),
            activities=Count("pk"),
        )
        .order_by("-organisations", "-activities")
    )
    totals = members.aggregate(
        organisations=Count("implementing_organisation_id", distinct=True), activities=Count("pk")
    )
    areas = (
        ActivityPlace.objects.filter(activity__in=members.values("pk"), admin_area__isnull=False)
        .values("admin_area_id")
        .distinct()
        .count()
    )
    for row in rows:
        if "sector_id" in row:
            row["name"] = str(
                Sector(
                    pk=row["sector_id"],
                    name=row["sector__name"],
                    code=row["sector__code"],
                    country_id=row["sector__country_id"],
                )
            )
            row["code"] = row["sector__code"]
        else:
            row["name"] = row["country__name"]
            row["code"] = row["country_id"]
    return {
        "by_sector": bool(group.country_id),
        "rows": rows,
        "organisations": totals["organisations"] or 0,
        "activities": totals["activities"] or 0,
        "areas": areas,
    }
