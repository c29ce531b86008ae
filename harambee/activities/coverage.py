"""Who is present where: the coverage matrix (sector × admin area) and the map's figures.

Everything is aggregated in the database over the activities the user may see (joined to their
places), in a fixed number of queries whatever the number of activities.

People counts follow the field's rule: the same person is reached by several organisations and
sectors, so figures are never added up within an area. An area's figure is the largest one
reported there (across sectors and organisations); figures are only added across distinct areas.
An activity placed below the level shown counts in the area above it that holds its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Max, When
from django.http import Http404

from harambee.places.models import AdminArea, Country

from .filtersets import query_code
from .models import Sector
from .selectors import filtered_activities

MEASURES = ("organisations", "activities", "in_need", "targeted", "reached")
PEOPLE = ("in_need", "targeted", "reached")
MAX_LEVEL = 4


@dataclass
class Figures:
    """Distinct organisations and activities, and the people figures (largest reported)."""

    organisations: int = 0
    activities: int = 0
    in_need: int | None = None
    targeted: int | None = None
    reached: int | None = None

    def get(self, measure: str) -> int | None:
        return getattr(self, measure)

    @property
    def is_gap(self) -> bool:
        return not self.organisations


@dataclass
class AreaRow:
    pk: int
    pcode: str
    name: str
    latitude: float | None
    longitude: float | None
    has_boundary: bool
    totals: Figures = field(default_factory=Figures)
    cells: list[Figures] = field(default_factory=list)


@dataclass
class Coverage:
    country: Country
    level: int
    levels: list[int]
    sectors: list[Sector]
    areas: list[AreaRow]
    sector_totals: list[Figures]
    totals: Figures
    unplaced: int
    area_filter: str = ""
    suppressed: int | None = None  # people figures hidden for the public view (None: none)

    @property
    def max_organisations(self) -> int:
        return max((a.totals.organisations for a in self.areas), default=0)

    @property
    def gap_count(self) -> int:
        return sum(1 for a in self.areas for c in a.cells if c.is_gap)

    @property
    def present_areas(self) -> list[AreaRow]:
        return [a for a in self.areas if a.totals.organisations]

    @property
    def ranked_areas(self) -> list[AreaRow]:
        return sorted(self.present_areas, key=lambda a: (-a.totals.organisations, a.name))

    @property
    def map_mode(self) -> str:
        """Shapes where boundaries are loaded, else points at area centres, else ranked bars."""
        if any(a.has_boundary for a in self.areas):
            return "shapes"
        if any(a.latitude is not None and a.longitude is not None for a in self.areas):
            return "points"
        return "bars"

    def map_data(self) -> dict[str, Any]:
        """What map.js draws (json_script): counts per area, no geometry (fetched apart)."""
        return {
            "country": {"iso3": self.country.iso3, "numeric": self.country.numeric},
            "level": self.level,
            "mode": self.map_mode,
            "max": self.max_organisations,
            "areas": [
                {
                    "pcode": a.pcode,
                    "name": a.name,
                    "organisations": a.totals.organisations,
                    "activities": a.totals.activities,
                    "lat": a.latitude,
                    "lon": a.longitude,
                    "boundary": a.has_boundary,
                }
                for a in self.areas
            ],
        }


def country_levels(country: Country) -> list[int]:
    return sorted(
        AdminArea.objects.filter(country=country)
        .order_by()
        .values_list("level", flat=True)
        .distinct()
    )


def coverage(
    *,
    user: Any,
    country: str | Country,
    level: int = 1,
    filters: Any = None,
    levels: list[int] | None = None,
    cells: bool = True,
) -> Coverage:
    """The sector × area matrix of a country at admin level `level` for the user's filters.

    With `cells=False` (the map) only the figures per area are read: no sector breakdown.

    The database groups the activities' places by (sector,) organisation and area as recorded,
    with the largest people figures of each group: one pass over the activities, no join to
    the admin areas (the costly part). The places are then rolled up to `level` and the
    distinct organisations counted over those groups, never over the activities themselves.
    """
    if isinstance(country, Country):
        country_obj = country
    else:
        try:
            country_obj = Country.objects.get(iso3=str(country).strip().upper())
        except Country.DoesNotExist as exc:
            raise Http404("No such country.") from exc
    if levels is None:
        levels = country_levels(country_obj)
    level = level if level in levels else (levels[0] if levels else 1)
    data = dict(filters.items()) if filters else {}
    data["country"] = country_obj.iso3
    area_filter = query_code(data.get("admin_area"))
    data["admin_area"] = area_filter
    base = filtered_activities(user=user, filters=data).order_by()

    hierarchy = _Hierarchy(country_obj, level)
    # No filter on the areas in SQL: with one, SQLite may probe every area for every activity.
    # Places above the level shown, or outside the area filtered on, are left out below. The
    # join is an outer one, so activities without a place come back too (area None) and the
    # same pass counts what is not placed at this level: no second query over the activities.
    joined = base
    keys = ["implementing_organisation_id", "places__admin_area_id"]
    if cells:
        keys.insert(0, "sector_id")
    rows = joined.values_list(*keys).annotate(
        n=Count("pk"),
        in_need=Max("people_in_need"),
        targeted=Max("people_targeted"),
        reached=Max("people_reached"),
    )
    tally = _Tally(hierarchy, cells, area_filter)
    tally.add_all(rows if cells else ((None, *row) for row in rows))
    sectors = (
        sorted(Sector.objects.filter(pk__in=list(tally.sectors)), key=lambda s: str(s).casefold())
        if tally.sectors
        else []
    )
    areas = hierarchy.shown(area_filter)
    for area in areas:
        area.totals = tally.figures(tally.areas.get(area.pk))
        area.cells = [tally.figures(tally.cells.get((s.pk, area.pk))) for s in sectors]
    sector_totals = []
    for index, sector in enumerate(sectors):
        totals = tally.figures(tally.sectors.get(sector.pk))
        # Across distinct areas figures may be added: the sum of each area's largest figure.
        for name in PEOPLE:
            known = [v for v in (a.cells[index].get(name) for a in areas) if v is not None]
            setattr(totals, name, sum(known) if known else None)
        sector_totals.append(totals)
    totals = Figures(organisations=len(tally.organisations), activities=tally.placed)
    for name in PEOPLE:
        known = [v for v in (a.totals.get(name) for a in areas) if v is not None]
        setattr(totals, name, sum(known) if known else None)
    return Coverage(
        country=country_obj,
        level=level,
        levels=levels,
        sectors=sectors,
        areas=areas,
        sector_totals=sector_totals,
        totals=totals,
        unplaced=tally.unplaced,
        area_filter=area_filter,
    )


class _Hierarchy:
    """The country's areas at `level` and below (one query): which area at `level` holds each."""

    def __init__(self, country: Country, level: int) -> None:
        self.level = level
        self.parent: dict[int, int | None] = {}
        self.depth: dict[int, int] = {}
        self.rows: dict[int, AreaRow] = {}
        self.codes: dict[str, int] = {}
        self.above: dict[int, set[str]] = {}  # P-codes of the areas holding a row's area
        self._up: dict[int, int | None] = {}
        query = (
            AdminArea.objects.filter(country=country, level__gte=level)
            .annotate(has_boundary=Case(When(boundary__isnull=True, then=False), default=True))
            .values_list(
                "pk", "parent_id", "level", "pcode", "name", "latitude", "longitude",
                "has_boundary", "parent__pcode", "parent__parent__pcode",
                "parent__parent__parent__pcode",
            )
        )  # fmt: skip
        for pk, parent, depth, pcode, name, lat, lon, has_boundary, *above in query:
            self.parent[pk] = parent
            self.depth[pk] = depth
            self.codes[pcode.upper()] = pk
            if depth == level:
                self.rows[pk] = AreaRow(pk, pcode, name, lat, lon, bool(has_boundary))
                self.above[pk] = {c.upper() for c in above if c}

    def at_level(self, pk: int | None) -> int | None:
        """The area at `level` that holds area `pk` (itself when at that level); None for an
        area above that level."""
        if pk not in self.depth:
            return None
        if pk not in self._up:
            current: int | None = pk
            while current is not None and self.depth.get(current, 0) > self.level:
                current = self.parent.get(current)
            self._up[pk] = current
        return self._up[pk]

    def inside(self, pk: int, code: str) -> bool:
        """Whether area `pk` (at `level` or below) is the area `code` or lies within it."""
        chosen = self.codes.get(code)
        if chosen is None:  # an area above this level
            return code in self.above.get(self.at_level(pk) or 0, ())
        current: int | None = pk
        while current is not None and current in self.depth:
            if current == chosen:
                return True
            current = self.parent.get(current)
        return False

    def shown(self, area_filter: str) -> list[AreaRow]:
        """The rows of the matrix: every area at this level (gaps included), or those within
        the area filtered on (or the one holding it, when it lies below this level)."""
        rows = list(self.rows.values())
        if area_filter:
            code = area_filter.upper()
            chosen = self.codes.get(code)
            if chosen is not None:
                holder = self.at_level(chosen)
                rows = [self.rows[holder]] if holder in self.rows else []
            else:
                rows = [r for r in rows if code in self.above.get(r.pk, ())]
        return sorted(rows, key=lambda r: r.name.casefold())


