"""Telling people an item needs them: an in-app inbox message and an email.

Emails carry no content, only a link (email is not a safe place for a complaint's words, and a
sensitive case must not even say what it is about); the page behind the link checks access.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from harambee.core.choices import Role
from harambee.network.models import GroupRole

from .choices import FocalPointKind
from .models import FeedbackItem, FocalPoint, InboxMessage, PseaCoordinator


def _active(users: QuerySet[Any]) -> list[Any]:
    return list(users.filter(is_active=True).distinct().order_by("pk"))


def sensitive_recipients(item: FeedbackItem) -> list[Any]:
    """The PSEA focal points of the organisations concerned or referred to, and the group's
    PSEA coordinators: exactly the people who may see the item."""
    User = get_user_model()
    organisations = [
        pk for pk in (item.concerned_organisation_id, item.assigned_organisation_id) if pk
    ]
    focal = FocalPoint.objects.filter(
        organisation_id__in=organisations, kind=FocalPointKind.PSEA
    ).values("user_id")
    coordinators = PseaCoordinator.objects.filter(group_id=item.group_id).values("user_id")
    return _active(User.objects.filter(pk__in=focal) | User.objects.filter(pk__in=coordinators))


def referral_recipients(item: FeedbackItem) -> list[Any]:
    """The organisation's feedback focal points; without any, its editors."""
    User = get_user_model()
    organisation = item.assigned_organisation_id
    if organisation is None:
        return []
    focal = FocalPoint.objects.filter(
        organisation_id=organisation, kind=FocalPointKind.FEEDBACK
    ).values("user_id")
    users = _active(User.objects.filter(pk__in=focal))
    if users:
        return users
    editors = GroupRole.objects.filter(role__in=[Role.EDITOR, Role.COORDINATOR]).values("user_id")
    return _active(User.objects.filter(organisation_id=organisation, pk__in=editors))


def psea_coordinators(group_id: int) -> list[Any]:
    """The group's PSEA coordinators (active users): who reviews its sensitive raw intake."""
    User = get_user_model()
    named = PseaCoordinator.objects.filter(group_id=group_id).values("user_id")
    return _active(User.objects.filter(pk__in=named))


def group_coordinators(group_id: int) -> list[Any]:
    User = get_user_model()
    roles = GroupRole.objects.filter(group_id=group_id, role=Role.COORDINATOR).values("user_id")
    return _active(User.objects.filter(pk__in=roles))


def notify(
    users: Iterable[Any], *, item: FeedbackItem | None, kind: str, message: str, url: str = ""
) -> int:
    """An inbox message each, and one email each once the transaction commits."""
    users = list(users)
    if not users:
        return 0
    InboxMessage.objects.bulk_create(
        InboxMessage(user=u, item=item, kind=kind, message=message[:255]) for u in users
    )
    link = url or (reverse("feedback:item-detail", args=[item.pk]) if item else "")
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    body = _("%(message)s\n\nOpen it in Harambee (log in first): %(link)s") % {
        "message": message,
        "link": f"{base}{link}",
    }
    subject = _("[Harambee] Feedback needs your attention")
    mails = [(subject, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in users if u.email]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(users)
