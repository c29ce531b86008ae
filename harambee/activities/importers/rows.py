"""One 3W row as plain values: organisations, sector, places, dates, people figures.

Values are checked here (numbers, dates, coordinates) and errors name the row as the
spreadsheet numbers it and the column by its header and tag. Nothing is looked up in the
database: reconcile.py does that once per distinct value.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from normality import normalize

from ..choices import ActivityStatus
from .reading import Column, Layout

MAX_PEOPLE = 2_147_483_647  # PositiveIntegerField
TITLE_MAX = 500
_THOUSANDS = re.compile(r"^\d{1,3}([,.\u00a0\u202f ]\d{3})+$")
_EMPTY_NUMBERS = {"", "-", "–", "—"}
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

STATUS_WORDS: dict[str, str] = {
    "ongoing": ActivityStatus.ONGOING,
    "on going": ActivityStatus.ONGOING,
    "active": ActivityStatus.ONGOING,
    "in progress": ActivityStatus.ONGOING,
    "en cours": ActivityStatus.ONGOING,
    "implementation": ActivityStatus.ONGOING,
    "suspended": ActivityStatus.ONGOING,
    "temporarily suspended": ActivityStatus.ONGOING,
    "completed": ActivityStatus.COMPLETED,
    "complete": ActivityStatus.COMPLETED,
    "closed": ActivityStatus.COMPLETED,
    "finished": ActivityStatus.COMPLETED,
    "done": ActivityStatus.COMPLETED,
    "termine": ActivityStatus.COMPLETED,
    "terminee": ActivityStatus.COMPLETED,
    "acheve": ActivityStatus.COMPLETED,
    "cloture": ActivityStatus.COMPLETED,
    "planned": ActivityStatus.PLANNED,
    "pipeline": ActivityStatus.PLANNED,
    "prevu": ActivityStatus.PLANNED,
    "planifie": ActivityStatus.PLANNED,
    "a venir": ActivityStatus.PLANNED,
}

POPULATION_WORDS: list[tuple[str, str]] = [
    ("asylum", "asylum_seekers"),
    ("demandeur", "asylum_seekers"),
    ("refug", "refugees"),
    ("idp", "idps"),
    ("displaced", "idps"),
    ("deplace", "idps"),
    ("pdi", "idps"),
    ("return", "returnees"),
    ("retourn", "returnees"),
    ("rapatri", "returnees"),
    ("stateless", "stateless"),
    ("apatride", "stateless"),
    ("host", "host_community"),
    ("hote", "host_community"),
    ("migrant", "migrants"),
]


@dataclass
class Issue:
    row: int | None
    column: str | None
    message: str


@dataclass
class OrgRef:
    name: str
    acronym: str = ""
    org_type: str = ""


@dataclass
class RowData:
    row: int
    country: str = ""
    org: OrgRef | None = None
    others: list[tuple[str, OrgRef]] = field(default_factory=list)  # (role, organisation)
    sector_code: str = ""
    sector_name: str = ""
    codes: dict[int, str] = field(default_factory=dict)  # admin level -> P-code as written
    names: dict[int, str] = field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    title: str = ""
    description: str = ""
    activity_code: str = ""
    status: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    figures: dict[tuple[str, str, str], int] = field(default_factory=dict)
    population_groups: list[str] = field(default_factory=list)
    crisis: str = ""
    key: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # field -> column label


@lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces (cached: files repeat values)."""
    return normalize(text or "", ascii=True) or ""


def parse_count(text: str) -> int | None:
    """'1 234', '1,234' and '1234.0' are 1234; raises ValueError for anything not a count."""
    value = text.strip()
    if value in _EMPTY_NUMBERS:
        return None
    if _THOUSANDS.match(value):
        value = re.sub(r"[,.\u00a0\u202f ]", "", value)
    value = value.replace("\u2212", "-")
    if re.fullmatch(r"-?\d+(\.0+)?", value):
        return int(float(value)) if "." in value else int(value)
    raise ValueError(text)


def parse_date(text: str) -> datetime.date | None:
    """ISO dates, day/month/year (the humanitarian default), and Excel day numbers."""
    value = text.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", value):
        return datetime.date.fromisoformat(value[:10])
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if match:
        first, second, year = (int(g) for g in match.groups())
        day, month = (second, first) if second > 12 >= first else (first, second)
        return datetime.date(year, month, day)
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))
    raise ValueError(text)


def status_for(text: str) -> str | None:
    return STATUS_WORDS.get(plain(text))


