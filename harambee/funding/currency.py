"""Currencies and exchange rates: every conversion uses a stored rate, with its date and source.

A missing rate is an error naming the currency and the date, never a zero. Rates are units of
the currency per US dollar (the IMF's and FTS's way): amount in USD = amount / rate.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.errors import ServiceError

from .models import ExchangeRate, FundingImport

CENT = Decimal("0.01")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
# Codes that ISO 4217 lists (or listed until recently) that pycountry may not carry.
EXTRA_CURRENCIES = frozenset({"ANG", "BGN", "HRK", "ZWL", "XDR"})


class RateMissingError(ServiceError):
    code = "rate_missing"


class UnknownCurrencyError(ServiceError):
    code = "currency_unknown"


class RatesFileError(ServiceError):
    code = "import_invalid"


@lru_cache(maxsize=512)
def _iso_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None or code in EXTRA_CURRENCIES


def is_known_currency(code: str) -> bool:
    """An ISO 4217 code, or one for which a rate is stored."""
    code = (code or "").strip().upper()
    if not CURRENCY_PATTERN.match(code):
        return False
    return _iso_currency(code) or ExchangeRate.objects.filter(currency=code).exists()


def check_currency(code: str) -> str:
    """The code in capitals, or UnknownCurrencyError naming it."""
    clean = (code or "").strip().upper()
    if not is_known_currency(clean):
        raise UnknownCurrencyError(_("Unknown currency “%(code)s”.") % {"code": code})
    return clean


@dataclass(frozen=True)
class Conversion:
    amount_usd: Decimal
    rate: Decimal
    rate_date: datetime.date
    source: str


def rate_for(currency: str, day: datetime.date) -> ExchangeRate:
    """The stored rate for `currency` on `day`: the latest on or before that day in the same
    month, else the month's own rate (monthly rates are dated at the month's end).

    Raises RateMissingError naming the currency and the date when there is none."""
    currency = currency.strip().upper()
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    month = ExchangeRate.objects.filter(currency=currency, date__gte=first, date__lte=last)
    found = month.filter(date__lte=day).order_by("-date", "source").first()
    if found is None:
        found = month.order_by("date", "source").first()
    if found is None:
        raise RateMissingError(
            _("No exchange rate for %(currency)s on %(date)s: import one (harambee import-rates).")
            % {"currency": currency, "date": day.isoformat()}
        )
    return found


def to_usd(amount: Decimal | int | str, currency: str, day: datetime.date) -> Conversion:
    """Convert with a stored rate; US dollars convert at 1 without a lookup."""
    value = Decimal(str(amount))
    code = check_currency(currency)
    if code == "USD":
        return Conversion(value.quantize(CENT, ROUND_HALF_UP), Decimal(1), day, "identity")
    rate = rate_for(code, day)
    usd = (value / rate.rate).quantize(CENT, ROUND_HALF_UP)
    return Conversion(usd, rate.rate, rate.date, rate.source)


# --- import -----------------------------------------------------------------------------------

REQUIRED_COLUMNS = ("Date", "Rate", "Currency")


def _read_rows(
    name: str, content: bytes
) -> tuple[dict[tuple[str, datetime.date, str], Any], dict[str, int]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RatesFileError(
            _("%(file)s is not a UTF-8 text file.") % {"file": name}, code="import_invalid"
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RatesFileError(
            _("%(file)s is not a rates file: columns %(missing)s are missing (expected %(cols)s).")
            % {"file": name, "missing": ", ".join(missing), "cols": ", ".join(REQUIRED_COLUMNS)}
        )
    candidates: dict[tuple[str, datetime.date, str], list[Any]] = {}
    skipped = skipped_usd = resolved = 0
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        currency = row["Currency"].upper()
        if not currency:
            skipped += 1  # a rate for a group of countries with no currency code of its own
            continue
        where = {"file": name, "line": line}
        if currency == "USD":
            # A dollar is always one dollar: never stored. (The IMF file also has rows for
            # Haiti's gourde labelled USD, which would otherwise contradict each other.)
            skipped_usd += 1
            continue
        if not CURRENCY_PATTERN.match(currency):
            raise RatesFileError(
                _("%(file)s line %(line)s, Currency: “%(value)s” is not a currency code.")
                % {**where, "value": row["Currency"]}
            )
        try:
            day = datetime.date.fromisoformat(row["Date"])
        except ValueError as exc:
            raise RatesFileError(
                _("%(file)s line %(line)s, Date: “%(value)s” is not a date (YYYY-MM-DD).")
                % {**where, "value": row["Date"]}
            ) from exc
        try:
            rate = Decimal(row["Rate"])
        except InvalidOperation as exc:
            raise RatesFileError(
                _("%(file)s line %(line)s, Rate: “%(value)s” is not a number.")
                % {**where, "value": row["Rate"]}
            ) from exc
        if not rate.is_finite() or rate <= 0:
            raise RatesFileError(
                _("%(file)s line %(line)s, Rate: a rate must be more than zero.") % where
            )
        rate = rate.quantize(Decimal("1e-12"), ROUND_HALF_UP)
        source = row.get("Source") or Path(name).stem
        key = (currency, day, source)
        # The issuing country's ISO2 code starts the currency code (ZAR: ZA, HTG: HT).
        issuer = row.get("Country code", "").upper() == currency[:2]
        entry = (rate, row.get("Frequency", "")[:1], line, issuer)
        candidates.setdefault(key, []).append(entry)
    rates: dict[tuple[str, datetime.date, str], Any] = {}
    for key, entries in candidates.items():
        values = {e[0] for e in entries}
        if len(values) > 1:
            # Countries using another's currency (Namibia and Lesotho: ZAR) may carry their
            # own figure under its code: the issuing country's rate is the currency's rate.
            issued = [e for e in entries if e[3]]
            if not issued or len({e[0] for e in issued}) > 1:
                first, other = entries[0], next(e for e in entries if e[0] != entries[0][0])
                raise RatesFileError(
                    _(
                        "%(file)s line %(line)s: a different rate for %(currency)s on %(date)s "
                        "(%(source)s) is already given on line %(first)s."
                    )
                    % {
                        "file": name,
                        "line": other[2],
                        "currency": key[0],
                        "date": key[1].isoformat(),
                        "source": key[2],
                        "first": first[2],
                    }
                )
            resolved += len([e for e in entries if e[0] != issued[0][0]])
            entries = issued
        rates[key] = entries[0]
    return rates, {
        "skipped_without_currency": skipped,
        "skipped_usd": skipped_usd,
        "other_country_rates_ignored": resolved,
    }


@transaction.atomic
def import_rates(*, name: str, content: bytes) -> dict[str, int]:
    """Load a rates CSV (Date, Rate, Currency[, Frequency, Source, ...]); all or nothing.

    Idempotent: a rate already stored is left alone, a changed one is updated."""
    rates, skipped = _read_rows(name, content)
    existing = {
        (r.currency, r.date, r.source): r
        for r in ExchangeRate.objects.filter(currency__in={k[0] for k in rates})
    }
    new, changed = [], []
    for (currency, day, source), (rate, frequency, _line, _issuer) in rates.items():
        old = existing.get((currency, day, source))
        if old is None:
            new.append(
                ExchangeRate(
                    currency=currency, date=day, rate=rate, source=source, frequency=frequency
                )
            )
        elif old.rate != rate:
            old.rate = rate
            old.version += 1
            old.updated_at = timezone.now()
            changed.append(old)
    ExchangeRate.objects.bulk_create(new, batch_size=2000)
    ExchangeRate.objects.bulk_update(changed, ["rate", "version", "updated_at"], batch_size=2000)
    report = {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(rates) - len(new) - len(changed),
        **skipped,
    }
    FundingImport.objects.create(
        source_system="manual",
        kind="rates",
        files=[{"name": name, "sha256": hashlib.sha256(content).hexdigest()}],
        report=report,
    )
    return report


class RateBook:
    """The stored rates of some currencies, loaded once, answering as rate_for does (the latest
    on or before the day in the same month, else the month's own): for imports converting
    thousands of amounts. Missing rates are collected, not raised, so that an import can name
    them all at once."""

    def __init__(self, currencies: set[str]) -> None:
        self.months: dict[tuple[str, int, int], list[tuple[datetime.date, str, Decimal]]] = {}
        rows = (
            ExchangeRate.objects.filter(currency__in={c.upper() for c in currencies})
            .order_by("currency", "date", "source")
            .values_list("currency", "date", "source", "rate")
        )
        for currency, day, source, rate in rows:
            self.months.setdefault((currency, day.year, day.month), []).append((day, source, rate))
        self.missing: set[tuple[str, str]] = set()
        self._cache: dict[tuple[str, datetime.date], tuple[Decimal, datetime.date, str] | None] = {}

    def rate(self, currency: str, day: datetime.date) -> tuple[Decimal, datetime.date, str] | None:
        """(rate, its date, its source), or None (and the currency and month noted as missing)."""
        key = (currency, day)
        if key in self._cache:
            return self._cache[key]
        found: tuple[Decimal, datetime.date, str] | None
        if currency == "USD":
            found = (Decimal(1), day, "identity")
        else:
            month = self.months.get((currency, day.year, day.month), [])
            before = [r for r in month if r[0] <= day]
            if before:
                best_day = max(r[0] for r in before)
                pick = min((r for r in before if r[0] == best_day), key=lambda r: r[1])
            elif month:
                pick = month[0]
            else:
                pick = None
            found = (pick[2], pick[0], pick[1]) if pick is not None else None
            if found is None:
                self.missing.add((currency, f"{day:%Y-%m}"))
        self._cache[key] = found
        return found

    def to_usd(self, amount: Decimal, currency: str, day: datetime.date) -> Conversion | None:
        found = self.rate(currency, day)
        if found is None:
            return None
        rate, rate_date, source = found
        if currency == "USD":
            return Conversion(amount.quantize(CENT, ROUND_HALF_UP), rate, day, source)
        return Conversion((amount / rate).quantize(CENT, ROUND_HALF_UP), rate, rate_date, source)
