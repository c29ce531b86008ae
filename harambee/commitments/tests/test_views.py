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


# Money, frameworks by form, milestones, import, evidence ----------------------------------------


def _financial_pledge(editor_org):
    from decimal import Decimal

    from ..models import ScheduleLine

    donor = OrganisationFactory(name="Kingdom of Examples")
    commitment = CommitmentFactory(
        type="financial", countries=["UGA"], owner_organisation=editor_org
    )
    ShareFactory(commitment=commitment, organisation=donor)
    line = ScheduleLine.objects.create(
        commitment=commitment, year=2026, currency="USD", amount=Decimal(1000)
    )
    return commitment, line, donor


def test_commitment_page_suggests_links_and_fills_paid_from_flows():
    from harambee.funding.choices import PartyKind, Side
    from harambee.funding.tests.helpers import flow, party, place, year

    org = OrganisationFactory()
    editor = user_with_role(Role.EDITOR, organisation=org)
    commitment, line, donor = _financial_pledge(org)
    donor_party = party(PartyKind.ORGANISATION, donor.name, Side.SOURCE, organisation_id=donor.pk)
    grant = flow(700, parties=[donor_party, place("UGA"), year(2026)], description="Grant")
    page = client_for(editor).get(commitment.get_absolute_url()).content.decode()
    assert 'class="flow-candidates"' in page and f"#{grant.pk}" in page
    response = client_for(editor).post(
        f"/commitments/{commitment.pk}/flows/", {"line": line.pk, "flow": grant.pk}
    )
    assert response.status_code == 302 and list(line.flows.all()) == [grant]
    page = client_for().get(commitment.get_absolute_url()).content.decode()
    assert 'data-paid="2026-USD">700' in page and 'data-paid="total">700' in page
    assert 'class="flow-candidates"' not in page  # visitors get no forms
    # Someone who may not change the pledge cannot link.
    other = user_with_role(Role.EDITOR)
    assert (
        client_for(other)
        .post(
            f"/commitments/{commitment.pk}/flows/",
            {"line": line.pk, "flow": grant.pk, "remove": "1"},
        )
        .status_code
        == 403
    )
    board = client_for().get(f"/commitments/dashboard/forum/{ForumFactory().pk}/")
    assert board.status_code == 200


def test_group_dashboard_shows_money_recorded():
    from harambee.funding.tests.helpers import flow

    group = GroupFactory()
    org = OrganisationFactory()
    commitment, line, _donor = _financial_pledge(org)
    Commitment.objects.filter(pk=commitment.pk).update(group=group)
    line.flows.add(flow(250))
    page = client_for().get(f"/commitments/dashboard/group/{group.pk}/").content.decode()
    assert 'data-recorded="USD">250' in page and 'data-recorded="total">250' in page


