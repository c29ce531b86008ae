"""Admin-area imports from OCHA's global P-code list or any HXL-tagged CSV.

The whole file is read and checked before anything is written: against itself (duplicated
P-codes, parents, levels) and against the database (countries, existing areas). Every error
names the row as a spreadsheet numbers it (header rows included) and the column. Unless
`skip_invalid` is set, one error means nothing is written. The write itself is
`services.admin_areas_import`: one transaction, bulk inserts and updates, one change record.

Re-importing a file changes nothing: only values that differ from the stored ones are written,
and a column the file does not have (coordinates in the OCHA list, dates in HXL files) never
erases what another source stored.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from harambee.core.errors import ErrorCode, ServiceError

from .hxl import HXL_SEARCH_ROWS, MAX_LEVEL, Columns, is_hashtag_row, map_columns
from .models import AdminArea, Country

OCHA = "ocha"
HXL = "hxl"
FORMATS = (OCHA, HXL)

# OCHA's global P-code list: header text (lower case) -> field.
OCHA_HEADERS = {
    "location": "country",
    "admin level": "level",
    "p-code": "pcode",
    "name": "name",
    "parent p-code": "parent",
    "valid from date": "valid_from",
}
OCHA_REQUIRED = {"country", "level", "pcode", "name", "parent"}
PCODE_MAX_LENGTH = AdminArea._meta.get_field("pcode").max_length or 32
NAME_MAX_LENGTH = AdminArea._meta.get_field("name").max_length or 255
LOOKUP_CHUNK = 500


class ImportFileError(ServiceError):
    """The file as a whole cannot be read: no recognisable header, unreadable encoding."""

    code = ErrorCode.IMPORT_INVALID


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    source: str
    format: str = ""
    rows: int = 0
    areas: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False
    skip_invalid: bool = False
    countries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def summary(self) -> str:
        return _(
            "%(rows)s rows, %(areas)s areas: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(skipped)s rows skipped."
        ) % {
            "rows": self.rows,
            "areas": self.areas,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped_rows),
        }


@dataclass
class AreaRecord:
    """One admin area as the file gives it; `values` holds only the fields the file has."""

    pcode: str
    level: int
    country: str | None
    parent: str | None  # None: the file does not say (HXL without the level above)
    values: dict[str, Any]
    row: int
    columns: dict[str, str]
    rows: list[int] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What to write: new areas (parents as P-codes, by level) and changed ones (by id)."""

    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    countries: set[str] = field(default_factory=set)


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.rows: set[int] = set()

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append(RowError(row, column, message))
        self.rows.add(row)


# Reading -------------------------------------------------------------------------------


