"""Rates: import (idempotent, bad input refused), conversion with a stored rate, missing rate."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ..currency import (
    RateMissingError,
    RatesFileError,
    UnknownCurrencyError,
    import_rates,
    to_usd,
)
from ..models import ExchangeRate
from .helpers import DATA

pytestmark = pytest.mark.django_db

CSV = b"Date,Rate,Currency,Frequency,Source\n2020-03-31,0.9,EUR,M,IMF\n2020-04-30,0.92,EUR,M,IMF\n"


def test_real_rates_file_imports_and_again_changes_nothing():
    first = import_rates(name="fx.csv", content=(DATA / "fx_monthly_rates.csv").read_bytes())
    count = ExchangeRate.objects.count()
    assert first["created"] == count > 10000
    assert first["skipped_without_currency"] == 144
    assert first["skipped_usd"] == 576
    assert not ExchangeRate.objects.filter(currency="USD").exists()
    # South Africa's rand, not Namibia's figure filed under ZAR.
    assert ExchangeRate.objects.get(currency="ZAR", date="2016-01-31").rate == Decimal("16.07585")
    second = import_rates(name="fx.csv", content=(DATA / "fx_monthly_rates.csv").read_bytes())
    assert second == {
        "created": 0,
        "updated": 0,
        "unchanged": count,
        "skipped_without_currency": 144,
        "skipped_usd": 576,
        "other_country_rates_ignored": 60,
    }
    assert ExchangeRate.objects.count() == count


def test_changed_rate_is_updated():
    import_rates(name="a.csv", content=CSV)
    report = import_rates(name="a.csv", content=CSV.replace(b"0.92", b"0.93"))
    assert report["updated"] == 1
    assert ExchangeRate.objects.get(date="2020-04-30").rate == Decimal("0.93")


def test_conversion_uses_the_months_rate_and_says_which():
    import_rates(name="a.csv", content=CSV)
    conversion = to_usd(Decimal(90), "eur", datetime.date(2020, 3, 10))
    assert conversion.amount_usd == Decimal("100.00")
    assert conversion.rate == Decimal("0.9")
    assert conversion.rate_date == datetime.date(2020, 3, 31)
    assert conversion.source == "IMF"
    assert to_usd(5, "USD", datetime.date(2020, 1, 1)).amount_usd == Decimal("5.00")


def test_missing_rate_is_an_error_naming_currency_and_date_never_zero():
    import_rates(name="a.csv", content=CSV)
    with pytest.raises(RateMissingError) as error:
        to_usd(Decimal(90), "EUR", datetime.date(2021, 6, 15))
    assert "EUR" in error.value.message and "2021-06-15" in error.value.message
    with pytest.raises(RateMissingError, match="CHF"):
        to_usd(Decimal(1), "CHF", datetime.date(2020, 3, 1))


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrencyError, match="ZZZ"):
        to_usd(1, "ZZZ", datetime.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n", "columns"),
        (b"Date,Rate,Currency\n2020-01-31,abc,EUR\n", "line 2, Rate"),
        (b"Date,Rate,Currency\n2020-01-31,0,EUR\n", "more than zero"),
        (b"Date,Rate,Currency\n31/01/2020,1,EUR\n", "line 2, Date"),
        (b"Date,Rate,Currency\n2020-01-31,1,EUROS\n", "Currency"),
        (b"Date,Rate,Currency\n2020-01-31,1,EUR\n2020-01-31,2,EUR\n", "line 3"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_bad_rates_file_writes_nothing(content, message):
    with pytest.raises(RatesFileError, match=message):
        import_rates(name="bad.csv", content=content)
    assert not ExchangeRate.objects.exists()


def test_import_rates_command(tmp_path, capsys):
    path = tmp_path / "rates.csv"
    path.write_bytes(CSV)
    call_command("import-rates", str(path))
    assert "2 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-rates", str(tmp_path / "missing.csv"))
