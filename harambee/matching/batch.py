"""The batch interface: OFFERS.csv and NEEDS.csv in, MATCHES.csv out.

OFFERS columns: id, kind, occupations, skills, languages, country, remote, available_from,
available_to, capacity, consent. NEEDS columns: id, occupations, skills_required,
skills_optional, languages_required, country, remote_ok, start, end, posts.
Lists are ;-separated. Occupations are ISCO-08 codes (or ESCO occupation codes), optionally
with years of experience ("2221:5"); skills are ESCO URIs or labels (a label that is no ESCO
label is kept as free text); languages are ISO 639-1 or 639-3 codes with a CEFR level
("ar:C2;en:B2"). Rows are numbered as a spreadsheet shows them (the header is row 1).

Every row is checked before anything is matched or written; bad input raises one ServiceError
that names each bad row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pycountry
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError

from . import engine
from .choices import OfferKind, ProfileKind
from .languages import normalise_language, parse_level
from .taxonomy import known_occupation_codes, normalise, require_taxonomy, skill_tokens

BATCH_INVALID = "batch_invalid"
MAX_ERRORS = 50
OFFER_COLUMNS = [
    "id", "kind", "occupations", "skills", "languages", "country", "remote",
    "available_from", "available_to", "capacity", "consent",
]  # fmt: skip
NEED_COLUMNS = [
    "id", "occupations", "skills_required", "skills_optional", "languages_required",
    "country", "remote_ok", "start", "end", "posts",
]  # fmt: skip
MATCH_COLUMNS = ["need_id", "offer_id", "score", "reasons"]
OFFER_KINDS = {*ProfileKind.values, *OfferKind.values}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


class BatchError(ServiceError):
    code = BATCH_INVALID

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS]
        more = len(errors) - len(shown)
        message = "\n".join(shown)
        if more:
            message += "\n" + _("… and %(n)d more.") % {"n": more}
        super().__init__(message)
        self.errors = errors


@dataclass
class Vocabulary:
    """What the rows are checked against: the loaded taxonomy."""

    occupations: set[str]
    skill_uris: set[str]
    skill_labels: dict[str, str]

    @classmethod
    def from_database(cls) -> Vocabulary:
        require_taxonomy()
        uris, labels = skill_tokens()
        return cls(known_occupation_codes(), uris, labels)


@dataclass
class Row:
    file: str
    number: int
    values: dict[str, Any] = field(default_factory=dict)


class _Checker:
    def __init__(self, file: str, vocabulary: Vocabulary) -> None:
        self.file = file
        self.vocabulary = vocabulary
        self.errors: list[str] = []

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(
            _("%(file)s row %(row)d, column %(column)s: %(message)s")
            % {"file": self.file, "row": row, "column": column, "message": message}
        )

    @staticmethod
    def items(text: str) -> list[str]:
        return [part.strip() for part in (text or "").split(";") if part.strip()]

    def occupations(self, row: int, column: str, text: str) -> list[tuple[str, int]]:
        result = []
        for item in self.items(text):
            code, _sep, years = item.partition(":")
            code = code.strip()
            if code not in self.vocabulary.occupations:
                self.error(
                    row,
                    column,
                    _("unknown ISCO-08 or ESCO occupation code “%(code)s”") % {"code": code},
                )
                continue
            number = 0
            if years.strip():
                try:
                    number = int(years)
                    if number < 0:
                        raise ValueError
                except ValueError:
                    self.error(
                        row,
                        column,
                        _("years of experience must be a whole number (“%(item)s”)")
                        % {"item": item},
                    )
                    continue
            result.append((code, number))
        return result

    def skills(self, row: int, column: str, text: str) -> frozenset[str]:
        result = set()
        for item in self.items(text):
            if item.startswith(("http://", "https://")):
                if item not in self.vocabulary.skill_uris:
                    self.error(row, column, _("unknown ESCO skill URI “%(uri)s”") % {"uri": item})
                    continue
                result.add(item)
            else:
                norm = normalise(item)
                result.add(self.vocabulary.skill_labels.get(norm, f"text:{norm}"))
        return frozenset(result)

    def languages(self, row: int, column: str, text: str) -> dict[str, int]:
        result: dict[str, int] = {}
        for item in self.items(text):
            code, _sep, level_text = item.partition(":")
            language = normalise_language(code)
            level = parse_level(level_text)
            if language is None:
                self.error(
                    row,
                    column,
                    _("unknown ISO 639 language code “%(code)s”") % {"code": code.strip()},
                )
            elif level is None:
                self.error(
                    row,
                    column,
                    _("“%(item)s” needs a CEFR level A1–C2 after the colon") % {"item": item},
                )
            else:
                result[language] = level
        return result

    def country(self, row: int, column: str, text: str, required: bool = False) -> str | None:
        code = (text or "").strip().upper()
        if not code:
            if required:
                self.error(row, column, _("a country is required"))
            return None
        if pycountry.countries.get(alpha_3=code) is None:
            self.error(row, column, _("unknown ISO3 country code “%(code)s”") % {"code": code})
            return None
        return code

    def yes_no(self, row: int, column: str, text: str) -> bool:
        value = (text or "").strip().lower()
        if value in YES:
            return True
        if value not in NO:
            self.error(row, column, _("write yes or no (got “%(value)s”)") % {"value": text})
        return False

    def date(self, row: int, column: str, text: str) -> datetime.date | None:
        value = (text or "").strip()
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(row, column, _("not a date YYYY-MM-DD (“%(value)s”)") % {"value": value})
            return None

    def dates(self, row: int, first: str, second: str, values: dict[str, str]) -> tuple[Any, Any]:
        start, end = (
            self.date(row, first, values.get(first, "")),
            self.date(row, second, values.get(second, "")),
        )
        if start and end and end < start:
            self.error(
                row, second,
                _("%(end)s is before %(start)s (%(first)s)") % {"end": end, "start": start, "first": first},
            )  # fmt: skip
        return start, end

    def count(self, row: int, column: str, text: str) -> int:
        try:
            value = int((text or "").strip())
        except ValueError:
            self.error(
                row,
                column,
                _("must be a whole number of at least 1 (got “%(value)s”)") % {"value": text},
            )
            return 1
        if value < 1:
            self.error(row, column, _("must be at least 1 (got %(value)d)") % {"value": value})
            return 1
        return value

    def read(self, stream: IO[str], columns: list[str]) -> list[tuple[int, dict[str, str]]]:
        reader = csv.DictReader(stream)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in columns if c not in header]
        if missing:
            self.errors.append(
                _("%(file)s: missing columns %(columns)s (row 1)")
                % {"file": self.file, "columns": ", ".join(missing)}
            )
            return []
        reader.fieldnames = header
        rows = []
        seen: dict[str, int] = {}
        for number, values in enumerate(reader, start=2):
            values = {k: (v or "").strip() for k, v in values.items() if k is not None}
            if not any(values.values()):
                continue
            ident = values.get("id", "")
            if not ident:
                self.error(number, "id", _("an id is required"))
            elif ident in seen:
                self.error(
                    number,
                    "id",
                    _("duplicate id “%(id)s” (also row %(row)d)")
                    % {"id": ident, "row": seen[ident]},
                )
            else:
                seen[ident] = number
            rows.append((number, values))
        return rows


def parse_offers(
    stream: IO[str], vocabulary: Vocabulary, file: str = "OFFERS"
) -> tuple[list[engine.OfferUnit], list[Row]]:
    check = _Checker(file, vocabulary)
    units, rows = [], []
    for number, v in check.read(stream, OFFER_COLUMNS):
        kind = v["kind"].lower()
        if kind not in OFFER_KINDS:
            check.error(
                number,
                "kind",
                _("unknown kind “%(kind)s” (one of %(kinds)s)")
                % {"kind": v["kind"], "kinds": ", ".join(sorted(OFFER_KINDS))},
            )
        occupations = check.occupations(number, "occupations", v["occupations"])
        skills = check.skills(number, "skills", v["skills"])
        languages = check.languages(number, "languages", v["languages"])
        country = check.country(number, "country", v["country"])
        remote = check.yes_no(number, "remote", v["remote"])
        start, end = check.dates(number, "available_from", "available_to", v)
        capacity = check.count(number, "capacity", v["capacity"])
        consent = check.yes_no(number, "consent", v["consent"])
        unit = engine.OfferUnit(
            id=v["id"], capacity=capacity, occupations=occupations, skills=skills,
            languages={code: (level, level) for code, level in languages.items()},
            country=country, remote=remote, available_from=start, available_to=end,
            consent=consent,
        )  # fmt: skip
        units.append(unit)
        rows.append(Row(file, number, {"kind": kind, **v}))
    if check.errors:
        raise BatchError(check.errors)
    return units, rows


def parse_needs(
    stream: IO[str], vocabulary: Vocabulary, file: str = "NEEDS"
) -> tuple[list[engine.NeedUnit], list[Row]]:
    check = _Checker(file, vocabulary)
    units, rows = [], []
    for number, v in check.read(stream, NEED_COLUMNS):
        occupations = check.occupations(number, "occupations", v["occupations"])
        required = check.skills(number, "skills_required", v["skills_required"])
        optional = check.skills(number, "skills_optional", v["skills_optional"])
        languages = check.languages(number, "languages_required", v["languages_required"])
        country = check.country(number, "country", v["country"])
        remote_ok = check.yes_no(number, "remote_ok", v["remote_ok"])
        start, end = check.dates(number, "start", "end", v)
        posts = check.count(number, "posts", v["posts"])
        unit = engine.NeedUnit(
            id=v["id"], posts=posts, occupations=[code for code, _years in occupations],
            skills_required=required, skills_optional=optional,
            languages={code: (level, False) for code, level in languages.items()},
            country=country, remote_ok=remote_ok, start=start, end=end,
        )  # fmt: skip
        units.append(unit)
        rows.append(Row(file, number, v))
    if check.errors:
        raise BatchError(check.errors)
    return units, rows


def parse_both(
    offers: IO[str],
    needs: IO[str],
    vocabulary: Vocabulary | None = None,
    offers_name: str = "OFFERS",
    needs_name: str = "NEEDS",
) -> tuple[list[engine.OfferUnit], list[Row], list[engine.NeedUnit], list[Row]]:
    """Both files, with the errors of both reported together."""
    vocabulary = vocabulary or Vocabulary.from_database()
    errors: list[str] = []
    offer_units: list[engine.OfferUnit] = []
    need_units: list[engine.NeedUnit] = []
    offer_rows: list[Row] = []
    need_rows: list[Row] = []
    try:
        offer_units, offer_rows = parse_offers(offers, vocabulary, offers_name)
    except BatchError as exc:
        errors += exc.errors
    try:
        need_units, need_rows = parse_needs(needs, vocabulary, needs_name)
    except BatchError as exc:
        errors += exc.errors
    if errors:
        raise BatchError(errors)
    return offer_units, offer_rows, need_units, need_rows


def write_matches(result: engine.Result, stream: IO[str]) -> int:
    writer = csv.writer(stream)
    writer.writerow(MATCH_COLUMNS)
    count = 0
    for need_id, offer_id, score, reasons in engine.iter_rows(result):
        writer.writerow([need_id, offer_id, f"{score:.2f}", reasons])
        count += 1
    return count


def match_files(
    offers_path: Path,
    needs_path: Path,
    output_path: Path,
    *,
    mode: str = "optimal",
    cap_by: str | None = None,
    cap: int | None = None,
    max_candidates: int = 25,
) -> tuple[engine.Result, int]:
    """Read, check, match, then write MATCHES.csv in one go (a temporary file renamed into
    place), so a failure leaves no output behind."""
    with (
        open(offers_path, encoding="utf-8-sig", newline="") as o,
        open(needs_path, encoding="utf-8-sig", newline="") as n,
    ):
        offer_units, _r1, need_units, _r2 = parse_both(
            o, n, offers_name=Path(offers_path).name, needs_name=Path(needs_path).name
        )
    try:
        result = engine.run(
            need_units,
            offer_units,
            mode=mode,
            cap_by=cap_by,
            cap=cap,
            max_candidates=max_candidates,
        )
    except engine.EngineError as exc:
        raise ServiceError(str(exc), code=BATCH_INVALID) from exc
    output_path = Path(output_path)
    fd, tmp = tempfile.mkstemp(dir=output_path.parent or Path("."), suffix=".csv.part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            written = write_matches(result, stream)
        os.replace(tmp, output_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result, written


def as_text(data: bytes | str) -> io.StringIO:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BatchError([_("The file is not UTF-8 text.")]) from exc
    return io.StringIO(data, newline="")


def rows_of(units: Iterable[Any]) -> list[str]:
    return [u.id for u in units]