def read_table(path: str | Path) -> list[list[str]]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets saved on Windows; cp1252 decodes any byte, so this never fails.
        text = raw.decode("cp1252", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def _header_key(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).lower()


def detect_format(table: list[list[str]], forced: str | None = None) -> tuple[str, int]:
    """(format, index of the OCHA header row or of the HXL hashtag row) in the first rows."""
    for index, cells in enumerate(table[:HXL_SEARCH_ROWS]):
        keys = {OCHA_HEADERS.get(_header_key(c)) for c in cells}
        if forced != HXL and keys >= OCHA_REQUIRED:
            return OCHA, index
        if forced != OCHA and is_hashtag_row(cells):
            return HXL, index
    if forced == OCHA:
        raise ImportFileError(
            _(
                "No OCHA header row (Location, Admin Level, P-Code, Name, Parent P-Code) "
                "in the first %(n)s rows."
            )
            % {"n": HXL_SEARCH_ROWS}
        )
    if forced == HXL:
        raise ImportFileError(
            _("No HXL hashtag row in the first %(n)s rows.") % {"n": HXL_SEARCH_ROWS}
        )
    raise ImportFileError(
        _(
            "Unrecognised file: neither OCHA's P-code header (Location, Admin Level, P-Code, "
            "Name, Parent P-Code) nor an HXL hashtag row in the first %(n)s rows."
        )
        % {"n": HXL_SEARCH_ROWS}
    )


def _parse_date(text: str) -> datetime.date | None:
    if not text:
        return None
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    return datetime.date.fromisoformat(text)


def _parse_coordinate(text: str, limit: float) -> float:
    value = float(text.replace("\u2212", "-"))
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ValueError(text)
    return value


def _check_pcode(pcode: str, row: int, column: str, errors: _Errors) -> bool:
    if not pcode:
        errors.add(row, column, _("The P-code is missing."))
        return False
    if len(pcode) > PCODE_MAX_LENGTH or any(c.isspace() for c in pcode):
        errors.add(
            row,
            column,
            _("'%(pcode)s' is not a P-code (no spaces, at most %(n)s characters).")
            % {"pcode": pcode, "n": PCODE_MAX_LENGTH},
        )
        return False
    return True


def _check_name(name: str, row: int, column: str, errors: _Errors) -> bool:
    if len(name) > NAME_MAX_LENGTH:
        errors.add(
            row, column, _("The name is longer than %(n)s characters.") % {"n": NAME_MAX_LENGTH}
        )
        return False
    return True


def _parse_ocha(
    table: list[list[str]], header_at: int, errors: _Errors, bad: dict[str, int]
) -> tuple[list[AreaRecord], int]:
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, cell in enumerate(table[header_at]):
        key = OCHA_HEADERS.get(_header_key(cell))
        if key and key not in index:
            index[key], labels[key] = i, cell.strip()
    records: list[AreaRecord] = []
    count = 0
    for row, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in cells):
            continue
        count += 1

        def get(key: str, cells: list[str] = cells) -> str:
            i = index.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        before = len(errors.items)
        pcode, country = get("pcode"), get("country").upper()
        _check_pcode(pcode, row, labels["pcode"], errors)
        if not country:
            errors.add(row, labels["country"], _("The country code is missing."))
        level_text = get("level")
        level = int(level_text) if level_text.isdigit() else 0
        if not 1 <= level <= MAX_LEVEL:
            errors.add(
                row,
                labels["level"],
                _("Unknown admin level '%(level)s' (expected 1 to %(max)s).")
                % {"level": level_text, "max": MAX_LEVEL},
            )
        name = get("name")
        if name:
            _check_name(name, row, labels["name"], errors)
        parent: str | None = get("parent") or None
        if level == 1:
            # OCHA gives the country's ISO3 code as the parent of level-1 areas.
            if parent is not None and parent.upper() != country:
                errors.add(
                    row,
                    labels["parent"],
                    _("A level-1 area's parent must be its country code %(iso3)s, not '%(p)s'.")
                    % {"iso3": country, "p": parent},
                )
            parent = None
        elif level > 1 and parent is None:
            errors.add(row, labels["parent"], _("The parent P-code is missing."))
        values: dict[str, Any] = {"name": name} if name else {}
        try:
            valid_from = _parse_date(get("valid_from"))
        except ValueError:
            errors.add(
                row,
                labels["valid_from"],
                _("'%(value)s' is not a date (expected YYYY-MM-DD).")
                % {"value": get("valid_from")},
            )
        else:
            if valid_from is not None:
                values["valid_from"] = valid_from
        if len(errors.items) > before:
            if pcode:
                bad.setdefault(pcode, row)
            continue
        records.append(AreaRecord(pcode, level, country, parent, values, row, labels, rows=[row]))
    return records, count


def _hxl_country(
    cells: list[str], columns: Columns, iso2: dict[str, str]
) -> tuple[str | None, str | None]:
    """The row's ISO3 code (files often carry ISO2 and ISO3 side by side), and its column."""
    found: list[tuple[str, int]] = []
    for i in columns.countries:
        value = cells[i].strip().upper() if i < len(cells) else ""
        if value:
            found.append((value, i))
    for value, i in found:
        if len(value) == 3:
            return value, columns.label(i)
    for value, i in found:
        return iso2.get(value, value), columns.label(i)
    return None, None


