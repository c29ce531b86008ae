"""UK consolidated list (HM Treasury / OFSI CSV): one row per name and date of birth.

Row 1 is "Last Updated,DD/MM/YYYY"; row 2 the header. Rows sharing a Group ID are one entry;
"Prime Alias" rows give its primary name. Dates are DD/MM/YYYY with 00 for unknown parts.
"""

from __future__ import annotations

import csv
import datetime
import io

from ..choices import EntityType, NameKind, NameQuality, SourceKind
from .common import (
    ParsedAddress,
    ParsedDate,
    ParsedEntry,
    ParsedIdentifier,
    ParsedList,
    bad_format,
    clean,
    day_date,
    month_date,
    script_of,
    year_range,
)

REQUIRED = ["Name 6", "Name 1", "Group Type", "Alias Type", "Group ID"]
_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ORGANISATION,
    "ship": EntityType.VESSEL,
}


def _uk_date(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


def _dob(value: str) -> ParsedDate | None:
    parts = value.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    if not year:
        return None
    try:
        if day and month:
            return day_date(datetime.date(year, month, day))
        if month:
            return month_date(year, month)
    except ValueError:
        return None
    return year_range(year, year)


def read_uk(content: bytes, file_name: str) -> ParsedList:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise bad_format(file_name, f"CSV error: {exc}") from exc
    published = None
    if rows and rows[0] and rows[0][0].strip().lower() == "last updated":
        published = _uk_date(rows[0][1].strip()) if len(rows[0]) > 1 else None
        rows = rows[1:]
    if not rows:
        raise bad_format(file_name, "the file is empty")
    header = [clean(h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise bad_format(file_name, "missing columns " + ", ".join(missing))
    col = {name: i for i, name in enumerate(header)}
    entries: dict[str, ParsedEntry] = {}
    for line_no, row in enumerate(rows[1:], start=3):
        if not any(v.strip() for v in row):
            continue
        if len(row) != len(header):
            raise bad_format(
                file_name, f"line {line_no} has {len(row)} columns, expected {len(header)}"
            )

        def get(name: str, row: list[str] = row) -> str:
            return clean(row[col[name]]) if name in col else ""

        group = get("Group ID")
        parts = [get(f"Name {i}") for i in (1, 2, 3, 4, 5)] + [get("Name 6")]
        name = " ".join(p for p in parts if p)
        if not group or not name:
            raise bad_format(file_name, f"line {line_no} has no Group ID or no name")
        prime = get("Alias Type").lower() == "prime alias"
        entry = entries.get(group)
        if entry is None:
            entry = entries[group] = ParsedEntry(
                ref=group,
                entity_type=_TYPES.get(get("Group Type").lower(), EntityType.ORGANISATION),
                primary_name=name,
                listed_on=_uk_date(get("Listed On")),
                remarks=get("Other Information"),
            )
        if prime and entry.primary_name != name:
            entry.primary_name = name
        weak = get("Alias Quality").lower() in {"low quality", "weak"}
        entry.add_name(
            name,
            NameKind.PRIMARY if prime else NameKind.ALIAS,
            NameQuality.WEAK if weak else NameQuality.STRONG,
            dedupe=True,
        )
        original = get("Name Non-Latin Script")
        if original:
            entry.add_name(
                original, NameKind.ORIGINAL_SCRIPT, script=script_of(original), dedupe=True
            )
        regime = get("Regime")
        if regime and regime not in entry.programmes:
            entry.programmes.append(regime)
        dob = _dob(get("DOB"))
        if dob and all(d.text != dob.text for d in entry.birth_dates):
            entry.birth_dates.append(dob)
        for nat in get("Nationality").split(")"):
            nat = nat.strip(" ,(0123456789")
            if nat and nat not in entry.nationalities:
                entry.nationalities.append(nat)
        for kind, column in (
            ("Passport", "Passport Number"),
            ("National ID", "National Identification Number"),
        ):
            number = get(column)
            if number and all(i.number != number for i in entry.identifiers):
                entry.identifiers.append(ParsedIdentifier(kind=kind, number=number))
        address = ParsedAddress(
            street=", ".join(p for p in (get(f"Address {i}") for i in range(1, 5)) if p),
            city=get("Address 5"),
            region=get("Address 6"),
            postal_code=get("Post/Zip Code"),
            country_name=get("Country"),
        )
        if any(vars(address).values()) and address not in entry.addresses:
            entry.addresses.append(address)
    # Primary names first, as the other lists give them.
    for entry in entries.values():
        entry.names.sort(key=lambda n: n.kind != NameKind.PRIMARY)
        for n in entry.names:
            if n.kind == NameKind.PRIMARY and n.name != entry.primary_name:
                n.kind = NameKind.ALIAS
    return ParsedList(
        source_code="uk",
        source_kind=SourceKind.UK,
        source_name="UK consolidated list of financial sanctions targets",
        entries=list(entries.values()),
        published_on=published,
    )


__all__ = ["read_uk", "script_of"]
