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


# --- a group's PSEA coordinators ----------------------------------------------------------------


def _psea_url(people) -> str:
    return f"/feedback/groups/{people.group.pk}/psea/"


def _records(model, action: str):
    from django.contrib.contenttypes.models import ContentType

    from harambee.core.models import ChangeRecord

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action=action
    )


def test_psea_page_is_for_the_groups_coordinators_and_admins_only(people):
    url = _psea_url(people)
    for allowed in (people.coordinator, people.admin):
        page = client_for(allowed).get(url)
        assert page.status_code == 200
        assert "psea_coord" in page.content.decode()  # the current PSEA coordinator
        choices = page.context["form"].fields["user"].queryset
        assert people.other_focal in choices and people.outsider not in choices
    # Members of the group without the coordinator role, and the PSEA coordinator: 403.
    for refused in (people.intake, people.psea_focal, people.psea_coordinator):
        assert client_for(refused).get(url).status_code == 403
        assert client_for(refused).post(url, {"action": "add"}).status_code == 403
    # Not of the group: the group is not there.
    assert client_for(people.outsider).get(url).status_code == 404
    assert client_for().get(url).status_code == 302


def test_the_psea_page_is_linked_for_those_who_may_use_it(people):
    url = _psea_url(people)
    assert url in client_for(people.coordinator).get("/feedback/").content.decode()
    assert url in client_for(people.coordinator).get("/feedback/focal-points/").content.decode()
    assert url not in client_for(people.intake).get("/feedback/").content.decode()


def test_a_coordinator_names_a_psea_coordinator_audited(people):
    from ..models import PseaCoordinator

    response = client_for(people.coordinator).post(
        _psea_url(people), {"action": "add", "user": people.other_focal.pk}
    )
    assert response.status_code == 302
    named = PseaCoordinator.objects.get(group=people.group, user=people.other_focal)
    record = _records(PseaCoordinator, "create").get(object_id=str(named.pk))
    assert record.user == people.coordinator
    # They now see the group's sensitive feedback.
    item = feedback(people.group, people.intake, category="c_sea")
    assert client_for(people.other_focal).get(f"/feedback/{item.pk}/").status_code == 200


