"""From rows to a plan: reconcile, key, merge duplicates, compare with what is stored.

`analyse` never writes. Its result holds the report (the JSON the pages render) and, per
activity key, the values to write; `writer.write_plan` writes them in one transaction.

Keys: 3W rows carry no IDs, so an activity's key is a SHA-1 over what identifies it and does
not change from one quarter to the next: country, implementing organisation (its id once
resolved), sector code, places (P-codes where matched, else the names as written), title,
activity/project code and start date. Counts, status and end dates are not part of it, so
next quarter's file updates them. A `#meta+id` column (our own export) gives the key outright.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from harambee.network.duplicates import normalise_name
from harambee.places.models import AdminArea, Country, Emergency

from ..choices import ActivityStatus, AgeGroup, FigureKind, Sex
from ..models import Activity, ActivityFigure, ActivityOrganisation, ActivityPlace
from ..reconcile import (
    CountryResolver,
    OrganisationReconciler,
    PlaceResolver,
    SectorMatch,
    SectorResolver,
    area_name_key,
)
from .reading import ImportFileError, Layout, Table, find_layout
from .rows import Issue, RowData, RowParser, plain

PROGRESS_EVERY = 500
MAX_CHANGES = 200
MAX_WARNINGS = 500
MAX_PLACES_LISTED = 500
WHOLE_COUNTRY_FROM = 2000  # keys; below, look them up by key
LOOKUP_CHUNK = 500
TOTAL_FIELDS = {
    str(FigureKind.IN_NEED): "people_in_need",
    str(FigureKind.TARGETED): "people_targeted",
    str(FigureKind.REACHED): "people_reached",
}
# Fields compared and written only when the file has a column for them: a column a file does
# not have never erases what someone entered by hand or another file brought.
OPTIONAL_FIELDS = {
    "title": "title",
    "description": "description",
    "status": "status",
    "start_date": "start_date",
    "end_date": "end_date",
    "crisis": "emergency_id",
    "population_group": "population_groups",
    "figure": "figures",
    "other_org": "others",
}


@dataclass
class Record:
    """One valid row with everything resolved except new organisations."""

    row: int
    country: str
    org_key: str
    others: list[tuple[str, str]]  # (role, organisation item key)
    sector: SectorMatch
    place_parts: list[str]  # what identifies the place in the key
    place: dict[str, Any] | None  # ActivityPlace values, or None for the whole country
    place_item: tuple[str, ...] | None  # unmatched/partial place listing key
    values: dict[str, Any]
    figures: dict[tuple[str, str, str], int]
    population_groups: list[str]
    activity_code: str
    meta_key: str


@dataclass
class Planned:
    """One activity to write: merged from one or more rows sharing a key."""

    key: str
    country: str
    org_key: str
    rows: list[int]
    record: Record
    state: dict[str, Any]
    existing_id: int | None = None
    existing_version: int = 0
    action: str = "create"  # create / update / unchanged
    fields: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class Analysis:
    layout: Layout
    sheet: str | None
    rows_read: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    planned: dict[tuple[str, str], Planned] = field(default_factory=dict)
    organisations: OrganisationReconciler = field(default_factory=OrganisationReconciler)
    sectors: dict[str, SectorResolver] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    remove_ids: list[int] = field(default_factory=list)


def _issue(issue: Issue) -> dict[str, Any]:
    return {"row": issue.row, "column": issue.column, "message": issue.message}


_NO_TOTALS = dict.fromkeys(TOTAL_FIELDS.values())
_ALL, _FEMALE, _MALE = str(Sex.ALL), str(Sex.FEMALE), str(Sex.MALE)
_AGES = (str(AgeGroup.CHILDREN), str(AgeGroup.ADULTS), str(AgeGroup.OLDER))


def _totals(figures: dict[tuple[str, str, str], int]) -> dict[str, int | None]:
    """Activity totals: the file's total, else women + men, else the age groups added up."""
    if not figures:
        return dict(_NO_TOTALS)
    totals: dict[str, int | None] = {}
    for kind, name in TOTAL_FIELDS.items():
        total = figures.get((kind, _ALL, _ALL))
        if total is None:
            female, male = figures.get((kind, _FEMALE, _ALL)), figures.get((kind, _MALE, _ALL))
            if female is not None and male is not None:
                total = female + male
        if total is None:
            ages = [figures.get((kind, _ALL, age)) for age in _AGES]
            if ages[0] is not None and ages[1] is not None:
                total = sum(v for v in ages if v is not None)
        totals[name] = total
    return totals


