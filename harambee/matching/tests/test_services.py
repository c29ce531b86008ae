import json

import pytest
from django.core.exceptions import ValidationError

from harambee.core.errors import PermissionDeniedError, ServiceError, StaleVersionError
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.matching import selectors, services
from harambee.matching.choices import Answer, ConsentPurpose, MatchStatus, NeedStatus, ProfileKind
from harambee.matching.models import Match, MatchingRun, MatchMessage, Profile
from harambee.network.tests.factories import OrganisationFactory

from .factories import (
    country,
    editor_of,
    employer_need,
    match,
    matchmaker,
    organisation_offer,
    person,
)

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


# --- editing, closing and withdrawing needs and offers ----------------------------------------


def _need_of_editor(**kw):
    _employer, need = employer_need(**kw)
    editor = editor_of(need.owner_organisation)
    return editor, need


def test_owner_editor_updates_a_need_with_a_change_record():
    editor, need = _need_of_editor()
    edited = services.need_update(
        actor=editor, need=need, data={"title": "Midwives", "posts": 3}, expected_version=1
    )
    need.refresh_from_db()
    assert edited.obj == need and need.title == "Midwives" and need.posts == 3
    assert need.version == 2
    record = ChangeRecord.objects.for_object(need).get(action="update")
    assert record.user == editor
    assert (
        record.before["title"] == "Nurses for the outbreak" and record.after["title"] == "Midwives"
    )


