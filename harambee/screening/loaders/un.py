"""UN Security Council consolidated list (XML, CONSOLIDATED_LIST/INDIVIDUALS|ENTITIES)."""

from __future__ import annotations

import datetime
from typing import Any

from lxml import etree

from ..choices import EntityType, NameKind, NameQuality, SourceKind
from .common import (
    ParsedAddress,
    ParsedEntry,
    ParsedIdentifier,
    ParsedList,
    bad_format,
    clean,
    day_date,
    parse_iso_date,
    script_of,
    year_range,
)

# UN alias quality: "Good" and "a.k.a."/"f.k.a." are strong, "Low" is weak.
_WEAK = {"low"}


def _text(node: Any, tag: str) -> str:
    child = node.find(tag)
    return clean(child.text) if child is not None and child.text else ""


def _values(node: Any, tag: str) -> list[str]:
    return [clean(v.text) for v in node.findall(f"{tag}/VALUE") if v.text and clean(v.text)]


def parse_xml(content: bytes, file_name: str) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise bad_format(file_name, f"XML error at line {exc.lineno}: {exc.msg}") from exc


def read_un(content: bytes, file_name: str) -> ParsedList:
    root = parse_xml(content, file_name)
    if root.tag != "CONSOLIDATED_LIST":
        raise bad_format(file_name, f"expected <CONSOLIDATED_LIST>, found <{root.tag}>")
    individuals, entities = root.find("INDIVIDUALS"), root.find("ENTITIES")
    if individuals is None and entities is None:
        raise bad_format(file_name, "no <INDIVIDUALS> nor <ENTITIES>")
    entries: list[ParsedEntry] = []
    for node in individuals if individuals is not None else []:
        if node.tag == "INDIVIDUAL":
            entries.append(_entry(node, file_name, person=True))
    for node in entities if entities is not None else []:
        if node.tag == "ENTITY":
            entries.append(_entry(node, file_name, person=False))
    generated = root.get("dateGenerated")
    return ParsedList(
        source_code="un",
        source_kind=SourceKind.UN,
        source_name="UN Security Council consolidated list",
        entries=entries,
        published_on=parse_iso_date(generated) if generated else None,
    )


def _entry(node: Any, file_name: str, *, person: bool) -> ParsedEntry:
    ref = _text(node, "REFERENCE_NUMBER") or _text(node, "DATAID")
    parts = [_text(node, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if not ref or not name:
        raise bad_format(
            file_name, f"entry {ref or _text(node, 'DATAID')!r} has no reference or name"
        )
    entry = ParsedEntry(
        ref=ref,
        entity_type=EntityType.PERSON if person else EntityType.ORGANISATION,
        primary_name=name,
        listed_on=parse_iso_date(_text(node, "LISTED_ON")),
        programmes=[p for p in [_text(node, "UN_LIST_TYPE")] if p],
        remarks=_text(node, "COMMENTS1"),
    )
    entry.add_name(name, NameKind.PRIMARY)
    original = _text(node, "NAME_ORIGINAL_SCRIPT")
    if original:
        entry.add_name(original, NameKind.ORIGINAL_SCRIPT, script=script_of(original))
    alias_tag = "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"
    for alias in node.findall(alias_tag):
        alias_name = _text(alias, "ALIAS_NAME")
        if not alias_name:
            continue
        quality = _text(alias, "QUALITY").lower()
        kind: str = NameKind.FORMER if quality == "f.k.a." else NameKind.ALIAS
        # The UN writes several spellings in one alias as "A; B" only for entities' first name.
        entry.add_name(
            alias_name,
            kind,
            NameQuality.WEAK if quality in _WEAK else NameQuality.STRONG,
            script_of(alias_name),
        )
    if not person and ";" in name:
        for part in name.split(";"):
            entry.add_name(part, NameKind.ALIAS, dedupe=True)
    entry.nationalities = _values(node, "NATIONALITY")
    for dob in node.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob, "TYPE_OF_DATE").upper()
        approx = kind == "APPROXIMATELY"
        full = parse_iso_date(_text(dob, "DATE"))
        year = _text(dob, "YEAR")
        if full:
            entry.birth_dates.append(day_date(full, approximate=approx))
        elif year.isdigit():
            entry.birth_dates.append(year_range(int(year), int(year), approximate=approx))
        else:
            first, last = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
            if first.isdigit() or last.isdigit():
                start = int(first) if first.isdigit() else int(last)
                end = int(last) if last.isdigit() else start
                entry.birth_dates.append(year_range(min(start, end), max(start, end)))
    for doc in node.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(doc, "NUMBER")
        if number:
            entry.identifiers.append(
                ParsedIdentifier(
                    kind=_text(doc, "TYPE_OF_DOCUMENT") or "Document",
                    number=number,
                    country=_text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE"),
                )
            )
    address_tag = "INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS"
    for addr in node.findall(address_tag):
        address = ParsedAddress(
            street=_text(addr, "STREET"),
            city=_text(addr, "CITY"),
            region=_text(addr, "STATE_PROVINCE"),
            postal_code=_text(addr, "ZIP_CODE"),
            country_name=_text(addr, "COUNTRY"),
            note=_text(addr, "NOTE"),
        )
        if any(vars(address).values()):
            entry.addresses.append(address)
    return entry


__all__ = ["datetime", "read_un"]
