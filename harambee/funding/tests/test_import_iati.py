"""IATI import: the real DFID Haiti file (2.01) imports with every activity and transaction
accounted for; re-import is idempotent and a changed file updates; bad input writes nothing;
incoming funds repeating a held disbursement are linked and not counted twice."""

from __future__ import annotations

import collections
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from harambee.activities.models import Activity
from harambee.core.errors import ServiceError

from .. import counting
from ..choices import Boundary, Channel, FlowStatus, OnBoundary, PartyKind, SourceSystem
from ..currency import RateMissingError, import_rates
from ..importers.iati import IatiFileError, IatiSchemaError
from ..importers.iati_writer import import_iati
from ..models import Flow, FlowParty, IatiActivity, IatiBudget, IatiParticipant
from ..selectors import flow_trace
from .helpers import DATA

pytestmark = pytest.mark.django_db

IATI = DATA.parent / "iati" / "dfid_haiti_iati_2.01.xml"
HERE = Path(__file__).parent / "data"


@pytest.fixture
def rates():
    """GBP rates: the shared file (2015 onwards) and annual averages for 2009-2014."""
    lines = (DATA / "fx_monthly_rates.csv").read_text().splitlines()
    gbp = [lines[0]] + [line for line in lines[1:] if ",GBP," in line and ",GB," in line]
    import_rates(name="fx_gbp.csv", content="\n".join(gbp).encode())
    import_rates(name="gbp_2009_2014.csv", content=(HERE / "gbp_2009_2014.csv").read_bytes())


def counted() -> Decimal:
    return counting.total(Flow.objects.filter(source_system=SourceSystem.IATI))


def test_real_file_every_activity_and_transaction_accounted_for(rates):
    report = import_iati(actor=None, path=IATI)
    assert report["version"] == "2.01"
    assert report["activities"] == {
        "read": 54,
        "created": 54,
        "updated": 0,
        "unchanged": 0,
        "duplicates_in_file": 0,
        "linked_to_3w": 35,
    }
    assert report["organisations"] == {"created": 32, "uncertain": []}
    assert Activity.objects.filter(source_key__startswith="iati:", country_id="HTI").count() == 35
    assert report["transactions"] == {"read": 330, "by_type": {"2": 40, "3": 151, "4": 139}}
    assert report["flows"] == {"created": 330, "updated": 0, "deleted": 0}
    assert report["budgets"] == 107
    assert report["schema_errors"] == [] and report["skipped"] == []
    assert IatiActivity.objects.count() == 54
    assert IatiBudget.objects.count() == 107
    flows = Flow.objects.filter(source_system=SourceSystem.IATI)
    assert flows.count() == 330
    types = collections.Counter(flows.values_list("iati_transaction_type", flat=True))
    assert types == {"2": 40, "3": 151, "4": 139}
    # Disbursements and expenditures are paid; commitments are carried by them (every
    # component reports payments), so 290 flows are counted and the 40 commitments are not.
    assert flows.filter(status=FlowStatus.PAID).count() == 290
    commitments = flows.filter(iati_transaction_type="2")
    assert set(commitments.values_list("on_boundary", flat=True)) == {OnBoundary.SHARED}
    assert flows.filter(counting.counted_condition()).count() == 290
    paid = sum(flows.filter(status=FlowStatus.PAID).values_list("amount_usd", flat=True))
    assert counted() == paid
    # Every amount converted with a stored rate, in GBP (40 with the default currency).
    assert set(flows.values_list("original_currency", flat=True)) == {"GBP"}
    assert not flows.filter(exchange_rate__isnull=True).exists()
    # Haiti: all of it (every component is for Haiti alone), by the one counting function.
    haiti = counting.in_scope(flows, country="HTI")
    assert counting.total(haiti) == counted()
    # On budget: the 40 components with country-budget-items carry their budget line.
    on_budget = flows.filter(channel=Channel.GOVERNMENT_BUDGET)
    assert on_budget.count() == 330
    assert not on_budget.filter(budget_classification_code="").exists()
    assert on_budget.filter(budget_classification_code="5.4.10").exists()
    share = counting.total(on_budget) / counted()
    assert share == 1
    lines = FlowParty.objects.filter(kind=PartyKind.BUDGET_LINE)
    assert lines.values("flow").distinct().count() == 330
    assert set(lines.values_list("code", flat=True)) >= {"5.4.10", "5.4.11", "1.3.5"}
    # Parties: each flow has its place, usage year, sector(s) and activity.
    for kind in (PartyKind.LOCATION, PartyKind.USAGE_YEAR, PartyKind.PROJECT):
        assert FlowParty.objects.filter(kind=kind).values("flow").distinct().count() == 330
    # Participating organisations reconciled: DFID created once, and reused.
    dfid = IatiParticipant.objects.filter(ref="GB-GOV-1")
    assert dfid.values("organisation").distinct().count() == 1
    assert dfid.first().organisation.iati_ref == "GB-GOV-1"


