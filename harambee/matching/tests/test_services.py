import json

import pytest

from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.matching import services
from harambee.matching.choices import Answer, ConsentPurpose, MatchStatus, NeedStatus, ProfileKind
from harambee.matching.models import Match, MatchingRun, MatchMessage, Profile

from .factories import employer_need, matchmaker, person

pytestmark = pytest.mark.django_db


def run_now(user, **kw):
    run = MatchingRun.objects.create(created_by=user, **kw)
    return services.execute_run(run)


def test_consent_is_per_purpose_latest_wins_with_policy_version():
    user, profile, _offer = person()
    assert services.has_consent(profile, ConsentPurpose.MATCH)
    services.record_consent(
        actor=user, profile=profile, purpose=ConsentPurpose.MATCH, granted=False
    )
    assert not services.has_consent(profile, ConsentPurpose.MATCH)
    record = services.current_consents(profile)["match"]
    assert record.policy_version == services.POLICY_VERSION and record.recorded_at
    with pytest.raises(PermissionDeniedError):
        services.record_consent(actor=UserFactory(), profile=profile, purpose="match", granted=True)


def test_no_consent_no_match():
    coordinator = matchmaker()
    _user, _profile, _offer = person(consent=False)
    _employer, need = employer_need()
    run = run_now(coordinator)
    assert run.summary["proposed"] == 0
    assert not Match.objects.filter(need=need).exists()


def test_run_proposes_with_reasons_and_language_minimum_is_a_hard_rule():
    coordinator = matchmaker()
    _u1, _p1, good = person("amara")
    _u2, _p2, _weak = person("binta", krio=2)  # Krio A2 below the B2 minimum
    _employer, need = employer_need()
    run = run_now(coordinator)
    match = Match.objects.get(need=need)
    assert match.offer == good and match.status == MatchStatus.PROPOSED
    assert {p["part"] for p in match.parts} >= {"occupation", "languages", "place"}
    assert run.summary["candidates"] == 1


def test_workflow_from_proposal_to_completion_hides_contacts_until_both_accept():
    coordinator = matchmaker()
    person_user, profile, _offer = person()
    employer, need = employer_need()
    run_now(coordinator)
    match = Match.objects.get(need=need)
    # The employer sees nothing while it is only proposed, and no identity after sending.
    assert not services.may_see_identity(employer, profile)
    services.send_proposal(actor=coordinator, match=match, message="Call me on +44 20 7946 0958")
    assert "hidden until both agree" in MatchMessage.objects.get(match=match).body
    services.answer(actor=person_user, match=match, accept=True, reveal=True)
    match.refresh_from_db()
    assert match.offer_answer == Answer.ACCEPTED and match.status == MatchStatus.CONTACTED
    assert not services.may_see_identity(employer, profile)
    services.answer(actor=employer, match=match, accept=True)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED and match.identity_revealed
    assert services.may_see_identity(employer, profile)
    assert services.profile_view(employer, profile)["name"] == "Amara Kamara"
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    services.start_match(actor=employer, match=match)
    services.add_check_in(actor=person_user, match=match, note="First month went well")
    services.give_feedback(actor=employer, match=match, feedback="Excellent")
    services.give_feedback(actor=person_user, match=match, feedback="Good team")
    match.refresh_from_db()
    assert match.status == MatchStatus.COMPLETED and match.check_ins.count() == 1
    assert ChangeRecord.objects.for_object(match).count() >= 5


def test_decline_reopens_the_need_and_proposes_the_next_best():
    coordinator = matchmaker()
    first_user, _p1, first = person("amara", krio=6)
    _u2, _p2, second = person("binta", krio=4)
    _employer, need = employer_need()
    run_now(coordinator)
    match = Match.objects.get(need=need)
    assert match.offer == first
    services.send_proposal(actor=coordinator, match=match)
    with pytest.raises(ServiceError):
        services.answer(actor=first_user, match=match, accept=False)  # a reason is required
    services.answer(actor=first_user, match=match, accept=False, reason="Not available")
    nxt = Match.objects.get(need=need, status=MatchStatus.PROPOSED)
    assert nxt.offer == second
    run_now(coordinator)  # re-matching never proposes the declined offer again
    assert not Match.objects.filter(need=need, offer=first, status=MatchStatus.PROPOSED).exists()


