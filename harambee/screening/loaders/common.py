"""What every list reader produces: plain parsed entries, and the errors it raises."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError

from ..choices import DatePrecision, NameKind, NameQuality
from ..matching.countries import country_code


class ListFormatError(ServiceError):
    """The file is not the expected list format, or is truncated: nothing is written."""

    code = "list_format_invalid"


@dataclass
class ParsedName:
    name: str
    kind: str = NameKind.ALIAS
    quality: str = NameQuality.STRONG
    script: str = ""


@dataclass
class ParsedDate:
    date_from: datetime.date
    date_to: datetime.date
    precision: str
    approximate: bool = False
    text: str = ""


@dataclass
class ParsedIdentifier:
    kind: str
    number: str
    country: str = ""


@dataclass
class ParsedAddress:
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country_name: str = ""
    note: str = ""


@dataclass
class ParsedEntry:
    ref: str
    entity_type: str
    primary_name: str
    names: list[ParsedName] = field(default_factory=list)
    birth_dates: list[ParsedDate] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    identifiers: list[ParsedIdentifier] = field(default_factory=list)
    addresses: list[ParsedAddress] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    listed_on: datetime.date | None = None
    remarks: str = ""

    def add_name(
        self,
        name: str,
        kind: str = NameKind.ALIAS,
        quality: str = NameQuality.STRONG,
        script: str = "",
        *,
        dedupe: bool = False,
    ) -> None:
        """Add a name as listed; with `dedupe`, not when the same name is already there."""
        name = clean(name)
        if not name:
            return
        if dedupe and any(n.name.casefold() == name.casefold() for n in self.names):
            return
        self.names.append(ParsedName(name[:500], kind, quality, script))

    def merge(self, other: ParsedEntry) -> None:
        """Fold a repeated record of the same entry into this one (EU files repeat some)."""
        for n in other.names:
            self.add_name(n.name, n.kind, n.quality, n.script, dedupe=True)
        for attr in ("birth_dates", "nationalities", "identifiers", "addresses", "programmes"):
            mine = getattr(self, attr)
            mine.extend(v for v in getattr(other, attr) if v not in mine)

    def fingerprint(self) -> str:
        """A hash of the content, to tell which entries changed between two versions."""
        data = asdict(self)
        return hashlib.sha1(
            json.dumps(data, sort_keys=True, default=str).encode(), usedforsecurity=False
        ).hexdigest()


@dataclass
class ParsedList:
    source_code: str
    source_kind: str
    source_name: str
    entries: list[ParsedEntry]
    published_on: datetime.date | None = None


_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def parse_iso_date(value: str | None) -> datetime.date | None:
    value = clean(value)[:10]
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def year_range(first: int, last: int, *, approximate: bool = False, text: str = "") -> ParsedDate:
    return ParsedDate(
        datetime.date(first, 1, 1),
        datetime.date(last, 12, 31),
        DatePrecision.YEAR if first == last else DatePrecision.RANGE,
        approximate,
        text or (str(first) if first == last else f"{first}-{last}"),
    )


def month_date(year: int, month: int, *, text: str = "") -> ParsedDate:
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return ParsedDate(first, last, DatePrecision.MONTH, False, text or f"{year}-{month:02d}")


def day_date(day: datetime.date, *, approximate: bool = False, text: str = "") -> ParsedDate:
    return ParsedDate(day, day, DatePrecision.DAY, approximate, text or day.isoformat())


def script_of(name: str) -> str:
    """'latin', or the first non-Latin script of the name's letters."""
    from ..matching.normalize import script_of as detect

    return detect(name)


def nationality_code(name: str) -> str:
    return country_code(name) or ""


def bad_format(file_name: str, detail: str) -> ListFormatError:
    return ListFormatError(
        _(
            "%(file)s is not a readable list file: %(detail)s. Nothing was loaded; the previous "
            "version stays active."
        )
        % {"file": file_name, "detail": detail}
    )
