"""Commitments API: visibility, versions, the report workflow actions, summary, query counts."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from harambee.core.choices import Role, Visibility
from harambee.network.tests.factories import GroupFactory, OrganisationFactory, user_with_role

from ..models import ProgressReport
from .factories import (
    CommitmentFactory,
    IndicatorFactory,
    ReportFactory,
    ShareFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db
API = "/api"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_commitments_list_filters_and_hides(django_assert_num_queries):
    shown = CommitmentFactory(type="financial")
    CommitmentFactory(type="policy")
    CommitmentFactory(
        type="financial",
        visibility=Visibility.ORGANISATION,
        owner_organisation=OrganisationFactory(),
    )
    for _ in range(3):
        ShareFactory(commitment=shown)
    response = client_for().get(f"{API}/commitments/", {"type": "financial"})
    assert [r["id"] for r in response.json()["results"]] == [shown.pk]
    assert len(response.json()["results"][0]["shares"]) == 3
    for _ in range(5):
        ShareFactory(commitment=CommitmentFactory())
    # count, page, then one query per prefetched relation, whatever the number of rows
    with django_assert_num_queries(11):
        assert client_for().get(f"{API}/commitments/").status_code == 200


def test_create_update_with_versions():
    org = OrganisationFactory(acronym="DRC")
    editor = user_with_role(Role.EDITOR, organisation=org)
    client = client_for(editor)
    body = {
        "code": "API-1",
        "title": "Cash",
        "type": "financial",
        "countries": ["uga"],
        "shares": [{"organisation": org.pk, "share": "100"}],
        "schedule": [{"year": 2025, "currency": "EUR", "amount": "1000.00"}],
    }
    created = client.post(f"{API}/commitments/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["smart_missing"] == ["population", "indicator", "target", "date"]
    url = f"{API}/commitments/{data['id']}/"
    stale = client.patch(url, {"title": "Cash+", "version": data["version"] + 5}, format="json")
    assert stale.status_code == 409
    ok = client.patch(url, {"title": "Cash+", "version": data["version"]}, format="json")
    assert ok.status_code == 200 and ok.json()["title"] == "Cash+"
    assert client_for().post(f"{API}/commitments/", body, format="json").status_code in (401, 403)


def test_report_actions_and_summary(django_assert_num_queries):
    group = GroupFactory()
    reviewer = user_with_role(Role.EDITOR, group=group)
    org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=org)
    indicator = IndicatorFactory(framework__group=group, code="ENROL")
    TargetFactory(indicator=indicator, date=datetime.date(2025, 4, 11), value=1000)
    body = {
        "indicator": indicator.pk,
        "organisation": org.pk,
        "place": "UGA",
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "value": 300,
    }
    created = client_for(reporter).post(f"{API}/progress-reports/", body, format="json")
    assert created.status_code == 201, created.json()
    report = created.json()
    dup = client_for(reporter).post(f"{API}/progress-reports/", body, format="json")
    assert dup.status_code == 400 and dup.json()["code"] == "report_duplicate"
    url = f"{API}/progress-reports/{report['id']}/"
    submitted = client_for(reporter).post(url + "submit/", {"version": report["version"]})
    assert submitted.json()["status"] == "submitted"
    denied = client_for(reporter).post(url + "approve/", {"version": submitted.json()["version"]})
    assert denied.status_code == 403
    approved = client_for(reviewer).post(url + "approve/", {"version": submitted.json()["version"]})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    summary = (
        client_for()
        .get(f"{API}/results-frameworks/{indicator.framework_id}/summary/", {"as_of": "2025-03-02"})
        .json()
    )
    assert summary == {
        "indicators": {
            "ENROL": {
                "actual": 300.0,
                "expected": 600.0,
                "baseline": 0.0,
                "target": 1000.0,
                "progress": 0.5,
                "status": "off_track",
            }
        }
    }
    for _ in range(4):
        ReportFactory(indicator=indicator)
    with django_assert_num_queries(2):
        assert len(client_for().get(f"{API}/progress-reports/").json()["results"]) == 5


def test_bad_reports_are_refused_with_field_errors():
    org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=org)
    indicator = IndicatorFactory(unit="percentage")
    body = {
        "indicator": indicator.pk,
        "organisation": org.pk,
        "place": "UGA",
        "period_start": "2025-02-01",
        "period_end": "2025-01-31",
        "numerator": 3,
    }
    response = client_for(reporter).post(f"{API}/progress-reports/", body, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "denominator" in fields and "period_end" in fields
    assert not ProgressReport.objects.exists()


def test_framework_load_and_indicators():
    editor = user_with_role(Role.EDITOR)
    body = {
        "code": "FW-API",
        "title": "By API",
        "indicators": [
            {
                "code": "I1",
                "title": "One",
                "baseline": {"value": 0, "date": "2025-01-01"},
                "targets": [{"date": "2024-01-01", "value": 5}],
            }
        ],
    }
    bad = client_for(editor).post(f"{API}/results-frameworks/load/", body, format="json")
    assert bad.status_code == 400 and "targets[0].date" in bad.json()["detail"]
    body["indicators"][0]["targets"][0]["date"] = "2026-01-01"
    ok = client_for(editor).post(f"{API}/results-frameworks/load/", body, format="json")
    assert ok.status_code == 200 and ok.json()["code"] == "FW-API"
    listed = client_for().get(f"{API}/indicators/", {"framework": ok.json()["id"]}).json()
    assert [i["code"] for i in listed["results"]] == ["I1"]


def test_milestones_api_with_dependencies_and_slippage():
    from .factories import FrameworkFactory, MilestoneFactory

    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    framework = FrameworkFactory(group=group)
    first = MilestoneFactory(framework=framework)
    client = client_for(editor)
    response = client.post(
        f"{API}/milestones/",
        {
            "framework": framework.pk,
            "title": "Teachers hired",
            "due_date": "2025-09-30",
            "depends_on": [first.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["planned_date"] == "2025-09-30" and body["depends_on"] == [first.pk]
    response = client.patch(
        f"{API}/milestones/{body['id']}/",
        {"due_date": "2025-10-30", "version": body["version"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["planned_date"] == "2025-09-30"
    assert response.json()["slippage_days"] >= 30
    listed = client_for().get(f"{API}/milestones/", {"framework": framework.pk}).json()
    assert len(listed["results"]) == 2
    stranger = client_for(user_with_role(Role.EDITOR))
    refused = stranger.post(
        f"{API}/milestones/",
        {"framework": framework.pk, "title": "x", "due_date": "2025-09-30"},
        format="json",
    )
    assert refused.status_code == 403
    loop = client.patch(
        f"{API}/milestones/{first.pk}/",
        {"depends_on": [body["id"]], "version": first.version},
        format="json",
    )
    assert loop.status_code == 400 and "depends_on" in loop.json()["fields"]


def test_money_api_links_flows_and_reports_pledged_committed_paid():
    from decimal import Decimal

    from harambee.funding.tests.helpers import flow

    from ..models import ScheduleLine

    org = OrganisationFactory()
    editor = user_with_role(Role.EDITOR, organisation=org)
    commitment = CommitmentFactory(type="financial", owner_organisation=org)
    line = ScheduleLine.objects.create(
        commitment=commitment, year=2026, currency="USD", amount=Decimal(1000)
    )
    parent = flow(400, source_id="gift")
    child = flow(400, parent="gift", repeats_parent=True)
    client = client_for(editor)
    for item in (parent, child):
        response = client.post(
            f"{API}/commitments/{commitment.pk}/link-flow/",
            {"line": line.pk, "flow": item.pk},
            format="json",
        )
        assert response.status_code == 200, response.json()
    body = client_for().get(f"{API}/commitments/{commitment.pk}/money/").json()
    assert body["rows"][0]["flows"] == sorted([parent.pk, child.pk], reverse=True) or set(
        body["rows"][0]["flows"]
    ) == {parent.pk, child.pk}
    assert Decimal(body["rows"][0]["figures"]["paid_usd"]) == 400
    assert Decimal(body["totals"]["recorded_usd"]) == 400
    assert Decimal(body["rows"][0]["pledged"]) == 1000
    refused = client_for(user_with_role(Role.EDITOR)).post(
        f"{API}/commitments/{commitment.pk}/unlink-flow/",
        {"line": line.pk, "flow": parent.pk},
        format="json",
    )
    assert refused.status_code == 403
    response = client.post(
        f"{API}/commitments/{commitment.pk}/unlink-flow/",
        {"line": line.pk, "flow": parent.pk},
        format="json",
    )
    assert Decimal(response.json()["totals"]["recorded_usd"]) == 400  # the child now counts
    assert response.json()["rows"][0]["flows"] == [child.pk]
