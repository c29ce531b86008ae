"""Escalation of overdue feedback by the background task and its command."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from ..choices import EventKind
from ..models import FeedbackItem, InboxMessage
from ..services import escalate_overdue
from ..tasks import escalate_overdue as escalate_task
from .factories import cast, feedback

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


def test_overdue_items_are_escalated_once_and_the_right_people_told(people):
    ordinary = feedback(people.group, people.intake)
    sensitive = feedback(
        people.group, people.intake, category="c_sea", concerned_organisation=people.concerned
    )
    fresh = feedback(people.group, people.intake)
    past = timezone.now() - datetime.timedelta(hours=1)
    FeedbackItem.objects.filter(pk__in=[ordinary.pk, sensitive.pk]).update(escalate_at=past)
    InboxMessage.objects.all().delete()

    assert escalate_task.call() == 2
    assert escalate_overdue() == 0  # once only
    ordinary.refresh_from_db()
    assert ordinary.escalated_at is not None and ordinary.priority == "high"
    assert ordinary.events.filter(kind=EventKind.ESCALATED).exists()
    assert not FeedbackItem.objects.get(pk=fresh.pk).escalated_at
    told = {(m.item_id, m.user.username) for m in InboxMessage.objects.select_related("user")}
    assert (ordinary.pk, "coordinator") in told
    assert {u for i, u in told if i == sensitive.pk} == {"psea_focal", "psea_coord"}


def test_sensitive_items_escalate_after_48_hours_by_default(people):
    item = feedback(people.group, people.intake, category="c_safety")
    assert escalate_overdue(now=item.received_at + datetime.timedelta(hours=47)) == 0
    assert escalate_overdue(now=item.received_at + datetime.timedelta(hours=49)) == 1


def test_closed_items_are_not_escalated(people):
    item = feedback(people.group, people.intake)
    FeedbackItem.objects.filter(pk=item.pk).update(status="closed", escalate_at=timezone.now())
    assert escalate_overdue() == 0


def test_the_command_runs_or_enqueues(people, settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    item = feedback(people.group, people.intake)
    FeedbackItem.objects.filter(pk=item.pk).update(
        escalate_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("feedback_escalate", "--now")
    assert "1 item(s) escalated" in capsys.readouterr().out
    call_command("feedback_escalate")
    assert "Enqueued" in capsys.readouterr().out