def _parse_hxl(
    table: list[list[str]], tag_at: int, errors: _Errors, bad: dict[str, int], iso2: dict[str, str]
) -> tuple[list[AreaRecord], int]:
    columns = map_columns(table[tag_at], table[tag_at - 1] if tag_at else None)
    if not columns.codes:
        raise ImportFileError(
            _("No P-code column: expected a hashtag such as #adm1+code, #adm2+code or #adm1_id.")
        )
    levels = sorted(columns.codes)
    label = columns.label
    first_country = label(columns.countries[0]) if columns.countries else ""
    records: list[AreaRecord] = []
    count = 0
    for row, cells in enumerate(table[tag_at + 1 :], start=tag_at + 2):
        if not any(c.strip() for c in cells):
            continue
        count += 1

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return cells[i].strip() if i is not None and i < len(cells) else ""

        before = len(errors.items)
        for i, level in columns.unsupported_levels.items():
            if cell(i):
                errors.add(
                    row,
                    label(i),
                    _("Unknown admin level %(level)s (expected 1 to %(max)s).")
                    % {"level": level, "max": MAX_LEVEL},
                )
        present = [level for level in levels if cell(columns.codes[level])]
        if not present:
            errors.add(row, label(columns.codes[levels[-1]]), _("The P-code is missing."))
            continue
        country, country_label = _hxl_country(cells, columns, iso2)
        point: dict[str, float] = {}
        if columns.latitude is not None and columns.longitude is not None:
            lat_text, lon_text = cell(columns.latitude), cell(columns.longitude)
            if lat_text or lon_text:
                for key, text, i, limit in (
                    ("latitude", lat_text, columns.latitude, 90.0),
                    ("longitude", lon_text, columns.longitude, 180.0),
                ):
                    try:
                        point[key] = _parse_coordinate(text, limit)
                    except ValueError:
                        errors.add(
                            row,
                            label(i),
                            _("'%(value)s' is not a %(what)s (a number from -%(n)s to %(n)s).")
                            % {"value": text, "what": _(key), "n": int(limit)},
                        )
        row_records: list[AreaRecord] = []
        for level in present:
            code_column = columns.codes[level]
            pcode = cell(code_column)
            if not _check_pcode(pcode, row, label(code_column), errors):
                continue
            parent: str | None = None
            parent_label = label(code_column)
            if level > 1 and (level - 1) in columns.codes:
                parent_label = label(columns.codes[level - 1])
                parent = cell(columns.codes[level - 1]) or None
                if parent is None:
                    errors.add(
                        row,
                        parent_label,
                        _("The level-%(level)s area %(pcode)s needs its level-%(up)s P-code.")
                        % {"level": level, "pcode": pcode, "up": level - 1},
                    )
            values: dict[str, Any] = {}
            name_columns = columns.names.get(level, [])
            name_label = label(name_columns[0]) if name_columns else label(code_column)
            name = cell(name_columns[0]) if name_columns else ""
            if name and _check_name(name, row, name_label, errors):
                values["name"] = name
            others = [cell(i) for i in columns.alt_names.get(level, [])]
            others = list(dict.fromkeys(o for o in others if o and o != name))
            if others:
                values["other_names"] = others
            if level == present[-1]:
                values.update(point)
            row_records.append(
                AreaRecord(
                    pcode,
                    level,
                    country,
                    parent,
                    values,
                    row,
                    {
                        "pcode": label(code_column),
                        "level": label(code_column),
                        "name": name_label,
                        "country": country_label or first_country or label(code_column),
                        "parent": parent_label,
                        "latitude": label(columns.latitude),
                        "longitude": label(columns.longitude),
                    },
                    rows=[row],
                )
            )
        if len(errors.items) > before:
            for record in row_records:
                bad.setdefault(record.pcode, row)
            continue
        records.extend(row_records)
    return records, count


# Checking ------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _merge(records: list[AreaRecord], errors: _Errors) -> dict[str, AreaRecord]:
    """One record per P-code; the same P-code again must not contradict the first."""
    merged: dict[str, AreaRecord] = {}
    for record in records:
        first = merged.get(record.pcode)
        if first is None:
            merged[record.pcode] = record
            continue
        conflict: tuple[str, Any, Any] | None = None
        if record.level != first.level:
            conflict = ("level", first.level, record.level)
        elif record.country and first.country and record.country != first.country:
            conflict = ("country", first.country, record.country)
        elif record.parent and first.parent and record.parent != first.parent:
            conflict = ("parent", first.parent, record.parent)
        else:
            for key, value in record.values.items():
                if key != "other_names" and key in first.values and first.values[key] != value:
                    conflict = (key, first.values[key], value)
                    break
        if conflict is not None:
            what, old, new = conflict
            errors.add(
                record.row,
                record.columns.get(what) or record.columns["pcode"],
                _(
                    "P-code %(pcode)s is also on row %(row)s with a different %(what)s "
                    "('%(old)s' there, '%(new)s' here)."
                )
                % {
                    "pcode": record.pcode,
                    "row": first.row,
                    "what": _(what.replace("_", " ")),
                    "old": _describe(old),
                    "new": _describe(new),
                },
            )
            continue
        first.rows.append(record.row)
        first.parent = first.parent or record.parent
        first.country = first.country or record.country
        for key, value in record.values.items():
            if key == "other_names":
                known = first.values.setdefault("other_names", [])
                known.extend(v for v in value if v not in known)
            else:
                first.values.setdefault(key, value)
    return merged


