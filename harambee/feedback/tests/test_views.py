"""Feedback pages: permission on every page, the item page, the inbox, both dashboards."""

from __future__ import annotations

import pytest
from django.test import Client

from ..models import FeedbackItem
from .factories import area, cast, feedback

pytestmark = pytest.mark.django_db

LOGIN_PAGES = [
    "/feedback/",
    "/feedback/inbox/",
    "/feedback/intake/",
    "/feedback/keys/",
    "/feedback/focal-points/",
]


@pytest.fixture
def people():
    return cast()


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_pages_need_a_login(people, path):
    response = client_for().get(path)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(people.coordinator).get(path).status_code == 200


def test_group_pages_need_a_role_in_the_group(people):
    group = people.group.pk
    for path in (f"/feedback/groups/{group}/dashboard/", f"/feedback/groups/{group}/new/"):
        assert client_for(people.outsider).get(path).status_code == 404
        assert client_for(people.coordinator).get(path).status_code == 200
        assert client_for().get(path).status_code == 302


def test_item_page_shows_the_timeline_and_the_steps_to_handlers_only(people):
    item = feedback(people.group, people.intake, contact="+93700000003", consent_given=True)
    page = client_for(people.coordinator).get(f"/feedback/{item.pk}/")
    content = page.content.decode()
    assert page.status_code == 200 and "Timeline" in content and "Received" in content
    assert "+93700000003" in content and "Refer or reassign" in content
    viewer = client_for(people.psea_focal).get(f"/feedback/{item.pk}/").content.decode()
    assert "+93700000003" not in viewer and "Refer or reassign" not in viewer
    assert client_for(people.outsider).get(f"/feedback/{item.pk}/").status_code == 404


def test_steps_from_the_item_page(people):
    item = feedback(people.group, people.intake)
    coordinator = client_for(people.coordinator)
    coordinator.post(f"/feedback/{item.pk}/refer/", {"organisation": people.concerned.pk})
    colleague = client_for(people.colleague)
    inbox = colleague.get("/feedback/inbox/").content.decode()
    assert item.reference in inbox
    colleague.post(f"/feedback/{item.pk}/acknowledge/", {"note": ""})
    colleague.post(
        f"/feedback/{item.pk}/answer/",
        {"answer": "Tuesday", "via": "sms", "satisfaction": "satisfied", "close": "on"},
    )
    item.refresh_from_db()
    assert item.status == "closed" and item.satisfaction == "satisfied"
    assert client_for(people.outsider).post(f"/feedback/{item.pk}/close/", {}).status_code == 404


def test_staff_intake_page(people):
    response = client_for(people.intake).post(
        f"/feedback/groups/{people.group.pk}/new/",
        {
            "feedback_type": "question",
            "original_text": "Clinic hours?",
            "channel": "hotline",
            "priority": "normal",
        },
    )
    item = FeedbackItem.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()


def test_public_dashboard_never_shows_a_small_cell(people):
    kabul, herat = area("AF01", "Kabul"), area("AF02", "Herat")
    for _ in range(7):
        feedback(people.group, people.intake, feedback_type="question", admin_area=kabul)
    for _ in range(2):
        feedback(people.group, people.intake, feedback_type="praise", admin_area=herat)
    feedback(people.group, people.intake, feedback_type="request", admin_area=kabul)
    for _ in range(6):
        feedback(people.group, people.intake, category="c_sea")  # never counted in public
    response = client_for().get(f"/feedback/public/{people.group.pk}/")
    assert response.status_code == 200
    by_type = {r["label"]: r["value"] for r in response.context["by_type"]["rows"]}
    assert by_type["Question"] == 7
    assert by_type["Praise"] is None and by_type["Request or suggestion"] is None
    by_place = {r["label"]: r["value"] for r in response.context["by_place"]["rows"]}
    assert by_place["Herat"] is None and by_place["Kabul"] is None  # secondary suppression
    assert response.context["total"] == 10
    for chart in ("by_type", "by_sector", "by_place", "by_week"):
        for row in response.context[chart]["rows"]:
            assert row["value"] is None or row["value"] == 0 or row["value"] >= 5
    assert "Sexual" not in response.content.decode()


def test_coordinator_dashboard_counts_what_the_user_may_see(people):
    kabul = area("AF01", "Kabul")
    feedback(people.group, people.intake, feedback_type="question", admin_area=kabul)
    feedback(people.group, people.intake, category="c_fraud")
    response = client_for(people.coordinator).get(f"/feedback/groups/{people.group.pk}/dashboard/")
    assert response.context["total"] == 1
    assert "<svg" in response.content.decode()
    # A PSEA coordinator with a role in the group sees both.
    from harambee.network.tests.factories import GroupRoleFactory

    GroupRoleFactory(user=people.psea_coordinator, group=people.group)
    response = client_for(people.psea_coordinator).get(
        f"/feedback/groups/{people.group.pk}/dashboard/"
    )
    assert response.context["total"] == 2


def test_intake_keys_page_shows_the_key_once(people):
    client = client_for(people.colleague)
    response = client.post("/feedback/keys/", {"name": "Gateway", "group": people.group.pk})
    key = response.context["new_key"]
    assert key and key.encode() in response.content
    assert key.encode() not in client.get("/feedback/keys/").content


def test_focal_points_page(people):
    from harambee.core.choices import Role
    from harambee.network.tests.factories import GroupRoleFactory

    boss = people.colleague
    GroupRoleFactory(user=boss, role=Role.COORDINATOR)
    response = client_for(boss).post("/feedback/focal-points/", {"user": boss.pk, "kind": "psea"})
    assert response.status_code == 302
    assert boss.feedback_focal_points.filter(kind="psea").exists()
    # Not a coordinator: refused.
    response = client_for(people.psea_focal).post(
        "/feedback/focal-points/", {"user": people.psea_focal.pk, "kind": "feedback"}
    )
    assert response.status_code == 403
