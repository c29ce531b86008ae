"""OFAC SDN and consolidated non-SDN lists in OFAC's legacy three-file CSV layout.

No header row; `-0-` means empty; a trailing Ctrl-Z (0x1A) ends each file.
  sdn.csv / cons_prim.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
                           Tonnage, GRT, Vess_flag, Vess_owner, Remarks
  alt.csv / cons_alt.csv:  ent_num, alt_num, alt_type, alt_name, alt_remarks
  add.csv / cons_add.csv:  ent_num, add_num, address, city_state_zip, country, add_remarks
Aliases in alt.csv are strong; the "a.k.a. 'X'" written in the remarks are OFAC's weak aliases.
Dates of birth, nationalities and identifiers are in the remarks ("DOB 1962; nationality Iran;
Passport A123 (Iran)").
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

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
    year_range,
)

LAYOUTS = {
    "sdn": ("sdn.csv", "alt.csv", "add.csv"),
    "cons": ("cons_prim.csv", "cons_alt.csv", "cons_add.csv"),
}
_TYPES = {
    "individual": EntityType.PERSON,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
    "": EntityType.ORGANISATION,
}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_ID_KINDS = re.compile(
    r"^(Passport|National ID No\.|Cedula No\.|Tax ID No\.|Registration ID|Identification Number|"
    r"NIT #|R\.F\.C\.|C\.U\.R\.P\.|RUC #|Vessel Registration Identification|"
    r"Aircraft Manufacturer's Serial Number \(MSN\)|Registration Number|"
    r"Business Registration Number|Company Number|V\.A\.T\. Number|SWIFT/BIC|"
    r"Commercial Registry Number|Personal ID Card|Driver's License No\.|SSN|D-U-N-S Number|"
    r"Government Gazette Number|Unified Social Credit Code \(USCC\)|Folio Mercantil No\.|"
    r"Matricula Mercantil No|Public Security and Immigration No\.|Legal Entity Number|"
    r"Kenyan ID No\.|Bosnian Personal ID No\.|Pakistani National ID No\.|"
    r"Stateless Person ID Card|Refugee ID Card|Trade License No\.|Identification Card No\.|"
    r"US FEIN|UK Company Number|Chamber of Commerce Number|Citizen's Card Number|ISIN|"
    r"Residency Number|Birth Certificate Number|Electoral Registry No\.|Travel Document Number|"
    r"Diplomatic Passport|Immigration No\.|Tax Registration Number|Certificate of Incorporation Number)"
    r"\s+(.+)$"
)
_AKA = re.compile(r"\b(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'([^']+)'")


def _cell(value: str) -> str:
    value = clean(value)
    return "" if value == "-0-" else value


def _rows(content: bytes, file_name: str, width: int) -> list[list[str]]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="strict")
    text = text.rstrip("\x1a\r\n \t")
    rows: list[list[str]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for line_no, row in enumerate(reader, start=1):
            if not row or row == ["\x1a"]:
                continue
            if len(row) != width:
                raise bad_format(
                    file_name, f"line {line_no} has {len(row)} columns, expected {width}"
                )
            if not _cell(row[0]).isdigit():
                raise bad_format(file_name, f"line {line_no}: ent_num {row[0]!r} is not a number")
            rows.append([_cell(v) for v in row])
    except csv.Error as exc:
        raise bad_format(file_name, f"CSV error: {exc}") from exc
    return rows


def _dates(value: str) -> list[ParsedDate]:
    """'1962', '12 Jan 1962', 'Jan 1962', 'circa 1962', '1960 to 1962'."""
    value = value.strip().rstrip(".")
    approx = value.lower().startswith("circa")
    value = re.sub(r"^circa\s+", "", value, flags=re.I)
    found: list[ParsedDate] = []
    m = re.fullmatch(r"(\d{4})\s+to\s+(\d{4})", value)
    if m:
        return [year_range(int(m.group(1)), int(m.group(2)), approximate=approx, text=value)]
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})", value)
    if m and m.group(2).lower() in _MONTHS:
        import datetime

        try:
            day = datetime.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            return [day_date(day, approximate=approx, text=value)]
        except ValueError:
            return []
    m = re.fullmatch(r"([A-Za-z]{3})[a-z]*\s+(\d{4})", value)
    if m and m.group(1).lower() in _MONTHS:
        return [month_date(int(m.group(2)), _MONTHS[m.group(1).lower()], text=value)]
    m = re.fullmatch(r"(\d{4})", value)
    if m:
        found.append(year_range(int(value), int(value), approximate=approx, text=value))
    return found


def _remarks(entry: ParsedEntry, remarks: str) -> None:
    for alias in _AKA.findall(remarks):
        entry.add_name(alias, NameKind.ALIAS, NameQuality.WEAK)
    for part in remarks.split(";"):
        part = part.strip().rstrip(".")
        low = part.lower()
        if low.startswith("dob "):
            for chunk in re.split(r",\s*|\s+alt\.\s+", part[4:]):
                entry.birth_dates.extend(_dates(chunk))
        elif low.startswith("alt. dob "):
            entry.birth_dates.extend(_dates(part[9:]))
        elif low.startswith(("nationality ", "alt. nationality ")):
            entry.nationalities.append(
                part.split(" ", 2)[-1] if low.startswith("alt.") else part[12:]
            )
        elif low.startswith(("citizen ", "alt. citizen ")):
            entry.nationalities.append(
                part.split(" ", 2)[-1] if low.startswith("alt.") else part[8:]
            )
        else:
            m = _ID_KINDS.match(part)
            if m:
                number, _, rest = m.group(2).partition(" (")
                entry.identifiers.append(
                    ParsedIdentifier(
                        kind=m.group(1), number=number.strip(), country=rest.split(")")[0]
                    )
                )
            elif low.startswith(("vessel registration identification imo", "imo ")):
                entry.identifiers.append(ParsedIdentifier(kind="IMO", number=part.split()[-1]))


def find_layout(folder: Path) -> tuple[str, tuple[str, str, str]]:
    for name, files in LAYOUTS.items():
        if (folder / files[0]).exists():
            return name, files
    raise bad_format(
        str(folder), "no sdn.csv (SDN list) nor cons_prim.csv (non-SDN list) in the folder"
    )


def read_ofac(files: dict[str, bytes], folder_name: str, layout: str) -> ParsedList:
    """`files` holds the main, alias and address file contents under 'main', 'alt', 'add'."""
    names = LAYOUTS[layout]
    entries: dict[str, ParsedEntry] = {}
    for row in _rows(files["main"], names[0], 12):
        ent_num, name, sdn_type, program = row[0], row[1], row[2].lower(), row[3]
        if not name:
            raise bad_format(names[0], f"entry {ent_num} has no name")
        entry = ParsedEntry(
            ref=ent_num,
            entity_type=_TYPES.get(sdn_type, EntityType.ORGANISATION),
            primary_name=name,
            programmes=[p.strip("[] ") for p in re.split(r"\]\s*\[|;", program) if p.strip("[] ")],
            remarks=row[11],
        )
        entry.add_name(name, NameKind.PRIMARY)
        if row[5]:
            entry.identifiers.append(ParsedIdentifier(kind="Call sign", number=row[5]))
        if row[9]:
            entry.nationalities.append(row[9])
        _remarks(entry, row[11])
        entries[ent_num] = entry
    if "alt" in files:
        for row in _rows(files["alt"], names[1], 5):
            found = entries.get(row[0])
            if found is None:
                raise bad_format(names[1], f"alias {row[1]} points to unknown ent_num {row[0]}")
            kind = NameKind.FORMER if row[2].lower() == "fka" else NameKind.ALIAS
            quality = NameQuality.WEAK if row[2].lower() == "weak aka" else NameQuality.STRONG
            found.add_name(row[3], kind, quality)
    if "add" in files:
        for row in _rows(files["add"], names[2], 6):
            found = entries.get(row[0])
            if found is None:
                raise bad_format(names[2], f"address {row[1]} points to unknown ent_num {row[0]}")
            address = ParsedAddress(street=row[2], city=row[3], country_name=row[4], note=row[5])
            if any(vars(address).values()):
                found.addresses.append(address)
    sdn = layout == "sdn"
    return ParsedList(
        source_code="ofac-sdn" if sdn else "ofac-nonsdn",
        source_kind=SourceKind.OFAC,
        source_name="OFAC SDN list" if sdn else "OFAC consolidated non-SDN list",
        entries=list(entries.values()),
    )
