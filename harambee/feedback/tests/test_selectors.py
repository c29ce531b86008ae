"""Who sees sensitive feedback, and who does not: lists, items, counts, dashboards, the API.

The rule: a sensitive item (sexual exploitation and abuse, other abuse, fraud or corruption,
safety threat) is seen by the PSEA focal points of the organisation concerned (or referred to)
and the group's PSEA coordinators — nobody else, not platform admins, not the group's
coordinators, not the person who took it in.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from harambee.core.choices import Permission
from harambee.core.errors import PermissionDeniedError
from harambee.core.services import require

from .. import selectors
from ..models import VIEW_SENSITIVE, FeedbackEvent, FeedbackItem, InboxMessage
from .factories import cast, feedback

pytestmark = pytest.mark.django_db

SEES_SENSITIVE = {"psea_focal", "psea_coord"}
EVERYONE = [
    "psea_focal",
    "feedback_focal",
    "colleague",
    "psea_coord",
    "coordinator",
    "intake",
    "outsider",
    "other_focal",
    "admin",
]


@pytest.fixture
def people():
    return cast()


@pytest.fixture
def items(people):
    sensitive = feedback(
        people.group,
        people.intake,
        original_text="A distributor asked for sex in exchange for food",
        category="c_sea",
        code="c_sea_exploitation",
        concerned_organisation=people.concerned,
    )
    ordinary = feedback(people.group, people.intake, original_text="When is the next distribution?")
    return sensitive, ordinary


def _user(people, name):
    return {
        "psea_focal": people.psea_focal,
        "feedback_focal": people.feedback_focal,
        "colleague": people.colleague,
        "psea_coord": people.psea_coordinator,
        "coordinator": people.coordinator,
        "intake": people.intake,
        "outsider": people.outsider,
        "other_focal": people.other_focal,
        "admin": people.admin,
    }[name]


def test_the_item_is_sensitive_and_routed_at_once(people, items):
    sensitive, ordinary = items
    assert sensitive.sensitive and not ordinary.sensitive
    told = set(InboxMessage.objects.filter(item=sensitive).values_list("user__username", flat=True))
    assert told == SEES_SENSITIVE


@pytest.mark.parametrize("name", EVERYONE)
def test_visibility_matrix_for_the_selector(people, items, name):
    sensitive, ordinary = items
    user = _user(people, name)
    visible = set(selectors.visible_items(user=user).values_list("pk", flat=True))
    assert (sensitive.pk in visible) == (name in SEES_SENSITIVE)
    # Ordinary feedback: the group's members and the organisations concerned; not outsiders.
    assert (ordinary.pk in visible) == (name not in {"outsider", "other_focal", "psea_coord"})


@pytest.mark.parametrize("name", EVERYONE)
def test_counts_and_events_follow_the_same_rule(people, items, name):
    sensitive, _ordinary = items
    user = _user(people, name)
    counts = selectors.count_by(selectors.visible_items(user=user), "sensitive")
    assert counts.get(True, 0) == (1 if name in SEES_SENSITIVE else 0)
    events = FeedbackEvent.objects.restrict(user, Permission.VIEW).filter(item=sensitive)
    assert events.exists() == (name in SEES_SENSITIVE)


def test_plain_view_permission_never_includes_sensitive_items(people, items):
    sensitive, _ordinary = items
    for name in EVERYONE:
        user = _user(people, name)
        assert (
            not FeedbackItem.objects.restrict(user, Permission.VIEW)
            .filter(pk=sensitive.pk)
            .exists()
        )
    assert (
        FeedbackItem.objects.restrict(people.psea_focal, VIEW_SENSITIVE)
        .filter(pk=sensitive.pk)
        .exists()
    )


def test_anonymous_sees_nothing_and_public_counts_leave_sensitive_out(people, items):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.visible_items(user=AnonymousUser()).exists()
    assert list(selectors.aggregate_items().values_list("sensitive", flat=True)) == [False]


def test_only_handlers_may_change_a_sensitive_item(people, items):
    sensitive, _ordinary = items
    require(people.psea_focal, Permission.CHANGE, sensitive)
    for user in (people.admin, people.coordinator, people.intake, people.colleague):
        with pytest.raises(PermissionDeniedError):
            require(user, Permission.CHANGE, sensitive)


def test_referring_a_sensitive_item_shows_it_to_the_focal_points_of_that_organisation(
    people, items
):
    from .. import services

    sensitive, _ordinary = items
    services.refer(actor=people.psea_coordinator, item=sensitive, organisation=people.other)
    assert selectors.visible_items(user=people.other_focal).filter(pk=sensitive.pk).exists()
    # ... but not to the organisation's other people.
    assert not selectors.visible_items(user=people.coordinator).filter(pk=sensitive.pk).exists()


@pytest.mark.parametrize("name", EVERYONE)
def test_pages_and_api_agree_with_the_selector(people, items, name):
    sensitive, _ordinary = items
    user = _user(people, name)
    sees = name in SEES_SENSITIVE
    client = Client()
    client.force_login(user)
    assert client.get(f"/feedback/{sensitive.pk}/").status_code == (200 if sees else 404)
    listing = client.get("/feedback/").content.decode()
    assert (sensitive.reference in listing) == sees
    api = APIClient()
    api.force_authenticate(user)
    results = api.get("/api/feedback-items/").json()["results"]
    assert (sensitive.pk in {r["id"] for r in results}) == sees
    counts = {
        r["key"]: r["count"]
        for r in api.get("/api/feedback-items/counts/", {"by": "feedback_type"}).json()
    }
    assert counts.get("complaint", 0) == (1 if sees else 0)
    assert api.get(f"/api/feedback-items/{sensitive.pk}/timeline/").status_code == (
        200 if sees else 404
    )
    dashboard = client.get(f"/feedback/groups/{people.group.pk}/dashboard/")
    if dashboard.status_code == 200:
        total = dashboard.context["total"]
        expected = selectors.visible_items(user=user).filter(group=people.group).count()
        assert total == expected
        ordinary_seen = name not in {"outsider", "other_focal", "psea_coord"}
        assert total == int(ordinary_seen) + int(sees)


def test_inbox_notices_vanish_when_the_role_goes(people, items):
    from ..models import FocalPoint

    sensitive, _ordinary = items
    assert selectors.inbox_messages(user=people.psea_focal).filter(item=sensitive).exists()
    FocalPoint.objects.filter(user=people.psea_focal).delete()
    assert not selectors.inbox_messages(user=people.psea_focal).filter(item=sensitive).exists()
    assert not selectors.visible_items(user=people.psea_focal).filter(pk=sensitive.pk).exists()


# --- raw intake: what arrived, before (or without) becoming an item ------------------------------

# Rejected intake the sender declared sensitive: only the group's PSEA coordinator reviews it.
REVIEWS_SENSITIVE_RAW = {"psea_coord"}
# Rejected ordinary intake: the group's coordinators, PSEA coordinators and platform admins.
REVIEWS_ORDINARY_RAW = {"coordinator", "psea_coord", "admin"}


def _rejected(people, **data):
    from .. import services
    from ..choices import IntakeSource

    values = {"channel": "sms", "original_text": "No water", "admin_area": "ZZ99", **data}
    with pytest.raises(services.IntakeError) as caught:
        services.take_in(actor=None, group=people.group, data=values, source=IntakeSource.API)
    return caught.value.raw


@pytest.fixture
def raws(people):
    from .. import services
    from ..choices import IntakeSource

    sensitive = _rejected(people, original_text="The guard asked for sex", sensitive=True)
    ordinary = _rejected(people)
    accepted, _item = services.take_in(
        actor=people.intake,
        group=people.group,
        data={
            "channel": "hotline",
            "original_text": "A distributor asked for sex in exchange for food",
            "code": "c_sea_exploitation",
            "concerned_organisation": people.concerned,
        },
        source=IntakeSource.STAFF,
    )
    return sensitive, ordinary, accepted


@pytest.mark.parametrize("name", EVERYONE)
def test_raw_intake_visibility_matrix(people, raws, name):
    sensitive, ordinary, accepted = raws
    assert sensitive.sensitive and accepted.sensitive and not ordinary.sensitive
    user = _user(people, name)
    visible = set(selectors.raw_intake(user=user, status=None).values_list("pk", flat=True))
    assert (sensitive.pk in visible) == (name in REVIEWS_SENSITIVE_RAW)
    assert (ordinary.pk in visible) == (name in REVIEWS_ORDINARY_RAW)
    # Taken in as a sensitive item: seen as the item is (PSEA focal point, PSEA coordinator).
    assert (accepted.pk in visible) == (name in SEES_SENSITIVE)
    # The review list (rejected intake) and its count read through the same selector.
    waiting = selectors.raw_intake(user=user)
    assert waiting.filter(sensitive=True).count() == int(name in REVIEWS_SENSITIVE_RAW)


@pytest.mark.parametrize("name", EVERYONE)
def test_only_those_who_may_see_sensitive_intake_may_review_it(people, raws, name):
    from ..models import RawIntake

    sensitive, ordinary, accepted = raws
    user = _user(people, name)
    changeable = set(
        RawIntake.objects.restrict(user, Permission.CHANGE).values_list("pk", flat=True)
    )
    assert (sensitive.pk in changeable) == (name in REVIEWS_SENSITIVE_RAW)
    assert (ordinary.pk in changeable) == (name in REVIEWS_ORDINARY_RAW)
    assert accepted.pk not in changeable  # taken in already: nothing to review


def test_a_psea_coordinator_of_another_group_does_not_see_it(people, raws):
    from harambee.core.tests.factories import UserFactory

    from ..models import PseaCoordinator
    from .factories import CountryGroupFactory

    sensitive, _ordinary, _accepted = raws
    elsewhere = UserFactory()
    PseaCoordinator.objects.create(group=CountryGroupFactory(), user=elsewhere)
    assert not selectors.raw_intake(user=elsewhere, status=None).filter(pk=sensitive.pk).exists()


def test_sensitive_intake_awaiting_a_psea_coordinator_is_counted_for_those_who_name_one(
    people, raws
):
    from ..models import PseaCoordinator

    # With a PSEA coordinator named, nothing is waiting for one.
    assert selectors.sensitive_intake_awaiting_psea(user=people.coordinator) == []
    PseaCoordinator.objects.filter(group=people.group).delete()
    _rejected(people, code="c_fraud_payment")
    for name in ("coordinator", "admin"):
        rows = selectors.sensitive_intake_awaiting_psea(user=_user(people, name))
        assert rows == [{"group": people.group, "count": 2}]
    for name in ("intake", "colleague", "psea_focal", "outsider", "psea_coord"):
        assert selectors.sensitive_intake_awaiting_psea(user=_user(people, name)) == []
    # A PSEA coordinator who can no longer log in is nobody.
    people.psea_coordinator.is_active = False
    people.psea_coordinator.save()
    PseaCoordinator.objects.create(group=people.group, user=people.psea_coordinator)
    rows = selectors.sensitive_intake_awaiting_psea(user=people.coordinator)
    assert [r["count"] for r in rows] == [2]
