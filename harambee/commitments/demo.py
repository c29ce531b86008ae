"""Demo data for commitments: a results framework for the Uganda National Group with approved
progress reports (indicators achieved, on track, off track, without data), a joint pledge, a
financial pledge whose schedule is fulfilled by real FTS flows of the same donor, a policy
pledge that the joint one enables, and milestones on the timeline.

`harambee demo` calls `load(stdout)` after the network and funding. Records are looked up by
their codes first, so running it again adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction

from harambee.network.demo import DRC, OPM, UGANDA, UNHCR
from harambee.network.models import Group, Organisation

from . import services
from .choices import CommitmentType, ShareRole
from .loading import framework_load, reports_import
from .models import Commitment, Milestone, ProgressReport, ResultsFramework, ScheduleLine

FRAMEWORK = "UGA-DEMO-SELF-RELIANCE"
DANIDA = "Ministry of Foreign Affairs of Denmark"
FTS_DONOR = "Denmark, Government of"  # how FTS names the same donor


def _years(n: int) -> datetime.date:
    today = datetime.date.today()
    return datetime.date(today.year + n, 1, 1)


def _months(n: int) -> datetime.date:
    today = datetime.date.today()
    month = today.month - 1 + n
    return datetime.date(today.year + month // 12, month % 12 + 1, 1)


def _framework_data() -> dict[str, Any]:
    start = _years(-1)
    return {
        "code": FRAMEWORK,
        "title": "Uganda: self-reliance of refugees and their hosts",
        "group": UGANDA,
        "description": "Demo framework: refugee children in school, refugees with work, "
        "documents, and registration delays.",
        "outcomes": [
            {"code": "O1", "title": "Refugee children learn"},
            {"code": "O2", "title": "Refugees earn a living"},
        ],
        "indicators": [
            {  # achieved: more enrolled than targeted
                "code": "ENROL",
                "title": "Refugee children enrolled in school",
                "outcome": "O1",
                "unit": "number",
                "time_aggregation": "sum",
                "place_aggregation": "sum",
                "direction": "increase",
                "baseline": {"value": 0, "date": start.isoformat()},
                "targets": [{"date": _months(-1).isoformat(), "value": 1200}],
            },
            {  # on track: half-way at mid-term
                "code": "WORK",
                "title": "Refugees with a work permit or a business licence",
                "outcome": "O2",
                "unit": "number",
                "time_aggregation": "sum",
                "place_aggregation": "sum",
                "direction": "increase",
                "baseline": {"value": 0, "date": start.isoformat()},
                "targets": [{"date": _years(1).isoformat(), "value": 2000}],
            },
            {  # off track: far below what is due
                "code": "DOCS",
                "title": "Share of refugees with an identity document",
                "outcome": "O2",
                "unit": "percentage",
                "time_aggregation": "latest",
                "place_aggregation": "max",
                "direction": "increase",
                "baseline": {"value": 40, "date": start.isoformat()},
                "targets": [{"date": _months(-1).isoformat(), "value": 90}],
            },
            {  # no data: nothing reported yet
                "code": "LAND",
                "title": "Refugee households with access to farmland",
                "outcome": "O2",
                "unit": "number",
                "time_aggregation": "sum",
                "place_aggregation": "sum",
                "direction": "increase",
                "baseline": {"value": 0, "date": start.isoformat()},
                "targets": [{"date": _years(1).isoformat(), "value": 5000}],
            },
        ],
    }


def _reports(framework: ResultsFramework, stdout: TextIO) -> None:
    if ProgressReport.objects.filter(indicator__framework=framework).exists():
        return
    start = _years(-1)

    def row(indicator: str, organisation: str, months: int, **values: Any) -> dict[str, str]:
        period_start = datetime.date(start.year, 1 + months, 1)
        period_end = datetime.date(start.year, 2 + months, 1) - datetime.timedelta(days=1)
        return {
            "indicator": indicator,
            "organisation": organisation,
            "place": "UGA",
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "value": "",
            "numerator": "",
            "denominator": "",
            "sex": "",
            "age": "",
            "population_group": "",
            "status": "approved",
            **{k: str(v) for k, v in values.items()},
        }

    rows = [
        row("ENROL", UNHCR, 0, value=700),
        row("ENROL", DRC, 1, value=650),
        row("WORK", DRC, 2, value=600),
        row("WORK", UNHCR, 5, value=500),
        row("DOCS", UNHCR, 3, numerator=45, denominator=100),
    ]
    result = reports_import(actor=None, framework=framework, rows=rows)
    stdout.write(f"Commitments: {result.rows} approved progress reports.\n")


def _commitments(
    framework: ResultsFramework, group: Group, orgs: dict[str, Organisation], stdout: TextIO
) -> None:
    existing = set(
        Commitment.objects.filter(code__startswith="DEMO-").values_list("code", flat=True)
    )
    indicators = {i.code: i for i in framework.indicators.all()}
    made = 0
    joint = Commitment.objects.filter(code="DEMO-JOINT-EDU").first()
    if joint is None:
        joint = services.commitment_create(
            actor=None,
            data={
                "code": "DEMO-JOINT-EDU",
                "title": "Enrol 1,200 refugee children in host-community schools",
                "type": CommitmentType.TECHNICAL,
                "group": group,
                "made_on": _years(-1),
                "due_date": _months(-1),
                "owner_organisation": orgs[UNHCR],
            },
            m2m={"countries": ["UGA"], "indicators": [indicators["ENROL"].pk]},
            shares=[
                {"organisation": orgs[UNHCR], "role": ShareRole.LEAD, "share": Decimal(60)},
                {"organisation": orgs[DRC], "role": ShareRole.PARTNER, "share": Decimal(40)},
            ],
        )
        made += 1
    if "DEMO-POLICY-WORK" not in existing:
        policy = services.commitment_create(
            actor=None,
            data={
                "code": "DEMO-POLICY-WORK",
                "title": "Issue work permits to refugees free of charge",
                "type": CommitmentType.POLICY,
                "group": group,
                "made_on": _years(-1),
                "due_date": _years(1),
                "owner_organisation": orgs[OPM],
            },
            m2m={"countries": ["UGA"], "indicators": [indicators["WORK"].pk]},
            shares=[{"organisation": orgs[OPM], "role": ShareRole.LEAD}],
        )
        services.commitment_link(actor=None, policy=policy, enabling=joint)
        made += 1
    if "DEMO-FIN-DANIDA" not in existing and DANIDA in orgs:
        pledge = services.commitment_create(
            actor=None,
            data={
                "code": "DEMO-FIN-DANIDA",
                "title": "USD 3 million for refugees and host communities in Jordan, 2020",
                "type": CommitmentType.FINANCIAL,
                "made_on": datetime.date(2019, 12, 17),
                "due_date": datetime.date(2020, 12, 31),
                "owner_organisation": orgs[DANIDA],
            },
            m2m={"countries": ["JOR"]},
            shares=[{"organisation": orgs[DANIDA], "role": ShareRole.LEAD}],
            schedule=[{"year": 2020, "currency": "USD", "amount": Decimal(3_000_000)}],
        )
        _link_flows(pledge, stdout)
        made += 1
    stdout.write(f"Commitments: {made} commitments added.\n")


def _link_flows(pledge: Commitment, stdout: TextIO) -> None:
    from harambee.funding.choices import FlowStatus, Side
    from harambee.funding.models import Flow

    line = ScheduleLine.objects.get(commitment=pledge, year=2020)
    flows = (
        Flow.objects.filter(
            parties__side=Side.SOURCE,
            parties__name=FTS_DONOR,
            status__in=[FlowStatus.COMMITMENT, FlowStatus.PAID],
            date__year=2020,
        )
        .filter(parties__country_id="JOR")
        .distinct()
        .order_by("date", "pk")[:4]
    )
    linked = 0
    for flow in flows:
        if ScheduleLine.objects.filter(flows=flow).exists():
            continue
        services.schedule_flow_link(actor=None, line=line, flow=flow)
        linked += 1
    if not linked:
        stdout.write(
            "Commitments: no FTS flow of Denmark to Jordan to link (funding not loaded).\n"
        )


def _milestones(framework: ResultsFramework, orgs: dict[str, Organisation]) -> None:
    if Milestone.objects.filter(framework=framework).exists():
        return
    joint = Commitment.objects.filter(code="DEMO-JOINT-EDU").first()
    specs = [
        ("Classrooms built in Nakivale", DRC, -6, -5, -5),
        ("Teachers recruited from the refugee community", UNHCR, -3, -2, None),
        ("Work permit regulation adopted", OPM, 2, 3, None),
    ]
    for title, organisation, planned, due, done in specs:
        services.milestone_create(
            actor=None,
            data={
                "framework": framework,
                "commitment": joint if organisation != OPM else None,
                "title": title,
                "organisation": orgs[organisation],
                "planned_date": _months(planned),
                "due_date": _months(due),
                "done_on": _months(done) if done is not None else None,
            },
        )


@transaction.atomic
def load(stdout: TextIO) -> None:
    group = Group.objects.filter(name=UGANDA).first()
    if group is None:
        stdout.write("Commitments: no Uganda National Group (load the network demo first).\n")
        return
    names = [UNHCR, DRC, OPM, DANIDA]
    orgs = {o.name: o for o in Organisation._base_manager.filter(name__in=names)}
    framework = ResultsFramework.objects.filter(code=FRAMEWORK).first()
    if framework is None:
        framework = framework_load(actor=None, data=_framework_data(), name="demo").framework
        stdout.write(f"Commitments: results framework {FRAMEWORK}.\n")
    _reports(framework, stdout)
    _commitments(framework, group, orgs, stdout)
    _milestones(framework, orgs)
    services.refresh_all_statuses()