def test_capacity_is_never_exceeded_across_runs():
    coordinator = matchmaker()
    _u, _p, offer = person(capacity=1)
    offer.capacity = 1
    offer.save()
    _e1, need_a = employer_need(username="e1")
    run_now(coordinator)
    services.send_proposal(actor=coordinator, match=Match.objects.get(need=need_a))
    run_now(coordinator)
    assert Match.objects.filter(offer=offer).exclude(status=MatchStatus.DECLINED).count() == 1


def test_anonymised_view_hides_personal_fields():
    _user, profile, _offer = person()
    other = UserFactory(username="mentor")
    view = services.profile_view(other, profile)
    for field in ("name", "birth_date", "phone", "email", "nationality"):
        assert field not in view
    assert view["public_id"] == profile.public_id
    assert services.profile_view(matchmaker(), profile)["phone"] == "+232 76 123456"


def test_staff_edits_keep_the_persons_own_entries():
    user = UserFactory(username="fatu")
    profile = services.create_profile(
        actor=user, data={"kind": ProfileKind.MENTOR, "place": "Bo", "capacity": 2}
    )
    coordinator = matchmaker()
    services.update_profile(
        actor=coordinator,
        profile=profile,
        data={"place": "Kenema"},
        expected_version=profile.version,
    )
    profile.refresh_from_db()
    assert profile.place == "Kenema"
    changes = services.staff_changes(profile)
    assert changes == [{"field": "place", "label": "place", "own": "Bo", "current": "Kenema"}]
    services.update_profile(
        actor=user, profile=profile, data={"place": "Makeni"}, expected_version=profile.version
    )
    profile.refresh_from_db()
    assert services.staff_changes(profile) == []


def test_export_and_delete():
    user, profile, _offer = person()
    data = services.export_profile(actor=user, profile=profile)
    json.dumps(data, default=str)
    assert data["name"] == "Amara Kamara" and data["consents"][0]["purpose"] == "match"
    with pytest.raises(PermissionDeniedError):
        services.export_profile(actor=UserFactory(), profile=profile)
    services.delete_profile(actor=user, profile=profile)
    assert not Profile.objects.filter(pk=profile.pk).exists()
    # The change log keeps no personal value in clear.
    assert "Amara" not in json.dumps([r.before for r in ChangeRecord.objects.all()], default=str)


def test_free_text_skill_is_mapped_with_suggestions(esco):
    user, profile, _offer = person()
    item = services.add_skill(actor=user, profile=profile, text="adminster medication")
    assert item.skill is not None and item.skill.label == "administer medication"
    assert item.suggestions[0]["label"] == "administer medication"
    vague = services.add_skill(actor=user, profile=profile, text="infection")
    assert vague.suggestions
    services.choose_skill(actor=user, profile_skill=vague, skill_id=vague.suggestions[0]["id"])
    with pytest.raises(ServiceError):
        services.choose_skill(actor=user, profile_skill=vague, skill_id=999999)


def test_outcomes_count(esco):
    coordinator = matchmaker()
    person_user, _profile, _offer = person()
    employer, need = employer_need()
    run_now(coordinator)
    match = Match.objects.get(need=need)
    services.send_proposal(actor=coordinator, match=match)
    services.answer(actor=person_user, match=match, accept=True)
    services.answer(actor=employer, match=match, accept=True)
    figures = services.outcomes(Match.objects.all(), type(need).objects.all())
    assert (
        figures["made"] == 1 and figures["accepted"] == 1 and figures["days_to_match"] is not None
    )


def test_only_matchmakers_run_and_send():
    user, _p, _o = person()
    with pytest.raises(PermissionDeniedError):
        services.start_run(actor=user)
