"""Exports of any filtered list of activities: HXL-tagged CSV and XLSX (one row per place, the
3W layout the importer reads back), and GeoJSON (one feature per place).

No personal data: no contact people, no user names; only what the activity pages show.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from harambee.core.choices import Permission
from harambee.network.models import Organisation

from .choices import AgeGroup, FigureKind, OrganisationRole, Sex
from .models import Activity, ActivityOrganisation, ActivityPlace

CHUNK = 2000
ADM_LEVELS = (1, 2, 3)
FIGURE_TAGS: dict[str, str] = {
    FigureKind.IN_NEED: "#inneed",
    FigureKind.TARGETED: "#targeted",
    FigureKind.REACHED: "#reached",
}
SEX_ATTRIBUTES: dict[str, str] = {Sex.FEMALE: "+f", Sex.MALE: "+m", Sex.ALL: ""}
AGE_ATTRIBUTES: dict[str, str] = {
    AgeGroup.CHILDREN: "+children",
    AgeGroup.ADULTS: "+adults",
    AgeGroup.OLDER: "+elderly",
    AgeGroup.ALL: "",
}
ROLE_TAGS: dict[str, str] = {
    OrganisationRole.FUNDING: "#org+funding+name",
    OrganisationRole.PARTNER: "#org+partner+name",
    OrganisationRole.REPORTING: "#org+reporting+name",
}

# (header, hashtag): the importer's tags (docs/activities.md, "Importing 3W files").
COLUMNS: list[tuple[str, str]] = [
    ("Activity ID", "#meta+id"),
    ("Country", "#country+code"),
    ("Organisation", "#org+name"),
    ("Acronym", "#org+acronym"),
    ("Organisation type", "#org+type"),
    ("Funding organisations", "#org+funding+name"),
    ("Partner organisations", "#org+partner+name"),
    ("Reporting organisations", "#org+reporting+name"),
    ("Sector code", "#sector+cluster+code"),
    ("Sector", "#sector+name"),
    ("Activity", "#activity+name"),
    ("Description", "#activity+description"),
    *(
        item
        for level in ADM_LEVELS
        for item in (
            (f"Admin {level} P-code", f"#adm{level}+code"),
            (f"Admin {level}", f"#adm{level}+name"),
        )
    ),
    ("Latitude", "#geo+lat"),
    ("Longitude", "#geo+lon"),
    ("Status", "#status"),
    ("Start", "#date+start"),
    ("End", "#date+end"),
    ("People in need", "#inneed"),
    ("People targeted", "#targeted"),
    ("People reached", "#reached"),
    *(
        (
            f"{FigureKind(kind).label} ({sex.label}, {age.label})",
            f"{tag}{SEX_ATTRIBUTES[sex]}{AGE_ATTRIBUTES[age]}",
        )
        for kind, tag in FIGURE_TAGS.items()
        for sex in Sex
        for age in AgeGroup
        if (sex, age) != (Sex.ALL, AgeGroup.ALL)
    ),
    ("Population groups", "#population+type"),
    ("Crisis (GLIDE)", "#crisis+code"),
]
HEADERS = [header for header, _tag in COLUMNS]
TAGS = [tag for _header, tag in COLUMNS]
LIST_SEPARATOR = "; "


def export_queryset(
    activities: QuerySet[Activity], user: Any, *, shapes: bool = False
) -> QuerySet[Activity]:
    """The filtered activities with what an export row needs, in a stable order. Boundaries
    (large) are only read when `shapes` asks for them."""
    places = ActivityPlace.objects.select_related("admin_area__parent__parent__parent")
    if not shapes:
        places = places.defer(
            "admin_area__boundary",
            "admin_area__parent__boundary",
            "admin_area__parent__parent__boundary",
            "admin_area__parent__parent__parent__boundary",
        )
    others = ActivityOrganisation.objects.filter(
        organisation__in=Organisation.objects.restrict(user, Permission.VIEW)
    ).select_related("organisation")
    return (
        activities.select_related("implementing_organisation", "sector", "emergency")
        .prefetch_related(
            Prefetch("places", queryset=places),
            Prefetch("other_organisations", queryset=others),
            "population_groups",
            "figures",
        )
        .order_by("country_id", "pk")
    )


def _adm_columns(place: ActivityPlace | None) -> dict[str, str]:
    """P-codes and names per level: the matched area and its ancestors, else the file's own."""
    values: dict[str, str] = {}
    if place is None:
        return values
    area = place.admin_area
    if area is not None:
        names = list(place.source_names or [])
        while area is not None:
            values[f"#adm{area.level}+code"] = area.pcode
            area = area.parent
        # The names the file used are kept beside the P-codes (largest area first).
        levels = sorted(int(k[4]) for k in values)
        for level, name in zip(levels, names, strict=False):
            values[f"#adm{level}+name"] = name
        for level in levels:
            values.setdefault(f"#adm{level}+name", _area_name(place.admin_area, level))
        return values
    for level, name in enumerate(place.source_names or [], start=1):
        values[f"#adm{level}+name"] = name
    if place.source_pcode:
        values[f"#adm{max(1, len(place.source_names or []))}+code"] = place.source_pcode
    return values


