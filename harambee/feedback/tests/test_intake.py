"""Intake by the public form, the SMS/chatbot API and file import; bad input kept for review."""

from __future__ import annotations

import io
import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from .. import services
from ..choices import RawStatus
from ..forms import SIGNER_SALT
from ..importers import import_file
from ..models import FeedbackItem, RawIntake
from .factories import area, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    cache.clear()
    return cast()


def _started(seconds_ago: int = 30) -> str:
    return signing.TimestampSigner(salt=SIGNER_SALT).sign(str(int(time.time()) - seconds_ago))


def _form(**extra):  # started 30 seconds ago: a person
    data = {
        "feedback_type": "question",
        "original_text": "When is the next distribution?",
        "started": _started(),
        "website": "",
    }
    data.update(extra)
    return data


# --- the public form ----------------------------------------------------------------------------


def test_anyone_may_give_feedback_without_an_account(people):
    client = Client()
    page = client.get(f"/feedback/give/{people.group.pk}/")
    assert page.status_code == 200 and b'name="website"' in page.content
    response = client.post(
        f"/feedback/give/{people.group.pk}/",
        _form(contact="+93700111222", consent_given="on", wants_answer="on", answer_channel="sms"),
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.channel == "web_form" and item.created_by is None
    assert item.consent_given is True and item.contact_hash
    assert item.raw_intake.status == RawStatus.ACCEPTED
    thanks = client.get(response["Location"])
    assert item.reference.encode() in thanks.content


def test_contact_details_need_consent(people):
    response = Client().post(f"/feedback/give/{people.group.pk}/", _form(contact="+93700111222"))
    assert response.status_code == 200
    assert "agreement" in response.content.decode()
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(
    "spam", [{"website": "http://buy.example"}, {"started": "forged"}, {"started": None}]
)
def test_robots_are_turned_away_quietly(people, spam, settings):
    settings.FEEDBACK_FORM_MIN_SECONDS = 60  # a loaded test machine is slow, not a robot
    data = _form()
    if spam.get("started", "") is None:
        data["started"] = _started(0)
    else:
        data.update(spam)
    response = Client().post(f"/feedback/give/{people.group.pk}/", data)
    assert response.status_code == 200
    assert not FeedbackItem.objects.exists() and not RawIntake.objects.exists()


def test_submissions_per_address_are_limited(people, settings):
    settings.FEEDBACK_FORM_RATE = "2/hour"
    client = Client()
    codes = [
        client.post(f"/feedback/give/{people.group.pk}/", _form()).status_code for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert FeedbackItem.objects.count() == 2


def test_a_sensitive_complaint_from_the_form_goes_to_the_focal_points_only(people):
    Client().post(
        f"/feedback/give/{people.group.pk}/",
        _form(feedback_type="complaint", sensitive="on", original_text="A guard asked for sex"),
    )
    item = FeedbackItem.objects.get()
    assert item.sensitive and item.priority == "high"


def test_private_groups_take_no_public_feedback(people):
    people.group.visibility = "network"
    people.group.save()
    assert Client().get(f"/feedback/give/{people.group.pk}/").status_code == 404


# --- the API for SMS gateways and chatbots ------------------------------------------------------


@pytest.fixture
def gateway(people):
    token, key = services.token_create(
        actor=None, organisation=people.concerned, group=people.group, name="SMS gateway"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Intake {key}")
    return token, key, client


def test_a_message_becomes_an_item(people, gateway):
    token, key, client = gateway
    area("AF01")
    response = client.post(
        "/api/feedback-intake/",
        {
            "message": "No water since Monday",
            "sender": "+93700999888",
            "channel": "sms",
            "place": "AF01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    item = FeedbackItem.objects.get()
    assert body["reference"] == item.reference and body["status"] == "accepted"
    assert item.contact == "+93700999888" and item.admin_area.pcode == "AF01" and item.wants_answer
    assert key not in str(list(RawIntake.objects.values_list("payload", flat=True)))
    token.refresh_from_db()
    assert token.key_hash != key and key.startswith(token.prefix)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"message": "", "sender": "+93700", "channel": "sms"}, "empty_message", "original_text"),
        (
            {"message": "   ", "sender": "+93700", "channel": "sms"},
            "empty_message",
            "original_text",
        ),
        (
            {"message": "Hello", "sender": "+93700", "channel": "pigeon"},
            "unknown_channel",
            "channel",
        ),
        (
            {"message": "Hello", "channel": "sms", "place": "PK01"},
            "place_outside_country",
            "admin_area",
        ),
        ({"message": "Hello", "channel": "sms", "place": "ZZ99"}, "unknown_place", "admin_area"),
        ({"message": "Hello"}, "invalid", "channel"),
    ],
)
def test_bad_messages_are_refused_clearly_and_kept_for_review(people, gateway, body, code, field):
    _token, _key, client = gateway
    area("PK01", "Punjab", country="PAK")
    response = client.post("/api/feedback-intake/", body, format="json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == code and answer["field"] == field and answer["detail"]
    raw = RawIntake.objects.get(pk=answer["raw_intake"])
    assert raw.status == RawStatus.REJECTED and raw.error_code == code
    assert not FeedbackItem.objects.exists()
    # The group's coordinator finds it in the review list.
    client = Client()
    client.force_login(people.coordinator)
    assert client.get(f"/feedback/intake/{raw.pk}/").status_code == 200
    client.force_login(people.outsider)
    assert client.get(f"/feedback/intake/{raw.pk}/").status_code == 404


def test_a_message_sent_twice_is_stored_once(people, gateway):
    _token, _key, client = gateway
    body = {"message": "Hello", "channel": "sms", "external_id": "gw-42"}
    first = client.post("/api/feedback-intake/", body, format="json")
    second = client.post("/api/feedback-intake/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"]
    assert FeedbackItem.objects.count() == 1


def test_wrong_or_revoked_keys_are_refused(people, gateway):
    token, _key, client = gateway
    body = {"message": "Hello", "channel": "sms"}
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Intake nope")
    assert wrong.post("/api/feedback-intake/", body, format="json").status_code == 401
    assert APIClient().post("/api/feedback-intake/", body, format="json").status_code in (401, 403)
    services.token_revoke(actor=None, token=token)
    assert client.post("/api/feedback-intake/", body, format="json").status_code == 401
    assert not FeedbackItem.objects.exists()


# --- import -------------------------------------------------------------------------------------


KOBO_HEADERS = [
    "start",
    "end",
    "group_info/channel",
    "group_info/pcode",
    "feedback_text",
    "phone",
    "consent",
    "_uuid",
    "_submission_time",
]


def _csv(rows, headers=KOBO_HEADERS) -> bytes:
    lines = [",".join(headers), *(",".join(r) for r in rows)]
    return "\n".join(lines).encode()


def test_a_kobo_export_is_imported_with_its_columns_mapped(people):
    area("AF01")
    content = _csv([
        ["2025-01-01T10:00", "2025-01-01T10:05", "hotline", "AF01", "We need blankets", "+93700111", "yes", "u1", "2025-01-01T10:06:00"],
        ["2025-01-01T11:00", "2025-01-01T11:05", "face to face", "AF01", "Thank you", "", "", "u2", "2025-01-01T11:06:00"],
    ])  # fmt: skip
    report = import_file(
        actor=people.coordinator, group=people.group, file_name="kobo.csv", content=content
    )
    assert report.ok, report.errors
    assert FeedbackItem.objects.count() == 2
    first = FeedbackItem.objects.get(original_text__isnull=False, channel="hotline")
    assert first.received_on.isoformat() == "2025-01-01" and first.consent_given is True
    assert report.raw.status == RawStatus.ACCEPTED and report.raw.item_count == 2


def test_columns_that_map_to_nothing_are_named_and_nothing_is_written(people):
    content = _csv(
        [["hotline", "We need blankets", "x"]], headers=["channel", "feedback_text", "mystery"]
    )
    report = import_file(
        actor=people.coordinator, group=people.group, file_name="f.csv", content=content
    )
    assert [e["code"] for e in report.errors] == ["unmapped_columns"]
    assert report.errors[0]["column"] == "mystery"
    assert not FeedbackItem.objects.exists()
    assert report.raw.status == RawStatus.REJECTED and "mystery" in report.raw.payload
    fixed = import_file(
        actor=people.coordinator, group=people.group, file_name="f.csv", content=content,
        mapping={"mystery": "ignore"},
    )  # fmt: skip
    assert fixed.ok and FeedbackItem.objects.count() == 1


def test_one_bad_row_and_no_row_is_imported(people):
    area("AF01")
    area("PK01", "Punjab", country="PAK")
    content = _csv(
        [["hotline", "AF01", "Good"], ["hotline", "PK01", "Outside"], ["hotline", "AF01", ""]],
        headers=["channel", "pcode", "feedback_text"],
    )
    report = import_file(
        actor=people.coordinator, group=people.group, file_name="f.csv", content=content
    )
    assert {(e["row"], e["code"], e["column"]) for e in report.errors} == {
        (3, "place_outside_country", "pcode"),
        (4, "empty_message", "feedback_text"),
    }
    assert not FeedbackItem.objects.exists()


def test_xlsx_import_and_the_page(people):
    book = Workbook()
    sheet = book.active
    sheet.append(["channel", "feedback_text", "category"])
    sheet.append(["sms", "The registration line is too long", "c_access"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = Client()
    client.force_login(people.coordinator)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "export.xlsx"
    response = client.post(
        f"/feedback/groups/{people.group.pk}/import/",
        {"file": upload, "default_channel": "face_to_face", "mapping": ""},
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.category == "c_access" and item.feedback_type == "complaint"
    client.force_login(people.outsider)
    assert client.get(f"/feedback/groups/{people.group.pk}/import/").status_code == 404


# --- what the sender declared sensitive stays with the raw intake ------------------------------


def _opens(user, raw) -> int:
    client = Client()
    client.force_login(user)
    return client.get(f"/feedback/intake/{raw.pk}/").status_code


def test_the_forms_mark_their_raw_intake_sensitive(people):
    Client().post(
        f"/feedback/give/{people.group.pk}/",
        _form(feedback_type="complaint", sensitive="on", original_text="A guard asked for sex"),
    )
    Client().post(f"/feedback/give/{people.group.pk}/", _form())
    assert sorted(RawIntake.objects.values_list("sensitive", flat=True)) == [False, True]
    staff = Client()
    staff.force_login(people.intake)
    staff.post(
        f"/feedback/groups/{people.group.pk}/new/",
        {"channel": "hotline", "feedback_type": "complaint", "original_text": "Bribe asked",
         "category": "c_fraud", "code": "", "priority": "normal"},
    )  # fmt: skip
    raw = RawIntake.objects.latest("pk")
    assert raw.source == "staff" and raw.sensitive and raw.items.get().sensitive


@pytest.mark.parametrize(
    "declared",
    [{"sensitive": True}, {"category": "c_sea"}, {"code": "c_safety_person"}],
)
def test_a_gateway_message_declared_sensitive_and_refused_is_for_the_psea_coordinator(
    people, gateway, declared
):
    _token, _key, client = gateway
    body = {"message": "The guard asked for sex", "channel": "sms", "place": "ZZ99", **declared}
    response = client.post("/api/feedback-intake/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_place"
    raw = RawIntake.objects.get(pk=response.json()["raw_intake"])
    assert raw.sensitive and raw.status == RawStatus.REJECTED
    assert _opens(people.coordinator, raw) == 404
    assert _opens(people.admin, raw) == 404
    assert _opens(people.psea_coordinator, raw) == 200


def test_a_gateway_message_declared_sensitive_becomes_a_sensitive_item(people, gateway):
    _token, _key, client = gateway
    response = client.post(
        "/api/feedback-intake/",
        {"message": "The guard asked for sex", "channel": "sms", "sensitive": True},
        format="json",
    )
    assert response.status_code == 201 and response.json()["sensitive"] is True
    raw = RawIntake.objects.get(pk=response.json()["raw_intake"])
    assert raw.sensitive and raw.items.get().sensitive
    assert _opens(people.coordinator, raw) == 404
    assert _opens(people.psea_focal, raw) == 404  # no organisation concerned given
    assert _opens(people.psea_coordinator, raw) == 200


def test_a_gateway_message_that_does_not_validate_keeps_its_declaration(people, gateway):
    _token, _key, client = gateway
    response = client.post(
        "/api/feedback-intake/", {"message": "He hit me", "sensitive": "yes"}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "channel"
    raw = RawIntake.objects.get(pk=response.json()["raw_intake"])
    assert raw.sensitive and _opens(people.coordinator, raw) == 404


def test_an_imported_file_with_a_sensitive_row_is_reviewed_as_sensitive(people):
    area("AF01")
    content = _csv(
        [["hotline", "AF01", "Water is late", "q_assistance"],
         ["hotline", "ZZ99", "The guard asked for sex", "c_sea"]],
        headers=["channel", "pcode", "feedback_text", "category"],
    )  # fmt: skip
    report = import_file(
        actor=people.coordinator, group=people.group, file_name="f.csv", content=content
    )
    assert not report.ok and report.raw.status == RawStatus.REJECTED
    assert report.raw.sensitive
    assert _opens(people.coordinator, report.raw) == 404
    assert _opens(people.psea_coordinator, report.raw) == 200
    ordinary = _csv([["hotline", "ZZ99", "Water is late"]], ["channel", "pcode", "feedback_text"])
    report = import_file(
        actor=people.coordinator, group=people.group, file_name="g.csv", content=ordinary
    )
    assert not report.raw.sensitive and _opens(people.coordinator, report.raw) == 200