def _stored_areas(pcodes: set[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    ordered = sorted(pcodes)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        rows = (
            AdminArea.objects.filter(pcode__in=chunk)
            .order_by()
            .values(
                "id",
                "pcode",
                "country_id",
                "level",
                "name",
                "other_names",
                "valid_from",
                "latitude",
                "longitude",
                "version",
                "parent__pcode",
            )
        )
        found.update((row["pcode"], row) for row in rows)
    return found


def _check(
    merged: dict[str, AreaRecord],
    stored: dict[str, dict[str, Any]],
    countries: set[str],
    errors: _Errors,
    bad: dict[str, int],
    warnings: _Errors,
) -> set[str]:
    """Check each record against the file and the database; returns the rejected P-codes."""
    rejected: set[str] = set()
    for record in sorted(merged.values(), key=lambda r: r.level):
        before = len(errors.items)
        row, columns = record.row, record.columns
        existing = stored.get(record.pcode)
        unknown_country = record.country is not None and record.country not in countries
        if unknown_country:
            errors.add(
                row,
                columns["country"],
                _("Unknown country code '%(code)s'.") % {"code": record.country},
            )
        elif existing is not None:
            if record.country and existing["country_id"] != record.country:
                errors.add(
                    row,
                    columns["country"],
                    _("P-code %(pcode)s is an area of %(stored)s in the database, not %(file)s.")
                    % {
                        "pcode": record.pcode,
                        "stored": existing["country_id"],
                        "file": record.country,
                    },
                )
            if existing["level"] != record.level:
                errors.add(
                    row,
                    columns["level"],
                    _("P-code %(pcode)s is a level-%(stored)s area in the database.")
                    % {"pcode": record.pcode, "stored": existing["level"]},
                )
        if record.level > 1:
            parent = record.parent or (existing or {}).get("parent__pcode")
            record.parent = parent
            info = _area_info(parent, merged, stored)
            if parent is None:
                errors.add(row, columns["parent"], _("The parent P-code is missing."))
            elif info is None and parent in bad:
                errors.add(
                    row,
                    columns["parent"],
                    _("The parent P-code %(parent)s is on row %(row)s, which has errors.")
                    % {"parent": parent, "row": bad[parent]},
                )
            elif info is None:
                errors.add(
                    row,
                    columns["parent"],
                    _("Unknown parent P-code '%(parent)s': not in this file nor in the database.")
                    % {"parent": parent},
                )
            else:
                parent_level, parent_country = info
                record.country = record.country or (existing or {}).get("country_id")
                record.country = record.country or parent_country
                if parent_level != record.level - 1:
                    errors.add(
                        row,
                        columns["parent"],
                        _(
                            "The parent %(parent)s is a level-%(plevel)s area; a level-%(level)s "
                            "area needs a level-%(up)s parent."
                        )
                        % {
                            "parent": parent,
                            "plevel": parent_level,
                            "level": record.level,
                            "up": record.level - 1,
                        },
                    )
                elif (
                    parent_country
                    and record.country
                    and parent_country != record.country
                    and not unknown_country
                ):
                    errors.add(
                        row,
                        columns["parent"],
                        _("The parent %(parent)s is in %(other)s, not in %(country)s.")
                        % {"parent": parent, "other": parent_country, "country": record.country},
                    )
        record.country = record.country or (existing or {}).get("country_id")
        if record.country is None:
            errors.add(row, columns["country"], _("The country code is missing."))
        if existing is None and not record.values.get("name"):
            # OCHA's own list has unnamed areas; they still need to exist for their P-code.
            warnings.add(
                row,
                columns["name"],
                _("The name is missing: the P-code stands in until a file gives a name."),
            )
        if len(errors.items) > before:
            rejected.add(record.pcode)
    return rejected


def _area_info(
    pcode: str | None, merged: dict[str, AreaRecord], stored: dict[str, dict[str, Any]]
) -> tuple[int, str | None] | None:
    if pcode is None:
        return None
    if pcode in merged:
        return merged[pcode].level, merged[pcode].country
    if pcode in stored:
        return stored[pcode]["level"], stored[pcode]["country_id"]
    return None


def _accepted(
    merged: dict[str, AreaRecord],
    stored: dict[str, dict[str, Any]],
    rejected: set[str],
    errors: _Errors,
) -> set[str]:
    """The areas left to import once rows with errors are skipped, and areas under them."""
    while True:
        accepted = {
            pcode
            for pcode, record in merged.items()
            if pcode not in rejected and any(r not in errors.rows for r in record.rows)
        }
        changed = False
        for record in sorted(merged.values(), key=lambda r: r.level):
            parent = record.parent
            if record.pcode not in accepted or record.level == 1 or parent is None:
                continue
            if parent in accepted or parent in stored:
                continue
            accepted.discard(record.pcode)
            rejected.add(record.pcode)
            changed = True
            for row in record.rows:
                if row not in errors.rows:
                    errors.add(
                        row,
                        record.columns["parent"],
                        _("Skipped because its parent %(parent)s has errors.") % {"parent": parent},
                    )
        if not changed:
            return accepted


# Planning ------------------------------------------------------------------------------


def _plan(
    merged: dict[str, AreaRecord], stored: dict[str, dict[str, Any]], accepted: set[str]
) -> ImportPlan:
    plan = ImportPlan()
    for record in sorted((merged[p] for p in accepted), key=lambda r: (r.level, r.pcode)):
        values = record.values
        plan.countries.add(record.country or "")
        existing = stored.get(record.pcode)
        if existing is None:
            plan.create.append(
                {
                    "pcode": record.pcode,
                    "country_id": record.country,
                    "level": record.level,
                    "parent": record.parent if record.level > 1 else None,
                    "name": values.get("name") or record.pcode,
                    "other_names": list(values.get("other_names", [])),
                    "valid_from": values.get("valid_from"),
                    "latitude": values.get("latitude"),
                    "longitude": values.get("longitude"),
                }
            )
            continue
        new = {
            "name": existing["name"],
            "other_names": list(existing["other_names"] or []),
            "parent": existing["parent__pcode"],
            "valid_from": existing["valid_from"],
            "latitude": existing["latitude"],
            "longitude": existing["longitude"],
        }
        name = values.get("name")
        if name and name != new["name"]:
            # A renamed area stays findable under its former name (not a stand-in P-code).
            if new["name"] not in new["other_names"] and new["name"] != record.pcode:
                new["other_names"].append(new["name"])
            new["name"] = name
        new["other_names"] = [n for n in new["other_names"] if n != new["name"]]
        for other in values.get("other_names", []):
            if other != new["name"] and other not in new["other_names"]:
                new["other_names"].append(other)
        if record.level > 1 and record.parent:
            new["parent"] = record.parent
        for key in ("valid_from", "latitude", "longitude"):
            if values.get(key) is not None:
                new[key] = values[key]
        old = {key: existing["parent__pcode" if key == "parent" else key] for key in new}
        old["other_names"] = list(old["other_names"] or [])
        if new == old:
            plan.unchanged += 1
        else:
            plan.update.append(
                {"id": existing["id"], "version": existing["version"], "pcode": record.pcode, **new}
            )
    plan.countries.discard("")
    return plan


# Entry point ---------------------------------------------------------------------------


def import_admin_areas(
    path: str | Path,
    *,
    format: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: Any = None,
) -> ImportResult:
    """Read, check and (unless there are errors or `dry_run`) write admin areas from a CSV.

    Raises ImportFileError when the file as a whole is unusable; row problems are returned
    in `result.errors`.
    """
    if format is not None and format not in FORMATS:
        raise ImportFileError(_("Unknown format '%(format)s'.") % {"format": format})
    path = Path(path)
    try:
        table = read_table(path)
    except OSError as exc:
        raise ImportFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(
            _("%(path)s is not a readable CSV file: %(error)s") % {"path": path, "error": exc}
        ) from exc
    detected, at = detect_format(table, format)
    result = ImportResult(source=path.name, format=detected, skip_invalid=skip_invalid)
    errors = _Errors()
    bad: dict[str, int] = {}
    country_rows = Country.objects.order_by().values_list("iso3", "iso2")
    countries = {iso3 for iso3, _iso2 in country_rows}
    if detected == OCHA:
        records, result.rows = _parse_ocha(table, at, errors, bad)
    else:
        iso2 = {iso2: iso3 for iso3, iso2 in country_rows}
        records, result.rows = _parse_hxl(table, at, errors, bad, iso2)
    merged = _merge(records, errors)
    for pcode in merged:
        bad.pop(pcode, None)
    pcodes = set(merged) | {r.parent for r in merged.values() if r.parent}
    stored = _stored_areas(pcodes)
    warnings = _Errors()
    rejected = _check(merged, stored, countries, errors, bad, warnings)
    result.warnings = sorted(warnings.items)
    accepted = _accepted(merged, stored, rejected, errors) if skip_invalid else set(merged)
    result.errors = sorted(errors.items)
    result.areas = len(merged)
    if errors.items and not skip_invalid:
        return result
    plan = _plan(merged, stored, accepted)
    result.unchanged = plan.unchanged
    result.countries = sorted(plan.countries)
    if dry_run:
        result.created, result.updated = len(plan.create), len(plan.update)
        return result
    from .services import admin_areas_import

    result.created, result.updated = admin_areas_import(
        actor=actor, plan=plan, source=path.name, result=result
    )
    result.written = True
    return result
