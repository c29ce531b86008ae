import json

import pytest
from django.urls import reverse

from harambee.core.choices import Visibility
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.matching import services
from harambee.matching.choices import MatchStatus, NeedStatus
from harambee.matching.models import Match, MatchingRun, Need, Profile
from harambee.network.tests.factories import GroupFactory, OrganisationFactory

from .factories import (
    country,
    editor_of,
    employer_need,
    match,
    matchmaker,
    organisation_offer,
    person,
)
from .test_match_command import NEEDS, OFFERS

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    for name in (
        "matching:index",
        "matching:my-profile",
        "matching:need-list",
        "matching:board",
        "matching:inbox",
        "matching:charts",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_board_is_for_matchmakers_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("matching:board")).status_code == 403


def test_person_creates_corrects_exports_and_deletes_their_profile(client):
    user = UserFactory(username="fatu")
    client.force_login(user)
    response = client.post(
        reverse("matching:my-profile"),
        {"save_profile": "1", "kind": "mentor", "name": "Fatu", "capacity": 2},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.name == "Fatu"
    client.post(reverse("matching:my-profile-part", args=["consent"]), {"match": "on"})
    assert services.has_consent(profile, "match")
    client.post(
        reverse("matching:my-profile-part", args=["language"]),
        {"code": "kri", "spoken": 5, "written": 3},
    )
    assert profile.languages.get().spoken == 5
    page = client.get(reverse("matching:my-profile"))
    assert profile.public_id in page.content.decode()
    export = client.get(reverse("matching:my-profile-export"))
    assert json.loads(export.content)["name"] == "Fatu"
    client.post(reverse("matching:my-profile-delete"), {"confirm": "yes"})
    assert not Profile.objects.filter(user=user).exists()


def test_employer_sees_an_anonymised_profile_until_revealed(client):
    coordinator = matchmaker()
    _person_user, profile, _offer = person()
    employer, need = employer_need()
    services.execute_run(MatchingRun.objects.create())
    match = Match.objects.get(need=need)
    client.force_login(employer)
    assert (
        client.get(reverse("matching:match-detail", args=[match.pk])).status_code == 404
    )  # only proposed
    services.send_proposal(actor=coordinator, match=match)
    page = client.get(reverse("matching:match-detail", args=[match.pk])).content.decode()
    assert profile.public_id in page
    assert "Amara" not in page and "123456" not in page
    api = client.get(f"/api/matching/matches/{match.pk}/").json()
    assert "name" not in api["profile"] and "phone" not in api["profile"]
    api_profile = client.get(f"/api/matching/profiles/{profile.public_id}/").json()
    assert "name" not in api_profile and api_profile["identity_shown"] is False


def test_matchmaker_sees_full_profile_in_api(client):
    _u, profile, _o = person()
    client.force_login(matchmaker())
    data = client.get(f"/api/matching/profiles/{profile.public_id}/").json()
    assert data["name"] == "Amara Kamara" and data["identity_shown"] is True


def test_board_loads_a_cohort_runs_and_lists_proposals(client, esco, immediate_tasks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from harambee.matching.tests.factories import country

    country()
    coordinator = matchmaker()
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:board"),
        {
            "load_cohort": "1",
            "cohort": "c1",
            "offers": SimpleUploadedFile("o.csv", OFFERS.encode()),
            "needs": SimpleUploadedFile("n.csv", NEEDS.encode()),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("matching:board"), {"run": "1", "cohort": "c1", "mode": "optimal"}, follow=True
    )
    page = response.content.decode()
    assert "Send proposal for Need outbreak" in page
    assert "same occupation 2221" in page
    bad = client.post(
        reverse("matching:board"),
        {
            "load_cohort": "1",
            "cohort": "c2",
            "offers": SimpleUploadedFile("o.csv", OFFERS.replace("2222,", "9999,").encode()),
            "needs": SimpleUploadedFile("n.csv", NEEDS.encode()),
        },
    )
    assert "row 3, column occupations" in bad.content.decode()


def test_group_page_shows_matching_outcomes(client):
    group = GroupFactory()
    client.force_login(UserFactory())
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Matching outcomes" in page


def test_charts_and_lists_render(client):
    person()
    employer_need()
    client.force_login(matchmaker())
    page = client.get(reverse("matching:charts") + "?country=SLE").content.decode()
    assert "<svg" in page
    assert (
        "Nurses for the outbreak"
        in client.get(reverse("matching:need-list") + "?occupation=2221").content.decode()
    )
    assert (
        "Offer of amara"
        in client.get(reverse("matching:offer-list") + "?language=kri").content.decode()
    )


# --- editing, closing and withdrawing needs and offers ----------------------------------------

NEED_POST = {
    "kind": "job", "title": "Midwives", "description": "", "occupations": "2222",
    "skills_required": "", "skills_optional": "", "languages": "kri:B2; en:B1",
    "country": "sle", "start": "", "end": "", "posts": "2", "sector": "",
}  # fmt: skip


def _editor_and_need(**kw):
    _employer, need = employer_need(**kw)
    return editor_of(need.owner_organisation), need


def test_owner_edits_a_need_from_its_page_and_the_change_is_recorded(client):
    editor, need = _editor_and_need()
    client.force_login(editor)
    detail = client.get(need.get_absolute_url()).content.decode()
    edit_url = reverse("matching:need-edit", args=[need.pk])
    assert edit_url in detail
    assert edit_url in client.get(reverse("matching:need-list")).content.decode()
    form = client.get(edit_url).content.decode()
    assert 'value="Nurses for the outbreak"' in form and 'name="version" value="1"' in form
    assert 'value="kri:B2"' in form
    response = client.post(edit_url, {**NEED_POST, "version": "1"})
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    need.refresh_from_db()
    assert (need.title, need.posts, need.occupations) == ("Midwives", 2, ["2222"])
    assert need.languages == [{"code": "kri", "level": 4}, {"code": "eng", "level": 3}]
    assert ChangeRecord.objects.for_object(need).get(action="update").user == editor


def test_need_edit_is_refused_to_others(client):
    _editor, need = _editor_and_need()
    edit_url = reverse("matching:need-edit", args=[need.pk])
    assert "/login/" in client.get(edit_url)["Location"]
    member = UserFactory(username="member", organisation=OrganisationFactory())
    client.force_login(member)  # sees the public need, may not change it
    assert edit_url not in client.get(need.get_absolute_url()).content.decode()
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {**NEED_POST, "version": "1"}).status_code == 403
    for name in ("matching:need-close", "matching:need-reopen"):
        assert client.post(reverse(name, args=[need.pk]), {"version": "1"}).status_code == 403
    Need.objects.filter(pk=need.pk).update(visibility=Visibility.ORGANISATION)
    assert client.get(edit_url).status_code == 404  # not even visible
    need.refresh_from_db()
    assert need.title == "Nurses for the outbreak" and need.version == 1


def test_stale_need_edit_is_refused_with_the_input_kept(client):
    editor, need = _editor_and_need()
    services.need_update(actor=editor, need=need, data={"title": "Theirs"}, expected_version=1)
    client.force_login(editor)
    response = client.post(
        reverse("matching:need-edit", args=[need.pk]), {**NEED_POST, "version": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this need since you opened it" in page
    assert 'value="Midwives"' in page  # what the user typed is still there
    need.refresh_from_db()
    assert need.title == "Theirs"


def test_need_edit_shows_validation_errors_on_the_form(client):
    editor, need = _editor_and_need(posts=2)
    match(need, organisation_offer(), status=MatchStatus.ACCEPTED)
    match(need, organisation_offer(title="B"), status=MatchStatus.ACTIVE)
    client.force_login(editor)
    url = reverse("matching:need-edit", args=[need.pk])
    bad = {**NEED_POST, "version": "1", "posts": "1", "languages": "kri:Z9"}
    page = client.post(url, bad).content.decode()
    assert "is not a language code with a CEFR level" in page
    page = client.post(url, {**NEED_POST, "version": "1", "posts": "1"}).content.decode()
    assert "At least 2: matches already sent or under way take that many posts." in page
    page = client.post(url, {**NEED_POST, "version": "1", "country": "XXX"}).content.decode()
    assert 'class="field-error"' in page
    assert client.post(url, {**NEED_POST}).status_code == 200  # no version: refused
    need.refresh_from_db()
    assert need.version == 1


def test_owner_closes_and_reopens_a_need(client):
    editor, need = _editor_and_need(posts=2)
    contacted = match(need, organisation_offer(), status=MatchStatus.CONTACTED)
    client.force_login(editor)
    close_url = reverse("matching:need-close", args=[need.pk])
    assert close_url in client.get(need.get_absolute_url()).content.decode()
    assert "Sent, waiting for answers: 1" in client.get(close_url).content.decode()
    response = client.post(close_url, {"version": "1", "reason": "Filled elsewhere."}, follow=True)
    assert "withdrawn (both sides were told): 1" in response.content.decode()
    need.refresh_from_db()
    contacted.refresh_from_db()
    assert need.status == NeedStatus.CLOSED and contacted.status == MatchStatus.WITHDRAWN
    stale = client.post(reverse("matching:need-reopen", args=[need.pk]), {"version": "1"})
    assert stale.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED
    client.post(reverse("matching:need-reopen", args=[need.pk]), {"version": "2"})
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_need_create_page_goes_through_the_service(client):
    country()
    user = UserFactory(username="poster", organisation=OrganisationFactory())
    client.force_login(user)
    page = client.post(reverse("matching:need-create"), {**NEED_POST, "languages": "zz:B2"})
    assert "is not a language code with a CEFR level" in page.content.decode()
    response = client.post(reverse("matching:need-create"), NEED_POST)
    need = Need.objects.get(title="Midwives")
    assert response["Location"] == need.get_absolute_url()
    assert need.owner_organisation == user.organisation and need.visibility == "network"
    assert ChangeRecord.objects.for_object(need).get().action == "create"


def test_owner_edits_withdraws_and_offers_again_an_offer(client):
    organisation = OrganisationFactory()
    editor = editor_of(organisation)
    offer = organisation_offer(organisation, capacity=3)
    client.force_login(editor)
    edit_url = reverse("matching:offer-edit", args=[offer.pk])
    assert edit_url in client.get(offer.get_absolute_url()).content.decode()
    assert edit_url in client.get(reverse("matching:offer-list")).content.decode()
    data = {
        "kind": "expertise", "title": "Trainers", "occupations": "2221:5", "skills": "",
        "languages": "fr:C1", "countries": "sle", "capacity": "1", "currency": "",
        "sectors": "health", "version": "1",
    }  # fmt: skip
    response = client.post(edit_url, data)
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.title, offer.capacity, offer.occupations) == ("Trainers", 1, ["2221:5"])
    assert offer.languages == [{"code": "fra", "level": 5}] and offer.sectors == ["health"]
    assert list(offer.countries.values_list("pk", flat=True)) == ["SLE"]
    page = client.post(edit_url, {**data, "version": "1"}).content.decode()
    assert "Someone else changed this offer since you opened it" in page
    page = client.post(edit_url, {**data, "version": "2", "countries": "ZZZ"}).content.decode()
    assert "Unknown country codes: ZZZ." in page
    withdraw_url = reverse("matching:offer-withdraw", args=[offer.pk])
    assert client.get(withdraw_url).status_code == 200
    client.post(withdraw_url, {"version": "2"})
    offer.refresh_from_db()
    assert not offer.active
    assert "withdrawn" in client.get(reverse("matching:offer-list")).content.decode()
    client.post(reverse("matching:offer-reactivate", args=[offer.pk]), {"version": "3"})
    offer.refresh_from_db()
    assert offer.active and offer.version == 4


def test_a_person_edits_their_offer_but_not_what_comes_from_the_profile(client):
    user, _profile, offer = person()
    client.force_login(user)
    url = reverse("matching:offer-edit", args=[offer.pk])
    form = client.get(url).content.decode()
    assert 'name="capacity"' in form and 'name="occupations"' not in form
    client.post(url, {"title": "Mentoring", "description": "", "capacity": "2", "version": "1"})
    offer.refresh_from_db()
    assert offer.title == "Mentoring" and offer.capacity == 2


def test_offer_edit_is_refused_to_others(client):
    offer = organisation_offer()
    client.force_login(UserFactory(username="someone", organisation=OrganisationFactory()))
    for name in ("matching:offer-edit", "matching:offer-withdraw", "matching:offer-reactivate"):
        assert client.post(reverse(name, args=[offer.pk]), {"version": "1"}).status_code == 403
    offer.refresh_from_db()
    assert offer.version == 1 and offer.active


# --- a matchmaker edits someone's profile ----------------------------------------------------

PROFILE_POST = {
    "kind": "mentor", "name": "Amara K. Kamara", "birth_date": "1985-04-02",
    "phone": "+232 76 123456", "email": "amara@example.org", "country": "sle", "place": "Bo",
    "time_zone": "Africa/Freetown", "capacity": "2",
}  # fmt: skip


def test_matchmaker_edits_a_profile_from_its_page_audited_and_logged(client):
    from harambee.privacy.models import AccessLog

    _user, profile, _offer = person()
    coordinator = matchmaker()
    client.force_login(coordinator)
    edit_url = reverse("matching:profile-edit", args=[profile.public_id])
    detail = client.get(profile.get_absolute_url())
    assert edit_url in detail.content.decode()
    assert AccessLog.objects.filter(user=coordinator, object_id=str(profile.pk)).count() == 1
    form = client.get(edit_url).content.decode()
    assert 'value="Amara Kamara"' in form and 'name="version" value="1"' in form
    assert "Country where they are (ISO3)" in form
    response = client.post(edit_url, {**PROFILE_POST, "version": "1"})
    assert response.status_code == 302 and response["Location"] == profile.get_absolute_url()
    profile.refresh_from_db()
    assert (profile.name, profile.kind, profile.capacity, profile.place) == (
        "Amara K. Kamara", "mentor", 2, "Bo",
    )  # fmt: skip
    record = ChangeRecord.objects.for_object(profile).get(action="update")
    assert record.user == coordinator and record.note == "Changed by staff."
    assert "Amara" not in json.dumps(record.after)  # encrypted fields: fingerprints only
    corrected = AccessLog.objects.get(user=coordinator, action="correct")
    assert corrected.fields == ["name"]
    # The person's own entries are kept and shown to the matchmaker side by side.
    assert "Amara K. Kamara" in client.get(edit_url).content.decode()


def test_stale_profile_edit_is_refused_with_the_input_kept(client):
    user, profile, _offer = person()
    services.update_profile(
        actor=user, profile=profile, data={"place": "Kenema"}, expected_version=1
    )
    client.force_login(matchmaker())
    url = reverse("matching:profile-edit", args=[profile.public_id])
    response = client.post(url, {**PROFILE_POST, "version": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this profile since you opened it" in page
    assert 'value="Bo"' in page
    profile.refresh_from_db()
    assert profile.place == "Kenema" and profile.version == 2
    assert client.post(url, PROFILE_POST).status_code == 200  # no version: refused
    profile.refresh_from_db()
    assert profile.version == 2


def test_profile_edit_is_only_for_matchmakers(client):
    user, profile, _offer = person()
    url = reverse("matching:profile-edit", args=[profile.public_id])
    assert "/login/" in client.get(url)["Location"]
    member = UserFactory(username="member", organisation=OrganisationFactory())
    client.force_login(member)  # sees the consenting profile, anonymised; may not change it
    detail = client.get(profile.get_absolute_url()).content.decode()
    assert url not in detail and "Amara" not in detail
    assert client.get(url).status_code == 403
    assert client.post(url, {**PROFILE_POST, "version": "1"}).status_code == 403
    services.record_consent(actor=user, profile=profile, purpose="match", granted=False)
    assert client.get(url).status_code == 404  # no longer visible to them
    client.force_login(user)  # the person edits their own profile on /matching/me/
    assert client.get(url)["Location"] == reverse("matching:my-profile")
    profile.refresh_from_db()
    assert profile.name == "Amara Kamara" and profile.version == 1


def test_a_user_without_organisation_sees_and_edits_the_need_they_posted(client):
    country()
    user = UserFactory(username="solo")
    client.force_login(user)
    response = client.post(reverse("matching:need-create"), NEED_POST)
    need = Need.objects.get(title="Midwives")
    detail = client.get(response["Location"])
    assert detail.status_code == 200  # network-only, not a member: theirs all the same
    edit_url = reverse("matching:need-edit", args=[need.pk])
    assert edit_url in detail.content.decode()
    client.post(edit_url, {**NEED_POST, "title": "Two midwives", "version": "1"})
    need.refresh_from_db()
    assert need.title == "Two midwives" and need.created_by == user


def test_the_creator_of_a_need_without_organisation_answers_from_the_match_page(client):
    coordinator = matchmaker()
    _person_user, _profile, offer = person()
    poster = UserFactory(username="solo")
    need = services.need_create(actor=poster, data={"kind": "crisis", "title": "Nurses"})
    sent = match(need, offer)
    services.send_proposal(actor=coordinator, match=sent)
    page_url = reverse("matching:match-detail", args=[sent.pk])
    answer_url = reverse("matching:match-action", args=[sent.pk, "answer"])
    client.force_login(UserFactory(username="stranger"))
    assert client.get(page_url).status_code == 404
    assert client.post(answer_url, {"accept": "yes"}).status_code == 404
    client.force_login(poster)
    assert sent.pk in [m.pk for m in client.get(reverse("matching:inbox")).context["matches"]]
    page = client.get(page_url).content.decode()
    assert "Send answer" in page and answer_url in page
    response = client.post(answer_url, {"accept": "no", "reason": "Filled locally"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.need_answer == "declined" and sent.status == MatchStatus.DECLINED