def test_reimport_is_idempotent_and_a_changed_file_updates(rates, tmp_path):
    import_iati(actor=None, path=IATI)
    ids = set(Flow.objects.values_list("pk", flat=True))
    total = counted()
    again = import_iati(actor=None, path=IATI)
    assert again["activities"]["unchanged"] == 54
    assert again["flows"] == {"created": 0, "updated": 0, "deleted": 0}
    assert set(Flow.objects.values_list("pk", flat=True)) == ids
    assert counted() == total
    # Change one disbursement's amount and one description: one flow replaced, the rest kept.
    tree = etree.parse(str(IATI))
    activity = next(
        a for a in tree.iter("iati-activity") if a.findtext("iati-identifier") == "GB-1-201483-102"
    )
    transactions = activity.findall("transaction")
    value = transactions[1].find("value")
    old = Decimal(value.text)
    value.text = str(old + 1000)
    changed = tmp_path / "changed.xml"
    tree.write(str(changed))
    result = import_iati(actor=None, path=changed)
    assert result["activities"]["updated"] == 1
    assert result["activities"]["unchanged"] == 53
    flows = result["flows"]
    assert (flows["created"], flows["deleted"]) == (1, 1)
    assert flows["updated"] == len(transactions) - 1
    assert Flow.objects.filter(source_system=SourceSystem.IATI).count() == 330
    assert len(ids - set(Flow.objects.values_list("pk", flat=True))) == 1


def test_missing_rate_is_an_error_naming_it_and_nothing_is_written():
    with pytest.raises(RateMissingError) as error:
        import_iati(actor=None, path=IATI)
    assert "GBP 2010-04" in error.value.message
    assert not IatiActivity.objects.exists() and not Flow.objects.exists()


def _file(tmp_path: Path, body: str, version: str = "2.03", name: str = "f.xml") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<?xml version="1.0"?>\n<iati-activities version="{version}">\n{body}\n</iati-activities>\n'
    )
    return path


def activity(
    identifier: str,
    transactions: str,
    *,
    org: str = "XM-DAC-41114",
    extra: str = "",
    currency: str = "USD",
) -> str:
    return f"""<iati-activity default-currency="{currency}">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="{org}" type="40"><narrative>Reporter {org}</narrative></reporting-org>
  <title><narrative>Activity {identifier}</narrative></title>
  <description><narrative>Described</narrative></description>
  <participating-org ref="{org}" role="4" type="40"><narrative>Reporter {org}</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2020-01-01"/>
  <recipient-country code="JO"/>
  <sector vocabulary="1" code="12220"/>
  {extra}
  {transactions}
</iati-activity>"""


def tx(
    kind: str,
    amount: str,
    *,
    day: str = "2020-03-01",
    provider: str = "",
    receiver: str = "",
    currency: str = "",
) -> str:
    cur = f' currency="{currency}"' if currency else ""
    return f"""<transaction>
    <transaction-type code="{kind}"/>
    <transaction-date iso-date="{day}"/>
    <value value-date="{day}"{cur}>{amount}</value>
    {provider}{receiver}
  </transaction>"""


def test_bad_input_is_named_and_nothing_is_written(tmp_path):
    malformed = tmp_path / "bad.xml"
    malformed.write_text("<iati-activities version='2.03'><iati-activity>\n</iati-activities>")
    with pytest.raises(IatiFileError, match=r"not well-formed XML.*line 2"):
        import_iati(actor=None, path=malformed)
    other = tmp_path / "other.xml"
    other.write_text("<rss><channel/></rss>")
    with pytest.raises(IatiFileError, match="not an IATI activity file"):
        import_iati(actor=None, path=other)
    org = tmp_path / "org.xml"
    org.write_text('<iati-organisations version="2.03"/>')
    with pytest.raises(IatiFileError, match="organisation file"):
        import_iati(actor=None, path=org)
    old = _file(tmp_path, "", version="1.05", name="old.xml")
    with pytest.raises(IatiFileError, match=r"version 1\.05"):
        import_iati(actor=None, path=old)
    unknown = _file(tmp_path, activity("XM-1", tx("3", "10", currency="XYZ")), name="cur.xml")
    with pytest.raises(IatiFileError, match=r"line \d+: unknown currency “XYZ”"):
        import_iati(actor=None, path=unknown)
    assert not IatiActivity.objects.exists() and not Flow.objects.exists()


def test_schema_failure_lists_lines_and_force_imports_anyway(tmp_path):
    # A transaction without its date and an element the schema does not know.
    body = activity(
        "XM-2",
        tx("3", "100")
        + "\n<transaction><transaction-type code='4'/><value value-date='2020-02-01'>5</value></transaction>",
        extra="<unknown-element/>",
    )
    path = _file(tmp_path, body)
    with pytest.raises(IatiSchemaError) as error:
        import_iati(actor=None, path=path)
    assert "line " in error.value.message and "--force" in error.value.message
    assert not Flow.objects.exists()
    report = import_iati(actor=None, path=path, force=True)
    assert report["schema_errors"] and report["transactions"]["read"] == 2
    assert Flow.objects.count() == 2