@lru_cache(maxsize=16384)
def _normalised_name(name: str) -> str:
    return normalise_name(name)


def _sha(parts: list[str]) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


class Analyser:
    def __init__(
        self,
        table: Table,
        *,
        country: str | None,
        mapping: dict[str, str] | None,
        decisions: dict[str, dict[str, Any]],
        source: str,
        progress: Callable[[int, int], None] | None = None,
        actor: Any = None,
    ) -> None:
        self.table = table
        # Whose file it is: stored activities they may not change are not theirs to update.
        self.actor = actor
        self.country = country
        self.decisions = decisions
        self.source = source
        self.progress = progress
        self.layout = find_layout(table, mapping)
        self.analysis = Analysis(layout=self.layout, sheet=table.sheet)
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self._places: dict[str, PlaceResolver] = {}
        self._iso2: dict[str, str] = {}
        self._place_items: dict[tuple[str, ...], dict[str, Any]] = {}
        self.records: list[Record] = []
        # Organisation item key -> id, once commit has created or chosen every organisation.
        self.resolved: dict[str, int] = {}
        self._org_ref_memo: dict[str, str] | None = None

    # -- columns ---------------------------------------------------------------------------

    def columns_report(self) -> list[dict[str, Any]]:
        from .tags import suggest_tag

        return [
            {
                "index": c.index,
                "header": c.header,
                "tag": c.tag,
                "used_as": c.field.label if c.field else None,
                "suggested": suggest_tag(c.header) if not c.tag else None,
            }
            for c in self.layout.columns
        ]

    def _check_columns(self) -> None:
        names = {c.field.name for c in self.layout.columns if c.field}
        missing = []
        if not names & {"org_name", "org_acronym"}:
            missing.append(_("the implementing organisation (#org+name or #org+acronym)"))
        if not names & {"sector_code", "sector_name"}:
            missing.append(_("the sector (#sector+name or #sector+code)"))
        if missing:
            where = (
                _("hashtag row %(row)s") % {"row": self.layout.tag_row}
                if self.layout.tag_row
                else _("header row %(row)s") % {"row": self.layout.header_row}
            )
            raise ImportFileError(
                _("No column gives %(what)s (%(where)s).")
                % {"what": _(" and ").join(missing), "where": where}
            )
        if "country" not in names and not self.country:
            self.country = self._country_from_pcodes()
        if "country" not in names and not self.country:
            raise ImportFileError(
                _("The file has no country column (#country): say which country it is about.")
            )
        for c in self.layout.columns:
            if c.field is None:
                continue
            base = c.field.name
            if base in {"other_org_name", "other_org_acronym"}:
                base = "other_org"
            if base in OPTIONAL_FIELDS:
                self.analysis.present.add(base)

    def _country_from_pcodes(self) -> str | None:
        """A file without a country column whose P-codes all belong to one country is about it."""
        columns = [c.index for c in self.layout.columns if c.field and c.field.name == "adm_code"]
        codes: set[str] = set()
        for cells in self.table.rows[self.layout.data_start : self.layout.data_start + 500]:
            codes.update("".join(cells[i].split()).upper() for i in columns if i < len(cells))
        codes.discard("")
        if not codes:
            return None
        found = set(
            AdminArea.objects.filter(pcode__in=sorted(codes)[:LOOKUP_CHUNK]).values_list(
                "country_id", flat=True
            )
        )
        if len(found) != 1:
            return None
        iso3 = found.pop()
        self.warnings.append(
            Issue(
                None,
                None,
                _("No country column: the P-codes say the file is about %(country)s.")
                % {"country": iso3},
            )
        )
        return iso3

    # -- rows ------------------------------------------------------------------------------

    def run(self) -> Analysis:
        analysis = self.analysis
        report: dict[str, Any] = {
            "rows_read": 0,
            "header_row": self.layout.header_row,
            "tag_row": self.layout.tag_row,
            "sheet": self.table.sheet,
            "columns": self.columns_report(),
            "needs_mapping": False,
        }
        analysis.report = report
        if not self.layout.has_fields:
            if not any(col["suggested"] for col in report["columns"]):
                raise ImportFileError(
                    _(
                        "No recognisable columns: row %(row)s has no HXL hashtags and no header "
                        "that names an organisation, a sector or a place."
                    )
                    % {"row": self.layout.header_row}
                )
            report.update(self._empty_sections())
            report["needs_mapping"] = True
            report["can_commit"] = False
            return analysis
        self._check_columns()
        parser = RowParser(self.layout)
        for column, rows in sorted(self.table.formulas.items()):
            if column < len(self.layout.columns) and self.layout.columns[column].field:
                parser.warnings[
                    (
                        self.layout.columns[column].label,
                        _("A formula is not a value: treated as empty."),
                    )
                ] = [r for r in rows if r > (self.layout.tag_row or self.layout.header_row)]
        records: list[Record] = []
        countries = CountryResolver()
        data_rows = self.table.rows[self.layout.data_start :]
        numbers = self.table.numbers[self.layout.data_start :]
        total = len(data_rows)
        for done, (number, cells) in enumerate(zip(numbers, data_rows, strict=True), start=1):
            if self.progress and done % PROGRESS_EVERY == 0:
                self.progress(done, total)
            if not any(cells):
                continue
            analysis.rows_read += 1
            before = len(parser.errors)
            data = parser.parse(number, cells)
            record = self._record(data, countries, parser)
            if record is not None and len(parser.errors) == before:
                records.append(record)
        if self.progress:
            self.progress(total, total)
        self.errors.extend(parser.errors)
        self.warnings.extend(parser.warning_list())
        analysis.organisations.run()
        self.records = records
        self._plan(records)
        self._compare()
        self._report()
        return analysis

    def replan(self, resolved: dict[str, int]) -> None:
        """Key again once every organisation has an id (commit, after creating new ones).

        Usually each new organisation's name ref ("new:...") simply becomes its id ("id:N"):
        then the activities group exactly as before, and only their keys and organisation refs
        are rewritten. Only when refs merge (two names now one organisation) is every row
        planned again.
        """
        items = self.analysis.organisations.items
        self._org_ref_memo = {}
        before = {key: self.org_ref(key) for key in items}
        self.resolved = resolved
        self._org_ref_memo = {}
        try:
            after = {key: self.org_ref(key) for key in items}
            renamed: dict[str, str] = {}
            for key, old in before.items():
                if renamed.setdefault(old, after[key]) != after[key]:
                    break
            else:
                if len(set(renamed.values())) == len(renamed):
                    self._rekey(renamed)
                    self._compare()
                    return
        finally:
            self._org_ref_memo = None
        self.analysis.planned = {}
        self.warnings = []
        self._plan(self.records)
        self._compare()

    def _rekey(self, renamed: dict[str, str]) -> None:
        planned: dict[tuple[str, str], Planned] = {}
        for (country, key), plan in self.analysis.planned.items():
            state = plan.state
            state["implementing_organisation"] = renamed[state["implementing_organisation"]]
            state["others"] = sorted({(role, renamed[ref]) for role, ref in state["others"]})
            if not plan.record.meta_key:
                key = plan.key = self.key_for(plan.record)
            planned[(country, key)] = plan
        self.analysis.planned = planned

    def _place_resolver(self, iso3: str) -> PlaceResolver:
        resolver = self._places.get(iso3)
        if resolver is None:
            if not self._iso2:
                self._iso2 = dict(Country.objects.order_by().values_list("iso3", "iso2"))
            resolver = self._places[iso3] = PlaceResolver(iso3, self._iso2.get(iso3, ""))
        return resolver

    def _sector_resolver(self, iso3: str) -> SectorResolver:
        resolver = self.analysis.sectors.get(iso3)
        if resolver is None:
            resolver = self.analysis.sectors[iso3] = SectorResolver(iso3)
        return resolver

    def _row_country(
        self, data: RowData, countries: CountryResolver, parser: RowParser
    ) -> str | None:
        label = data.labels.get("country", "#country")
        if not data.country:
            if self.country:
                return self.country
            parser.errors.append(Issue(data.row, label, _("The country is missing.")))
            return None
        found = countries.candidates(data.country)
        if self.country:
            if found and self.country not in found:
                parser.errors.append(
                    Issue(
                        data.row,
                        label,
                        _("This row is about %(row)s; this import is for %(country)s.")
                        % {"row": data.country, "country": self.country},
                    )
                )
                return None
            return self.country
        # A regional file ('Mali Situation' / 'Burkina Faso'): the admin-1 cell names the
        # country where the work happens.
        top = data.names.get(1, "")
        inside = countries.exact(top) if top and not data.codes.get(1) else None
        if inside and (inside not in found or len(found) != 1 or inside == found[0]):
            data.names.pop(1, None)
            if data.country and plain(top) != plain(data.country):
                pass
            return inside
        if len(found) > 1 and top:
            for iso3 in found:
                if self._place_resolver(iso3).resolve({}, {1: top}).area is not None:
                    return iso3
        if found:
            return found[0]
        parser.errors.append(
            Issue(data.row, label, _("Unknown country '%(value)s'.") % {"value": data.country})
        )
        return None

    def _record(
        self, data: RowData, countries: CountryResolver, parser: RowParser
    ) -> Record | None:
        iso3 = self._row_country(data, countries, parser)
        if data.org is None:
            parser.errors.append(
                Issue(data.row, data.labels.get("org", "#org"), _("The organisation is missing."))
            )
        sector = None
        if data.sector_code or data.sector_name:
            if iso3:
                sector = self._sector_resolver(iso3).resolve(data.sector_code, data.sector_name)
        else:
            parser.errors.append(
                Issue(data.row, data.labels.get("sector", "#sector"), _("The sector is missing."))
            )
        if iso3 is None or data.org is None or sector is None:
            return None
        org_key = self.analysis.organisations.add(data.org)
        others = [(role, self.analysis.organisations.add(ref)) for role, ref in data.others]
        place, parts, place_item = self._place(iso3, data, parser)
        if place is False:
            return None
        emergency_glide = data.crisis
        values: dict[str, Any] = {
            "title": data.title,
            "description": data.description,
            "status": data.status or ActivityStatus.ONGOING,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "crisis": emergency_glide,
        }
        self.analysis.countries.add(iso3)
        return Record(
            row=data.row,
            country=iso3,
            org_key=org_key,
            others=others,
            sector=sector,
            place_parts=parts,
            place=place or None,
            place_item=place_item,
            values=values,
            figures=dict(data.figures),
            population_groups=data.population_groups,
            activity_code=data.activity_code,
            meta_key=data.key,
        )

    def _place(
        self, iso3: str, data: RowData, parser: RowParser
    ) -> tuple[Any, list[str], tuple[str, ...] | None]:
        if (
            data.names.get(1)
            and not data.codes.get(1)
            and len(data.names) == 1
            and plain(data.names[1]) in {plain(n) for n in self._country_names(iso3)}
        ):
            data.names.pop(1)  # 'Egypt / Egypt': the whole country
        if not data.codes and not data.names:
            if data.latitude is None and data.longitude is None:
                return None, [], None
            point: dict[str, Any] = {
                "admin_area_id": None,
                "source_pcode": "",
                "source_names": [],
                "latitude": data.latitude,
                "longitude": data.longitude,
            }
            return point, [f"{data.latitude:.4f},{data.longitude:.4f}"], None
        match = self._place_resolver(iso3).resolve(data.codes, data.names)
        if match.error:
            column_key, message = match.error
            parser.errors.append(Issue(data.row, data.labels.get(column_key, column_key), message))
            return False, [], None
        levels = sorted(set(data.codes) | set(data.names))
        names = [data.names[level] for level in levels if data.names.get(level)]
        deepest_code = next((data.codes[lv] for lv in reversed(levels) if data.codes.get(lv)), "")
        parts = [match.area.pcode] if match.area else []
        for level in levels:
            if level > match.matched_level:
                parts.append(
                    data.codes.get(level) or area_name_key(data.names.get(level, "")) or "-"
                )
        place = {
            "admin_area_id": match.area.id if match.area else None,
            "source_pcode": deepest_code,
            "source_names": names,
            "latitude": data.latitude,
            "longitude": data.longitude,
        }
        item = None
        if match.matched_level < match.deepest_level:
            status = "unmatched" if match.area is None else "partial"
            item = (status, iso3, deepest_code, *names)
        return place, parts, item

    def _country_names(self, iso3: str) -> list[str]:
        if not hasattr(self, "_country_name_cache"):
            self._country_name_cache: dict[str, list[str]] = {}
        if iso3 not in self._country_name_cache:
            row = Country.objects.filter(pk=iso3).values_list("name", "official_name").first()
            self._country_name_cache[iso3] = [n for n in (row or ()) if n]
        return self._country_name_cache[iso3]

    # -- keys and merging ------------------------------------------------------------------

    def org_ref(self, item_key: str) -> str:
        """What stands for an organisation in a key: its id once known, else the new name."""
        memo = self._org_ref_memo
        if memo is not None:
            found = memo.get(item_key)
            if found is None:
                found = memo[item_key] = self._org_ref(item_key)
            return found
        return self._org_ref(item_key)

    def _org_ref(self, item_key: str) -> str:
        if item_key in self.resolved:
            return f"id:{self.resolved[item_key]}"
        item = self.analysis.organisations.items[item_key]
        decision = self.decisions.get(item_key)
        if (
            decision
            and decision.get("action") in {"accept", "pick"}
            and decision.get("organisation")
        ):
            return f"id:{decision['organisation']}"
        if (decision is None or decision.get("action") != "create") and item.organisation:
            return f"id:{item.organisation[0]}"
        leader = item.same_as if item.same_as and not decision else None
        if leader:
            return self.org_ref(leader)
        return "new:" + _normalised_name(item.name)

    def _state(self, record: Record) -> dict[str, Any]:
        values = record.values
        state: dict[str, Any] = {
            "implementing_organisation": self.org_ref(record.org_key),
            "sector": record.sector.code,
            "place": record.place,
            "title": values["title"],
            "description": values["description"],
            "status": values["status"],
            "start_date": values["start_date"],
            "end_date": values["end_date"],
            "emergency_id": self._emergency(values["crisis"], record.row),
            "population_groups": sorted(record.population_groups),
            "figures": dict(record.figures),
            "others": sorted({(role, self.org_ref(key)) for role, key in record.others}),
        }
        state.update(_totals(record.figures))
        return state

    def _emergency(self, glide: str, row: int) -> int | None:
        if not glide:
            return None
        if not hasattr(self, "_glides"):
            self._glides: dict[str, int | None] = {}
        if glide not in self._glides:
            found = Emergency.objects.filter(glide=glide).values_list("pk", flat=True).first()
            self._glides[glide] = found
            if found is None:
                self.warnings.append(
                    Issue(
                        row,
                        "#crisis",
                        _("No emergency with GLIDE number %(glide)s: the activity is not linked.")
                        % {"glide": glide},
                    )
                )
        return self._glides[glide]

    def key_for(self, record: Record) -> str:
        if record.meta_key:
            return record.meta_key
        parts = [
            record.country,
            self.org_ref(record.org_key),
            record.sector.code.upper(),
            "/".join(record.place_parts),
            plain(record.values["title"]),
            plain(record.activity_code),
            record.values["start_date"].isoformat() if record.values["start_date"] else "",
        ]
        return _sha(parts)

    def _plan(self, records: list[Record]) -> None:
        # Decisions and ids do not change while planning: each organisation's ref is worked
        # out once, not twice per row.
        self._org_ref_memo = {}
        try:
            self._plan_records(records)
        finally:
            self._org_ref_memo = None

    def _plan_records(self, records: list[Record]) -> None:
        planned = self.analysis.planned
        duplicates: dict[tuple[str, str], list[int]] = defaultdict(list)
        differing: dict[tuple[str, str], set[str]] = defaultdict(set)
        for record in records:
            key = self.key_for(record)
            state = self._state(record)
            at = (record.country, key)
            current = planned.get(at)
            if current is None:
                planned[at] = Planned(
                    key, record.country, record.org_key, [record.row], record, state
                )
                continue
            current.rows.append(record.row)
            duplicates[at] = current.rows
            for name, value in state.items():
                old = current.state.get(name)
                if name == "figures":
                    merged = dict(old or {})
                    for fig, count in value.items():
                        if merged.get(fig) != count:
                            if fig in merged:
                                differing[at].add(name)
                            merged[fig] = max(merged.get(fig, 0), count)
                    current.state["figures"] = merged
                elif name in TOTAL_FIELDS.values():
                    continue
                elif value != old and value not in (None, "", []):
                    if old in (None, "", []):
                        current.state[name] = value
                    else:
                        differing[at].add(name)
            current.state.update(_totals(current.state["figures"]))
        for at, rows in duplicates.items():
            fields = differing.get(at)
            shown = ", ".join(str(r) for r in rows[:20]) + ("…" if len(rows) > 20 else "")
            if fields:
                message = _(
                    "Rows %(rows)s describe the same activity with different %(fields)s: kept "
                    "the first row's values and the largest number of people for each figure."
                ) % {"rows": shown, "fields": ", ".join(sorted(fields))}
            else:
                message = _("Rows %(rows)s are the same activity: imported once.") % {"rows": shown}
            self.warnings.append(Issue(rows[0], None, message))

    # -- comparison with the database ------------------------------------------------------

    def _compare(self) -> None:
        planned = self.analysis.planned
        by_country: dict[str, list[str]] = defaultdict(list)
        for country, key in planned:
            by_country[country].append(key)
        for country, keys in by_country.items():
            existing = _existing(country, keys)
            blocked = self._not_changeable(country, {row["id"] for row in existing.values()})
            for key in keys:
                plan = planned[(country, key)]
                found = existing.get(key)
                if found is None:
                    continue
                if found["id"] in blocked:
                    # Same activity as one another organisation maintains: a file must not
                    # overwrite it (an export of theirs, edited and imported back, would).
                    self.errors.append(
                        Issue(
                            plan.rows[0],
                            _("activity"),
                            _(
                                "This activity is already in Harambee and maintained by another "
                                "organisation: you cannot change it from a file. Remove the row, "
                                "or ask them to update it."
                            ),
                        )
                    )
                    del planned[(country, key)]
                    continue
                plan.existing_id = found["id"]
                plan.existing_version = found["version"]
                plan.fields = self._diff(found, plan.state)
                plan.action = "update" if plan.fields else "unchanged"
        if self.analysis.countries:
            stored = Activity.objects.all()
            if self.actor is not None:
                from harambee.core.choices import Permission

                # Only what this user could act on: another organisation's are not theirs.
                stored = Activity.objects.restrict(self.actor, Permission.CHANGE)
            absent = stored.filter(
                country_id__in=self.analysis.countries,
                import_batch__source=self.source,
                source_key__isnull=False,
            ).values_list("country_id", "source_key", "pk")
            self.analysis.remove_ids = [
                pk for country, key, pk in absent.iterator() if (country, key) not in planned
            ]

    def _not_changeable(self, country: str, ids: set[int]) -> set[int]:
        """Which of these stored activities the file's owner may not change (none for the system)."""
        if self.actor is None or not ids:
            return set()
        from harambee.core.choices import Permission

        allowed = Activity.objects.restrict(self.actor, Permission.CHANGE).filter(
            country_id=country, source_key__isnull=False
        )
        return ids - set(allowed.values_list("pk", flat=True))

    def _diff(self, found: dict[str, Any], state: dict[str, Any]) -> dict[str, list[Any]]:
        present = self.analysis.present
        new = {
            "implementing_organisation": state["implementing_organisation"],
            "sector": state["sector"],
            "place": _place_tuple(state["place"]),
        }
        old = {
            "implementing_organisation": f"id:{found['implementing_organisation_id']}",
            "sector": found["sector_code"],
            "place": found["place"],
        }
        for name in ("title", "description", "status", "start_date", "end_date"):
            if name in present:
                new[name], old[name] = state[name], found[name]
        if "crisis" in present:
            new["emergency"], old["emergency"] = state["emergency_id"], found["emergency_id"]
        if "population_group" in present:
            new["population_groups"] = state["population_groups"]
            old["population_groups"] = found["population_groups"]
        if "figure" in present:
            for name in TOTAL_FIELDS.values():
                new[name], old[name] = state[name], found[name]
            new["figures"] = sorted(f"{k}:{s}:{a}={v}" for (k, s, a), v in state["figures"].items())
            old["figures"] = found["figures"]
        if "other_org" in present:
            new["other_organisations"] = [f"{r}:{o}" for r, o in state["others"]]
            old["other_organisations"] = found["others"]
        return {
            name: [_json(old[name]), _json(value)]
            for name, value in new.items()
            if value != old[name]
        }

    # -- report ----------------------------------------------------------------------------

    def _empty_sections(self) -> dict[str, Any]:
        return {
            "activities": {"create": 0, "update": 0, "unchanged": 0, "remove": 0},
            "changes": [],
            "organisations": {"matched": 0, "new": 0, "uncertain": 0, "items": []},
            "sectors": {"matched": 0, "new": 0, "items_new": []},
            "places": {"matched": 0, "unmatched": 0, "partial": 0, "items_unmatched": []},
            "errors": [],
            "warnings": [],
        }

    def _report(self) -> None:
        analysis = self.analysis
        report = analysis.report
        report["rows_read"] = analysis.rows_read
        report.update(self._empty_sections())
        counts = report["activities"]
        changes = report["changes"]
        for plan in sorted(analysis.planned.values(), key=lambda p: p.rows[0]):
            counts[plan.action] += 1
            if plan.action == "update" and len(changes) < MAX_CHANGES:
                changes.append({"row": plan.rows[0], "key": plan.key, "fields": plan.fields})
        counts["remove"] = len(analysis.remove_ids)
        report["organisations"] = organisations_section(analysis.organisations, self.decisions)
        report["sectors"] = self._sectors_section()
        report["places"] = self._places_section()
        report["errors"] = [_issue(e) for e in sorted(self.errors, key=lambda e: e.row or 0)]
        warnings = sorted(self.warnings, key=lambda w: w.row or 0)
        report["warnings"] = [_issue(w) for w in warnings[:MAX_WARNINGS]]
        if len(warnings) > MAX_WARNINGS:
            report["warnings"].append(
                {
                    "row": None,
                    "column": None,
                    "message": _("… and %(n)s more warnings.")
                    % {"n": len(warnings) - MAX_WARNINGS},
                }
            )
        report["can_commit"] = can_commit(report)

    def _sectors_section(self) -> dict[str, Any]:
        matched: set[str] = set()
        new: dict[tuple[str, str], dict[str, Any]] = {}
        for plan in self.analysis.planned.values():
            sector = plan.record.sector
            if sector.is_new:
                item = new.setdefault(
                    (plan.country, sector.code),
                    {"country": plan.country, "code": sector.code, "name": sector.name, "rows": 0},
                )
                item["rows"] += len(plan.rows)
            else:
                matched.add(sector.code)
        return {"matched": len(matched), "new": len(new), "items_new": list(new.values())}

    def _places_section(self) -> dict[str, Any]:
        matched = 0
        items: dict[tuple[str, ...], dict[str, Any]] = {}
        seen: set[tuple[Any, ...]] = set()
        for plan in self.analysis.planned.values():
            record = plan.record
            if record.place is None:
                continue
            if record.place_item is None:
                identity = (plan.country, *record.place_parts)
                if identity not in seen:
                    seen.add(identity)
                    matched += 1
                continue
            status, _country, pcode, *names = record.place_item
            item = items.setdefault(
                record.place_item,
                {"names": names, "pcode": pcode, "rows": 0, "status": status},
            )
            item["rows"] += len(plan.rows)
        unmatched = [i for i in items.values() if i["status"] == "unmatched"]
        partial = [i for i in items.values() if i["status"] == "partial"]
        return {
            "matched": matched,
            "unmatched": len(unmatched),
            "partial": len(partial),
            "items_unmatched": sorted(unmatched, key=lambda i: -i["rows"])[:MAX_PLACES_LISTED],
            "items_partial": sorted(partial, key=lambda i: -i["rows"])[:MAX_PLACES_LISTED],
        }


