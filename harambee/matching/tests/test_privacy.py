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
