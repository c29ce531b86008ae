"""IATI export: valid against the 2.03 schema; importing it again gives the same totals."""

from __future__ import annotations

import collections
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from .. import counting
from ..choices import SourceSystem
from ..importers.iati import activity_schema
from ..importers.iati_writer import import_iati
from ..models import Flow, IatiActivity, IatiBudget
from ..services import import_fts
from .helpers import DATA
from .test_import_iati import IATI, rates  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _picture() -> tuple[Decimal, Decimal, int, collections.Counter[str], Decimal]:
    flows = Flow.objects.filter(source_system=SourceSystem.IATI)
    haiti = counting.in_scope(flows, country="HTI")
    budgets = sum(IatiBudget.objects.values_list("amount_usd", flat=True), Decimal(0))
    return (
        counting.total(haiti),
        counting.pledge_total(haiti),
        haiti.filter(counting.counted_condition()).count(),
        collections.Counter(haiti.values_list("iati_transaction_type", flat=True)),
        budgets,
    )


def test_export_is_valid_and_reimports_to_the_same_totals(rates, tmp_path):  # noqa: F811
    import_iati(actor=None, path=IATI)
    before = _picture()
    output = tmp_path / "hti.xml"
    call_command("export-iati", "--country", "HTI", "--output", str(output))
    document = etree.parse(str(output))
    assert activity_schema().validate(document), activity_schema().error_log
    assert document.getroot().get("version") == "2.03"
    # Every activity with a transaction in Haiti (the 40 components) and their budgets.
    assert len(document.findall("iati-activity")) == 40
    assert len(document.findall(".//transaction")) == 330
    # Into an empty database: the same flows, totals, budgets.
    Flow.objects.all().delete()
    IatiActivity.objects.all().delete()
    report = import_iati(actor=None, path=output)
    assert report["transactions"]["read"] == 330 and report["schema_errors"] == []
    after = _picture()
    assert after[:4] == before[:4]
    assert after[4] == sum(IatiBudget.objects.values_list("amount_usd", flat=True), Decimal(0))
    # And into the database that holds it already: nothing added.
    again = import_iati(actor=None, path=output)
    assert again["flows"]["created"] == 0 and _picture()[:4] == before[:4]


def test_year_filter_and_other_sources(rates, tmp_path):  # noqa: F811
    import_iati(actor=None, path=IATI)
    output = tmp_path / "hti-2010.xml"
    call_command("export-iati", "--country", "HTI", "--year", "2010", "--output", str(output))
    document = etree.parse(str(output))
    assert activity_schema().validate(document)
    years = {t.find("transaction-date").get("iso-date")[:4] for t in document.iter("transaction")}
    assert years == {"2010"}
    # FTS flows counted for Jordan become Harambee-reported activities, valid too.
    import_fts(actor=None, paths=[DATA / "fts_jordan_2020"])
    jordan = tmp_path / "jor.xml"
    call_command("export-iati", "--country", "JOR", "--year", "2020", "--output", str(jordan))
    document = etree.parse(str(jordan))
    assert activity_schema().validate(document), activity_schema().error_log
    scoped = counting.in_scope(Flow.objects.all(), country="JOR", year=2020)
    expected = scoped.filter(counting.counted_condition() | counting.pledge_condition()).count()
    assert len(document.findall("iati-activity")) == expected
    usd = sum(Decimal(v.text) for v in document.iter("value"))
    assert usd == counting.total(scoped) + counting.pledge_total(scoped)
    with pytest.raises(CommandError, match="Unknown country"):
        call_command("export-iati", "--country", "XXX", "--output", str(jordan))