class _Tally:
    """Rolls the grouped places up to the level shown, in Python, over the groups only: first
    into cells (sector × area; one sector for the map), then the cells into areas and sectors."""

    def __init__(self, hierarchy: _Hierarchy, cells: bool, area_filter: str = "") -> None:
        self.hierarchy = hierarchy
        self.with_cells = cells
        self.area_filter = area_filter.upper()
        self.cells: dict[tuple[Any, int], list[Any]] = {}
        self.areas: dict[int, list[Any]] = {}
        self.sectors: dict[int, list[Any]] = {}
        self.organisations: set[int] = set()
        # Activity places at the level shown (within the area filtered on), and the others.
        self.placed = 0
        self.unplaced = 0

    def add_all(self, rows: Any) -> None:
        """Rows (sector, organisation, place's area, places, in need, targeted, reached)."""
        hierarchy = self.hierarchy
        up = {pk: hierarchy.at_level(pk) for pk in hierarchy.depth}
        if self.area_filter:
            up = {pk: a for pk, a in up.items() if hierarchy.inside(pk, self.area_filter)}
        cells = self.cells
        for sector, organisation, place_area, n, need, targeted, reached in rows:
            area = up.get(place_area) if place_area is not None else None
            if area is None:
                # No place, a place above the level shown, or outside the area filtered on.
                self.unplaced += n
                continue
            self.placed += n
            slot = cells.get((sector, area))
            if slot is None:
                cells[(sector, area)] = [{organisation}, n, need, targeted, reached]
                continue
            slot[0].add(organisation)
            slot[1] += n
            if need is not None and (slot[2] is None or need > slot[2]):
                slot[2] = need
            if targeted is not None and (slot[3] is None or targeted > slot[3]):
                slot[3] = targeted
            if reached is not None and (slot[4] is None or reached > slot[4]):
                slot[4] = reached
        for (sector, area), slot in cells.items():
            self.organisations |= slot[0]
            self.areas[area] = self._merge(self.areas.get(area), slot)
            if self.with_cells:
                self.sectors[sector] = self._merge(self.sectors.get(sector), slot)

    @staticmethod
    def _merge(into: list[Any] | None, slot: list[Any]) -> list[Any]:
        if into is None:
            return [set(slot[0]), *slot[1:]]
        into[0] |= slot[0]
        into[1] += slot[1]
        for index in (2, 3, 4):
            value = slot[index]
            if value is not None and (into[index] is None or value > into[index]):
                into[index] = value
        return into

    @staticmethod
    def figures(slot: list[Any] | None) -> Figures:
        if slot is None:
            return Figures()
        return Figures(
            organisations=len(slot[0]),
            activities=slot[1],
            in_need=slot[2],
            targeted=slot[3],
            reached=slot[4],
        )


