"""A sensitive complaint, given anonymously, reaches the focal point and nobody else."""

import pytest
from playwright.sync_api import expect

from harambee.feedback.models import FeedbackItem
from harambee.feedback.tests.factories import cast

from .test_network_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_anonymous_sensitive_complaint_reaches_the_focal_point_only(page, settings):
    settings.FEEDBACK_FORM_MIN_SECONDS = 0
    people = cast()

    page.goto("/feedback/give/")
    page.get_by_role("link", name=people.group.name, exact=False).first.click()
    page.get_by_label("What is it?").select_option("complaint")
    page.get_by_label("Your message").fill("A food distributor asked my sister for sex.")
    page.get_by_label("It is about sexual exploitation", exact=False).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    item = FeedbackItem.objects.get()
    assert item.sensitive
    expect(page.get_by_text(item.reference)).to_be_visible()

    # The group's PSEA coordinator finds it in the inbox and opens it.
    log_in(page, people.psea_coordinator.username)
    page.goto("/feedback/inbox/")
    page.get_by_role("link", name="Open").first.click()
    expect(page.get_by_role("heading", name=item.reference)).to_be_visible()
    expect(page.get_by_text("asked my sister")).to_be_visible()

    # The group's coordinator does not: not in the list, not by its address.
    page.get_by_role("button", name="Log out").click()
    log_in(page, people.coordinator.username)
    page.goto("/feedback/")
    expect(page.get_by_text(item.reference)).to_have_count(0)
    response = page.goto(f"/feedback/{item.pk}/")
    assert response is not None and response.status == 404
