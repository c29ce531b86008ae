"""EU consolidated financial sanctions list (XML, namespace http://eu.europa.ec/fpi/fsd/export)."""

from __future__ import annotations

import datetime
from typing import Any

from ..choices import EntityType, NameKind, NameQuality, SourceKind
from .common import (
    ParsedAddress,
    ParsedEntry,
    ParsedIdentifier,
    ParsedList,
    bad_format,
    clean,
    day_date,
    month_date,
    parse_iso_date,
    script_of,
    year_range,
)
from .un import parse_xml

NS = "{http://eu.europa.ec/fpi/fsd/export}"
_TYPES = {
    "person": EntityType.PERSON,
    "enterprise": EntityType.ORGANISATION,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
}


def read_eu(content: bytes, file_name: str) -> ParsedList:
    root = parse_xml(content, file_name)
    if root.tag != f"{NS}export":
        raise bad_format(file_name, f"expected the EU <export> root, found <{root.tag}>")
    entries: dict[str, ParsedEntry] = {}
    for node in root.iter(f"{NS}sanctionEntity"):
        entry = _entry(node, file_name)
        if entry.ref in entries:
            entries[entry.ref].merge(entry)
        else:
            entries[entry.ref] = entry
    generated = root.get("generationDate")
    return ParsedList(
        source_code="eu",
        source_kind=SourceKind.EU,
        source_name="EU consolidated financial sanctions list",
        entries=list(entries.values()),
        published_on=parse_iso_date(generated) if generated else None,
    )


def _a(node: Any, name: str) -> str:
    return clean(node.get(name))


def _entry(node: Any, file_name: str) -> ParsedEntry:
    ref = _a(node, "logicalId")
    subject = node.find(f"{NS}subjectType")
    code = _a(subject, "code") if subject is not None else ""
    aliases = node.findall(f"{NS}nameAlias")
    names = [_a(a, "wholeName") for a in aliases if _a(a, "wholeName")]
    if not ref or not names:
        raise bad_format(file_name, f"sanctionEntity {ref!r} has no logicalId or no name")
    programmes = sorted(
        {_a(r, "programme") for r in node.findall(f"{NS}regulation") if _a(r, "programme")}
    )
    remarks = " ".join(clean(r.text) for r in node.findall(f"{NS}remark") if r.text)
    entry = ParsedEntry(
        ref=ref,
        entity_type=_TYPES.get(code, EntityType.ORGANISATION),
        primary_name=names[0],
        programmes=programmes,
        listed_on=parse_iso_date(_a(node, "designationDate")),
        remarks=remarks,
    )
    for i, alias in enumerate(aliases):
        whole = _a(alias, "wholeName")
        if not whole:
            continue
        script = script_of(whole)
        kind = NameKind.PRIMARY if i == 0 else NameKind.ALIAS
        if script != "latin" and i:
            kind = NameKind.ORIGINAL_SCRIPT
        strong = _a(alias, "strong").lower() != "false"
        entry.add_name(whole, kind, NameQuality.STRONG if strong else NameQuality.WEAK, script)
    for cit in node.findall(f"{NS}citizenship"):
        value = _a(cit, "countryIso2Code")
        value = value if value and value != "00" else _a(cit, "countryDescription")
        if value:
            entry.nationalities.append(value)
    for dob in node.findall(f"{NS}birthdate"):
        approx = _a(dob, "circa").lower() == "true"
        full = parse_iso_date(_a(dob, "birthdate"))
        year, month = _a(dob, "year"), _a(dob, "monthOfYear")
        if full:
            entry.birth_dates.append(day_date(full, approximate=approx))
        elif year.isdigit() and month.isdigit():
            entry.birth_dates.append(month_date(int(year), int(month)))
        elif year.isdigit():
            entry.birth_dates.append(year_range(int(year), int(year), approximate=approx))
        else:
            first, last = _a(dob, "yearRangeFrom"), _a(dob, "yearRangeTo")
            if first.isdigit() and last.isdigit():
                entry.birth_dates.append(year_range(int(first), int(last)))
    for ident in node.findall(f"{NS}identification"):
        number = _a(ident, "number") or _a(ident, "latinNumber")
        if number:
            country = _a(ident, "countryDescription")
            entry.identifiers.append(
                ParsedIdentifier(
                    kind=_a(ident, "identificationTypeDescription")
                    or _a(ident, "identificationTypeCode"),
                    number=number,
                    country="" if country == "UNKNOWN" else country,
                )
            )
    for addr in node.findall(f"{NS}address"):
        country = _a(addr, "countryDescription")
        address = ParsedAddress(
            street=_a(addr, "street"),
            city=_a(addr, "city"),
            region=_a(addr, "region"),
            postal_code=_a(addr, "zipCode"),
            country_name="" if country == "UNKNOWN" else country,
            note=_a(addr, "place"),
        )
        if any(vars(address).values()):
            entry.addresses.append(address)
    return entry


__all__ = ["datetime", "read_eu"]
