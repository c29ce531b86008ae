"""The needs and offers API: written through the same services and rules as the pages."""

import pytest
from rest_framework.test import APIClient

from harambee.core.choices import Visibility
from harambee.core.models import ChangeRecord
from harambee.core.tests.factories import UserFactory
from harambee.matching.choices import MatchStatus, NeedStatus
from harambee.matching.models import Match, Need, Offer
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

NEEDS = "/api/matching/needs/"
OFFERS = "/api/matching/offers/"
NEED = {
    "kind": "job", "title": "Midwives", "occupations": ["2222"],
    "languages": [{"code": "kri", "level": 4}, {"code": "en", "level": 3, "written": True}],
    "country": "sle", "posts": 2,
}  # fmt: skip
OFFER = {
    "kind": "expertise", "title": "Trainers", "occupations": ["2221:5"], "capacity": 2,
    "languages": [{"code": "fr", "level": 5}], "countries": ["SLE"], "sectors": ["health"],
}  # fmt: skip


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_users_are_refused():
    _employer, need = employer_need()
    offer = organisation_offer()
    anonymous = client_for()
    assert anonymous.get(NEEDS).status_code in (401, 403)
    assert anonymous.get(f"{NEEDS}{need.pk}/").status_code in (401, 403)
    assert anonymous.post(NEEDS, NEED, format="json").status_code in (401, 403)
    assert anonymous.patch(f"{NEEDS}{need.pk}/", {"title": "X", "version": 1}).status_code in (
        401,
        403,
    )
    assert anonymous.post(f"{NEEDS}{need.pk}/close/", {"version": 1}).status_code in (401, 403)
    assert anonymous.post(f"{OFFERS}{offer.pk}/withdraw/", {"version": 1}).status_code in (
        401,
        403,
    )
    assert Need.objects.count() == 1 and Need.objects.get().version == 1