def population_groups_for(text: str) -> tuple[list[str], list[str]]:
    """(codes, parts not understood) for 'Refugees; IDPs' and the like."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[;,/|]+", text):
        words = plain(part)
        if not words:
            continue
        code = next((c for stem, c in POPULATION_WORDS if stem in words), None)
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown


class RowParser:
    """Turns the data rows of a table into RowData, collecting errors and warnings."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.used = [c for c in layout.columns if c.field is not None]
        self.errors: list[Issue] = []
        # (column label, message) -> rows: repeated warnings are reported once.
        self.warnings: dict[tuple[str, str], list[int]] = {}

    def warn(self, row: int, column: Column, message: str) -> None:
        self.warnings.setdefault((column.label, message), []).append(row)

    def error(self, row: int, column: Column, message: str) -> None:
        self.errors.append(Issue(row, column.label, message))

    def parse(self, number: int, cells: list[str]) -> RowData:
        data = RowData(row=number)
        org_parts: dict[str, str] = {}
        other_parts: dict[str, dict[str, str]] = {}
        alt_names: dict[int, str] = {}
        for column in self.used:
            value = cells[column.index] if column.index < len(cells) else ""
            if not value:
                continue
            spec = column.field
            assert spec is not None
            name = spec.name
            if name in {"org_name", "org_acronym", "org_type"}:
                org_parts.setdefault(name, value)
                data.labels.setdefault("org", column.label)
            elif name in {"other_org_name", "other_org_acronym"}:
                part = "name" if name == "other_org_name" else "acronym"
                other_parts.setdefault(spec.role, {}).setdefault(part, value)
            elif name == "sector_code":
                data.sector_code = data.sector_code or value
                data.labels.setdefault("sector", column.label)
            elif name == "sector_name":
                data.sector_name = data.sector_name or value
                data.labels.setdefault("sector", column.label)
            elif name == "adm_code":
                data.codes.setdefault(spec.level, "".join(value.split()).upper())
                data.labels.setdefault(f"adm{spec.level}", column.label)
            elif name == "adm_name":
                data.names.setdefault(spec.level, " ".join(value.split()))
                data.labels.setdefault(f"adm{spec.level}n", column.label)
            elif name == "adm_alt_name":
                alt_names.setdefault(spec.level, " ".join(value.split()))
            elif name in {"latitude", "longitude"}:
                self._coordinate(data, column, name, value)
            elif name == "title":
                data.title = data.title or value
            elif name == "project_name":
                data.description = data.description or value
            elif name == "description":
                data.description = value
            elif name == "activity_code":
                data.activity_code = data.activity_code or value
            elif name == "country":
                data.country = data.country or value
                data.labels.setdefault("country", column.label)
            elif name == "status":
                status = status_for(value)
                if status is None:
                    self.warn(
                        number,
                        column,
                        _("Unknown status '%(value)s': kept as ongoing.") % {"value": value},
                    )
                else:
                    data.status = status
            elif name in {"start_date", "end_date"}:
                try:
                    setattr(data, name, parse_date(value))
                except ValueError:
                    self.error(
                        number,
                        column,
                        _("'%(value)s' is not a date (expected YYYY-MM-DD or DD/MM/YYYY).")
                        % {"value": value},
                    )
            elif name == "figure":
                self._figure(data, column, value)
            elif name == "population_group":
                codes, unknown = population_groups_for(value)
                data.population_groups.extend(c for c in codes if c not in data.population_groups)
                for part in unknown:
                    self.warn(
                        number,
                        column,
                        _("Unknown population group '%(value)s': left out.") % {"value": part},
                    )
            elif name == "crisis":
                data.crisis = value.upper()
                data.labels["crisis"] = column.label
            elif name == "key":
                data.key = value[:64]
        for level, alt in alt_names.items():
            data.names.setdefault(level, alt)
        if org_parts.get("org_name") or org_parts.get("org_acronym"):
            data.org = OrgRef(
                name=" ".join((org_parts.get("org_name") or org_parts["org_acronym"]).split()),
                acronym=" ".join(org_parts.get("org_acronym", "").split()),
                org_type=org_parts.get("org_type", ""),
            )
        for role, parts in other_parts.items():
            if parts.get("name") or parts.get("acronym"):
                name = parts.get("name") or parts["acronym"]
                data.others.append((role, OrgRef(" ".join(name.split()), parts.get("acronym", ""))))
        if data.start_date and data.end_date and data.end_date < data.start_date:
            column = next(c for c in self.used if c.field and c.field.name == "end_date")
            self.error(number, column, _("The end date is before the start date."))
        if len(data.title) > TITLE_MAX:
            data.title = data.title[:TITLE_MAX]
        return data

    def _coordinate(self, data: RowData, column: Column, name: str, value: str) -> None:
        limit = 90.0 if name == "latitude" else 180.0
        try:
            number = float(value.replace(",", ".").replace("\u2212", "-"))
            if not -limit <= number <= limit:
                raise ValueError(value)
        except ValueError:
            self.error(
                data.row,
                column,
                _("'%(value)s' is not a %(what)s (a number between -%(limit)s and %(limit)s).")
                % {"value": value, "what": _(name), "limit": int(limit)},
            )
            return
        setattr(data, name, number)

    def _figure(self, data: RowData, column: Column, value: str) -> None:
        try:
            count = parse_count(value)
        except ValueError:
            self.error(
                data.row,
                column,
                _("'%(value)s' is not a number of people.") % {"value": value},
            )
            return
        if count is None:
            return
        if count < 0:
            self.error(
                data.row,
                column,
                _("%(value)s: a number of people cannot be negative.") % {"value": value},
            )
            return
        if count > MAX_PEOPLE:
            self.error(data.row, column, _("%(value)s is too large.") % {"value": value})
            return
        assert column.field is not None
        key = (column.field.role, column.field.sex, column.field.age)
        data.figures[key] = data.figures.get(key, 0) + count if key in data.figures else count

    def warning_list(self) -> list[Issue]:
        issues: list[Issue] = []
        for (column, message), rows in self.warnings.items():
            if len(rows) == 1:
                issues.append(Issue(rows[0], column, message))
            else:
                shown = ", ".join(str(r) for r in rows[:10])
                more = _(" and %(n)s more") % {"n": len(rows) - 10} if len(rows) > 10 else ""
                issues.append(
                    Issue(
                        rows[0],
                        column,
                        message
                        + " "
                        + _("(rows %(rows)s%(more)s)") % {"rows": shown, "more": more},
                    )
                )
        return issues