def organisations_section(
    reconciler: OrganisationReconciler, decisions: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Counts follow the decisions: an accepted match counts as matched, a 'create' as new."""
    items = []
    counts = {"matched": 0, "new": 0, "uncertain": 0}
    for item in sorted(reconciler.items.values(), key=lambda i: (-i.rows, i.name)):
        decision = decisions.get(item.key)
        if decision is None and item.status == "new":
            decision = {"action": "create", "organisation": None}
        items.append(item.as_dict(decision))
        counts[outcome(item.status, decision)] += 1
    return {**counts, "items": items}


def outcome(status: str, decision: dict[str, Any] | None) -> str:
    if decision is None:
        return status
    return "new" if decision.get("action") == "create" else "matched"


def can_commit(report: dict[str, Any], skip_invalid: bool = False) -> bool:
    """No errors (unless rows with errors are to be skipped), no undecided organisation."""
    return (
        bool(report.get("columns"))
        and not report.get("needs_mapping")
        and (skip_invalid or not report.get("errors"))
        and not report.get("organisations", {}).get("uncertain")
    )


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def _place_tuple(place: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if not place:
        return None
    return (
        place["admin_area_id"],
        place["source_pcode"],
        tuple(place["source_names"]),
        place["latitude"],
        place["longitude"],
    )


def _existing(country: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored activities with these keys, with their parts, as comparable values."""
    found: dict[str, dict[str, Any]] = {}
    if len(keys) >= WHOLE_COUNTRY_FROM:
        # A big file: read the country's imported activities through joins rather than
        # compiling long IN lists (the slow part), and keep those with a key of the file.
        wanted = set(keys)
        _read_existing(
            Activity.objects.filter(country_id=country, source_key__isnull=False),
            {"activity__country_id": country, "activity__source_key__isnull": False},
            found,
            wanted,
        )
        return found
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        activities = Activity.objects.filter(country_id=country, source_key__in=chunk)
        _read_existing(activities, {"activity__in": activities.values("pk")}, found, None)
    return found


def _read_existing(
    activities: Any,
    parts: dict[str, Any],
    found: dict[str, dict[str, Any]],
    wanted: set[str] | None,
) -> None:
    rows = activities.values(
        "id",
        "version",
        "source_key",
        "implementing_organisation_id",
        "sector__code",
        "title",
        "description",
        "status",
        "start_date",
        "end_date",
        "emergency_id",
        "people_in_need",
        "people_targeted",
        "people_reached",
    )
    by_id: dict[int, dict[str, Any]] = {}
    for row in rows:
        if wanted is not None and row["source_key"] not in wanted:
            continue
        row["sector_code"] = row.pop("sector__code")
        row.update(place=None, figures=[], others=[], population_groups=[])
        by_id[row["id"]] = row
        found[row["source_key"]] = row
    for place in (
        ActivityPlace.objects.filter(**parts)
        .order_by("pk")
        .values(
            "activity_id",
            "admin_area_id",
            "source_pcode",
            "source_names",
            "latitude",
            "longitude",
        )
    ):
        target = by_id.get(place["activity_id"])
        if target is not None and target["place"] is None:
            target["place"] = _place_tuple(place)
    for fig in ActivityFigure.objects.filter(**parts).values_list(
        "activity_id", "kind", "sex", "age_group", "value"
    ):
        if fig[0] in by_id:
            by_id[fig[0]]["figures"].append(f"{fig[1]}:{fig[2]}:{fig[3]}={fig[4]}")
    for other in ActivityOrganisation.objects.filter(**parts).values_list(
        "activity_id", "role", "organisation_id"
    ):
        if other[0] in by_id:
            by_id[other[0]]["others"].append(f"{other[1]}:id:{other[2]}")
    through = Activity.population_groups.through
    for activity_id, code in through.objects.filter(**parts).values_list(
        "activity_id", "populationgroup_id"
    ):
        if activity_id in by_id:
            by_id[activity_id]["population_groups"].append(code)
    for row in by_id.values():
        row["figures"].sort()
        row["others"].sort()
        row["population_groups"].sort()


def analyse(
    table: Table,
    *,
    country: str | None,
    mapping: dict[str, str] | None = None,
    decisions: dict[str, dict[str, Any]] | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    actor: Any = None,
) -> tuple[Analysis, Analyser]:
    analyser = Analyser(
        table,
        country=country,
        mapping=mapping,
        decisions=decisions or {},
        source=source,
        progress=progress,
        actor=actor,
    )
    return analyser.run(), analyser
