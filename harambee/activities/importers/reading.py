"""Reading a 3W file (CSV or XLSX) into rows of text, and finding its hashtag and header rows.

Whole-file problems (not a spreadsheet, an old .xls, no usable sheet) raise ImportFileError.
Cell-level oddities are collected as warnings: spreadsheet formulas such as '=#N/A' or
'=VLOOKUP(...)' are what someone typed, not values, so they count as empty cells.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from harambee.core.errors import ErrorCode, ServiceError
from harambee.places.hxl import HXL_SEARCH_ROWS, is_hashtag_row

from .tags import Field, field_for, normalise_tag, suggest_tag, tag_text


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported; nothing is written."""

    code = ErrorCode.IMPORT_INVALID


@dataclass
class Column:
    index: int
    header: str
    tag: str | None  # canonical form, from the file or the mapping
    field: Field | None
    from_mapping: bool = False

    @property
    def label(self) -> str:
        """How error messages name the column: its letter-free header and tag."""
        if self.header and self.tag:
            return f"{self.header} ({self.tag})"
        return self.header or self.tag or _("column %(n)s") % {"n": self.index + 1}


@dataclass
class Table:
    """The chosen sheet: rows of stripped text with their spreadsheet row numbers."""

    rows: list[list[str]]
    numbers: list[int]
    sheet: str | None = None
    formulas: dict[int, list[int]] = field(default_factory=dict)  # column -> row numbers


@dataclass
class Layout:
    """Where the header and hashtag rows are and what each column means."""

    header_row: int  # spreadsheet number, 0 when there is none
    tag_row: int | None
    data_start: int  # index into Table.rows
    columns: list[Column]
    headers: list[str]

    @property
    def signature(self) -> str:
        return header_signature(self.headers)

    @property
    def has_fields(self) -> bool:
        return any(c.field is not None for c in self.columns)


def header_signature(headers: Iterable[str]) -> str:
    """A fingerprint of the header row, to find the mapping saved for files laid out alike."""
    text = "\x1f".join(" ".join(h.split()).lower() for h in headers)
    return hashlib.sha1(text.encode()).hexdigest()


# Reading ------------------------------------------------------------------------------------

_XLSX_NAMES = (".xlsx", ".xlsm")
_PNG = b"\x89PNG"
_OLE = b"\xd0\xcf\x11\xe0"  # .xls and other legacy Office files


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _clean_formulas(rows: list[list[str]], numbers: list[int]) -> dict[int, list[int]]:
    """Blank every formula cell in place; returns {column: [row numbers]} for the warning."""
    found: dict[int, list[int]] = {}
    for cells, number in zip(rows, numbers, strict=True):
        for index, cell in enumerate(cells):
            if cell[:1] == "=" and len(cell) > 1:
                cells[index] = ""
                found.setdefault(index, []).append(number)
    return found


def _looks_binary(raw: bytes) -> bool:
    head = raw[:4096]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return bool(head) and controls / len(head) > 0.02