def area_presence(*, user: Any, pcode: str, filters: Any = None) -> dict[str, Any]:
    """Who is present in an area (and the areas within it): organisations with their sectors
    and activity counts, for the map's side panel (three queries)."""
    code = query_code(pcode)
    area = AdminArea.objects.select_related("country").filter(pcode__iexact=code).first()
    if not code or area is None:
        raise Http404("No such area.")
    data = dict(filters.items()) if filters else {}
    data.update(country=area.country_id, admin_area=area.pcode)
    base = filtered_activities(user=user, filters=data).order_by()
    rows = list(
        base.values(
            "implementing_organisation_id",
            "implementing_organisation__name",
            "implementing_organisation__acronym",
            "sector_id",
        ).annotate(n=Count("pk"))
    )
    sectors = {s.pk: s for s in Sector.objects.filter(pk__in={r["sector_id"] for r in rows})}
    organisations: dict[int, dict[str, Any]] = {}
    for row in rows:
        org = organisations.setdefault(
            row["implementing_organisation_id"],
            {
                "id": row["implementing_organisation_id"],
                "name": row["implementing_organisation__name"],
                "acronym": row["implementing_organisation__acronym"],
                "activities": 0,
                "sectors": [],
            },
        )
        org["activities"] += row["n"]
        org["sectors"].append(str(sectors[row["sector_id"]]))
    ranked = sorted(organisations.values(), key=lambda o: (-o["activities"], o["name"].casefold()))
    for org in ranked:
        org["sectors"].sort(key=str.casefold)
    return {"area": area, "organisations": ranked}


