"""Feedback API: the same selector as the pages, personal fields on request, steps, counts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ..models import FeedbackItem
from .factories import cast, feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_callers_get_nothing(people):
    feedback(people.group, people.intake)
    assert client_for().get("/api/feedback-items/").status_code in (401, 403)


def test_list_filters_and_personal_fields_only_on_request_for_handlers(people):
    item = feedback(
        people.group,
        people.intake,
        contact="+93700000002",
        consent_given=True,
        feedback_type="question",
    )
    feedback(people.group, people.intake, feedback_type="praise")
    coordinator = client_for(people.coordinator)
    rows = coordinator.get("/api/feedback-items/", {"feedback_type": "question"}).json()["results"]
    assert [r["id"] for r in rows] == [item.pk]
    assert "contact" not in rows[0] and "original_text" not in rows[0]
    rows = coordinator.get(
        "/api/feedback-items/", {"feedback_type": "question", "personal": "true"}
    ).json()["results"]
    assert rows[0]["contact"] == "+93700000002"
    # A viewer-only member sees the item but not the personal fields.
    viewer = client_for(people.psea_focal)
    rows = viewer.get("/api/feedback-items/", {"personal": "true"}).json()["results"]
    assert rows and all("contact" not in r for r in rows)


def test_staff_intake_refer_acknowledge_answer(people):
    client = client_for(people.coordinator)
    created = client.post(
        "/api/feedback-items/",
        {
            "group": people.group.pk,
            "channel": "hotline",
            "original_text": "Where is the clinic?",
            "feedback_type": "question",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    item = FeedbackItem.objects.get(raw_intake_id=created.json()["raw_intake"])
    referred = client.post(
        f"/api/feedback-items/{item.pk}/refer/",
        {"organisation": people.concerned.pk},
        format="json",
    )
    assert referred.status_code == 200 and referred.json()["status"] == "referred"
    ack = client_for(people.colleague).post(
        f"/api/feedback-items/{item.pk}/acknowledge/", {}, format="json"
    )
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    answer = client_for(people.colleague).post(
        f"/api/feedback-items/{item.pk}/answer/",
        {"answer": "Behind the school", "via": "phone"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "closed"
    kinds = [e["kind"] for e in client.get(f"/api/feedback-items/{item.pk}/timeline/").json()]
    assert kinds == ["received", "referred", "acknowledged", "answered", "closed"]


def test_outsiders_cannot_act_or_take_in_for_the_group(people):
    item = feedback(people.group, people.intake)
    outsider = client_for(people.outsider)
    assert (
        outsider.post(f"/api/feedback-items/{item.pk}/acknowledge/", {}, format="json").status_code
        == 404
    )
    created = outsider.post(
        "/api/feedback-items/",
        {"group": people.group.pk, "channel": "hotline", "original_text": "x"},
        format="json",
    )
    assert created.status_code == 403


def test_staff_intake_of_a_sensitive_case_answers_without_showing_it(people):
    client = client_for(people.intake)
    created = client.post(
        "/api/feedback-items/",
        {
            "group": people.group.pk,
            "channel": "hotline",
            "original_text": "Bribe asked",
            "category": "c_fraud",
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["sensitive"] is True
    assert client.get("/api/feedback-items/").json()["results"] == []


def test_bad_staff_intake_says_why(people):
    response = client_for(people.coordinator).post(
        "/api/feedback-items/",
        {
            "group": people.group.pk,
            "channel": "hotline",
            "original_text": "x",
            "category": "c_sea",
            "code": "p_thanks_staff",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_coding" and response.json()["raw_intake"]


def test_counts_by_week_and_bad_dimension(people):
    feedback(people.group, people.intake)
    client = client_for(people.coordinator)
    rows = client.get("/api/feedback-items/counts/", {"by": "week"}).json()
    assert sum(r["count"] for r in rows) == 1
    assert client.get("/api/feedback-items/counts/", {"by": "contact"}).status_code == 400


def test_refused_sensitive_staff_intake_is_kept_out_of_the_coordinators_sight(people):
    from django.test import Client

    from ..models import RawIntake

    response = client_for(people.coordinator).post(
        "/api/feedback-items/",
        {
            "group": people.group.pk,
            "channel": "hotline",
            "original_text": "The guard asked for sex",
            "sensitive": True,
            "admin_area": "ZZ99",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "unknown_place"
    raw = RawIntake.objects.get(pk=response.json()["raw_intake"])
    assert raw.sensitive
    # No API lists raw intake; the review pages are the only place it is shown.
    for user, status in (
        (people.coordinator, 404),
        (people.admin, 404),
        (people.psea_coordinator, 200),
    ):
        page = Client()
        page.force_login(user)
        assert page.get(f"/feedback/intake/{raw.pk}/").status_code == status
        listing = page.get("/feedback/intake/").content.decode()
        assert (f"/feedback/intake/{raw.pk}/" in listing) == (status == 200)
