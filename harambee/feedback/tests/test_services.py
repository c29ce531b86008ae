"""Intake, referral, the loop closed, recoding, clustering, service levels, disclosure control."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from harambee.activities.tests.factories import SectorFactory, placed_activity
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.models import ChangeRecord

from .. import selectors, services, stats
from ..choices import AnswerChannel, EventKind, Satisfaction, SlaState, Status
from ..hashing import contact_hash
from ..models import FeedbackCluster, FeedbackItem
from ..sla import sla_state
from .factories import area, cast, feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


def _stored(item, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM feedback_feedbackitem WHERE id = %s", [item.pk])
        return cursor.fetchone()[0]


def test_personal_fields_are_encrypted_with_a_keyed_hash_beside_them(people):
    item = feedback(
        people.group,
        people.intake,
        contact="+93 700 123 456",
        contact_name="Amina",
        consent_given=True,
        wants_answer=True,
    )
    assert "700" not in _stored(item, "contact")
    assert "Amina" not in _stored(item, "contact_name")
    assert "distribution" not in _stored(item, "original_text")
    item.refresh_from_db()
    assert item.contact == "+93 700 123 456"
    assert item.contact_hash == contact_hash("0093700123456") != ""
    assert item.consent_given is True
    assert item.consent_policy_version == "2025-1"
    assert item.consent_purpose and item.consent_at is not None
    record = ChangeRecord.objects.for_object(item).get()
    assert "Amina" not in str(record.after) and "700" not in str(record.after)


def test_the_change_log_of_a_sensitive_item_keeps_neither_words_nor_category(people):
    item = feedback(
        people.group, people.intake, category="c_fraud", original_text="They asked me for money"
    )
    record = ChangeRecord.objects.for_object(item).get()
    assert "category" not in record.after and "summary" not in record.after
    assert "c_fraud" not in str(record.after) and "money" not in str(record.after)
    assert str(item) == item.reference


def test_sensitive_items_get_72_hours_and_high_priority(people):
    item = feedback(people.group, people.intake, category="c_safety")
    assert item.priority == "high"
    assert item.resolve_due - item.received_at == datetime.timedelta(hours=72)
    ordinary = feedback(people.group, people.intake, feedback_type="question")
    assert ordinary.resolve_due - ordinary.received_at == datetime.timedelta(hours=168)


def test_service_level_rows_override_the_defaults(people):
    from ..models import ServiceLevel

    ServiceLevel.objects.create(
        feedback_type="question", sensitive=False, hours_to_acknowledge=1, hours_to_resolve=10,
        hours_to_escalate=5,
    )  # fmt: skip
    item = feedback(people.group, people.intake, feedback_type="question")
    assert item.resolve_due - item.received_at == datetime.timedelta(hours=10)


def test_sla_states():
    now = timezone.now()
    item = FeedbackItem(
        received_at=now - datetime.timedelta(hours=10),
        acknowledge_due=now + datetime.timedelta(hours=10),
        resolve_due=now + datetime.timedelta(hours=100),
        status=Status.NEW,
    )
    assert sla_state(item, now) == SlaState.ON_TRACK
    assert sla_state(item, now + datetime.timedelta(hours=8)) == SlaState.AT_RISK
    assert sla_state(item, now + datetime.timedelta(hours=11)) == SlaState.BREACHED
    item.acknowledged_at = now
    assert sla_state(item, now + datetime.timedelta(hours=11)) == SlaState.ON_TRACK
    item.status, item.answered_at = Status.CLOSED, now + datetime.timedelta(hours=50)
    assert sla_state(item) == SlaState.MET


def test_referral_acknowledge_act_answer_each_on_the_timeline(
    people, django_capture_on_commit_callbacks
):
    item = feedback(
        people.group, people.intake, wants_answer=True, contact="+93700000001", consent_given=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.refer(
            actor=people.coordinator, item=item, organisation=people.concerned, note="yours"
        )
    assert [m.to for m in mail.outbox] == [[people.feedback_focal.email]]
    assert "distribution" not in mail.outbox[0].body  # no content in email
    services.acknowledge(actor=people.colleague, item=item)
    services.record_action(actor=people.colleague, item=item, note="Checked the list")
    services.give_answer(
        actor=people.colleague, item=item, answer="Next Tuesday", via=AnswerChannel.SMS,
        satisfaction=Satisfaction.SATISFIED,
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.answered_via == "sms"
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.REFERRED,
        EventKind.ACKNOWLEDGED,
        EventKind.ACTION,
        EventKind.ANSWERED,
        EventKind.CLOSED,
    ]
    times = selectors.response_times(FeedbackItem.objects.filter(pk=item.pk))
    assert times["loops_closed_share"] == 100


def test_reassigning_is_a_reassignment_and_only_editors_refer(people):
    item = feedback(people.group, people.intake)
    services.refer(actor=people.coordinator, item=item, organisation=people.concerned)
    services.refer(actor=people.coordinator, item=item, organisation=people.other)
    assert item.events.filter(kind=EventKind.REASSIGNED).exists()
    with pytest.raises(PermissionDeniedError):
        services.refer(actor=people.outsider, item=item, organisation=people.concerned)


def test_closing_without_the_answer_wanted_needs_a_reason(people):
    item = feedback(
        people.group, people.intake, wants_answer=True, contact="a@b.org", consent_given=True
    )
    with pytest.raises(ServiceError):
        services.close_item(actor=people.coordinator, item=item)
    services.close_item(actor=people.coordinator, item=item, note="Number does not answer")
    assert item.status == Status.CLOSED


def test_recoding_as_sensitive_routes_it_and_hides_it(people):
    item = feedback(people.group, people.intake, concerned_organisation=people.concerned)
    assert selectors.visible_items(user=people.intake).filter(pk=item.pk).exists()
    services.recode(
        actor=people.coordinator,
        item=item,
        data={"category": "c_sea", "feedback_type": "complaint", "code": ""},
    )
    assert not selectors.visible_items(user=people.intake).filter(pk=item.pk).exists()
    assert not selectors.visible_items(user=people.coordinator).filter(pk=item.pk).exists()
    assert selectors.visible_items(user=people.psea_focal).filter(pk=item.pk).exists()
    with pytest.raises(ServiceError):
        services.recode(
            actor=people.psea_focal,
            item=item,
            data={"category": "c_quality", "feedback_type": "complaint"},
        )


def test_nobody_named_means_the_coordinators_are_told_without_content(people):
    from ..models import InboxMessage, PseaCoordinator

    PseaCoordinator.objects.all().delete()
    feedback(people.group, None, category="c_abuse", original_text="He hit my son")
    notice = InboxMessage.objects.get(user=people.coordinator)
    assert notice.item is None and "hit" not in notice.message


def test_similar_items_of_one_place_and_week_are_clustered_and_rumours_rise(people):
    kabul = area()
    texts = [
        "They say the water in the camp is poisoned",
        "the water in the camp is poisoned, people say!",
        "People say the camp water is poisoned",
    ]
    made = [
        feedback(
            people.group,
            people.intake,
            original_text=t,
            admin_area=kabul,
            feedback_type="observation",
        )
        for t in texts
    ]
    other = feedback(
        people.group, people.intake, original_text="Thank you for the blankets", admin_area=kabul
    )
    clusters = {FeedbackItem.objects.get(pk=i.pk).cluster_id for i in made}
    assert len(clusters) == 1 and None not in clusters
    assert FeedbackItem.objects.get(pk=other.pk).cluster_id is None
    cluster = FeedbackCluster.objects.get()
    assert cluster.kind == "rumour"
    rumours = selectors.rising_rumours(user=people.coordinator, group=people.group)
    assert rumours[0]["count"] == 3 and rumours[0]["rising"]


def test_sensitive_items_are_never_clustered(people):
    for _ in range(2):
        feedback(people.group, people.intake, category="c_sea", original_text="Same words twice")
    assert not FeedbackCluster.objects.exists()


def test_suggestions_come_from_who_does_what_where(people):
    kabul = area("AF01")
    wash = SectorFactory(code="WSH")
    placed_activity(kabul, implementing_organisation=people.concerned, sector=wash)
    placed_activity(kabul, implementing_organisation=people.concerned, sector=wash)
    placed_activity(kabul, implementing_organisation=people.other, sector=SectorFactory(code="HEA"))
    item = feedback(people.group, people.intake, admin_area=kabul, sector=wash)
    suggested = services.suggest_organisations(user=people.coordinator, item=item)
    assert [(s["organisation"], s["activities"]) for s in suggested] == [(people.concerned, 2)]


# --- small-cell suppression ---------------------------------------------------------------------


def test_primary_and_secondary_suppression_one_way():
    table = stats.suppress_counts({"a": 10, "b": 3, "c": 20}, limit=5)
    cells = dict(table.one_way)
    assert cells["b"] is None  # primary
    assert cells["a"] is None  # secondary: the smallest other, or b = total - a - c
    assert cells["c"] == 20 and table.total == 33


def test_secondary_suppression_two_way_leaves_nothing_recoverable():
    counts = {
        ("r1", "x"): 2,
        ("r1", "y"): 9,
        ("r2", "x"): 8,
        ("r2", "y"): 12,
        ("r3", "x"): 7,
        ("r3", "y"): 6,
    }
    table = stats.suppress_small_cells(counts, limit=5)
    assert table.cells[("r1", "x")] is None
    # Every row and column with a hidden cell hides at least two of its members.
    for r in table.rows:
        members = [table.cells[(r, c)] for c in table.columns] + [table.row_totals[r]]
        assert members.count(None) != 1
    for c in table.columns:
        members = [table.cells[(r, c)] for r in table.rows] + [table.column_totals[c]]
        assert members.count(None) != 1


def test_no_small_cell_survives_and_zeros_stay():
    table = stats.suppress_counts({"a": 0, "b": 1, "c": 4, "d": 50}, limit=5)
    cells = dict(table.one_way)
    assert cells["a"] == 0 and cells["b"] is None and cells["c"] is None and cells["d"] == 50


# --- PSEA coordinators and service levels -----------------------------------------------------


def test_only_the_groups_coordinators_and_admins_name_psea_coordinators(people):
    from django.core.exceptions import ValidationError

    from harambee.core.choices import Role
    from harambee.network.tests.factories import GroupRoleFactory

    from ..models import PseaCoordinator

    elsewhere = people.outsider
    GroupRoleFactory(user=elsewhere, role=Role.COORDINATOR)  # coordinates another group
    for refused in (people.intake, people.psea_coordinator, elsewhere):
        with pytest.raises(PermissionDeniedError):
            services.psea_coordinator_add(
                actor=refused, group=people.group, user=people.other_focal
            )
    row = PseaCoordinator.objects.get(group=people.group)
    with pytest.raises(PermissionDeniedError):
        services.psea_coordinator_remove(
            actor=people.intake, psea_coordinator=row, expected_version=1
        )
    with pytest.raises(PermissionDeniedError):
        services.psea_coordinator_change(
            actor=elsewhere, psea_coordinator=row, user=people.other_focal, expected_version=1
        )
    # Someone outside the group cannot be named, not even by an admin.
    with pytest.raises(ValidationError) as error:
        services.psea_coordinator_add(actor=people.admin, group=people.group, user=elsewhere)
    assert "user" in error.value.message_dict
    named = services.psea_coordinator_add(
        actor=people.admin, group=people.group, user=people.other_focal
    )
    assert ChangeRecord.objects.for_object(named).get().action == "create"


def test_psea_coordinator_changes_carry_the_version_read(people):
    from django.core.exceptions import ValidationError

    from harambee.core.errors import StaleVersionError

    from ..models import PseaCoordinator

    row = PseaCoordinator.objects.get(group=people.group)
    with pytest.raises(ValidationError):
        services.psea_coordinator_change(
            actor=people.coordinator, psea_coordinator=row, user=people.other_focal
        )
    with pytest.raises(ValidationError):
        services.psea_coordinator_remove(actor=people.coordinator, psea_coordinator=row)
    services.psea_coordinator_change(
        actor=people.coordinator,
        psea_coordinator=row,
        user=people.other_focal,
        expected_version=1,
    )
    with pytest.raises(StaleVersionError):
        services.psea_coordinator_change(
            actor=people.coordinator,
            psea_coordinator=row,
            user=people.psea_coordinator,
            expected_version=1,
        )
    with pytest.raises(StaleVersionError):
        services.psea_coordinator_remove(
            actor=people.coordinator, psea_coordinator=row, expected_version=1
        )
    row.refresh_from_db()
    assert row.user == people.other_focal
    records = ChangeRecord.objects.for_object(row)
    services.psea_coordinator_remove(
        actor=people.coordinator, psea_coordinator=row, expected_version=2
    )
    assert not PseaCoordinator.objects.exists()
    assert [r.action for r in records] == ["delete", "update"]


def test_service_levels_are_changed_by_platform_admins_only(people):
    from harambee.core.errors import StaleVersionError

    data = {
        "feedback_type": "question",
        "sensitive": False,
        "hours_to_acknowledge": 4,
        "hours_to_resolve": 48,
        "hours_to_escalate": 24,
    }
    with pytest.raises(PermissionDeniedError):
        services.service_level_create(actor=people.coordinator, data=data)
    level = services.service_level_create(actor=people.admin, data=data)
    with pytest.raises(PermissionDeniedError):
        services.service_level_update(
            actor=people.coordinator,
            service_level=level,
            data={"hours_to_resolve": 1000},
            expected_version=1,
        )
    with pytest.raises(PermissionDeniedError):
        services.service_level_delete(
            actor=people.coordinator, service_level=level, expected_version=1
        )
    services.service_level_update(
        actor=people.admin, service_level=level, data={"hours_to_resolve": 96}, expected_version=1
    )
    with pytest.raises(StaleVersionError):
        services.service_level_update(
            actor=people.admin,
            service_level=level,
            data={"hours_to_resolve": 120},
            expected_version=1,
        )
    level.refresh_from_db()
    assert level.hours_to_resolve == 96
    assert [r.action for r in ChangeRecord.objects.for_object(level)] == ["update", "create"]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ((0, 48, 24), "hours_to_acknowledge"),
        ((72, 48, 60), "hours_to_acknowledge"),
        ((4, 48, 72), "hours_to_escalate"),
        ((24, 48, 12), "hours_to_escalate"),
    ],
)
def test_service_levels_must_make_sense(people, hours, field):
    from django.core.exceptions import ValidationError

    from ..models import ServiceLevel

    acknowledge, resolve, escalate = hours
    with pytest.raises(ValidationError) as error:
        services.service_level_create(
            actor=people.admin,
            data={
                "feedback_type": "",
                "sensitive": True,
                "hours_to_acknowledge": acknowledge,
                "hours_to_resolve": resolve,
                "hours_to_escalate": escalate,
            },
        )
    assert field in error.value.message_dict
    assert not ServiceLevel.objects.exists()


# --- sensitive raw intake --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "sensitive"),
    [
        ({"sensitive": True}, True),
        ({"sensitive": "on"}, True),  # a ticked box
        ({"sensitive": "true"}, True),
        ({"sensitive": "false"}, False),
        ({"sensitive": ""}, False),
        ({"category": "c_sea"}, True),
        ({"code": "c_safety_person"}, True),  # the code's category is sensitive
        ({"category": "q_assistance"}, False),
        ({"code": "no_such_code"}, False),
        ({}, False),
    ],
)
def test_one_rule_decides_what_was_declared_sensitive(declared, sensitive):
    from ..framework import declares_sensitive, raw_declares_sensitive

    assert declares_sensitive(declared) is sensitive
    assert raw_declares_sensitive(declared) is sensitive


def test_a_file_with_a_sensitive_key_in_any_cell_declares_it():
    from ..framework import raw_declares_sensitive

    ordinary = {"file": "f.csv", "headers": ["text", "cat"], "rows": [["Water", "q_assistance"]]}
    assert not raw_declares_sensitive(ordinary)
    flagged = {**ordinary, "rows": [*ordinary["rows"], ["Bribe", " c_fraud "]]}
    assert raw_declares_sensitive(flagged)
    assert not raw_declares_sensitive(None) and not raw_declares_sensitive(["c_sea"])


def _rejected_raw(people, **data):
    from ..choices import IntakeSource

    values = {"channel": "sms", "original_text": "The guard asked for sex", "admin_area": "ZZ99"}
    values.update(data)
    with pytest.raises(services.IntakeError) as caught:
        services.take_in(actor=None, group=people.group, data=values, source=IntakeSource.API)
    return caught.value.raw


def test_rejected_sensitive_intake_is_sent_to_the_psea_coordinators_without_content(
    people, django_capture_on_commit_callbacks
):
    from ..models import InboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        raw = _rejected_raw(people, sensitive=True)
    assert raw.sensitive
    notices = InboxMessage.objects.filter(kind=EventKind.ROUTED)
    assert set(notices.values_list("user__username", flat=True)) == {"psea_coord"}
    assert notices.get().item is None and "sex" not in notices.get().message
    assert [m.to for m in mail.outbox] == [[people.psea_coordinator.email]]
    assert f"/feedback/intake/{raw.pk}/" in mail.outbox[0].body
    assert "sex" not in mail.outbox[0].body


def test_without_a_psea_coordinator_the_coordinators_are_told_to_name_one(
    people, django_capture_on_commit_callbacks
):
    from ..models import InboxMessage, PseaCoordinator

    PseaCoordinator.objects.filter(group=people.group).delete()
    with django_capture_on_commit_callbacks(execute=True):
        _rejected_raw(people, category="c_sea")
    notice = InboxMessage.objects.get(kind=EventKind.ROUTED)
    assert notice.user == people.coordinator and "PSEA coordinator" in notice.message
    assert "sex" not in notice.message
    assert f"/feedback/groups/{people.group.pk}/psea/" in mail.outbox[0].body


def test_ordinary_rejected_intake_tells_nobody(people):
    from ..models import InboxMessage

    raw = _rejected_raw(people, original_text="No water")
    assert not raw.sensitive and not InboxMessage.objects.exists()


def test_only_the_psea_coordinator_reviews_sensitive_intake(people):
    from ..choices import RawStatus

    raw = _rejected_raw(people, sensitive=True)
    for user in (people.coordinator, people.admin, people.intake):
        with pytest.raises(PermissionDeniedError):
            services.resolve_raw(actor=user, raw=raw, note="spam")
    services.resolve_raw(actor=people.psea_coordinator, raw=raw, note="entered by hand")
    raw.refresh_from_db()
    assert raw.status == RawStatus.RESOLVED
    ordinary = _rejected_raw(people, original_text="No water")
    services.resolve_raw(actor=people.coordinator, raw=ordinary, note="spam")


def test_the_backfill_marks_intake_kept_before_the_flag_by_the_same_rule(people):
    import json

    from ..choices import IntakeSource, RawStatus
    from ..models import RawIntake

    def kept(payload):
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return RawIntake.objects.create(
            source=IntakeSource.API, group=people.group, payload=text, status=RawStatus.REJECTED
        )

    flagged = kept({"message": "Guard asked for sex", "sensitive": True})
    ticked = kept({"original_text": "x", "sensitive": "on"})
    coded = kept({"message": "x", "code": "c_abuse_physical"})
    in_a_file = kept({"file": "f.csv", "headers": ["a", "b"], "rows": [["x", "c_fraud"]]})
    ordinary = kept({"message": "No water", "sensitive": False, "category": "q_assistance"})
    unreadable = kept("not json")
    erased = kept("")
    assert not RawIntake.objects.filter(sensitive=True).exists()  # as before the flag
    assert services.mark_sensitive_raw_intake(batch_size=2) == 4
    marked = set(RawIntake.objects.filter(sensitive=True).values_list("pk", flat=True))
    assert marked == {flagged.pk, ticked.pk, coded.pk, in_a_file.pk}
    assert ordinary.pk not in marked and unreadable.pk not in marked and erased.pk not in marked
    assert services.mark_sensitive_raw_intake() == 0  # again: nothing left to mark
