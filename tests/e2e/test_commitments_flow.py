"""Create a commitment, submit and approve a progress report, see the status change on the
group's public dashboard — in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from harambee.commitments.tests.factories import IndicatorFactory, TargetFactory
from harambee.core.choices import Role
from harambee.core.tests.factories import PASSWORD, UserFactory
from harambee.network.tests.factories import GroupFactory, GroupRoleFactory, OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_commitment_report_approval_changes_the_dashboard(page):
    today = datetime.date.today()
    group = GroupFactory(name="Uganda education group")
    indicator = IndicatorFactory(
        framework__group=group,
        code="ENROL",
        title="Children enrolled",
        baseline_date=today - datetime.timedelta(days=100),
    )
    TargetFactory(indicator=indicator, date=today + datetime.timedelta(days=100), value=100)
    own = OrganisationFactory(name="Windle International Uganda", acronym="WIU")
    reporter = UserFactory(username="rita", organisation=own)
    GroupRoleFactory(user=reporter, role=Role.EDITOR)
    reviewer = UserFactory(username="victor", organisation=OrganisationFactory())
    GroupRoleFactory(user=reviewer, group=group, role=Role.COORDINATOR)

    # The reporter's organisation pledges, followed by the group, measured by ENROL.
    log_in(page, "rita")
    page.goto("/commitments/new/")
    page.get_by_label("Code").fill("GRF-UGA-1")
    page.get_by_label("Title").fill("Enrol 100 refugee children")
    page.get_by_label("Type").select_option("technical")
    page.get_by_label("Followed by group").select_option(str(group.pk))
    page.get_by_label("Indicators").select_option(str(indicator.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Enrol 100 refugee children")).to_be_visible()

    page.goto(f"/commitments/dashboard/group/{group.pk}/")
    expect(page.locator('[data-status="no_data"]')).to_have_text("1")
    expect(page.locator('[data-status="achieved"]')).to_have_text("0")

    # Report progress, submit it.
    page.goto(f"/commitments/reports/new/?indicator={indicator.pk}")
    page.get_by_label("Place").fill("UGA")
    page.get_by_label("Period start").fill((today - datetime.timedelta(days=40)).isoformat())
    page.get_by_label("Period end").fill((today - datetime.timedelta(days=10)).isoformat())
    page.get_by_label("Value", exact=True).fill("120")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".report-status")).to_have_text("Submitted")
    report_url = page.url
    log_out(page)

    # The group's coordinator approves it.
    log_in(page, "victor")
    page.goto(report_url)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".report-status")).to_have_text("Approved")

    # The public dashboard now shows the commitment achieved (120 ≥ 100), for anyone.
    log_out(page)
    page.goto(f"/commitments/dashboard/group/{group.pk}/")
    expect(page.locator('[data-status="achieved"]')).to_have_text("1")
    expect(page.locator('[data-status="no_data"]')).to_have_text("0")
    expect(page.locator("#indicator-table")).to_contain_text("Achieved")
