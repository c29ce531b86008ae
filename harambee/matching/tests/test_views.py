import json

import pytest
from django.urls import reverse

from harambee.core.tests.factories import UserFactory
from harambee.matching import services
from harambee.matching.models import Match, MatchingRun, Profile
from harambee.network.tests.factories import GroupFactory

from .factories import employer_need, matchmaker, person
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