def _area_name(area: Any, level: int) -> str:
    while area is not None and area.level != level:
        area = area.parent
    return area.name if area is not None else ""


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def activity_rows(activity: Activity) -> Iterator[dict[str, str]]:
    """One row per place (a 3W row has one location); one row when it has no place."""
    others: dict[str, list[str]] = {}
    for other in activity.other_organisations.all():
        others.setdefault(ROLE_TAGS[other.role], []).append(other.organisation.name)
    base = {
        # The import key: re-importing the export updates these activities, never duplicates.
        "#meta+id": activity.source_key or f"harambee-{activity.pk}",
        "#country+code": activity.country_id,
        "#org+name": activity.implementing_organisation.name,
        "#org+acronym": activity.implementing_organisation.acronym,
        "#org+type": activity.implementing_organisation.get_org_type_display(),
        **{tag: LIST_SEPARATOR.join(names) for tag, names in others.items()},
        "#sector+cluster+code": activity.sector.code,
        "#sector+name": str(activity.sector),
        "#activity+name": activity.title,
        "#activity+description": activity.description,
        "#status": activity.status,
        "#date+start": activity.start_date.isoformat() if activity.start_date else "",
        "#date+end": activity.end_date.isoformat() if activity.end_date else "",
        "#inneed": _number(activity.people_in_need),
        "#targeted": _number(activity.people_targeted),
        "#reached": _number(activity.people_reached),
        "#population+type": LIST_SEPARATOR.join(g.code for g in activity.population_groups.all()),
        "#crisis+code": (activity.emergency.glide or "") if activity.emergency else "",
    }
    for figure in activity.figures.all():
        if (figure.sex, figure.age_group) == (Sex.ALL, AgeGroup.ALL):
            continue  # the totals are the activity's own fields
        tag = (
            FIGURE_TAGS[figure.kind] + SEX_ATTRIBUTES[figure.sex] + AGE_ATTRIBUTES[figure.age_group]
        )
        base[tag] = str(figure.value)
    places: list[ActivityPlace | None] = list(activity.places.all()) or [None]
    for place in places:
        row = dict(base)
        row.update(_adm_columns(place))
        if place is not None:
            row["#geo+lat"] = _number(place.latitude)
            row["#geo+lon"] = _number(place.longitude)
        yield row


def table_rows(activities: Iterable[Activity]) -> Iterator[list[str]]:
    for activity in activities:
        for row in activity_rows(activity):
            yield [row.get(tag, "") for tag in TAGS]


def iterate(queryset: QuerySet[Activity]) -> Iterator[Activity]:
    return queryset.iterator(chunk_size=CHUNK)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[Activity]) -> Iterator[str]:
    """The CSV, line by line, for a streaming response: headers, hashtags, then the rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADERS)  # a BOM, so spreadsheets read UTF-8
    yield writer.writerow(TAGS)
    for row in table_rows(iterate(queryset)):
        yield writer.writerow(row)


def csv_bytes(queryset: QuerySet[Activity]) -> bytes:
    return "".join(csv_lines(queryset)).encode("utf-8")


def xlsx_bytes(queryset: QuerySet[Activity]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("3W")
    sheet.append(HEADERS)
    sheet.append(TAGS)
    for row in table_rows(iterate(queryset)):
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str) -> Any:
    # Whole numbers as numbers, so the sheet can sum them; everything else as text.
    return (
        int(value) if value.isdigit() and len(value) < 16 and not value.startswith("0") else value
    )


def _geometry(place: ActivityPlace, shapes: bool) -> dict[str, Any] | None:
    if place.latitude is not None and place.longitude is not None:
        return {"type": "Point", "coordinates": [place.longitude, place.latitude]}
    area = place.admin_area
    if area is None:
        return None
    if shapes and area.boundary:
        return area.boundary
    if area.latitude is not None and area.longitude is not None:
        return {"type": "Point", "coordinates": [area.longitude, area.latitude]}
    return area.boundary or None


def geojson_features(queryset: QuerySet[Activity], *, shapes: bool = False) -> Iterator[dict]:
    """A feature per place: its point, else its area's centre (or boundary when `shapes`;
    the queryset then comes from export_queryset(..., shapes=True))."""
    for activity in iterate(queryset):
        for place in activity.places.all():
            area = place.admin_area
            properties = {
                "activity": activity.pk,
                "title": activity.title,
                "organisation": activity.implementing_organisation.name,
                "acronym": activity.implementing_organisation.acronym,
                "sector": activity.sector.code,
                "sector_name": str(activity.sector),
                "status": activity.status,
                "start": activity.start_date.isoformat() if activity.start_date else None,
                "end": activity.end_date.isoformat() if activity.end_date else None,
                "pcode": area.pcode if area is not None else place.source_pcode,
                "area": area.name if area is not None else "",
                "source_names": place.source_names,
                "people_in_need": activity.people_in_need,
                "people_targeted": activity.people_targeted,
                "people_reached": activity.people_reached,
            }
            yield {
                "type": "Feature",
                "id": place.pk,
                "geometry": _geometry(place, shapes),
                "properties": properties,
            }


def geojson_chunks(queryset: QuerySet[Activity], *, shapes: bool = False) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    for index, feature in enumerate(geojson_features(queryset, shapes=shapes)):
        yield ("," if index else "") + json.dumps(feature, ensure_ascii=False)
    yield "]}"
