"""A coordinator imports Jordan's FTS flows, opens the country's money page, and follows one
flow's chain up to its parent and down to where the money ended up."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from harambee.funding.models import Flow
from harambee.funding.services import import_fts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DATA = settings.PROJECT_DIR.parent / "shared" / "data" / "funding"


def test_country_money_page_and_a_flows_chain(page):
    import_fts(actor=None, paths=[DATA / "fts_jordan_2020"])
    child = (
        Flow.objects.filter(parent__isnull=False).select_related("parent").order_by("pk").first()
    )
    parent = child.parent

    page.goto("/money/")
    page.get_by_role("link", name="Jordan", exact=True).click()
    page.get_by_label("Usage year", exact=True).select_option("2020")
    expect(page.get_by_test_id("funding-total")).to_have_text("714,246,261 USD")
    expect(
        page.get_by_role("heading", name="From donors through channels to sectors")
    ).to_be_visible()
    expect(page.locator("svg.chart path.sankey-link").first).to_be_attached()

    page.get_by_role("link", name="The flows").click()
    page.get_by_label("Id in the source").fill(child.source_id)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=f"OCHA Financial Tracking Service {child.source_id}").click()
    expect(page.get_by_role("heading", name="Parent chain")).to_be_visible()

    # Up the chain to the parent, then down again: where did the parent's money end up?
    page.get_by_role("link", name=f"OCHA Financial Tracking Service {parent.source_id}").click()
    expect(page).to_have_url(f"{page.url.split('/money/')[0]}/money/flows/{parent.pk}/")
    ended_up = page.locator(
        "section", has=page.get_by_role("heading", name="Where did this money end up?")
    )
    expect(
        ended_up.get_by_role("link", name=f"OCHA Financial Tracking Service {child.source_id}")
    ).to_be_visible()