def test_editor_updates_a_need_and_a_stale_version_is_409():
    _employer, need = employer_need()
    editor = editor_of(need.owner_organisation)
    api = client_for(editor)
    response = api.patch(
        f"{NEEDS}{need.pk}/", {"title": "Midwives", "posts": 3, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Midwives" and response.json()["version"] == 2
    assert ChangeRecord.objects.for_object(need).get(action="update").user == editor
    stale = api.patch(f"{NEEDS}{need.pk}/", {"title": "Mine", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    missing = api.patch(f"{NEEDS}{need.pk}/", {"title": "Mine"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    put = api.put(f"{NEEDS}{need.pk}/", {**NEED, "version": 2}, format="json")
    assert put.status_code == 200, put.json()
    need.refresh_from_db()
    assert (need.title, need.posts, need.country_id, need.version) == ("Midwives", 2, "SLE", 3)
    assert need.languages == [
        {"code": "kri", "level": 4},
        {"code": "eng", "level": 3, "written": True},
    ]


def test_need_input_is_checked_like_on_the_pages():
    _employer, need = employer_need(posts=2)
    match(need, organisation_offer(), status=MatchStatus.ACCEPTED)
    match(need, organisation_offer(title="B"), status=MatchStatus.ACTIVE)
    api = client_for(editor_of(need.owner_organisation))
    url = f"{NEEDS}{need.pk}/"
    fewer = api.patch(url, {"posts": 1, "version": 1}, format="json")
    assert fewer.status_code == 400 and "posts" in fewer.json()["fields"]
    language = api.patch(
        url, {"languages": [{"code": "zz", "level": 4}], "version": 1}, format="json"
    )
    assert language.status_code == 400
    dates = api.patch(
        url, {"start": "2026-05-01", "end": "2026-04-01", "version": 1}, format="json"
    )
    assert dates.status_code == 400 and "end" in dates.json()["fields"]
    assert api.patch(url, {"country": "XXX", "version": 1}, format="json").status_code == 400
    need.refresh_from_db()
    assert need.version == 1 and need.posts == 2


def test_need_changes_are_refused_to_those_who_may_not_change_it():
    _employer, need = employer_need()
    member = UserFactory(username="member", organisation=OrganisationFactory())
    api = client_for(member)
    assert api.get(f"{NEEDS}{need.pk}/").status_code == 200  # sees it
    assert api.patch(f"{NEEDS}{need.pk}/", {"title": "X", "version": 1}).status_code == 403
    assert api.post(f"{NEEDS}{need.pk}/close/", {"version": 1}).status_code == 403
    assert api.post(f"{NEEDS}{need.pk}/reopen/", {"version": 1}).status_code == 403
    Need.objects.filter(pk=need.pk).update(visibility=Visibility.ORGANISATION)
    assert api.patch(f"{NEEDS}{need.pk}/", {"title": "X", "version": 1}).status_code == 404
    assert api.post(f"{NEEDS}{need.pk}/close/", {"version": 1}).status_code == 404
    assert api.delete(f"{NEEDS}{need.pk}/?version=1").status_code in (404, 405)
    need.refresh_from_db()
    assert need.title == "Nurses for the outbreak" and need.version == 1


def test_close_and_reopen_a_need():
    _employer, need = employer_need(posts=2)
    contacted = match(need, organisation_offer(), status=MatchStatus.CONTACTED)
    proposed = match(need, organisation_offer(title="B"), status=MatchStatus.PROPOSED)
    api = client_for(matchmaker())
    closed = api.post(f"{NEEDS}{need.pk}/close/", {"version": 1, "reason": "Filled elsewhere."})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == NeedStatus.CLOSED and closed.json()["version"] == 2
    contacted.refresh_from_db()
    assert contacted.status == MatchStatus.WITHDRAWN
    assert not Match.objects.filter(pk=proposed.pk).exists()
    again = api.post(f"{NEEDS}{need.pk}/close/", {"version": 2})
    assert again.status_code == 400 and again.json()["code"] == "match_workflow_invalid"
    stale = api.post(f"{NEEDS}{need.pk}/reopen/", {"version": 1})
    assert stale.status_code == 409
    assert api.post(f"{NEEDS}{need.pk}/reopen/", {}).status_code == 400
    reopened = api.post(f"{NEEDS}{need.pk}/reopen/", {"version": 2})
    assert reopened.status_code == 200 and reopened.json()["status"] == NeedStatus.OPEN
    history = api.get(f"{NEEDS}{need.pk}/history/").json()["results"]
    assert [row["action"] for row in history][:2] == ["update", "update"]
    assert api.delete(f"{NEEDS}{need.pk}/?version=3").status_code == 405


def test_a_user_without_organisation_posts_a_need_and_then_changes_and_closes_it():
    country()
    user = UserFactory(username="solo")
    api = client_for(user)
    created = api.post(NEEDS, NEED, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    need = Need.objects.get(pk=pk)
    assert need.created_by == user and need.owner_organisation is None
    assert api.get(f"{NEEDS}{pk}/").status_code == 200
    assert pk in [row["id"] for row in api.get(NEEDS).json()["results"]]
    edited = api.patch(f"{NEEDS}{pk}/", {"title": "Two midwives", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["title"] == "Two midwives"
    assert api.post(f"{NEEDS}{pk}/close/", {"version": 2}).status_code == 200
    other = client_for(UserFactory(username="other", organisation=OrganisationFactory()))
    assert other.patch(f"{NEEDS}{pk}/", {"title": "X", "version": 3}).status_code == 403


def test_offers_are_created_changed_withdrawn_and_offered_again():
    country()
    organisation = OrganisationFactory()
    editor = editor_of(organisation)
    api = client_for(editor)
    created = api.post(OFFERS, OFFER, format="json")
    assert created.status_code == 201, created.json()
    offer = Offer.objects.get(pk=created.json()["id"])
    assert offer.organisation == organisation and offer.created_by == editor
    assert offer.languages == [{"code": "fra", "level": 5}]
    assert list(offer.countries.values_list("pk", flat=True)) == ["SLE"]
    assert created.json()["countries"] == ["SLE"]
    person_offer = api.post(OFFERS, {**OFFER, "kind": "person"}, format="json")
    assert person_offer.status_code == 400
    url = f"{OFFERS}{offer.pk}/"
    changed = api.patch(url, {"capacity": 1, "countries": [], "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["countries"] == []
    assert api.patch(url, {"capacity": 3, "version": 1}, format="json").status_code == 409
    withdrawn = api.post(f"{url}withdraw/", {"version": 2, "reason": "Funds spent."})
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    assert api.post(f"{url}withdraw/", {"version": 3}).status_code == 400
    reactivated = api.post(f"{url}reactivate/", {"version": 3})
    assert reactivated.status_code == 200 and reactivated.json()["active"] is True


def test_offer_changes_are_refused_to_others():
    offer = organisation_offer()
    api = client_for(UserFactory(username="someone", organisation=OrganisationFactory()))
    assert api.patch(f"{OFFERS}{offer.pk}/", {"title": "X", "version": 1}).status_code == 403
    assert api.post(f"{OFFERS}{offer.pk}/withdraw/", {"version": 1}).status_code == 403
    assert api.post(f"{OFFERS}{offer.pk}/reactivate/", {"version": 1}).status_code == 403
    offer.refresh_from_db()
    assert offer.version == 1 and offer.active


def test_a_person_changes_their_offer_but_not_what_comes_from_the_profile():
    user, _profile, offer = person()
    api = client_for(user)
    url = f"{OFFERS}{offer.pk}/"
    current = api.get(url).json()
    assert current["profile"] == offer.profile.public_id
    put = api.put(url, {**current, "title": "Mentoring", "capacity": 2}, format="json")
    assert put.status_code == 200, put.json()
    refused = api.patch(url, {"occupations": ["2222"], "version": 2}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "field_fixed"
    offer.refresh_from_db()
    assert (offer.title, offer.capacity, offer.occupations, offer.version) == (
        "Mentoring",
        2,
        [],
        2,
    )


def test_the_creator_of_a_need_without_organisation_answers_through_the_api():
    from harambee.matching import services

    coordinator = matchmaker()
    person_user, _profile, offer = person()
    poster = UserFactory(username="solo")
    created = client_for(poster).post(NEEDS, {"kind": "crisis", "title": "Nurses"}, format="json")
    assert created.status_code == 201
    need = Need.objects.get(pk=created.json()["id"])
    sent = match(need, offer)
    services.send_proposal(actor=coordinator, match=sent)
    url = f"/api/matching/matches/{sent.pk}/answer/"
    assert (
        client_for(UserFactory(username="stranger")).post(url, {"accept": True}).status_code == 404
    )
    assert client_for(poster).get("/api/matching/matches/").json()["results"][0]["id"] == sent.pk
    assert client_for(person_user).post(url, {"accept": True}, format="json").status_code == 200
    answered = client_for(poster).post(url, {"accept": True}, format="json")
    assert answered.status_code == 200
    assert answered.json()["status"] == MatchStatus.ACCEPTED
    # The offer's person still answers for the offer only: the need's side was the poster.
    sent.refresh_from_db()
    assert sent.need_answer == "accepted" and sent.offer_answer == "accepted"