def test_only_people_of_the_group_may_be_named(people):
    from ..models import PseaCoordinator

    response = client_for(people.coordinator).post(
        _psea_url(people), {"action": "add", "user": people.outsider.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["user"]
    assert not PseaCoordinator.objects.filter(user=people.outsider).exists()


def test_a_coordinator_hands_the_role_over_audited(people):
    from ..models import PseaCoordinator

    row = PseaCoordinator.objects.get(group=people.group)
    response = client_for(people.coordinator).post(
        _psea_url(people),
        {
            "action": "change",
            "coordinator": row.pk,
            f"change-{row.pk}-user": people.other_focal.pk,
            f"change-{row.pk}-version": row.version,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.user == people.other_focal and row.version == 2
    record = _records(PseaCoordinator, "update").get(object_id=str(row.pk))
    assert record.before["user"] == people.psea_coordinator.pk
    assert record.after["user"] == people.other_focal.pk
    item = feedback(people.group, people.intake, category="c_sea")
    assert client_for(people.psea_coordinator).get(f"/feedback/{item.pk}/").status_code == 404


def test_a_stale_hand_over_or_removal_is_refused(people):
    from ..models import PseaCoordinator

    row = PseaCoordinator.objects.get(group=people.group)
    seen = row.version
    PseaCoordinator.objects.filter(pk=row.pk).update(version=seen + 1)  # someone else saved
    client = client_for(people.coordinator)
    response = client.post(
        _psea_url(people),
        {
            "action": "change",
            "coordinator": row.pk,
            f"change-{row.pk}-user": people.other_focal.pk,
            f"change-{row.pk}-version": seen,
        },
    )
    assert response.status_code == 200
    assert "Someone else changed" in response.content.decode()
    row.refresh_from_db()
    assert row.user == people.psea_coordinator
    response = client.post(
        _psea_url(people),
        {"action": "remove", "coordinator": row.pk, f"remove-{row.pk}-version": seen},
    )
    assert response.status_code == 200
    assert "Someone else changed" in response.content.decode()
    assert PseaCoordinator.objects.filter(pk=row.pk).exists()
    assert not _records(PseaCoordinator, "update").exists()
    assert not _records(PseaCoordinator, "delete").exists()


def test_a_coordinator_removes_a_psea_coordinator_audited(people):
    from ..models import PseaCoordinator

    row = PseaCoordinator.objects.get(group=people.group)
    response = client_for(people.admin).post(
        _psea_url(people),
        {"action": "remove", "coordinator": row.pk, f"remove-{row.pk}-version": row.version},
    )
    assert response.status_code == 302
    assert not PseaCoordinator.objects.filter(group=people.group).exists()
    assert _records(PseaCoordinator, "delete").get(object_id=str(row.pk)).user == people.admin
    page = client_for(people.coordinator).get(_psea_url(people)).content.decode()
    assert "No PSEA coordinator is named" in page


# --- service levels ---------------------------------------------------------------------------

LEVEL = {
    "feedback_type": "question",
    "sensitive": "",
    "hours_to_acknowledge": "4",
    "hours_to_resolve": "48",
    "hours_to_escalate": "24",
}


def test_service_levels_are_read_by_members_and_changed_by_admins_only(people):
    from ..models import ServiceLevel

    level = ServiceLevel.objects.create(
        feedback_type="praise",
        sensitive=False,
        hours_to_acknowledge=10,
        hours_to_resolve=100,
        hours_to_escalate=50,
    )
    page = client_for(people.coordinator).get("/feedback/service-levels/")
    assert page.status_code == 200 and "Praise" in page.content.decode()
    assert f"/feedback/service-levels/{level.pk}/edit/" not in page.content.decode()
    admin_page = client_for(people.admin).get("/feedback/service-levels/").content.decode()
    assert f"/feedback/service-levels/{level.pk}/edit/" in admin_page
    from harambee.core.tests.factories import UserFactory

    assert client_for(UserFactory()).get("/feedback/service-levels/").status_code == 403
    coordinator = client_for(people.coordinator)
    for path in (
        "/feedback/service-levels/new/",
        f"/feedback/service-levels/{level.pk}/edit/",
        f"/feedback/service-levels/{level.pk}/delete/",
    ):
        assert coordinator.get(path).status_code == 403
        assert coordinator.post(path, {**LEVEL, "version": 1}).status_code == 403
    level.refresh_from_db()
    assert level.hours_to_acknowledge == 10 and ServiceLevel.objects.count() == 1


def test_an_admin_adds_a_service_level_audited_and_new_items_get_it(people):
    from ..models import ServiceLevel

    response = client_for(people.admin).post("/feedback/service-levels/new/", LEVEL)
    assert response.status_code == 302
    level = ServiceLevel.objects.get()
    assert (level.feedback_type, level.hours_to_resolve) == ("question", 48)
    assert _records(ServiceLevel, "create").get(object_id=str(level.pk)).user == people.admin
    item = feedback(people.group, people.intake, feedback_type="question")
    assert (item.resolve_due - item.received_at).total_seconds() == 48 * 3600


def test_service_level_errors_are_shown_on_the_form(people):
    from ..models import ServiceLevel

    client = client_for(people.admin)
    response = client.post("/feedback/service-levels/new/", {**LEVEL, "hours_to_acknowledge": "72"})
    assert response.status_code == 200
    assert response.context["form"].errors["hours_to_acknowledge"]
    assert "cannot take longer than answering" in response.content.decode()
    response = client.post("/feedback/service-levels/new/", {**LEVEL, "hours_to_resolve": "0"})
    assert response.context["form"].errors["hours_to_resolve"]
    client.post("/feedback/service-levels/new/", LEVEL)
    response = client.post("/feedback/service-levels/new/", LEVEL)  # the same type again
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert ServiceLevel.objects.count() == 1


def test_an_admin_edits_a_service_level_with_the_version_read(people):
    from ..models import ServiceLevel

    level = ServiceLevel.objects.create(
        feedback_type="question",
        sensitive=False,
        hours_to_acknowledge=4,
        hours_to_resolve=48,
        hours_to_escalate=24,
    )
    url = f"/feedback/service-levels/{level.pk}/edit/"
    client = client_for(people.admin)
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["version"] == 1
    response = client.post(url, {**LEVEL, "hours_to_resolve": "96", "version": 1})
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.hours_to_resolve == 96 and level.version == 2
    record = _records(ServiceLevel, "update").get(object_id=str(level.pk))
    assert (record.before["hours_to_resolve"], record.after["hours_to_resolve"]) == (48, 96)
    # A second edit from the page opened before the first save: refused, the input kept.
    response = client.post(url, {**LEVEL, "hours_to_resolve": "120", "version": 1})
    assert response.status_code == 200
    assert "Someone else changed" in response.content.decode()
    assert response.context["form"]["hours_to_resolve"].value() == "120"
    level.refresh_from_db()
    assert level.hours_to_resolve == 96
    # Without the version: refused too.
    response = client.post(url, {**LEVEL, "hours_to_resolve": "120"})
    assert response.status_code == 200 and response.context["form"].errors["version"]
    level.refresh_from_db()
    assert level.hours_to_resolve == 96


def test_an_admin_deletes_a_service_level_back_to_the_default(people):
    from ..models import ServiceLevel

    level = ServiceLevel.objects.create(
        feedback_type="question",
        sensitive=False,
        hours_to_acknowledge=4,
        hours_to_resolve=48,
        hours_to_escalate=24,
    )
    url = f"/feedback/service-levels/{level.pk}/delete/"
    client = client_for(people.admin)
    assert client.post(url, {"version": 2}).status_code == 200  # stale: refused
    assert ServiceLevel.objects.filter(pk=level.pk).exists()
    assert client.post(url, {"version": 1}).status_code == 302
    assert not ServiceLevel.objects.exists()
    assert _records(ServiceLevel, "delete").get(object_id=str(level.pk)).user == people.admin


# --- raw intake review ---------------------------------------------------------------------------


def _rejected_raw(people, **data):
    from .. import services
    from ..choices import IntakeSource

    values = {"channel": "sms", "original_text": "No water since Monday", "admin_area": "ZZ99"}
    values.update(data)
    with pytest.raises(services.IntakeError) as caught:
        services.take_in(actor=None, group=people.group, data=values, source=IntakeSource.API)
    return caught.value.raw


def test_sensitive_rejected_intake_is_reviewed_by_the_psea_coordinator_only(people):
    sensitive = _rejected_raw(people, original_text="The guard asked for sex", sensitive=True)
    ordinary = _rejected_raw(people)
    detail = f"/feedback/intake/{sensitive.pk}/"
    for user in (people.coordinator, people.admin):
        client = client_for(user)
        listing = client.get("/feedback/intake/").content.decode()
        assert detail not in listing and f"/feedback/intake/{ordinary.pk}/" in listing
        assert client.get(f"/feedback/intake/{ordinary.pk}/").status_code == 200
        assert client.get(detail).status_code == 404
        assert client.post(detail, {"note": "spam"}).status_code == 404
        assert client.get("/feedback/intake/", {"status": "resolved"}).status_code == 200
    for user in (people.intake, people.psea_focal, people.outsider):
        assert client_for(user).get(detail).status_code == 404
    psea = client_for(people.psea_coordinator)
    assert detail in psea.get("/feedback/intake/").content.decode()
    page = psea.get(detail)
    assert page.status_code == 200 and "asked for sex" in page.content.decode()
    assert psea.post(detail, {"note": "entered by hand"}).status_code == 302
    sensitive.refresh_from_db()
    assert sensitive.status == "resolved"
    assert detail in psea.get("/feedback/intake/", {"status": "resolved"}).content.decode()
    reviewed = client_for(people.coordinator).get("/feedback/intake/", {"status": "resolved"})
    assert detail not in reviewed.content.decode()


def test_waiting_sensitive_intake_is_counted_when_no_psea_coordinator_is_named(people):
    from ..models import PseaCoordinator

    first = _rejected_raw(people, original_text="The guard asked for sex", sensitive=True)
    link = f"/feedback/groups/{people.group.pk}/psea/"
    coordinator = client_for(people.coordinator)
    # A PSEA coordinator is named: they were told; nothing is shown to the coordinators.
    assert "await" not in coordinator.get("/feedback/intake/").content.decode()
    PseaCoordinator.objects.filter(group=people.group).delete()
    second = _rejected_raw(people, code="c_fraud_payment", original_text="Pay for tarpaulins")
    for path in ("/feedback/intake/", "/feedback/"):
        page = coordinator.get(path).content.decode()
        assert "2 sensitive messages" in page and "await a PSEA coordinator" in page
        assert f'href="{link}"' in page
        assert "sex" not in page and "tarpaulins" not in page
        assert all(f"/feedback/intake/{raw.pk}/" not in page for raw in (first, second))
    assert coordinator.get(link).status_code == 200
    for user in (people.intake, people.psea_focal):
        assert "await a PSEA coordinator" not in client_for(user).get("/feedback/").content.decode()
