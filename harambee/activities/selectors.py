"""Reads for the activity pages, the API and the exports. Each one restricts to the activities
the user may see and loads related rows up front, so a list costs the same few queries whatever
its length.

The rule for organisations the user may not see: an activity whose implementing organisation
is hidden from the user is left out everywhere (list, detail, map, coverage, exports, API,
"where we work"), so no page names that organisation and every count matches what can be seen.
Other organisations (funding, partner, reporting) the user may not see are left out of the
activity; the maintaining organisation is shown only when visible ("owner_organisation_visible").
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from harambee.core.access import access_for
from harambee.core.choices import Permission
from harambee.network.models import Organisation
from harambee.network.selectors import visible_organisation

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
    ImportBatch,
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
    """The activities the user may see, nothing loaded beyond the row: for aggregates.

    Only those whose implementing organisation the user may see too (a subquery in the same
    query, never one more query)."""
    access = access_for(user)
    queryset = Activity.objects.restrict_access(access, Permission.VIEW)
    if Organisation.permission_filter(access, Permission.VIEW) is None:
        return queryset  # platform admins see every organisation
    organisations = Organisation.objects.restrict_access(access, Permission.VIEW)
    return queryset.filter(implementing_organisation__in=organisations.values("pk"))


def activities(*, user: Any) -> QuerySet[Activity]:
    """Activities the user may see, ready for a list or the API (places with their areas, other
    organisations only when the user may see them, population groups, figures)."""
    # Boundaries can weigh megabytes: never read them for a list.
    places = ActivityPlace.objects.select_related("admin_area").defer("admin_area__boundary")
    others = ActivityOrganisation.objects.filter(
        organisation__in=Organisation.objects.restrict(user, Permission.VIEW)
    ).select_related("organisation")
    batches = ImportBatch.objects.restrict(user, Permission.VIEW).filter(
        pk=OuterRef("import_batch_id")
    )
    return (
        visible_activities(user=user)
        .annotate(
            owner_organisation_visible=visible_organisation(user, "owner_organisation_id"),
            import_batch_visible=Exists(batches),
        )
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


def import_report(*, user: Any, report: dict[str, Any] | None) -> dict[str, Any]:
    """A batch's report as the user may see it (pages and API; two queries at most).

    The importer matches a file's names against every organisation, so that nobody registers
    one twice, and compares rows with the activities already stored. What it found must not
    name what the user may not see: candidates the user may not see are left out, a match to
    such an organisation keeps no id or name ("hidden": true), and the changes it would make
    to activities the user may not see are left out.
    """
    report = dict(report or {})
    section = dict(report.get("organisations") or {})
    items = list(section.get("items") or [])
    wanted: set[int] = set()
    for item in items:
        if item.get("organisation") and item["organisation"].get("id") is not None:
            wanted.add(item["organisation"]["id"])
        wanted |= {c["id"] for c in item.get("candidates") or [] if c.get("id") is not None}
    if wanted:
        visible = set(
            Organisation.objects.restrict(user, Permission.VIEW)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        section["items"] = [_visible_item(item, visible) for item in items]
        report["organisations"] = section
    changes = report.get("changes") or []
    keys = {change.get("key") for change in changes if change.get("key")}
    if keys:
        seen = set(
            visible_activities(user=user)
            .filter(source_key__in=keys)
            .values_list("source_key", flat=True)
        )
        report["changes"] = [change for change in changes if change.get("key") in seen]
    return report


def _visible_item(item: dict[str, Any], visible: set[int]) -> dict[str, Any]:
    item = dict(item)
    item["candidates"] = [c for c in item.get("candidates") or [] if c.get("id") in visible]
    match = item.get("organisation")
    if match and match.get("id") is not None and match["id"] not in visible:
        item["organisation"] = {"id": None, "name": None, "hidden": True}
    return item
