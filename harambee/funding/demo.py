"""Demo data for funding: real OCHA FTS 2020 flows (Jordan, Afghanistan) and plan overview, the
real DFID Haiti IATI file, IMF exchange rates, a pooled fund followed through its four stages
and a diaspora remittance figure.

`harambee demo` calls `load(stdout)` after activities. Every step is skipped when its records
are already there, so running it again adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.conf import settings

from harambee.core.errors import ServiceError
from harambee.places.models import Country

from .choices import AggregateKind, FundStage, FundType, SourceSystem
from .currency import import_rates
from .importers.iati_writer import import_iati
from .models import AggregateFlow, ExchangeRate, FundingImport, PooledFund, PooledFundEntry
from .services import aggregate_flow_create, import_fts, pooled_fund_entry_create

DATA_DIR = settings.PROJECT_DIR.parent / "shared" / "data"
RATES = DATA_DIR / "funding" / "fx_monthly_rates.csv"
FTS_FILES = [
    DATA_DIR / "funding" / "fts_plan_overview_progress_2020.json",
    DATA_DIR / "funding" / "fts_jordan_2020",
    DATA_DIR / "funding" / "fts_afg_2020",
]
IATI_FILE = DATA_DIR / "iati" / "dfid_haiti_iati_2.01.xml"
# The IMF file starts in 2015; the DFID Haiti file needs pounds from 2009. These are the OECD
# annual averages the tests use (one rate a year, repeated monthly): close enough for a demo.
GBP_RATES = Path(__file__).resolve().parent / "tests" / "data" / "gbp_2009_2014.csv"

JHF = "Jordan Humanitarian Fund"
# (stage, organisation as the source names it, date, amount in USD): the path of one grant.
JHF_STAGES = [
    (FundStage.COMMITMENT, "Denmark, Government of", datetime.date(2020, 3, 1), 4_000_000),
    (FundStage.DEPOSIT, "Denmark, Government of", datetime.date(2020, 4, 15), 3_500_000),
    (FundStage.TRANSFER, "Norwegian Refugee Council", datetime.date(2020, 6, 1), 1_200_000),
    (FundStage.TRANSFER, "Danish Refugee Council", datetime.date(2020, 6, 1), 900_000),
    (FundStage.EXPENDITURE, "Norwegian Refugee Council", datetime.date(2020, 12, 31), 750_000),
]


def _rates(stdout: TextIO) -> None:
    if not RATES.exists():
        stdout.write(
            f"Funding: no exchange rates at {RATES}; import them later with "
            "`harambee import-rates FILE`.\n"
        )
    elif ExchangeRate.objects.filter(source="IMF").exists():
        stdout.write("Funding: IMF exchange rates already loaded.\n")
    else:
        report = import_rates(name=RATES.name, content=RATES.read_bytes())
        stdout.write(f"Funding: {RATES.name}: {report['created']} rates.\n")
    if ExchangeRate.objects.filter(currency="GBP", date__year=2009).exists():
        return
    report = import_rates(name=GBP_RATES.name, content=GBP_RATES.read_bytes())
    stdout.write(
        f"Funding: {report['created']} pound rates for 2009-2014 (OECD annual averages, from "
        "the test data) for the IATI file.\n"
    )


def _fts(stdout: TextIO) -> None:
    missing = [p for p in FTS_FILES if not p.exists()]
    if missing:
        stdout.write(
            f"Funding: no FTS data at {missing[0]}; import it later with "
            "`harambee import-fts FILE_OR_FOLDER...`.\n"
        )
        return
    if FundingImport.objects.filter(source_system=SourceSystem.FTS).exists():
        stdout.write("Funding: the FTS 2020 flows are already imported.\n")
        return
    report = import_fts(actor=None, paths=FTS_FILES)
    stdout.write(
        f"Funding: FTS 2020 (Jordan, Afghanistan, plan overview): "
        f"{report['flows']['created']} flows, {report['plans']['created']} plans.\n"
    )


def _iati(stdout: TextIO) -> None:
    if not IATI_FILE.exists():
        stdout.write(
            f"Funding: no IATI file at {IATI_FILE}; import one later with "
            "`harambee import-iati FILE`.\n"
        )
        return
    if FundingImport.objects.filter(source_system=SourceSystem.IATI).exists():
        stdout.write("Funding: the DFID Haiti IATI file is already imported.\n")
        return
    try:
        report = import_iati(actor=None, path=IATI_FILE, force=False, progress=None)
    except ServiceError as exc:  # e.g. a rate missing: the rest of the demo still loads
        stdout.write(f"Funding: {IATI_FILE.name} not imported: {exc.message}\n")
        return
    stdout.write(
        f"Funding: {IATI_FILE.name}: {report['activities']['created']} activities, "
        f"{report['flows']['created']} flows.\n"
    )


def _pooled_fund(stdout: TextIO) -> None:
    fund = PooledFund.objects.filter(name=JHF).first()
    if fund is None:  # the FTS files name it; without them, the demo creates it
        fund = PooledFund.objects.create(name=JHF, fund_type=FundType.COUNTRY_BASED)
    if fund.country_id is None and Country.objects.filter(pk="JOR").exists():
        fund.country_id = "JOR"
        fund.fund_type = FundType.COUNTRY_BASED
        fund.save(update_fields=["country", "fund_type", "updated_at"])
    if PooledFundEntry.objects.filter(fund=fund, source_system=SourceSystem.MANUAL).exists():
        return
    for stage, name, day, amount in JHF_STAGES:
        pooled_fund_entry_create(
            actor=None,
            data={
                "fund": fund,
                "stage": stage,
                "organisation_name": name,
                "date": day,
                "original_amount": Decimal(amount),
                "original_currency": "USD",
            },
        )
    stdout.write(f"Funding: {JHF}: {len(JHF_STAGES)} entries across its four stages.\n")


def _diaspora(stdout: TextIO) -> None:
    if AggregateFlow.objects.filter(kind=AggregateKind.REMITTANCES).exists():
        return
    if Country.objects.filter(pk__in=["GBR", "SOM"]).count() != 2:
        return
    aggregate_flow_create(
        actor=None,
        data={
            "kind": AggregateKind.REMITTANCES,
            "origin_country_id": "GBR",
            "destination_country_id": "SOM",
            "period_start": datetime.date(2020, 1, 1),
            "period_end": datetime.date(2020, 12, 31),
            "original_amount": Decimal("190000000"),
            "original_currency": "USD",
            "source": "Harambee demo (illustrative figure, not a published estimate)",
            "notes": "Remittances from the Somali diaspora in the United Kingdom, shown apart "
            "from aid totals.",
        },
    )
    stdout.write("Funding: 1 diaspora remittance figure (United Kingdom to Somalia, 2020).\n")


def load(stdout: TextIO) -> None:
    _rates(stdout)
    _fts(stdout)
    _iati(stdout)
    _pooled_fund(stdout)
    _diaspora(stdout)
