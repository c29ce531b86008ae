"""Background work (django-tasks): email reminders for overdue progress reports."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_report_reminders(as_of: str | None = None) -> int:
    """Email the people of each organisation with overdue reports; returns emails sent."""
    from .selectors import overdue_reports

    day = datetime.date.fromisoformat(as_of) if as_of else None
    by_organisation = defaultdict(list)
    for due in overdue_reports(as_of=day):
        by_organisation[due.organisation.pk].append(due)
    users = (
        get_user_model()
        .objects.filter(organisation_id__in=list(by_organisation), is_active=True)
        .exclude(email="")
    )
    recipients = defaultdict(list)
    for user in users:
        recipients[user.organisation_id].append(user.email)
    sent = 0
    for organisation_id, items in by_organisation.items():
        if not recipients.get(organisation_id):
            continue
        lines = [
            _("- %(indicator)s (%(framework)s): %(start)s to %(end)s, due %(due)s")
            % {
                "indicator": due.indicator,
                "framework": due.indicator.framework.code,
                "start": due.period_start,
                "end": due.period_end,
                "due": due.due_date,
            }
            for due in items
        ]
        body = "\n".join(
            [
                _("Progress reports from %(organisation)s are overdue:")
                % {"organisation": items[0].organisation},
                "",
                *lines,
                "",
                _("Submit them in Harambee: Commitments → Progress reports."),
            ]
        )
        send_mail(
            _("Harambee: %(count)d progress report(s) overdue") % {"count": len(items)},
            body,
            settings.DEFAULT_FROM_EMAIL,
            sorted(recipients[organisation_id]),
        )
        sent += 1
    return sent


@task()
def refresh_statuses(as_of: str | None = None) -> dict[str, int]:
    """Recompute every commitment's cached status as of a day (default today).

    Queue it daily (`harambee commitments-refresh-status` from cron or a systemd timer): the
    expected value moves along the targets' line as time passes, so a stored status goes
    stale even when no report arrives."""
    from .services import refresh_all_statuses

    day = datetime.date.fromisoformat(as_of) if as_of else None
    return refresh_all_statuses(day)