def test_older_versions_tolerated_and_reported(tmp_path):
    legacy = tx("D", "100") + tx(
        "11",
        "50",
        provider='<provider-org ref="GB-GOV-1"><narrative>DFID</narrative></provider-org>',
    )
    path = _file(tmp_path, activity("XM-3", legacy), version="2.01")
    report = import_iati(actor=None, path=path)
    tolerated = " ".join(report["tolerated"])
    assert "1.x transaction type D read as 3" in tolerated
    assert "transaction type 11 (from IATI 2.02) in a 2.01 file" in tolerated
    assert report["transactions"]["by_type"] == {"3": 1, "11": 1}


def test_incoming_funds_repeating_a_held_disbursement_are_traced_and_counted_once(tmp_path):
    donor = activity(
        "GB-GOV-1-X",
        tx("2", "1000", day="2020-01-10")
        + tx(
            "3",
            "600",
            receiver='<receiver-org ref="XM-DAC-41114" receiver-activity-id="XM-DAC-41114-Y"><narrative>UNDP</narrative></receiver-org>',
        ),
        org="GB-GOV-1",
    )
    implementer = activity(
        "XM-DAC-41114-Y",
        tx(
            "1",
            "600",
            provider='<provider-org ref="GB-GOV-1" provider-activity-id="GB-GOV-1-X"><narrative>DFID</narrative></provider-org>',
        )
        + tx("4", "550", day="2020-05-01")
        + tx(
            "3",
            "40",
            day="2020-04-01",
            receiver='<receiver-org ref="JO-NGO-1" receiver-activity-id="JO-NGO-1-Z"><narrative>Local NGO</narrative></receiver-org>',
        ),
    )
    partner = activity(
        "JO-NGO-1-Z",
        tx(
            "1",
            "40",
            day="2020-04-02",
            provider='<provider-org ref="XM-DAC-41114" provider-activity-id="XM-DAC-41114-Y"><narrative>UNDP</narrative></provider-org>',
        ),
        org="JO-NGO-1",
    )
    # The implementer first: its incoming funds are counted until the donor's file arrives.
    import_iati(actor=None, path=_file(tmp_path, implementer, name="undp.xml"))
    incoming = Flow.objects.get(iati_transaction_type="1")
    assert incoming.parent_missing and incoming.repeats_parent
    assert counted() == Decimal(600)
    import_iati(actor=None, path=_file(tmp_path, donor, name="dfid.xml"))
    import_iati(actor=None, path=_file(tmp_path, partner, name="ngo.xml"))
    incoming.refresh_from_db()
    disbursement = Flow.objects.get(iati_transaction_type="3", original_amount=600)
    assert incoming.parent_id == disbursement.pk and not incoming.parent_missing
    assert incoming.counted_upstream
    # Counted once: the donor's 600 paid; its commitment is carried by the payment, the
    # implementer's spending and its pass-through to the NGO are internal, the NGO's incoming
    # funds repeat that pass-through.
    assert counted() == Decimal(600)
    ngo_in = Flow.objects.get(iati_activity__iati_identifier="JO-NGO-1-Z")
    assert ngo_in.boundary == Boundary.INTERNAL
    # The chain, both ways.
    chain = flow_trace(user=None, flow=ngo_in)
    assert [f.pk for f in chain["upstream"]] == [ngo_in.parent_id, incoming.pk, disbursement.pk]
    down = flow_trace(user=None, flow=disbursement)
    assert incoming.pk in {f.pk for f in down["downstream"]}
    assert ngo_in.pk in {f.pk for f in down["downstream"]}


def test_links_to_who_does_what_where(tmp_path):
    path = _file(tmp_path, activity("XM-DAC-41114-W", tx("3", "10")))
    import_iati(actor=None, path=path)
    iati = IatiActivity.objects.get(iati_identifier="XM-DAC-41114-W")
    assert iati.activity is not None
    activity_row = Activity.objects.get(source_key="iati:XM-DAC-41114-W")
    assert activity_row == iati.activity
    assert activity_row.country_id == "JOR" and activity_row.sector.code == "HEA"
    assert activity_row.implementing_organisation.iati_ref == "XM-DAC-41114"
    import_iati(actor=None, path=path)
    assert Activity.objects.filter(source_key="iati:XM-DAC-41114-W").count() == 1


def test_command(rates, capsys, tmp_path):
    call_command("import-iati", str(IATI))
    out = capsys.readouterr().out
    assert "54 activities" in out and "330 transactions" in out
    with pytest.raises(CommandError):
        call_command("import-iati", str(tmp_path / "missing.xml"))
    assert isinstance(IatiFileError("x"), ServiceError)