def _read_csv(raw: bytes) -> Table:
    if _looks_binary(raw):
        raise ImportFileError(
            _("This file is not a spreadsheet: save it as CSV (UTF-8) or Excel (.xlsx).")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = text[:20000]
    delimiter = max(",;\t", key=sample.count) if sample else ","
    try:
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(
            _("This CSV file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    numbers = list(range(1, len(rows) + 1))
    return Table(rows, numbers, None, _clean_formulas(rows, numbers))


def _sheet_score(rows: list[list[str]]) -> int:
    """How much a sheet's first rows look like a 3W table: hashtags count most."""
    best = 0
    for cells in rows[:HXL_SEARCH_ROWS]:
        if is_hashtag_row(cells):
            used = sum(1 for c in cells if field_for(normalise_tag(c)) is not None)
            best = max(best, 1000 + used)
        else:
            best = max(best, sum(1 for c in cells if suggest_tag(c)))
    return best


def _read_xlsx(raw: bytes) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("This Excel file cannot be opened (%(error)s): save it again as .xlsx or CSV.")
            % {"error": exc}
        ) from exc
    try:
        best: tuple[int, str] | None = None
        for sheet in book.worksheets:
            head = [
                [_cell_text(v) for v in row]
                for row in sheet.iter_rows(max_row=HXL_SEARCH_ROWS, values_only=True)
            ]
            score = _sheet_score(head)
            if score and (best is None or score > best[0]):
                best = (score, sheet.title)
        if best is None:
            raise ImportFileError(
                _(
                    "No sheet of this workbook has 3W columns (organisation, sector, place) or "
                    "HXL hashtags in its first %(n)s rows."
                )
                % {"n": HXL_SEARCH_ROWS}
            )
        sheet = book[best[1]]
        rows: list[list[str]] = []
        numbers: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if cells or number <= HXL_SEARCH_ROWS:
                rows.append(cells)
                numbers.append(number)
        return Table(rows, numbers, best[1], _clean_formulas(rows, numbers))
    finally:
        book.close()


def read_table(file_name: str, content: bytes) -> Table:
    """The rows of a CSV, or of the most 3W-like sheet of an XLSX workbook."""
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith(_PNG) or content[:3] == b"\xff\xd8\xff" or content[:4] == b"%PDF":
        raise ImportFileError(
            _("This file is an image or a PDF, not a spreadsheet: upload a CSV or .xlsx file.")
        )
    if content.startswith(_OLE):
        raise ImportFileError(
            _("Old Excel files (.xls) are not read: save it as .xlsx or CSV and upload it again.")
        )
    if content.startswith(b"PK\x03\x04") or file_name.lower().endswith(_XLSX_NAMES):
        if not content.startswith(b"PK\x03\x04"):
            raise ImportFileError(
                _("This file is named like an Excel workbook but is not one: upload a real .xlsx.")
            )
        return _read_xlsx(content)
    return _read_csv(content)


# Layout ---------------------------------------------------------------------------------------


def find_layout(table: Table, mapping: dict[str, str] | None = None) -> Layout:
    """Find the hashtag row (any of the first 25) and the header row above it.

    Without hashtags the header row is the first row that looks like 3W headers (or simply
    the first non-empty row) and `mapping` (header -> tag) says what the columns are.
    """
    mapping = {" ".join(k.split()).lower(): v for k, v in (mapping or {}).items()}
    tag_index: int | None = None
    for index, cells in enumerate(table.rows[:HXL_SEARCH_ROWS]):
        if is_hashtag_row(cells):
            tag_index = index
            break
    if tag_index is not None:
        header_index = tag_index - 1 if tag_index > 0 and any(table.rows[tag_index - 1]) else None
        data_start = tag_index + 1
        tag_cells = table.rows[tag_index]
    else:
        scored = [
            (sum(1 for c in cells if suggest_tag(c)), -i, i)
            for i, cells in enumerate(table.rows[:HXL_SEARCH_ROWS])
            if any(cells)
        ]
        if not scored:
            raise ImportFileError(_("The file has no rows."))
        header_index = max(scored)[2]
        data_start = header_index + 1
        tag_cells = []
    headers = list(table.rows[header_index]) if header_index is not None else []
    sample = table.rows[data_start : data_start + 500]
    width = max(len(headers), len(tag_cells), max((len(r) for r in sample), default=0))
    headers += [""] * (width - len(headers))
    columns: list[Column] = []
    for index in range(width):
        header = headers[index]
        raw_tag = tag_cells[index] if index < len(tag_cells) else ""
        mapped = mapping.get(" ".join(header.split()).lower()) if header else None
        tag = normalise_tag(mapped) if mapped else normalise_tag(raw_tag)
        columns.append(
            Column(
                index=index,
                header=header,
                tag=tag_text(tag) if tag else None,
                field=field_for(tag),
                from_mapping=bool(mapped),
            )
        )
    return Layout(
        header_row=table.numbers[header_index] if header_index is not None else 0,
        tag_row=table.numbers[tag_index] if tag_index is not None else None,
        data_start=data_start,
        columns=columns,
        headers=headers,
    )
