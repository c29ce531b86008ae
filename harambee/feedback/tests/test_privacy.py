"""Feedback wired into the platform privacy module: consent, retention, the data protection
officer's find/export/erase through the one keyed hash, disclosure control."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from harambee.core.fields import keyed_hash
from harambee.core.tests.factories import UserFactory
from harambee.privacy import services as privacy
from harambee.privacy.models import AccessLog

from .. import stats
from ..choices import Status
from ..models import FeedbackItem
from .factories import cast, feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


@pytest.fixture
def dpo():
    user = UserFactory(username="dpo")
    user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return user


def _item(people, **extra):
    return feedback(
        people.group,
        people.intake,
        contact="+93 700 123 456",
        contact_name="Amina Sentinel",
        consent_given=True,
        wants_answer=True,
        **extra,
    )


def test_consent_is_recorded_on_the_platform_too(people):
    item = _item(people)
    consents = privacy.consents_for(item)
    assert [(c.purpose, c.policy_version) for c in consents] == [
        ("feedback_answer", item.consent_policy_version)
    ]
    assert consents[0].given_at == item.consent_at


def test_contact_hash_is_the_platform_keyed_hash(people):
    item = _item(people)
    assert item.contact_hash == keyed_hash("0093700123456", "phone")


def test_data_protection_officer_finds_exports_and_erases_feedback(people, dpo):
    item = _item(people)
    matches = privacy.find_person(actor=dpo, kind="phone", value="0093 700 123 456")
    assert [(m.label, m.record.pk) for m in matches] == [("feedback.feedbackitem", item.pk)]
    exported = privacy.export_person(actor=dpo, matches=matches)
    record = exported["records"][0]
    assert record["personal_data"]["contact_name"] == "Amina Sentinel"
    assert [c["purpose"] for c in record["consents"]] == ["feedback_answer"]
    privacy.erase_record(actor=dpo, match=matches[0])
    item.refresh_from_db()
    assert (item.contact, item.contact_name, item.contact_hash) == ("", "", "")
    assert AccessLog.objects.filter(action="erase", object_id=str(item.pk)).exists()


def test_retention_erases_closed_items_only(people):
    closed = _item(people)
    still_open = _item(people)
    long_ago = timezone.now() - datetime.timedelta(days=800)
    FeedbackItem.objects.filter(pk=closed.pk).update(status=Status.CLOSED, closed_at=long_ago)
    report = privacy.apply_retention()
    assert report.counts["feedback.feedbackitem"] == 1
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert closed.contact == "" and closed.original_text == ""
    assert still_open.contact == "+93 700 123 456"


def test_suppression_is_at_least_the_platforms():
    from harambee.core.disclosure import suppress

    counts = {("r1", "x"): 2, ("r1", "y"): 9, ("r2", "x"): 8, ("r2", "y"): 12}
    platform = suppress(counts, threshold=5)
    table = stats.suppress_small_cells(counts, limit=5)
    assert platform.hidden <= table.suppressed


def _handler(people, item):
    from harambee.core.choices import Permission as Action

    for user in (people.feedback_focal, people.colleague, people.coordinator, people.intake):
        if FeedbackItem.objects.restrict(user, Action.CHANGE).filter(pk=item.pk).exists():
            return user
    raise AssertionError("nobody handles the item")


def test_showing_a_contact_in_clear_is_logged_on_the_page_and_in_the_api(people, client):
    from django.urls import reverse
    from rest_framework.test import APIClient

    item = _item(people)
    handler = _handler(people, item)
    client.force_login(handler)
    page = client.get(reverse("feedback:item-detail", args=[item.pk]))
    assert "Amina Sentinel" in page.content.decode()
    logged = AccessLog.objects.filter(object_id=str(item.pk), channel="page")
    assert logged.count() == 1 and logged.get().user == handler
    api = APIClient()
    api.force_authenticate(handler)
    plain = api.get("/api/feedback-items/").json()
    assert "Amina Sentinel" not in str(plain)
    assert not AccessLog.objects.filter(object_id=str(item.pk), channel="api").exists()
    shown = api.get("/api/feedback-items/?personal=true").json()
    assert "Amina Sentinel" in str(shown)
    assert AccessLog.objects.filter(object_id=str(item.pk), channel="api").count() == 1
    # The platform's name for the switch works too.
    assert "Amina Sentinel" in str(api.get("/api/feedback-items/?include_personal=true").json())
    assert AccessLog.objects.filter(object_id=str(item.pk), channel="api").count() == 2


def _rejected_raw(people, **data):
    from .. import services
    from ..choices import IntakeSource

    values = {"channel": "sms", "original_text": "No water, call Amina Sentinel"}
    values.update(admin_area="ZZ99", **data)
    with pytest.raises(services.IntakeError) as caught:
        services.take_in(actor=None, group=people.group, data=values, source=IntakeSource.API)
    return caught.value.raw


def test_raw_intake_shown_in_clear_is_logged_and_the_list_is_not(people, client):
    raw = _rejected_raw(people)
    client.force_login(people.coordinator)
    assert client.get("/feedback/intake/").status_code == 200
    assert not AccessLog.objects.exists()  # the list shows no words and no contact
    page = client.get(f"/feedback/intake/{raw.pk}/")
    assert "Amina Sentinel" in page.content.decode()
    logged = AccessLog.objects.get()
    assert (logged.user, logged.object_id, logged.action, logged.channel, logged.fields) == (
        people.coordinator, str(raw.pk), "view", "page", ["payload"]
    )  # fmt: skip
    assert logged.content_type.model == "rawintake"
    # Marking it reviewed shows nothing (a redirect): nothing more is logged.
    assert client.post(f"/feedback/intake/{raw.pk}/", {"note": "spam"}).status_code == 302
    assert AccessLog.objects.count() == 1


def test_erased_raw_intake_shows_nothing_personal_and_is_not_logged(people, client):
    from ..models import RawIntake

    raw = _rejected_raw(people)
    RawIntake.objects.filter(pk=raw.pk).update(payload="")  # as retention leaves it
    client.force_login(people.coordinator)
    assert client.get(f"/feedback/intake/{raw.pk}/").status_code == 200
    assert not AccessLog.objects.exists()


def _page_entries(item):
    return AccessLog.objects.filter(object_id=str(item.pk), channel="page").order_by("pk")


def test_the_words_on_the_item_page_are_logged_for_every_viewer(people, client):
    """A viewer who does not handle the item sees the words (not the contact): one entry
    naming the words, per view."""
    item = _item(people)
    from harambee.core.choices import Permission as Action

    changeable = FeedbackItem.objects.restrict(people.psea_focal, Action.CHANGE)
    assert not changeable.filter(pk=item.pk).exists()  # a viewer of the group only
    client.force_login(people.psea_focal)
    page = client.get(f"/feedback/{item.pk}/").content.decode()
    assert "When is the next distribution?" in page and "Amina Sentinel" not in page
    logged = _page_entries(item).get()
    assert (logged.user, logged.action, logged.fields) == (
        people.psea_focal, "view", ["original_text"]
    )  # fmt: skip
    assert logged.content_type.model == "feedbackitem"
    client.get(f"/feedback/{item.pk}/")
    assert _page_entries(item).count() == 2  # one entry per view


def test_a_handler_s_view_names_every_personal_field_shown_in_one_entry(people, client):
    from .. import services

    item = _item(people)
    handler = _handler(people, item)
    services.record_action(actor=handler, item=item, note="Called Amina back")
    services.give_answer(actor=handler, item=item, answer="Tuesday at the school", via="phone")
    client.force_login(handler)
    page = client.get(f"/feedback/{item.pk}/").content.decode()
    assert "Called Amina back" in page and "Tuesday at the school" in page
    logged = _page_entries(item).get()
    assert logged.fields == ["contact_name", "contact", "original_text", "answer", "events.note"]
    assert logged.user == handler and logged.action == "view"


def test_an_item_page_showing_nothing_personal_is_not_logged(people, client):
    item = _item(people)
    FeedbackItem.objects.filter(pk=item.pk).update(
        contact="", contact_name="", original_text="", answer=""
    )  # as retention leaves it
    client.force_login(_handler(people, item))
    assert client.get(f"/feedback/{item.pk}/").status_code == 200
    assert not AccessLog.objects.exists()


def test_the_item_list_shows_no_personal_field_and_is_not_logged(people, client):
    _item(people, summary="Distribution date")
    client.force_login(_handler(people, FeedbackItem.objects.get()))
    page = client.get("/feedback/").content.decode()
    assert "Distribution date" in page
    assert "When is the next distribution?" not in page and "Amina Sentinel" not in page
    assert not AccessLog.objects.exists()


def test_the_api_detail_with_the_words_is_logged_once_with_the_fields_carried(people):
    from rest_framework.test import APIClient

    item = _item(people)
    api = APIClient()
    api.force_authenticate(_handler(people, item))
    plain = api.get(f"/api/feedback-items/{item.pk}/").json()
    assert "original_text" not in plain
    assert not AccessLog.objects.exists()
    shown = api.get(f"/api/feedback-items/{item.pk}/?include_personal=true").json()
    assert shown["original_text"] == "When is the next distribution?"
    logged = AccessLog.objects.get()
    assert (logged.object_id, logged.channel, logged.action) == (str(item.pk), "api", "view")
    assert logged.fields == ["contact_name", "contact", "original_text", "answer"]
    # A viewer who does not handle the item gets no words, and nothing is logged.
    api.force_authenticate(people.psea_focal)
    assert "original_text" not in api.get(f"/api/feedback-items/{item.pk}/?personal=true").json()
    assert AccessLog.objects.count() == 1


def test_timeline_notes_in_the_api_are_logged_on_the_item(people):
    from rest_framework.test import APIClient

    from .. import services

    item = _item(people)
    api = APIClient()
    api.force_authenticate(people.psea_focal)
    assert api.get(f"/api/feedback-items/{item.pk}/timeline/").status_code == 200
    assert not AccessLog.objects.exists()  # no note yet
    services.record_action(actor=_handler(people, item), item=item, note="Called Amina back")
    events = api.get(f"/api/feedback-items/{item.pk}/timeline/").json()
    assert "Called Amina back" in str(events)
    logged = AccessLog.objects.get()
    assert (logged.object_id, logged.channel, logged.fields) == (
        str(item.pk), "api", ["events.note"]
    )  # fmt: skip


def test_the_officer_s_export_of_feedback_is_logged_as_exported(people, dpo):
    item = _item(people)
    matches = privacy.find_person(actor=dpo, kind="phone", value="+93 700 123 456")
    privacy.export_person(actor=dpo, matches=matches)
    exported = AccessLog.objects.get(action="export", object_id=str(item.pk))
    assert exported.user == dpo and "original_text" in exported.fields
