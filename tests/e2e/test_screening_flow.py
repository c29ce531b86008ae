"""Due diligence end to end in a real browser: an NGO editor screens a CSV of payees, clears a
false positive with a reason, signs a package and shares it with a bank user, who verifies it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from harambee.core.choices import Role
from harambee.core.tests.factories import UserFactory
from harambee.network.choices import OrganisationType
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory
from harambee.screening.models import DueDiligencePackage, Payee, ScreeningDecision
from harambee.screening.services import load_list

from .test_network_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SMALL_UN = Path(__file__).parents[2] / "harambee" / "screening" / "tests" / "data" / "un_small.xml"
PAYEES = (
    "id,name,schema,date_of_birth\np1,Abdul Latif Mansoor,person,1990\np2,Jane Wanjiru,person,\n"
)


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_batch_screen_clear_a_hit_sign_share_and_a_bank_verifies(page, tmp_path):
    from harambee.screening.matching.index import clear_cache

    clear_cache()
    load_list(source="un", path=SMALL_UN)
    ngo = OrganisationFactory(name="Kakuma Relief", acronym="KR")
    editor = UserFactory(username="edna", organisation=ngo)
    GroupRoleFactory(user=editor, role=Role.EDITOR)
    bank = OrganisationFactory(name="Equity Bank", org_type=OrganisationType.BANK)
    bea = UserFactory(username="bea", organisation=bank, first_name="Bea", last_name="Banker")
    queries = tmp_path / "payees.csv"
    queries.write_text(PAYEES, encoding="utf-8")

    # 1. Batch screening of a CSV file
    log_in(page, "edna")
    page.get_by_role("link", name="Screening").first.click()
    page.get_by_role("link", name="Batches").click()
    page.get_by_role("button", name="Screen a file").click()
    page.get_by_label("File").set_input_files(str(queries))
    page.get_by_role("button", name="Upload and screen").click()
    expect(page.get_by_text("1 of 2 names have hits.")).to_be_visible()
    expect(page.get_by_text("ABDUL LATIF MANSUR")).to_be_visible()

    # 2. Clear the hit, with the reason
    page.get_by_text("Review this hit").click()
    page.get_by_label("Cleared (false positive)").check()
    page.get_by_label("Reason").fill("Payee born 1990, Kenyan ID seen: not the listed man.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Recorded: Cleared (false positive)")).to_be_visible()
    expect(page.get_by_text("Cleared", exact=True)).to_be_visible()
    decision = ScreeningDecision.objects.get()
    assert decision.outcome == "cleared" and decision.query["date_of_birth"] == "1990"
    page.get_by_role("link", name="Decisions").click()
    expect(page.get_by_text("Kenyan ID seen")).to_be_visible()

    # 3. The payee, and a package that holds it with the decision
    Payee.objects.create(
        organisation=ngo,
        owner_organisation=ngo,
        name="Abdul Latif Mansoor",
        schema="person",
        date_of_birth="1990",
    )
    page.get_by_role("link", name="Packages").click()
    page.get_by_role("button", name="Make a package").click()
    page.get_by_label("Title").fill("Cash grants, Kakuma, March")
    page.get_by_label("Purpose").fill("Cash grants to 300 households")
    page.get_by_label("Amounts").fill("25000 USD")
    page.get_by_label("Places").fill("Kakuma, Kenya")
    page.get_by_label("Payees").select_option(label="Abdul Latif Mansoor")
    page.get_by_role("button", name="Sign the package").click()
    expect(page.get_by_role("heading", name="Cash grants, Kakuma, March")).to_be_visible()
    expect(page.get_by_text("Payee born 1990")).to_be_visible()

    # 4. Share it with a named bank user
    page.get_by_label("Bank user").select_option(value=str(bea.pk))
    page.get_by_role("button", name="Share with a bank user").click()
    expect(page.get_by_text("Shared with Bea Banker.")).to_be_visible()
    package = DueDiligencePackage.objects.get()

    # 5. The bank user finds it, verifies it and downloads the signed file
    page.get_by_role("button", name="Log out").click()
    log_in(page, "bea")
    page.goto("/screening/packages/")
    page.get_by_role("link", name="Cash grants, Kakuma, March").click()
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Valid signature")).to_be_visible()
    expect(page.get_by_text("the same key")).to_be_visible()
    expect(page.get_by_text(package.sha256)).to_be_visible()
    actions = set(package.accesses.values_list("user_name", "action"))
    assert {("edna", "created"), ("edna", "shared"), ("bea", "viewed"), ("bea", "verified")} <= (
        actions
    )