# Statistical disclosure control (harambee/core/disclosure.py) for the public view -------------

SUPPRESSED = "x"


def protect_people_figures(result: Coverage, threshold: int | None = None) -> int:
    """Hide people figures below the threshold in the matrix anonymous visitors see, with
    secondary suppression: sector totals add areas up (a sum), area totals are the largest
    figure of the area (a maximum: hidden when it equals a hidden cell), and the grand total
    adds the area totals. Returns how many figures were hidden."""
    from harambee.core.disclosure import default_threshold, suppress, suppress_series

    threshold = default_threshold() if threshold is None else threshold
    hidden_count = 0
    sector_indexes = range(len(result.sectors))
    for name in PEOPLE:
        cells = {(a.pk, i): a.cells[i].get(name) for a in result.areas for i in sector_indexes}
        table = suppress(cells, threshold=threshold, additive_rows=False)
        for a in result.areas:
            for i in sector_indexes:
                if (a.pk, i) in table.hidden and a.cells[i].get(name) is not None:
                    setattr(a.cells[i], name, SUPPRESSED)
                    hidden_count += 1
        for i, totals in enumerate(result.sector_totals):
            if totals.get(name) is not None and table.column_totals.get(i, 0) is None:
                setattr(totals, name, SUPPRESSED)
                hidden_count += 1
        area_totals = {a.pk: a.totals.get(name) for a in result.areas}
        published = suppress_series(area_totals, threshold=threshold)
        for a in result.areas:
            value = area_totals[a.pk]
            if value is None:
                continue
            equals_hidden = any(
                (a.pk, i) in table.hidden and cells[(a.pk, i)] == value for i in sector_indexes
            )
            if published[a.pk] is None or equals_hidden:
                setattr(a.totals, name, SUPPRESSED)
                hidden_count += 1
        grand = result.totals.get(name)
        hidden_areas = [a for a in result.areas if a.totals.get(name) == SUPPRESSED]
        if grand is not None and (0 < grand < threshold or len(hidden_areas) == 1):
            setattr(result.totals, name, SUPPRESSED)
            hidden_count += 1
    result.suppressed = hidden_count
    return hidden_count
