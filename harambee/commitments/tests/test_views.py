"""Pages: every one checks permission; list filters; dashboard; timeline; report workflow."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from harambee.core.choices import Role, Visibility
from harambee.network.tests.factories import GroupFactory, OrganisationFactory, user_with_role

from ..choices import ReportStatus
from ..models import Commitment, ProgressReport
from .factories import (
    CommitmentFactory,
    ForumFactory,
    IndicatorFactory,
    MilestoneFactory,
    ReportFactory,
    ShareFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_list_filters_and_hides_what_the_visitor_may_not_see():
    forum = ForumFactory()
    CommitmentFactory(title="Visible pledge", forum=forum)
    CommitmentFactory(title="Other forum pledge")
    CommitmentFactory(
        title="Secret pledge",
        visibility=Visibility.ORGANISATION,
        owner_organisation=OrganisationFactory(),
    )
    page = client_for().get("/commitments/", {"forum": forum.pk}).content.decode()
    assert "Visible pledge" in page and "Other forum pledge" not in page
    assert "Secret pledge" not in client_for().get("/commitments/").content.decode()
    partial = client_for().get("/commitments/", {"smart": "incomplete"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Visible pledge" in partial.content
    export = client_for().get("/commitments/export/", {"format": "csv"})
    assert b"Visible pledge" in export.content and b"Secret pledge" not in export.content


def test_hidden_commitment_is_404_and_forms_need_login():
    secret = CommitmentFactory(
        visibility=Visibility.ORGANISATION, owner_organisation=OrganisationFactory()
    )
    assert client_for().get(f"/commitments/{secret.pk}/").status_code == 404
    assert client_for().get("/commitments/new/").status_code == 302
    viewer = user_with_role(Role.VIEWER)
    assert client_for(viewer).get("/commitments/new/").status_code == 403
    assert client_for(viewer).get(f"/commitments/{CommitmentFactory().pk}/edit/").status_code in (
        403,
        404,
    )


def test_an_editor_creates_a_commitment_with_targets_and_schedule():
    org = OrganisationFactory(name="Danish Refugee Council", acronym="DRC")
    editor = user_with_role(Role.EDITOR, organisation=org)
    response = client_for(editor).post(
        "/commitments/new/",
        {
            "code": "GRF-9",
            "title": "Cash for 2,000 families",
            "type": "financial",
            "countries": ["UGA"],
            "population_groups": ["refugees"],
            "visibility": "public",
            "organisations_text": "DRC: 100",
            "targets_text": "2026-12-31 2000 families",
            "schedule_text": "2026 USD 250000",
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment = Commitment.objects.get(code="GRF-9")
    assert commitment.smart_missing == "indicator"
    page = client_for(editor).get(commitment.get_absolute_url()).content.decode()
    assert "Danish Refugee Council" in page and "250000" in page and "indicator" in page


def test_commitment_page_draws_the_indicator_chart():
    indicator = IndicatorFactory(code="ENROL")
    TargetFactory(indicator=indicator, value=1000)
    ReportFactory(indicator=indicator, value=400, period_end=datetime.date(2025, 1, 31))
    commitment = CommitmentFactory(indicators=[indicator])
    page = client_for().get(commitment.get_absolute_url(), {"as_of": "2025-03-02"}).content.decode()
    assert 'class="indicator-chart"' in page and 'class="target"' in page
    assert "Actual 400 as of 2025-01-31" in page


def test_group_dashboard_counts_statuses_and_non_reporting_organisations():
    group = GroupFactory(name="Uganda education group")
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator, value=100)
    reporting, silent = OrganisationFactory(name="Reporter"), OrganisationFactory(name="Silent Org")
    done = CommitmentFactory(group=group, indicators=[indicator], type="financial")
    ShareFactory(commitment=done, organisation=reporting)
    ShareFactory(commitment=done, organisation=silent)
    ReportFactory(indicator=indicator, organisation=reporting, value=150)
    from ..services import refresh_commitment_status

    refresh_commitment_status(done)
    page = (
        client_for()
        .get(f"/commitments/dashboard/group/{group.pk}/", {"as_of": "2025-06-30"})
        .content.decode()
    )
    assert '<strong data-status="achieved">1</strong>' in page
    assert "Silent Org" in page
    group_page = client_for().get(group.get_absolute_url()).content.decode()
    assert f"/commitments/dashboard/group/{group.pk}/" in group_page
    forum = ForumFactory()
    assert client_for().get(f"/commitments/dashboard/forum/{forum.pk}/").status_code == 200


def test_timeline_shows_slippage_and_dependencies():
    first = MilestoneFactory(
        title="Policy adopted",
        planned_date=datetime.date(2025, 3, 1),
        due_date=datetime.date(2025, 5, 1),
    )
    second = MilestoneFactory(
        framework=first.framework,
        title="Teachers hired",
        planned_date=datetime.date(2025, 6, 1),
        due_date=datetime.date(2025, 6, 1),
        done_on=datetime.date(2025, 6, 1),
    )
    second.depends_on.add(first)
    page = (
        client_for().get(f"/commitments/frameworks/{first.framework_id}/timeline/").content.decode()
    )
    assert 'class="gantt"' in page and 'class="dependency"' in page and 'class="slip"' in page


def test_report_pages_workflow():
    group = GroupFactory()
    reviewer = user_with_role(Role.EDITOR, group=group)
    org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=org)
    indicator = IndicatorFactory(framework__group=group)
    response = client_for(reporter).post(
        "/commitments/reports/new/",
        {
            "indicator": indicator.pk,
            "organisation": org.pk,
            "place": "UGA",
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "value": "12",
        },
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and report.status == ReportStatus.DRAFT
    assert client_for().get(report.get_absolute_url()).status_code == 302  # login first
    client_for(reporter).post(
        f"/commitments/reports/{report.pk}/submit/", {"version": report.version}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert (
        client_for(reviewer)
        .get("/commitments/reports/")
        .content.decode()
        .count(str(indicator.code))
        >= 1
    )
    swapped = client_for(reviewer).post(
        f"/commitments/reports/{report.pk}/approve/",
        {"version": report.version},
        HTTP_HX_REQUEST="true",
    )
    assert b'id="workflow"' in swapped.content and b"Approved" in swapped.content
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_a_bad_report_form_says_why_and_writes_nothing():
    org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=org)
    indicator = IndicatorFactory(unit="percentage")
    response = client_for(reporter).post(
        "/commitments/reports/new/",
        {
            "indicator": indicator.pk,
            "organisation": org.pk,
            "place": "UGA",
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "numerator": "3",
        },
    )
    assert response.status_code == 200 and b"the denominator is missing" in response.content
    assert not ProgressReport.objects.exists()