def test_need_update_refuses_a_stale_version_and_keeps_the_other_edit():
    editor, need = _need_of_editor()
    services.need_update(actor=editor, need=need, data={"title": "First"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.need_update(actor=editor, need=need, data={"title": "Second"}, expected_version=1)
    need.refresh_from_db()
    assert need.title == "First" and need.version == 2
    assert ChangeRecord.objects.for_object(need).filter(action="update").count() == 1


def test_need_update_is_for_the_owner_editors_matchmakers_and_no_one_else():
    _editor, need = _need_of_editor()
    viewer = UserFactory(username="viewer", organisation=need.owner_organisation)  # no role
    stranger = editor_of(OrganisationFactory(), username="stranger")
    for actor in (viewer, stranger):
        with pytest.raises(PermissionDeniedError):
            services.need_update(actor=actor, need=need, data={"title": "X"}, expected_version=1)
    services.need_update(actor=matchmaker(), need=need, data={"title": "Y"}, expected_version=1)
    need.refresh_from_db()
    assert need.title == "Y"


def test_need_update_refuses_fields_that_are_not_edited_there():
    editor, need = _need_of_editor()
    with pytest.raises(ServiceError) as refused:
        services.need_update(
            actor=editor, need=need, data={"owner_organisation": None}, expected_version=1
        )
    assert refused.value.code == "field_fixed"


def test_posts_cannot_go_below_matches_sent_or_under_way():
    editor, need = _need_of_editor(posts=3)
    one, two = organisation_offer(title="A"), organisation_offer(title="B")
    match(need, one, status=MatchStatus.CONTACTED)
    match(need, two, status=MatchStatus.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        services.need_update(actor=editor, need=need, data={"posts": 1}, expected_version=1)
    assert "At least 2" in refused.value.message_dict["posts"][0]
    need.refresh_from_db()
    assert need.posts == 3 and need.version == 1
    services.need_update(actor=editor, need=need, data={"posts": 2}, expected_version=1)
    need.refresh_from_db()
    assert need.posts == 2 and need.status == NeedStatus.OPEN  # one post still only contacted


def test_fewer_posts_fill_the_need_and_more_posts_reopen_it():
    editor, need = _need_of_editor(posts=2)
    match(need, organisation_offer(), status=MatchStatus.ACCEPTED)
    services.need_update(actor=editor, need=need, data={"posts": 1}, expected_version=1)
    need.refresh_from_db()
    assert need.status == NeedStatus.FILLED
    services.need_update(actor=editor, need=need, data={"posts": 2}, expected_version=2)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_fewer_posts_remove_the_lowest_proposals_a_criteria_change_removes_all():
    editor, need = _need_of_editor(posts=3)
    low = match(need, organisation_offer(title="low"), score=50)
    high = match(need, organisation_offer(title="high"), score=90)
    mid = match(need, organisation_offer(title="mid"), score=70)
    edited = services.need_update(actor=editor, need=need, data={"posts": 2}, expected_version=1)
    assert edited.proposals_removed == 1
    assert set(Match.objects.filter(need=need)) == {high, mid}
    gone = ChangeRecord.objects.for_object(low).get()
    assert gone.action == "delete" and "fewer posts" in gone.note
    edited = services.need_update(
        actor=editor, need=need, data={"occupations": ["2222"]}, expected_version=2
    )
    assert edited.proposals_removed == 2 and not Match.objects.filter(need=need).exists()
    # Same criteria again (only the title): nothing to remove.
    edited = services.need_update(actor=editor, need=need, data={"title": "T"}, expected_version=3)
    assert edited.proposals_removed == 0


def test_closing_a_need_withdraws_sent_proposals_and_keeps_accepted_matches():
    editor, need = _need_of_editor(posts=3)
    proposed = match(need, organisation_offer(title="p"))
    contacted = match(need, organisation_offer(title="c"), status=MatchStatus.CONTACTED)
    accepted = match(need, organisation_offer(title="a"), status=MatchStatus.ACCEPTED)
    edited = services.need_close(
        actor=editor, need=need, expected_version=1, reason="Outbreak over."
    )
    assert (edited.proposals_removed, edited.matches_withdrawn) == (1, 1)
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED
    assert not Match.objects.filter(pk=proposed.pk).exists()
    contacted.refresh_from_db()
    accepted.refresh_from_db()
    assert contacted.status == MatchStatus.WITHDRAWN and accepted.status == MatchStatus.ACCEPTED
    assert "Outbreak over." in contacted.messages.get().body
    assert ChangeRecord.objects.for_object(need).get(action="update").note == "Outbreak over."
    with pytest.raises(ServiceError):
        services.need_close(actor=editor, need=need, expected_version=2)
    services.need_reopen(actor=editor, need=need, expected_version=2)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and need.version == 3


def test_closing_a_need_refuses_a_stale_version_and_changes_nothing():
    editor, need = _need_of_editor()
    proposed = match(need, organisation_offer())
    services.need_update(actor=editor, need=need, data={"title": "New"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        services.need_close(actor=editor, need=need, expected_version=1)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and Match.objects.filter(pk=proposed.pk).exists()


def test_offer_capacity_cannot_go_below_matches_under_way_and_extra_proposals_go():
    organisation = OrganisationFactory()
    editor = editor_of(organisation)
    offer = organisation_offer(organisation, capacity=3)
    _employer, need = employer_need(posts=1)
    _employer2, other = employer_need(posts=1, username="employer2")
    _employer3, third = employer_need(posts=1, username="employer3")
    match(need, offer, status=MatchStatus.ACTIVE)
    match(other, offer, score=90)
    low = match(third, offer, score=40)
    with pytest.raises(ValidationError) as refused:
        services.offer_update(actor=editor, offer=offer, data={"capacity": 0}, expected_version=1)
    assert "capacity" in refused.value.message_dict
    edited = services.offer_update(
        actor=editor, offer=offer, data={"capacity": 2}, expected_version=1
    )
    assert edited.proposals_removed == 1 and not Match.objects.filter(pk=low.pk).exists()
    offer.refresh_from_db()
    assert offer.capacity == 2 and offer.version == 2
    record = ChangeRecord.objects.for_object(offer).get(action="update")
    assert (record.before["capacity"], record.after["capacity"]) == (3, 2)


def test_offer_countries_change_is_a_criteria_change():
    organisation = OrganisationFactory()
    editor = editor_of(organisation)
    offer = organisation_offer(organisation)
    _employer, need = employer_need()
    match(need, offer)
    edited = services.offer_update(
        actor=editor, offer=offer, data={}, m2m={"countries": ["SLE"]}, expected_version=1
    )
    assert edited.proposals_removed == 1
    assert list(offer.countries.values_list("pk", flat=True)) == ["SLE"]
    assert ChangeRecord.objects.for_object(offer).get(action="update").after["countries"] == ["SLE"]


def test_a_person_edits_only_title_description_and_capacity_of_their_offer():
    user, _profile, offer = person()
    services.offer_update(
        actor=user, offer=offer, data={"title": "Mentoring nurses", "capacity": 2},
        expected_version=1,
    )  # fmt: skip
    offer.refresh_from_db()
    assert offer.title == "Mentoring nurses" and offer.capacity == 2
    with pytest.raises(ServiceError):
        services.offer_update(
            actor=user, offer=offer, data={"occupations": ["9999"]}, expected_version=2
        )
    with pytest.raises(PermissionDeniedError):
        services.offer_update(
            actor=UserFactory(), offer=offer, data={"title": "X"}, expected_version=2
        )


def test_withdrawing_an_offer_takes_it_out_of_the_next_run_and_back_in():
    coordinator = matchmaker()
    user, _profile, offer = person()
    _employer, need = employer_need()
    edited = services.offer_withdraw(actor=user, offer=offer, expected_version=1)
    offer.refresh_from_db()
    assert not offer.active and edited.obj.active is False
    assert run_now(coordinator).summary["proposed"] == 0
    services.offer_reactivate(actor=user, offer=offer, expected_version=2)
    assert run_now(coordinator).summary["proposed"] == 1
    assert Match.objects.get(need=need).offer == offer
    notes = list(ChangeRecord.objects.for_object(offer).values_list("note", flat=True))
    assert "Offer withdrawn." in notes and "Offer available again." in notes


def test_withdrawing_an_offer_withdraws_its_sent_proposals():
    coordinator = matchmaker()
    user, _profile, offer = person()
    _employer, need = employer_need()
    run_now(coordinator)
    sent = services.send_proposal(actor=coordinator, match=Match.objects.get(need=need))
    edited = services.offer_withdraw(actor=user, offer=offer, expected_version=1, reason="Ill.")
    sent.refresh_from_db()
    assert edited.matches_withdrawn == 1 and sent.status == MatchStatus.WITHDRAWN
    with pytest.raises(ServiceError):  # no one can still accept it
        services.answer(actor=user, match=sent, accept=True)


# --- the creator of a need or offer -----------------------------------------------------------


def test_a_user_without_organisation_changes_closes_and_reopens_the_need_they_posted():
    country()
    poster = UserFactory(username="solo")
    need = services.need_create(
        actor=poster, data={"kind": "mentor", "title": "A mentor for my bakery"}
    )
    assert need.created_by == poster and need.owner_organisation is None
    assert selectors.needs(user=poster).filter(pk=need.pk).exists()  # network only, yet theirs
    services.need_update(actor=poster, need=need, data={"posts": 2}, expected_version=1)
    services.need_close(actor=poster, need=need, expected_version=2)
    services.need_reopen(actor=poster, need=need, expected_version=3)
    need.refresh_from_db()
    assert need.posts == 2 and need.status == NeedStatus.OPEN
    assert ChangeRecord.objects.for_object(need).filter(user=poster).count() == 4
    other = UserFactory(username="other")
    assert not selectors.needs(user=other).filter(pk=need.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.need_update(actor=other, need=need, data={"title": "X"}, expected_version=4)
    with pytest.raises(ServiceError) as fixed:
        services.need_update(
            actor=poster, need=need, data={"created_by": other}, expected_version=4
        )
    assert fixed.value.code == "field_fixed"


def test_a_member_without_editor_role_changes_what_they_posted_while_in_the_organisation():
    organisation = OrganisationFactory()
    poster = UserFactory(username="poster", organisation=organisation)  # no role
    offer = services.offer_create(actor=poster, data={"kind": "in_kind", "title": "Tents"})
    assert offer.owner_organisation == organisation and offer.created_by == poster
    services.offer_withdraw(actor=poster, offer=offer, expected_version=1)
    services.offer_reactivate(actor=poster, offer=offer, expected_version=2)
    services.offer_update(actor=poster, offer=offer, data={"capacity": 3}, expected_version=3)
    colleague = UserFactory(username="colleague", organisation=organisation)  # no role either
    with pytest.raises(PermissionDeniedError):
        services.offer_update(
            actor=colleague, offer=offer, data={"capacity": 1}, expected_version=4
        )
    # Once they have left, the organisation's editors keep the record, not its poster.
    poster.organisation = OrganisationFactory()
    poster.save()
    poster = type(poster).objects.get(pk=poster.pk)
    with pytest.raises(PermissionDeniedError):
        services.offer_withdraw(actor=poster, offer=offer, expected_version=4)
    services.offer_update(
        actor=editor_of(organisation), offer=offer, data={"capacity": 1}, expected_version=4
    )
    offer.refresh_from_db()
    assert offer.capacity == 1 and offer.active


def test_records_not_posted_through_the_services_have_no_creator_rule():
    employer, need = employer_need()  # the employer's user has no editor role
    assert need.created_by is None
    with pytest.raises(PermissionDeniedError):
        services.need_update(actor=employer, need=need, data={"title": "X"}, expected_version=1)


# --- who answers for the need's side ------------------------------------------------------------


def test_the_creator_of_a_need_without_organisation_answers_its_proposals():
    coordinator = matchmaker()
    person_user, _profile, offer = person()
    poster = UserFactory(username="solo")  # no organisation, no profile
    need = services.need_create(actor=poster, data={"kind": "crisis", "title": "Nurses"})
    sent = match(need, offer)
    services.send_proposal(actor=coordinator, match=sent)
    assert services.match_sides(poster, sent) == {"need"}
    assert services.match_sides(person_user, sent) == {"offer"}
    assert list(selectors.inbox(user=poster)) == [sent]
    stranger = UserFactory(username="stranger")
    assert services.match_sides(stranger, sent) == set()
    assert not selectors.matches(user=stranger).filter(pk=sent.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.answer(actor=stranger, match=sent, accept=True)
    services.answer(actor=person_user, match=sent, accept=True)
    services.answer(actor=poster, match=sent, accept=True)
    sent.refresh_from_db()
    assert sent.need_answer == Answer.ACCEPTED and sent.status == MatchStatus.ACCEPTED
    services.start_match(actor=poster, match=sent)  # the other steps follow the same rule


def test_the_creator_answers_as_the_organisation_only_while_they_belong_to_it():
    organisation = OrganisationFactory()
    poster = UserFactory(username="poster", organisation=organisation)
    _person_user, _profile, offer = person()
    need = services.need_create(actor=poster, data={"kind": "crisis", "title": "Nurses"})
    sent = match(need, offer, status=MatchStatus.CONTACTED)
    assert services.match_sides(poster, sent) == {"need"}
    poster.organisation = OrganisationFactory()  # they left: the organisation answers
    poster.save()
    poster = type(poster).objects.get(pk=poster.pk)
    assert services.match_sides(poster, sent) == set()
    with pytest.raises(PermissionDeniedError):
        services.answer(actor=poster, match=sent, accept=True)
    colleague = UserFactory(username="colleague", organisation=organisation)
    assert services.match_sides(colleague, sent) == {"need"}


def test_an_entrepreneur_posting_their_own_need_is_its_entrepreneur():
    country()
    founder = UserFactory(username="founder")
    profile = Profile.objects.create(user=founder, kind=ProfileKind.ENTREPRENEUR)
    mentor = services.need_create(actor=founder, data={"kind": "mentor", "title": "A mentor"})
    capital = services.need_create(actor=founder, data={"kind": "capital", "title": "A loan"})
    job = services.need_create(actor=founder, data={"kind": "job", "title": "A baker"})
    assert mentor.seeker == profile and capital.seeker == profile
    assert job.seeker is None  # not an entrepreneur's need
    expert_user, _expert, _offer = person(username="expert")  # a diaspora expert's profile
    need = services.need_create(actor=expert_user, data={"kind": "mentor", "title": "A mentor"})
    assert need.seeker is None
