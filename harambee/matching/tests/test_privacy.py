"""Matching profiles on the platform's privacy registry: the data-protection officer finds a
person's profile by a keyed hash (nothing decrypted in SQL), exports and erases it, and
retention erases profiles nobody has touched for the period."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from harambee.core.tests.factories import UserFactory
from harambee.matching.models import Profile
from harambee.privacy import services as privacy
from harambee.privacy.registry import personal_data

from .factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo():
    user = UserFactory(username="dpo")
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return user


def test_profiles_are_registered_with_their_search_hashes():
    assert Profile in personal_data
    _user, profile, _offer = person()
    stored = Profile.objects.values("name_hash", "email_hash", "phone_hash").get(pk=profile.pk)
    assert all(len(value) == 64 for value in stored.values())
    assert "Amara" not in str(stored)


def test_officer_finds_exports_and_erases_a_profile(dpo):
    _user, profile, _offer = person()
    found = privacy.find_person(actor=dpo, kind="phone", value="+232 76 123456")
    assert [m.record.pk for m in found if isinstance(m.record, Profile)] == [profile.pk]
    match = next(m for m in found if isinstance(m.record, Profile))
    exported = privacy.export_person(actor=dpo, matches=[match])
    assert "Amara Kamara" in str(exported)
    privacy.erase_record(actor=dpo, match=match)
    profile.refresh_from_db()
    assert profile.name == "" and profile.phone == "" and profile.email == ""
    assert privacy.find_person(actor=dpo, kind="phone", value="+232 76 123456") == []


def test_retention_erases_untouched_profiles_only():
    _user, old, _offer = person("old")
    _user, recent, _offer = person("recent")
    long_ago = timezone.now() - datetime.timedelta(days=5000)
    Profile.objects.filter(pk=old.pk).update(updated_at=long_ago)
    privacy.apply_retention()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.name == "" and old.email == ""
    assert recent.name == "Amara Kamara"


# --- the access log: whoever sees someone else's identity in clear is logged ----------------------


def _log(since=0, **filters):
    from harambee.privacy.models import AccessLog

    return AccessLog.objects.filter(pk__gt=since, **filters)


def _mark():
    """The last entry so far: the log is append-only, later entries are counted from here."""
    return _log().order_by("-pk").values_list("pk", flat=True).first() or 0


def _seen(since, record, **filters):
    """Entries about this record (ids alone are not enough: profiles and credentials)."""
    model = type(record)._meta.model_name
    return _log(since, content_type__model=model, object_id=str(record.pk), **filters)


def _with_document(profile, number="P1234567"):
    from harambee.matching.models import Credential

    return Credential.objects.create(profile=profile, title="Diploma", document_number=number)


@pytest.fixture
def proposed():
    """A person's offer proposed to an employer's need (sent: both sides see the match)."""
    from types import SimpleNamespace

    from harambee.matching import services
    from harambee.matching.models import Match, MatchingRun

    from .factories import employer_need, matchmaker

    coordinator = matchmaker()
    person_user, profile, offer = person()
    credential = _with_document(profile)
    employer, need = employer_need()
    services.execute_run(MatchingRun.objects.create())
    match = Match.objects.get(need=need)
    services.send_proposal(actor=coordinator, match=match)
    return SimpleNamespace(
        coordinator=coordinator, person=person_user, profile=profile, offer=offer,
        credential=credential, employer=employer, match=match,
    )  # fmt: skip


def _api(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def test_offer_and_match_pages_and_api_log_a_profile_shown_in_clear(client, proposed):
    p = proposed
    since = _mark()  # what the set-up wrote
    client.force_login(p.coordinator)
    page = client.get(f"/matching/offers/{p.offer.pk}/").content.decode()
    assert "Amara Kamara" in page and "P1234567" in page
    entry = _seen(since, p.profile, user=p.coordinator).get()
    assert (entry.action, entry.channel, entry.path) == (
        "view", "page", f"/matching/offers/{p.offer.pk}/"
    )  # fmt: skip
    assert entry.fields == ["name", "birth_date", "phone", "email"]
    document = _seen(since, p.credential, user=p.coordinator).get()
    assert document.fields == ["document_number"]
    assert "Amara Kamara" in client.get(f"/matching/matches/{p.match.pk}/").content.decode()
    assert _seen(since, p.profile, user=p.coordinator, channel="page").count() == 2
    # The API: the match, with its profile in full, logged once per answer.
    api = _api(p.coordinator)
    assert api.get(f"/api/matching/matches/{p.match.pk}/").json()["profile"]["name"]
    assert api.get("/api/matching/matches/").json()["results"][0]["profile"]["name"]
    assert _seen(since, p.profile, user=p.coordinator, channel="api").count() == 2
    assert _seen(since, p.credential, channel="api").count() == 2


def test_anonymised_or_own_profiles_are_not_logged(client, proposed):
    from harambee.matching.models import Match

    p = proposed
    since = _mark()
    match_page = f"/matching/matches/{p.match.pk}/"
    # The employer sees the profile anonymised: nothing personal shown, nothing logged.
    client.force_login(p.employer)
    page = client.get(match_page).content.decode()
    assert p.profile.public_id in page and "Amara" not in page
    assert client.get(f"/matching/offers/{p.offer.pk}/").status_code == 200
    assert client.get(p.profile.get_absolute_url()).status_code == 200
    api = _api(p.employer)
    assert "name" not in api.get(f"/api/matching/matches/{p.match.pk}/").json()["profile"]
    assert "name" not in api.get(f"/api/matching/profiles/{p.profile.public_id}/").json()
    assert not _log(since).exists()
    # The person sees their own data: not logged (docs/privacy.md).
    client.force_login(p.person)
    for url in (
        "/matching/me/",
        p.profile.get_absolute_url(),
        f"/matching/offers/{p.offer.pk}/",
        match_page,
    ):
        assert "Amara Kamara" in client.get(url).content.decode(), url
    api = _api(p.person)
    assert api.get("/api/matching/profiles/me/").json()["name"] == "Amara Kamara"
    assert api.get(f"/api/matching/profiles/{p.profile.public_id}/").json()["name"]
    assert not _log(since).exists()
    # Once the person agreed to show who they are to this employer, the employer is logged.
    Match.objects.filter(pk=p.match.pk).update(identity_revealed=True, status="accepted")
    client.force_login(p.employer)
    assert "Amara Kamara" in client.get(match_page).content.decode()
    assert _seen(since, p.profile, user=p.employer, channel="page").count() == 1


def test_exports_of_a_profile_are_logged_the_persons_own_too(client):
    person_user, profile, _offer = person()
    credential = _with_document(profile)
    since = _mark()
    client.force_login(person_user)
    assert client.get("/matching/me/export/").json()["name"] == "Amara Kamara"
    exported = _log(since, action="export", channel="export", user=person_user)
    assert set(exported.values_list("content_type__model", "object_id")) == {
        ("profile", str(profile.pk)),
        ("credential", str(credential.pk)),
    }
    assert exported.get(content_type__model="profile").path == "/matching/me/export/"
    api = _api(person_user)
    assert api.get("/api/matching/profiles/me/export/").json()["name"] == "Amara Kamara"
    assert _seen(since, profile, action="export").count() == 2
    assert not _log(since, action="view").exists()


def test_profiles_api_logs_the_identities_shown_with_one_write_per_answer():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import matchmaker

    coordinator = matchmaker()
    for i in range(2):
        person(f"p{i}")
    api = _api(coordinator)
    api.get("/api/matching/profiles/")  # warms the caches (content types)

    def listing():
        since = _mark()
        with CaptureQueriesContext(connection) as queries:
            data = api.get("/api/matching/profiles/").json()
        return data, len(queries), _log(since, user=coordinator, channel="api")

    data, two, logged = listing()
    assert {row["name"] for row in data["results"]} == {"Amara Kamara"}
    assert logged.filter(content_type__model="profile").count() == 2
    for i in range(3):
        _with_document(person(f"q{i}")[1])
    data, five, logged = listing()
    assert len(data["results"]) == 5
    assert five == two + 1  # one more write: the credentials', whatever their number
    assert logged.filter(content_type__model="profile").count() == 5
    assert logged.filter(content_type__model="credential").count() == 3
