"""A coordinator loads a cohort, runs matching, reads the reasons, sends a proposal; both sides
accept it. In a real browser."""

import pytest
from playwright.sync_api import expect

from harambee.core.tests.factories import PASSWORD
from harambee.matching.choices import MatchStatus
from harambee.matching.models import Match
from harambee.matching.taxonomy import clear_index, load_esco
from harambee.matching.tests.esco import build_esco
from harambee.matching.tests.factories import matchmaker, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OFFERS = """id,kind,occupations,skills,languages,country,remote,available_from,available_to,capacity,consent
m1,volunteer,2222,assist in childbirth,kri:B2,SLE,no,,,1,yes
"""
NEEDS = """id,occupations,skills_required,skills_optional,languages_required,country,remote_ok,start,end,posts
outbreak,2221,manage wounds,,kri:B2,SLE,no,2026-03-01,2026-05-31,1
"""


def log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def test_coordinator_matches_a_cohort_and_the_proposal_is_accepted(page, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clear_index()
    load_esco(build_esco(tmp_path / "esco"))
    coordinator = matchmaker("cora")
    _user, profile, offer = person("amara", krio=6)
    offer.cohort = "spring"
    offer.save()
    (tmp_path / "offers.csv").write_text(OFFERS)
    (tmp_path / "needs.csv").write_text(NEEDS)

    log_in(page, "cora")
    page.goto("/matching/board/")
    page.get_by_label("Cohort name").fill("spring")
    page.get_by_label("OFFERS.csv").set_input_files(str(tmp_path / "offers.csv"))
    page.get_by_label("NEEDS.csv").set_input_files(str(tmp_path / "needs.csv"))
    page.get_by_role("button", name="Load cohort").click()
    expect(page.get_by_text("Cohort spring loaded: 1 offers, 1 needs.")).to_be_visible()

    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_text("same occupation 2221").first).to_be_visible()
    expect(page.get_by_text(profile.public_id).first).to_be_visible()
    page.get_by_role("button", name="Send proposal for Need outbreak").click()
    expect(page.get_by_text("The proposal was sent to both sides.")).to_be_visible()

    match = Match.objects.get(offer=offer)
    assert match.status == MatchStatus.CONTACTED
    assert match.need.owner_organisation_id == coordinator.organisation_id
    # The coordinator's organisation posted the need: it answers for the need's side.
    page.goto(f"/matching/matches/{match.pk}/")
    page.get_by_role("radio", name="Accept").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Your answer was recorded.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "amara")
    page.goto("/matching/inbox/")
    page.get_by_role("link", name="Need outbreak").click()
    expect(page.get_by_text("same occupation 2221").first).to_be_visible()
    page.get_by_role("radio", name="Accept").check()
    page.get_by_label("Show my name and contact details once both accept").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Accepted").first).to_be_visible()
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED and match.identity_revealed
    clear_index()
