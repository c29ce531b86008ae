"""A coordinator's first steps, in a real browser."""

import pytest
from playwright.sync_api import expect

from harambee.core.choices import Role, Visibility
from harambee.core.tests.factories import PASSWORD, UserFactory
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def test_editor_creates_an_organisation_finds_it_and_sees_its_history(page):
    own = OrganisationFactory(name="Kampala Relief Network", acronym="KRN")
    editor = UserFactory(username="edith", organisation=own)
    GroupRoleFactory(user=editor, role=Role.EDITOR)

    log_in(page, "edith")
    page.goto("/network/organisations/new/")
    page.get_by_label("Name", exact=True).fill("Nile Refugee Women Initiative")
    page.get_by_label("Acronym").fill("NRWI")
    page.get_by_label("Type").select_option("refugee_led")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Nile Refugee Women Initiative")).to_be_visible()

    # In the list, filtered by its acronym.
    page.goto("/network/organisations/")
    page.get_by_role("searchbox", name="Search", exact=False).first.fill("NRWI")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Nile Refugee Women Initiative").first).to_be_visible()

    # In the global search.
    page.goto("/search/?q=Nile+Refugee")
    expect(page.get_by_role("link", name="Nile Refugee Women Initiative").first).to_be_visible()

    # Its history shows who created it.
    page.get_by_role("link", name="Nile Refugee Women Initiative").first.click()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("edith").first).to_be_visible()
    expect(page.get_by_text("Created").first).to_be_visible()


def test_anonymous_visitor_does_not_see_a_restricted_organisation(page):
    owner = OrganisationFactory(name="Visible Partners")
    OrganisationFactory(
        name="Hidden Shelter Collective",
        visibility=Visibility.ORGANISATION,
        owner_organisation=owner,
    )
    page.goto("/network/organisations/")
    expect(page.get_by_role("link", name="Visible Partners").first).to_be_visible()
    expect(page.get_by_text("Hidden Shelter Collective")).to_have_count(0)
    page.goto("/search/?q=Hidden+Shelter")
    expect(page.get_by_text("Hidden Shelter Collective")).to_have_count(0)
