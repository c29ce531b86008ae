"""Services: SMART check and group requirements, joint shares, matching, the report workflow,
reminders, overdue reports."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from harambee.activities.models import PopulationGroup
from harambee.core.choices import Role
from harambee.core.errors import PermissionDeniedError
from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import GroupFactory, OrganisationFactory, user_with_role
from harambee.places.models import Country

from .. import services, tasks
from ..choices import CommitmentType, ReportStatus
from ..models import Commitment
from ..selectors import match_candidates, overdue_reports, periods_between
from .factories import (
    CommitmentFactory,
    IndicatorFactory,
    ReportFactory,
    ShareFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def uga():
    return Country.objects.get(iso3="UGA")


def test_smart_gaps_are_flagged_and_counted(uga):
    commitment = services.commitment_create(
        actor=None, data={"code": "P-1", "title": "Include refugees", "type": "policy"}
    )
    assert commitment.smart_missing == "place,population,indicator,target,date"
    assert commitment.smart_missing_count == 5
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator)
    services.commitment_update(
        actor=None,
        commitment=commitment,
        expected_version=None,
        data={"due_date": datetime.date(2026, 12, 31)},
        m2m={
            "countries": [uga],
            "population_groups": [PopulationGroup.objects.get(pk="refugees")],
            "indicators": [indicator],
        },
    )
    commitment.refresh_from_db()
    assert commitment.smart_missing_count == 0 and commitment.is_smart


def test_a_group_can_require_elements(uga):
    group = GroupFactory()
    services.group_rules_set(actor=None, group=group, required=["place", "indicator"])
    with pytest.raises(services.SmartRequired, match="place, indicator"):
        services.commitment_create(
            actor=None, data={"code": "P-2", "title": "Vague", "type": "policy", "group": group}
        )
    assert not Commitment.objects.filter(code="P-2").exists()
    ok = services.commitment_create(
        actor=None,
        data={"code": "P-3", "title": "Placed", "type": "policy", "group": group},
        m2m={"countries": [uga], "indicators": [IndicatorFactory()]},
    )
    assert ok.smart_missing == "population,target,date"


def test_joint_shares_cannot_exceed_100_percent():
    a, b = OrganisationFactory(), OrganisationFactory()
    with pytest.raises(ValidationError, match="more than 100"):
        services.commitment_create(
            actor=None,
            data={"code": "J-1", "title": "Joint", "type": "financial"},
            shares=[{"organisation": a, "share": 70}, {"organisation": b, "share": 40}],
        )
    joint = services.commitment_create(
        actor=None,
        data={"code": "J-2", "title": "Joint", "type": "financial"},
        shares=[{"organisation": a, "share": 60}, {"organisation": b, "share": 40}],
        schedule=[{"year": 2025, "currency": "usd", "amount": 100}],
    )
    assert sorted(joint.shares.values_list("share", flat=True)) == [40, 60]
    assert joint.schedule.get().currency == "USD"


def test_only_financial_pledges_have_a_schedule():
    with pytest.raises(ValidationError, match="Only a financial pledge"):
        services.commitment_create(
            actor=None,
            data={"code": "S-1", "title": "Policy", "type": "policy"},
            schedule=[{"year": 2025, "currency": "USD", "amount": 1}],
        )


def test_matching_suggests_and_links_enabling_pledges(uga):
    policy = CommitmentFactory(type=CommitmentType.POLICY, countries=[uga])
    money = CommitmentFactory(type=CommitmentType.FINANCIAL, countries=[uga])
    CommitmentFactory(type=CommitmentType.MATERIAL, countries=[uga])  # not enabling
    CommitmentFactory(type=CommitmentType.TECHNICAL)  # nothing in common
    assert match_candidates(user=None, commitment=policy) == [money]
    services.commitment_link(actor=None, policy=policy, enabling=money)
    assert list(policy.enabled_by.all()) == [money]
    assert match_candidates(user=None, commitment=policy) == []
    with pytest.raises(services.MatchInvalid):
        services.commitment_link(actor=None, policy=money, enabling=policy)


@pytest.fixture
def workflow(uga):
    framework_group = GroupFactory()
    reporter_org = OrganisationFactory()
    reporter = user_with_role(Role.EDITOR, organisation=reporter_org)
    reviewer = user_with_role(Role.EDITOR, group=framework_group)
    indicator = IndicatorFactory(framework__group=framework_group)
    TargetFactory(indicator=indicator, value=100)
    commitment = CommitmentFactory(indicators=[indicator])
    ShareFactory(commitment=commitment, organisation=reporter_org)
    return {
        "indicator": indicator,
        "reporter": reporter,
        "reviewer": reviewer,
        "org": reporter_org,
        "commitment": commitment,
        "country": uga,
    }


def new_report(w, **extra):
    data = {
        "indicator": w["indicator"],
        "organisation": w["org"],
        "country": w["country"],
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 1, 31),
        "value": 120,
        **extra,
    }
    return services.report_create(actor=w["reporter"], data=data)


def test_report_workflow_and_only_approved_reports_count(workflow):
    w = workflow
    report = new_report(w)
    assert report.status == ReportStatus.DRAFT and report.place_code == "UGA"
    report = services.report_submit(
        actor=w["reporter"], report=report, expected_version=report.version
    )
    w["commitment"].refresh_from_db()
    assert w["commitment"].status == "no_data"  # submitted does not count
    with pytest.raises(PermissionDeniedError):  # the reporter cannot approve its own
        services.report_approve(actor=w["reporter"], report=report, expected_version=report.version)
    report = services.report_send_back(
        actor=w["reviewer"], report=report, expected_version=report.version, note="Add evidence"
    )
    assert report.status == ReportStatus.SENT_BACK
    report = services.report_update(
        actor=w["reporter"],
        report=report,
        data={"evidence_url": "https://example.org/e"},
        expected_version=report.version,
    )
    report = services.report_submit(
        actor=w["reporter"], report=report, expected_version=report.version
    )
    report = services.report_approve(
        actor=w["reviewer"], report=report, expected_version=report.version
    )
    assert report.status == ReportStatus.APPROVED and report.reviewed_by == w["reviewer"]
    w["commitment"].refresh_from_db()
    assert w["commitment"].status == "achieved"  # 120 ≥ the final target of 100
    with pytest.raises(services.InvalidTransition):
        services.report_update(
            actor=w["reporter"], report=report, data={"value": 1}, expected_version=report.version
        )


def test_duplicate_reports_and_other_organisations_are_refused(workflow):
    w = workflow
    new_report(w)
    with pytest.raises(services.ServiceError, match="already a report"):
        new_report(w)
    with pytest.raises(PermissionDeniedError):
        new_report(w, organisation=OrganisationFactory(), sex="")


def test_a_percentage_report_needs_its_denominator(workflow):
    w = workflow
    w["indicator"].unit = "percentage"
    w["indicator"].save()
    with pytest.raises(ValidationError) as caught:
        new_report(w, value=None, numerator=5)
    assert "denominator" in caught.value.message_dict


def test_periods_and_overdue_reports_and_reminders(workflow, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    w = workflow
    assert periods_between("quarterly", datetime.date(2025, 2, 10), datetime.date(2025, 9, 30)) == [
        (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)),
        (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
    ]
    # Quarterly, 30 days to report: on 2025-08-15 Q1 (due 04-30) and Q2 (due 07-30) are late.
    as_of = datetime.date(2025, 8, 15)
    due = overdue_reports(as_of=as_of)
    assert [(d.period_end, d.due_date) for d in due] == [
        (datetime.date(2025, 3, 31), datetime.date(2025, 4, 30)),
        (datetime.date(2025, 6, 30), datetime.date(2025, 7, 30)),
    ]
    ReportFactory(
        indicator=w["indicator"],
        organisation=w["org"],
        status=ReportStatus.SUBMITTED,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
    )
    assert [d.period_end for d in overdue_reports(as_of=as_of)] == [datetime.date(2025, 6, 30)]
    UserFactory(organisation=w["org"], email="")  # no address: not emailed
    assert tasks.send_report_reminders.call(as_of.isoformat()) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [w["reporter"].email]
    assert "2025-04-01 to 2025-06-30, due 2025-07-30" in mail.outbox[0].body


# Frameworks, outcomes, indicators, milestones written by form ------------------------------


def test_framework_of_a_group_is_kept_by_that_groups_editors():
    group = GroupFactory()
    editor = user_with_role(Role.EDITOR, group=group)
    stranger = user_with_role(Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        services.framework_create(
            actor=stranger, data={"code": "X", "title": "Not mine", "group": group}
        )
    framework = services.framework_create(
        actor=editor, data={"code": "UGA-EDU", "title": "Education", "group": group}
    )
    outcome = services.outcome_create(
        actor=editor, framework=framework, data={"code": "O1", "title": "Children learn"}
    )
    indicator = services.indicator_create(
        actor=editor,
        framework=framework,
        data={
            "code": "ENROL",
            "title": "Enrolled",
            "outcome": outcome,
            "baseline_value": 0,
            "baseline_date": datetime.date(2025, 1, 1),
        },
        targets=[{"date": datetime.date(2025, 12, 31), "value": 1000}],
    )
    assert list(indicator.targets.values_list("value", flat=True)) == [1000]
    with pytest.raises(PermissionDeniedError):
        services.outcome_create(
            actor=stranger, framework=framework, data={"code": "O2", "title": "x"}
        )
    with pytest.raises(ValidationError):
        services.indicator_update(
            actor=editor,
            indicator=indicator,
            data={},
            expected_version=indicator.version,
            targets=[{"date": datetime.date(2024, 6, 30), "value": 10}],
        )
    assert indicator.targets.count() == 1  # nothing written


def test_changing_an_indicator_target_refreshes_the_commitments_status():
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator, value=100, date=datetime.date(2025, 4, 11))
    ReportFactory(indicator=indicator, value=150)
    commitment = CommitmentFactory(indicators=[indicator])
    services.refresh_commitment_status(commitment)
    assert Commitment.objects.get(pk=commitment.pk).status == "achieved"
    services.indicator_update(
        actor=None,
        indicator=indicator,
        data={},
        expected_version=None,
        targets=[{"date": datetime.date(2025, 4, 11), "value": 100000}],
    )
    assert Commitment.objects.get(pk=commitment.pk).status == "off_track"


def test_milestone_dependencies_stay_on_the_framework_and_make_no_loop():
    from .factories import MilestoneFactory

    first = MilestoneFactory()
    second = MilestoneFactory(framework=first.framework)
    elsewhere = MilestoneFactory()
    services.milestone_update(
        actor=None, milestone=second, data={}, expected_version=None, m2m={"depends_on": [first]}
    )
    with pytest.raises(ValidationError, match="loop"):
        services.milestone_update(
            actor=None,
            milestone=first,
            data={},
            expected_version=None,
            m2m={"depends_on": [second]},
        )
    with pytest.raises(ValidationError, match="another framework"):
        services.milestone_update(
            actor=None,
            milestone=first,
            data={},
            expected_version=None,
            m2m={"depends_on": [elsewhere]},
        )


def test_moving_a_milestone_keeps_its_first_planned_date_and_shows_slippage():
    from .factories import FrameworkFactory

    framework = FrameworkFactory()
    milestone = services.milestone_create(
        actor=None,
        data={"framework": framework, "title": "Law passed", "due_date": datetime.date(2025, 3, 1)},
    )
    assert milestone.planned_date == datetime.date(2025, 3, 1)
    milestone = services.milestone_update(
        actor=None,
        milestone=milestone,
        data={"due_date": datetime.date(2025, 5, 1), "planned_date": datetime.date(2025, 5, 1)},
        expected_version=milestone.version,
    )
    milestone.refresh_from_db()
    assert milestone.planned_date == datetime.date(2025, 3, 1)
    assert milestone.slippage_days(datetime.date(2025, 1, 1)) == 61


# Stored status going stale ------------------------------------------------------------------


def test_daily_refresh_moves_a_stored_status_as_time_passes():
    indicator = IndicatorFactory()
    TargetFactory(indicator=indicator, value=1000, date=datetime.date(2025, 4, 11))
    ReportFactory(indicator=indicator, value=300, period_end=datetime.date(2025, 1, 31))
    commitment = CommitmentFactory(indicators=[indicator])
    bare = CommitmentFactory(status="on_track")  # no indicator left: no data
    # Early February, 300 against an expected ~310: on track.
    counts = tasks.refresh_statuses.call("2025-02-01")
    assert Commitment.objects.get(pk=commitment.pk).status == "on_track"
    assert Commitment.objects.get(pk=bare.pk).status == "no_data"
    assert counts["changed"] == 2
    # Nothing new reported by April: expected ~1000, the stored status must not stay on track.
    counts = tasks.refresh_statuses.call("2025-04-10")
    assert Commitment.objects.get(pk=commitment.pk).status == "off_track"
    assert counts == {"checked": 1, "changed": 1}