def test_group_editor_creates_a_framework_outcome_and_indicator_by_form():
    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    client = client_for(editor)
    assert client.get("/commitments/frameworks/new/").status_code == 200
    response = client.post(
        "/commitments/frameworks/new/",
        {
            "code": "UGA-EDU",
            "title": "Education compact",
            "group": group.pk,
            "on_track_at": "0.85",
            "at_risk_at": "0.6",
            "grace_days": "30",
            "visibility": "public",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from ..models import Indicator, ResultsFramework

    framework = ResultsFramework.objects.get(code="UGA-EDU")
    client.post(
        f"/commitments/frameworks/{framework.pk}/outcomes/new/", {"code": "O1", "title": "Learn"}
    )
    outcome = framework.outcomes.get()
    indicator_form = {
        "code": "ENROL",
        "title": "Enrolled",
        "outcome": outcome.pk,
        "unit": "number",
        "time_aggregation": "sum",
        "place_aggregation": "sum",
        "direction": "increase",
        "disaggregations": ["sex"],
        "baseline_value": "0",
        "baseline_date": "2025-01-01",
        "frequency": "quarterly",
        "targets_text": "2025-12-31 1000",
    }
    bad = client.post(
        f"/commitments/frameworks/{framework.pk}/indicators/new/",
        {**indicator_form, "targets_text": "2024-12-31 1000"},
    )
    assert bad.status_code == 200 and b"after the baseline date" in bad.content
    assert not Indicator.objects.exists()
    response = client.post(
        f"/commitments/frameworks/{framework.pk}/indicators/new/", indicator_form
    )
    indicator = Indicator.objects.get(code="ENROL")
    assert response.status_code == 302 and indicator.disaggregations == ["sex"]
    edit = client.post(
        f"/commitments/indicators/{indicator.pk}/edit/",
        {**indicator_form, "title": "Children enrolled", "version": indicator.version},
    )
    assert edit.status_code == 302
    indicator.refresh_from_db()
    assert indicator.title == "Children enrolled"
    # An editor of another group may not touch it.
    stranger = user_with_role(Role.EDITOR)
    assert (
        client_for(stranger).get(f"/commitments/frameworks/{framework.pk}/edit/").status_code == 403
    )
    assert (
        client_for(stranger).get(f"/commitments/indicators/{indicator.pk}/edit/").status_code == 403
    )
    refused = client_for(stranger).post(
        "/commitments/frameworks/new/",
        {
            "code": "X",
            "title": "X",
            "group": group.pk,
            "on_track_at": "0.85",
            "at_risk_at": "0.6",
            "grace_days": "30",
            "visibility": "public",
        },
    )
    assert refused.status_code == 200 and not ResultsFramework.objects.filter(code="X").exists()


def test_milestone_pages_on_the_shared_timeline():
    from ..models import Milestone
    from .factories import FrameworkFactory

    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    framework = FrameworkFactory(group=group)
    first = MilestoneFactory(framework=framework, title="Policy adopted")
    client = client_for(editor)
    assert (
        b"Add a milestone"
        in client.get(f"/commitments/frameworks/{framework.pk}/timeline/").content
    )
    response = client.post(
        f"/commitments/frameworks/{framework.pk}/milestones/new/",
        {"title": "Teachers hired", "due_date": "2025-09-30", "depends_on": [first.pk]},
    )
    assert response.status_code == 302
    hired = Milestone.objects.get(title="Teachers hired")
    assert list(hired.depends_on.all()) == [first]
    response = client.post(
        f"/commitments/milestones/{hired.pk}/edit/",
        {
            "title": "Teachers hired",
            "due_date": "2025-12-31",
            "version": hired.version,
            "depends_on": [first.pk],
        },
    )
    assert response.status_code == 302
    hired.refresh_from_db()
    assert hired.planned_date == datetime.date(2025, 9, 30) and hired.slippage_days() >= 92
    page = client_for().get(f"/commitments/frameworks/{framework.pk}/timeline/").content.decode()
    assert "first planned" in page and "Add a milestone" not in page
    loop = client.post(
        f"/commitments/milestones/{first.pk}/edit/",
        {
            "title": "Policy adopted",
            "due_date": "2025-06-30",
            "version": first.version,
            "depends_on": [hired.pk],
        },
    )
    assert loop.status_code == 200 and b"loop" in loop.content
    assert (
        client_for(user_with_role(Role.EDITOR))
        .get(f"/commitments/milestones/{hired.pk}/edit/")
        .status_code
        == 403
    )


def test_import_from_the_list_page_previews_errors_by_row_and_column_then_confirms():
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = OrganisationFactory(name="Danish Refugee Council", acronym="DRC")
    editor = user_with_role(Role.EDITOR, organisation=org)
    client = client_for(editor)
    assert b"/commitments/import/" in client.get("/commitments/").content
    bad = (
        "code,title,type,countries,organisations\n"
        "IMP-1,Good one,financial,UGA,DRC:100\n"
        "IMP-2,Bad one,wish,XXX,DRC\n"
    )
    response = client.post(
        "/commitments/import/", {"file": SimpleUploadedFile("c.csv", bad.encode())}
    )
    page = response.content.decode()
    assert 'class="import-errors"' in page
    assert '<td class="num">3</td><td>type</td>' in page and "<td>countries</td>" in page
    assert "Confirm the import" not in page and not Commitment.objects.exists()
    good = "code,title,type,countries,organisations\nIMP-1,Good one,financial,UGA,DRC:100\n"
    response = client.post(
        "/commitments/import/", {"file": SimpleUploadedFile("c.csv", good.encode())}
    )
    assert b"1 to create, 0 to update" in response.content
    assert not Commitment.objects.exists()  # the preview writes nothing
    token = client.session["commitments_import"]["token"]
    response = client.post("/commitments/import/confirm/", {"token": token})
    assert response.status_code == 302 and Commitment.objects.get().code == "IMP-1"
    again = client.post("/commitments/import/confirm/", {"token": token})
    assert again.status_code == 302 and Commitment.objects.count() == 1
    viewer = user_with_role(Role.VIEWER)
    assert client_for(viewer).get("/commitments/import/").status_code == 403


def test_evidence_file_only_for_those_who_may_see_the_report(settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=org)
    report = ReportFactory(organisation=org, status=ReportStatus.DRAFT)
    report.evidence_file.save("register.csv", ContentFile(b"name,count\nA,3\n"))
    response = client_for(reporter).get(f"/commitments/reports/{report.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"name,count\nA,3\n"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # A draft is not for other organisations; anonymous visitors sign in first.
    assert (
        client_for(user_with_role(Role.EDITOR))
        .get(f"/commitments/reports/{report.pk}/evidence/")
        .status_code
        == 404
    )
    assert client_for().get(f"/commitments/reports/{report.pk}/evidence/").status_code == 302
    no_file = ReportFactory(organisation=org, period_end=datetime.date(2025, 2, 28))
    assert (
        client_for(reporter).get(f"/commitments/reports/{no_file.pk}/evidence/").status_code == 404
    )
