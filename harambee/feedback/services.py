"""Writes for feedback: intake, routing of sensitive cases, referral, acknowledgement, action,
answer, escalation; focal points, PSEA coordinators, service levels and intake keys. Each step
is checked and audited; the steps of an item are put on its timeline (FeedbackEvent)."""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.activities.models import PopulationGroup, Sector
from harambee.activities.selectors import visible_activities
from harambee.core.access import access_for
from harambee.core.audit import record_change, snapshot
from harambee.core.choices import Action, Permission, Role
from harambee.core.errors import VERSION_MISSING, PermissionDeniedError, ServiceError
from harambee.core.services import (
    create_object,
    delete_object,
    require,
    require_create,
    update_object,
)
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea
from harambee.privacy.choices import ConsentMethod
from harambee.privacy.services import record_consent

from . import notifications, sla
from .choices import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    AnswerChannel,
    Channel,
    EventKind,
    IntakeSource,
    Priority,
    RawStatus,
    Satisfaction,
    Status,
)
from .framework import (
    CATEGORY_BY_KEY,
    CODE_TO_CATEGORY,
    FeedbackType,
    check_coding,
    declares_sensitive,
    is_flagged,
    is_sensitive,
    raw_declares_sensitive,
)
from .hashing import contact_hash
from .models import (
    FeedbackEvent,
    FeedbackItem,
    FocalPoint,
    IntakeToken,
    PseaCoordinator,
    RawIntake,
    ServiceLevel,
)

# Consent to be answered, as the platform records it (harambee.privacy.models.Consent).
FEEDBACK_CONSENT_PURPOSE = "feedback_answer"
CONSENT_METHODS: dict[str, str] = {
    IntakeSource.WEB_FORM: ConsentMethod.ONLINE,
    IntakeSource.API: ConsentMethod.INTERMEDIARY,
    IntakeSource.IMPORT: ConsentMethod.INTERMEDIARY,
    IntakeSource.STAFF: ConsentMethod.VERBAL,
}

# What the change log leaves out of a sensitive item (its timeline, behind the selector, has it).
SENSITIVE_AUDIT_KEYS = ("summary", "category", "code", "feedback_type", "sector", "priority")
MAX_TEXT = 10_000


class IntakeError(ServiceError):
    """Input that cannot become an item: a named code, a message, and the field at fault."""

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message, code=code)
        self.field = field
        self.raw: RawIntake | None = None  # the raw intake kept for review, once recorded


# --- timeline and audit -----------------------------------------------------------------------


def record_event(
    item: FeedbackItem,
    kind: str,
    *,
    actor: Any = None,
    organisation: Organisation | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    time: datetime.datetime | None = None,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        item=item,
        kind=kind,
        time=time or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        note=note,
        data=dict(data or {}),
    )


def _snapshot(item: FeedbackItem) -> dict[str, Any]:
    values = snapshot(item)
    if item.sensitive:
        for key in SENSITIVE_AUDIT_KEYS:
            values.pop(key, None)
    return values


def _audit(actor: Any, action: str, item: FeedbackItem, before: dict[str, Any] | None) -> None:
    after = _snapshot(item)
    if before != after:
        record_change(actor=actor, action=action, instance=item, before=before, after=after)


def _save(item: FeedbackItem, actor: Any, fields: list[str]) -> None:
    """Save changed fields, bump the version, write the change record."""
    before = _snapshot(FeedbackItem.objects.get(pk=item.pk))
    item.version += 1
    item.save(update_fields=[*fields, "version", "updated_at"])
    _audit(actor, Action.UPDATE, item, before)


def _may_route(actor: Any, item: FeedbackItem) -> bool:
    """Referring and reassigning: the group's editors (ordinary items) or the people who
    handle the sensitive case."""
    if actor is None:
        return True
    access = access_for(actor)
    if item.sensitive:
        return FeedbackItem.objects.filter(
            FeedbackItem.sensitive_condition(access), pk=item.pk
        ).exists()
    return access.is_admin or item.group_id in access.groups_with(Role.EDITOR)


# --- intake -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value or "").replace("\x00", "").strip()[:MAX_TEXT]


def _lookup(model: Any, value: Any, field: str, code: str, message: str) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(**{field: str(value).strip()})
    except (model.DoesNotExist, ValueError, TypeError, model.MultipleObjectsReturned) as exc:
        raise IntakeError(message, code=code, field=field) from exc


def clean_intake(group: Group, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check and complete what arrived; raise IntakeError with a named code when it cannot be
    an item (an empty message, an unknown channel, a place outside the country...)."""
    if group.country_id is None:
        raise IntakeError(
            _("Feedback belongs to a country group; this group has no country."),
            code="group_without_country",
            field="group",
        )
    text = _text(data.get("original_text"))
    summary = _text(data.get("summary"))[:2000]
    if not text and not summary:
        raise IntakeError(
            _("The message is empty: there are no words to take in."),
            code="empty_message",
            field="original_text",
        )
    channel = str(data.get("channel") or "").strip().lower()
    if channel not in Channel.values:
        raise IntakeError(
            _("Unknown channel “%(channel)s”; use one of: %(known)s.")
            % {"channel": channel[:40], "known": ", ".join(Channel.values)},
            code="unknown_channel",
            field="channel",
        )
    area = data.get("admin_area")
    if area not in (None, "") and not isinstance(area, AdminArea):
        code = str(area).strip()[:32]
        area = AdminArea.objects.filter(pcode__iexact=code).first()
        if area is None:
            raise IntakeError(
                _("Unknown place “%(pcode)s”: give the P-code of an admin area.") % {"pcode": code},
                code="unknown_place",
                field="admin_area",
            )
    if isinstance(area, AdminArea) and area.country_id != group.country_id:
        raise IntakeError(
            _("The place %(place)s is outside %(country)s, the country of this group.")
            % {"place": area.pcode, "country": group.country_id},
            code="place_outside_country",
            field="admin_area",
        )
    feedback_type = str(data.get("feedback_type") or "").strip()
    category = str(data.get("category") or "").strip()
    code = str(data.get("code") or "").strip()
    if code and not category and code in CODE_TO_CATEGORY:
        category = CODE_TO_CATEGORY[code].key
    if category and not feedback_type and category in CATEGORY_BY_KEY:
        feedback_type = CATEGORY_BY_KEY[category].feedback_type
    flagged = is_flagged(data.get("sensitive"))
    if flagged and not feedback_type:
        feedback_type = FeedbackType.COMPLAINT
    feedback_type = feedback_type or FeedbackType.INCOMPLETE
    if feedback_type not in FeedbackType.values:
        raise IntakeError(_("Unknown type."), code="invalid_coding", field="feedback_type")
    errors = check_coding(feedback_type, category, code)
    if errors:
        field, message = next(iter(errors.items()))
        raise IntakeError(message, code="invalid_coding", field=field)
    received_at = data.get("received_at") or timezone.now()
    if isinstance(received_at, datetime.date) and not isinstance(received_at, datetime.datetime):
        received_at = datetime.datetime.combine(received_at, datetime.time(12), tzinfo=datetime.UTC)
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at, datetime.UTC)
    if received_at > timezone.now() + datetime.timedelta(days=1):
        raise IntakeError(_("The date is in the future."), code="future_date", field="received_on")
    contact = _text(data.get("contact"))[:255]
    wants_answer = bool(data.get("wants_answer"))
    answer_channel = str(data.get("answer_channel") or "").strip()
    if answer_channel and answer_channel not in AnswerChannel.values:
        raise IntakeError(_("Unknown way to answer."), code="invalid", field="answer_channel")
    if wants_answer and not answer_channel:
        answer_channel = AnswerChannel.SMS if channel == Channel.SMS else AnswerChannel.PHONE
    if not wants_answer:
        answer_channel = AnswerChannel.NONE
    priority = str(data.get("priority") or Priority.NORMAL)
    if priority not in Priority.values:
        raise IntakeError(_("Unknown priority."), code="invalid", field="priority")
    sensitive = declares_sensitive(data)  # the flag, or the (given or implied) category
    if sensitive and PRIORITY_RANK[Priority(priority)] < PRIORITY_RANK[Priority.HIGH]:
        priority = Priority.HIGH
    consent = data.get("consent_given")
    return {
        "group": group,
        "country_id": group.country_id,
        "channel": channel,
        "received_at": received_at,
        "received_on": received_at.date(),
        "language": _text(data.get("language"))[:16],
        "admin_area": area or None,
        "population_group": _lookup(
            PopulationGroup,
            data.get("population_group"),
            "code",
            "unknown_population_group",
            _("Unknown population group."),
        ),
        "contact_name": _text(data.get("contact_name"))[:255],
        "contact": contact,
        "contact_hash": contact_hash(contact),
        "wants_answer": wants_answer,
        "answer_channel": answer_channel,
        "consent_given": None if consent is None else bool(consent),
        "consent_purpose": _text(data.get("consent_purpose"))[:255]
        or (settings.FEEDBACK_CONSENT_PURPOSE if consent else ""),
        "consent_policy_version": settings.FEEDBACK_PRIVACY_POLICY_VERSION
        if consent is not None
        else "",
        "consent_at": timezone.now() if consent is not None else None,
        "original_text": text,
        "summary": summary,
        "feedback_type": feedback_type,
        "category": category,
        "code": code,
        "sensitive": sensitive,
        "sector": data.get("sector") or None,
        "priority": priority,
        "concerned_organisation": data.get("concerned_organisation") or None,
        "concerned_activity": data.get("concerned_activity") or None,
    }


@transaction.atomic
def submit_feedback(
    *,
    actor: Any,
    group: Group,
    data: Mapping[str, Any],
    source: str,
    raw: RawIntake | None = None,
) -> FeedbackItem:
    """Take one item in: check it, store it, route a sensitive case at once, cluster it."""
    if source == IntakeSource.STAFF:
        require_create(actor, FeedbackItem)
    values = clean_intake(group, data)
    if isinstance(values["sector"], str):
        values["sector"] = _lookup(
            Sector, values["sector"], "code", "unknown_sector", _("Unknown sector.")
        )
    due = sla.due_dates(values["feedback_type"], values["sensitive"], values["received_at"])
    activity = values["concerned_activity"]
    if activity is not None and values["concerned_organisation"] is None:
        values["concerned_organisation"] = activity.implementing_organisation
    item = FeedbackItem(
        **values,
        **due,
        source=source,
        raw_intake=raw,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        item.full_clean(exclude=["group", "country", "raw_intake", "created_by", "cluster"])
    except ValidationError as exc:
        field = next(iter(getattr(exc, "message_dict", {"": ""})))
        raise IntakeError(" ".join(exc.messages), code="invalid", field=field) from exc
    item.save()
    record_change(
        actor=actor, action=Action.CREATE, instance=item, before=None, after=_snapshot(item)
    )
    if item.consent_given:
        # The platform's consent record (one place the data protection officer reads); the
        # item's own consent fields say the same for the feedback pages.
        record_consent(
            subject=item,
            purpose=FEEDBACK_CONSENT_PURPOSE,
            actor=actor,
            method=CONSENT_METHODS.get(source, str(ConsentMethod.VERBAL)),
            policy_version=item.consent_policy_version,
            given_at=item.consent_at,
        )
    record_event(
        item,
        EventKind.RECEIVED,
        actor=actor,
        time=item.received_at,
        data={"channel": item.channel, "source": source},
    )
    if item.sensitive:
        route_sensitive(item)
    else:
        from .clustering import assign_cluster

        assign_cluster(item)
    return item


def route_sensitive(item: FeedbackItem) -> int:
    """Send a sensitive item at once to the only people who may see it. If nobody is named,
    the group's coordinators are told (without any content) to name a PSEA coordinator."""
    recipients = notifications.sensitive_recipients(item)
    record_event(item, EventKind.ROUTED, data={"recipients": len(recipients)})
    if recipients:
        return notifications.notify(
            recipients,
            item=item,
            kind=EventKind.ROUTED,
            message=_("A confidential feedback item (%(ref)s) was sent to you.")
            % {"ref": item.reference},
        )
    notifications.notify(
        notifications.group_coordinators(item.group_id),
        item=None,
        kind=EventKind.ROUTED,
        message=_(
            "A confidential feedback item arrived for %(group)s but no PSEA coordinator is "
            "named: name one so it can be handled."
        )
        % {"group": item.group.name},
    )
    return 0


def record_raw(
    *,
    source: str,
    group: Group | None,
    payload: Mapping[str, Any],
    channel: str = "",
    token: IntakeToken | None = None,
    received_by: Any = None,
    file_name: str = "",
    external_id: str = "",
    sensitive: bool = False,
) -> RawIntake:
    """Keep what arrived before reading it (kept even if reading it fails). It is sensitive
    when the sender said so — `sensitive`, or in the payload a flag, a sensitive category or
    code (framework.declares_sensitive) — and is then seen as a sensitive item is."""
    return RawIntake.objects.create(
        source=source,
        group=group,
        token=token,
        received_by=received_by if getattr(received_by, "is_authenticated", False) else None,
        channel=str(channel or "")[:64],
        file_name=file_name[:255],
        external_id=str(external_id or "")[:128],
        payload=json.dumps(payload, ensure_ascii=False, default=str),
        sensitive=sensitive or raw_declares_sensitive(payload),
        status=RawStatus.REJECTED,  # until an item is made from it
    )


def reject_raw(raw: RawIntake, exc: IntakeError | list[dict[str, Any]]) -> None:
    if isinstance(exc, list):
        raw.errors = exc
        raw.error_code = str(exc[0].get("code", "invalid")) if exc else "invalid"
    else:
        raw.errors = [{"code": exc.code, "field": exc.field, "message": exc.message}]
        raw.error_code = exc.code
    raw.status = RawStatus.REJECTED
    raw.save(update_fields=["errors", "error_code", "status", "updated_at"])
    if raw.sensitive:
        route_sensitive_raw(raw)


def route_sensitive_raw(raw: RawIntake) -> int:
    """Sensitive intake that could not be read into an item waits for the group's PSEA
    coordinators, the only people who may review it: they are told (without any content). If
    none is named, the group's coordinators are told — they cannot read it — to name one (as
    `route_sensitive` does for items)."""
    if raw.group_id is None:
        return 0
    recipients = notifications.psea_coordinators(raw.group_id)
    if recipients:
        return notifications.notify(
            recipients,
            item=None,
            kind=EventKind.ROUTED,
            message=_(
                "A confidential message (intake #%(pk)s) could not be taken in as feedback: "
                "review it."
            )
            % {"pk": raw.pk},
            url=reverse("feedback:raw-detail", args=[raw.pk]),
        )
    notifications.notify(
        notifications.group_coordinators(raw.group_id),
        item=None,
        kind=EventKind.ROUTED,
        message=_(
            "A confidential message for %(group)s could not be taken in as feedback and no "
            "PSEA coordinator is named to review it: name one."
        )
        % {"group": raw.group.name if raw.group else ""},
        url=reverse("feedback:psea-coordinators", args=[raw.group_id]),
    )
    return 0


def mark_sensitive_raw_intake(*, model: Any = RawIntake, batch_size: int = 500) -> int:
    """Set `sensitive` on raw intake kept before the flag existed, by the rule intake applies
    now (framework.raw_declares_sensitive on the decrypted payload), in batches of
    `batch_size` rows by primary key. Returns how many rows were marked. Called by migration
    0004 with the historical model; safe to run again."""
    marked = 0
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last, sensitive=False)
            .order_by("pk")
            .only("pk", "payload")[:batch_size]
        )
        if not rows:
            return marked
        last = rows[-1].pk
        found = [row.pk for row in rows if raw_declares_sensitive(_parsed(row.payload))]
        if found:
            marked += model.objects.filter(pk__in=found).update(sensitive=True)


def _parsed(payload: str | None) -> Any:
    try:
        return json.loads(payload or "")
    except ValueError:
        return None


def accept_raw(raw: RawIntake, count: int) -> None:
    RawIntake.objects.filter(pk=raw.pk).update(
        status=RawStatus.ACCEPTED, item_count=count, error_code="", errors=[]
    )
    raw.status, raw.item_count = RawStatus.ACCEPTED, count


def take_in(
    *,
    actor: Any,
    group: Group,
    data: Mapping[str, Any],
    source: str,
    token: IntakeToken | None = None,
    payload: Mapping[str, Any] | None = None,
) -> tuple[RawIntake, FeedbackItem]:
    """Raw intake kept first, then the item; on bad input the raw intake waits for review and
    the IntakeError goes up to the caller (who says what was wrong).

    One transaction (one commit): the item is made inside a savepoint, so bad input rolls back
    to the raw intake, which is then marked rejected and committed.
    """
    with transaction.atomic():
        raw = record_raw(
            source=source,
            group=group,
            payload=payload if payload is not None else data,
            channel=str(data.get("channel") or ""),
            token=token,
            received_by=actor,
            external_id=str(data.get("external_id") or ""),
            sensitive=declares_sensitive(data),
        )
        try:
            item = submit_feedback(actor=actor, group=group, data=data, source=source, raw=raw)
        except IntakeError as exc:
            reject_raw(raw, exc)
            exc.raw = raw
            error = exc
        else:
            accept_raw(raw, 1)
            return raw, item
    raise error


@transaction.atomic
def resolve_raw(*, actor: Any, raw: RawIntake, note: str = "") -> RawIntake:
    """A reviewer dealt with rejected intake (entered it by hand, or judged it spam). Sensitive
    intake is reviewed only by those who may see it (RawIntake.permission_filter)."""
    if not RawIntake.objects.restrict(actor, Permission.CHANGE).filter(pk=raw.pk).exists():
        raise PermissionDeniedError(_("You may not review this intake."))
    raw.status = RawStatus.RESOLVED
    raw.errors = [*raw.errors, {"code": "reviewed", "message": note[:500]}]
    raw.save(update_fields=["status", "errors", "updated_at"])
    return raw


# --- intake keys ------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: Any, organisation: Organisation, group: Group, name: str
) -> tuple[IntakeToken, str]:
    """A new intake key; the key itself is returned once and only its hash is stored."""
    access = access_for(actor) if actor is not None else None
    if access is not None and not access.is_admin:
        require_create(actor, IntakeToken)
        if access.organisation_id != organisation.pk:
            raise PermissionDeniedError(_("You may only create keys for your organisation."))
    key = "hfb_" + secrets.token_urlsafe(32)
    token = create_object(
        IntakeToken,
        actor=actor,
        check_permission=False,
        data={
            "organisation": organisation,
            "group": group,
            "name": name,
            "prefix": key[:8],
            "key_hash": hash_key(key),
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    return token, key


def token_for_key(key: str) -> IntakeToken | None:
    token = (
        IntakeToken.objects.select_related("group", "organisation")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
            IntakeToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_revoke(*, actor: Any, token: IntakeToken) -> IntakeToken:
    require(actor, Permission.CHANGE, token)
    before = snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    record_change(
        actor=actor, action=Action.UPDATE, instance=token, before=before, after=snapshot(token)
    )
    return token


# --- focal points -----------------------------------------------------------------------------


def focal_point_add(*, actor: Any, organisation: Organisation, user: Any, kind: str) -> FocalPoint:
    access = access_for(actor) if actor is not None else None
    if access is not None and not access.is_admin and access.organisation_id != organisation.pk:
        raise PermissionDeniedError(_("You may only name focal points of your organisation."))
    return create_object(
        FocalPoint, actor=actor, data={"organisation": organisation, "user": user, "kind": kind}
    )


def focal_point_remove(*, actor: Any, focal_point: FocalPoint) -> None:
    delete_object(focal_point, actor=actor)


def may_name_psea_coordinator(actor: Any, group: Group) -> bool:
    """The group's coordinators and platform admins (actor=None: the system) name, change and
    remove the group's PSEA coordinators."""
    if actor is None:
        return True
    access = access_for(actor)
    return access.is_admin or group.pk in access.groups_with(Role.COORDINATOR)


def _require_psea_naming(actor: Any, group: Group) -> None:
    if not may_name_psea_coordinator(actor, group):
        raise PermissionDeniedError(_("Only the group's coordinators name its PSEA coordinator."))


def _require_psea_candidate(group: Group, user: Any) -> None:
    from .selectors import psea_candidates

    if user is None or not psea_candidates(group=group).filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "user": _(
                    "Choose someone of this group: a user with a role in it, or of one of its "
                    "member organisations."
                )
            }
        )


@transaction.atomic
def psea_coordinator_add(*, actor: Any, group: Group, user: Any) -> PseaCoordinator:
    """Name a PSEA coordinator of the group: from then on they see the group's sensitive
    feedback. Only someone of the group (a role in it, or a member organisation) may be named."""
    _require_psea_naming(actor, group)
    _require_psea_candidate(group, user)
    return create_object(
        PseaCoordinator, actor=actor, check_permission=False, data={"group": group, "user": user}
    )


@transaction.atomic
def psea_coordinator_change(
    *,
    actor: Any,
    psea_coordinator: PseaCoordinator,
    user: Any,
    expected_version: int | None = None,
) -> PseaCoordinator:
    """Hand the role to someone else, from the version the coordinator saw."""
    group = psea_coordinator.group
    _require_psea_naming(actor, group)
    if expected_version is None and actor is not None:
        raise ValidationError({"version": VERSION_MISSING})
    _require_psea_candidate(group, user)
    return update_object(
        psea_coordinator,
        actor=actor,
        data={"user": user},
        expected_version=expected_version,
        check_permission=False,
    )


@transaction.atomic
def psea_coordinator_remove(
    *, actor: Any, psea_coordinator: PseaCoordinator, expected_version: int | None = None
) -> None:
    """Remove a PSEA coordinator (they no longer see the group's sensitive feedback)."""
    _require_psea_naming(actor, psea_coordinator.group)
    if expected_version is None and actor is not None:
        raise ValidationError({"version": VERSION_MISSING})
    delete_object(
        psea_coordinator, actor=actor, expected_version=expected_version, check_permission=False
    )


# --- service levels ---------------------------------------------------------------------------

SERVICE_LEVEL_FIELDS = (
    "feedback_type",
    "sensitive",
    "hours_to_acknowledge",
    "hours_to_resolve",
    "hours_to_escalate",
)


def _service_level_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in SERVICE_LEVEL_FIELDS if name in data}


def service_level_create(*, actor: Any, data: Mapping[str, Any]) -> ServiceLevel:
    """A service level for a type and sensitivity (platform admins: the levels hold for every
    group). Items taken in from then on get its hours; items already in keep their due dates."""
    return create_object(ServiceLevel, actor=actor, data=_service_level_data(data))


def service_level_update(
    *,
    actor: Any,
    service_level: ServiceLevel,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> ServiceLevel:
    if expected_version is None and actor is not None:
        raise ValidationError({"version": VERSION_MISSING})
    return update_object(
        service_level,
        actor=actor,
        data=_service_level_data(data),
        expected_version=expected_version,
    )


def service_level_delete(
    *, actor: Any, service_level: ServiceLevel, expected_version: int | None = None
) -> None:
    """Back to the default hours (settings.FEEDBACK_SERVICE_LEVELS, sla.DEFAULT_LEVELS)."""
    if expected_version is None and actor is not None:
        raise ValidationError({"version": VERSION_MISSING})
    delete_object(service_level, actor=actor, expected_version=expected_version)


# --- referral, action, answer -----------------------------------------------------------------


def suggest_organisations(*, user: Any, item: FeedbackItem, limit: int = 5) -> list[dict[str, Any]]:
    """Who works in this place and sector, from who-does-what-where: organisations with the
    most activities there first (activities the user may see)."""
    activities = visible_activities(user=user).filter(country_id=item.country_id)
    if item.sector_id:
        activities = activities.filter(sector_id=item.sector_id)
    if item.admin_area is not None:
        area = item.admin_area
        areas = [area.pk]
        parent = area.parent
        while parent is not None:
            areas.append(parent.pk)
            parent = parent.parent
        activities = activities.filter(
            Q(places__admin_area_id__in=areas) | Q(places__admin_area__parent_id=item.admin_area_id)
        )
    rows = (
        activities.values("implementing_organisation")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "implementing_organisation")[:limit]
    )
    counts = {r["implementing_organisation"]: r["n"] for r in rows}
    organisations = Organisation.objects.in_bulk(list(counts))
    return [
        {"organisation": organisations[pk], "activities": n}
        for pk, n in counts.items()
        if pk in organisations
    ]


@transaction.atomic
def refer(
    *, actor: Any, item: FeedbackItem, organisation: Organisation, note: str = ""
) -> FeedbackItem:
    """Send the item to the organisation that must act (again: a reassignment)."""
    require(actor, Permission.CHANGE, item)
    if not _may_route(actor, item):
        raise PermissionDeniedError(_("Only the group's editors refer feedback."))
    if not item.is_open:
        raise ServiceError(_("This item is closed; reopen it first."), code="item_closed")
    previous = item.assigned_organisation
    reassigned = previous is not None and previous.pk != organisation.pk
    now = timezone.now()
    item.assigned_organisation = organisation
    item.referred_at = now
    item.status = Status.REFERRED
    item.acknowledged_at = None
    fields = ["assigned_organisation", "referred_at", "status", "acknowledged_at"]
    if reassigned:
        # A new organisation gets a fresh clock to acknowledge; the answer stays due.
        level = sla.level_for(item.feedback_type, item.sensitive)
        item.acknowledge_due = now + datetime.timedelta(hours=level.acknowledge)
        fields.append("acknowledge_due")
    _save(item, actor, fields)
    record_event(
        item,
        EventKind.REASSIGNED if reassigned else EventKind.REFERRED,
        actor=actor,
        organisation=organisation,
        note=note,
        data={"from": previous.pk if previous else None, "to": organisation.pk},
    )
    if item.sensitive:
        recipients = notifications.sensitive_recipients(item)
    else:
        recipients = notifications.referral_recipients(item)
    notifications.notify(
        recipients,
        item=item,
        kind=EventKind.REFERRED,
        message=_("Feedback %(ref)s was referred to %(org)s.")
        % {"ref": item.reference, "org": organisation.acronym or organisation.name},
    )
    return item


@transaction.atomic
def acknowledge(*, actor: Any, item: FeedbackItem, note: str = "") -> FeedbackItem:
    require(actor, Permission.CHANGE, item)
    if item.acknowledged_at is not None:
        raise ServiceError(_("Already acknowledged."), code="already_acknowledged")
    item.acknowledged_at = timezone.now()
    if item.status in (Status.NEW, Status.REFERRED):
        item.status = Status.ACKNOWLEDGED
    _save(item, actor, ["acknowledged_at", "status"])
    record_event(
        item,
        EventKind.ACKNOWLEDGED,
        actor=actor,
        organisation=item.assigned_organisation,
        note=note,
    )
    return item


@transaction.atomic
def record_action(*, actor: Any, item: FeedbackItem, note: str) -> FeedbackItem:
    require(actor, Permission.CHANGE, item)
    if not note.strip():
        raise ServiceError(_("Say what was done."), code="invalid")
    fields = []
    if item.acknowledged_at is None:
        item.acknowledged_at = timezone.now()
        fields.append("acknowledged_at")
    if item.status in (Status.NEW, Status.REFERRED, Status.ACKNOWLEDGED):
        item.status = Status.IN_PROGRESS
        fields.append("status")
    if fields:
        _save(item, actor, fields)
    record_event(
        item, EventKind.ACTION, actor=actor, organisation=item.assigned_organisation, note=note
    )
    return item


@transaction.atomic
def give_answer(
    *,
    actor: Any,
    item: FeedbackItem,
    answer: str,
    via: str,
    answered_at: datetime.datetime | None = None,
    satisfaction: str = Satisfaction.NOT_ASKED,
    close: bool = True,
) -> FeedbackItem:
    """Close the loop: what the person was told, how and when, and whether they were satisfied."""
    require(actor, Permission.CHANGE, item)
    if not answer.strip():
        raise ServiceError(_("Write the answer given to the person."), code="invalid")
    if via not in AnswerChannel.values or via == AnswerChannel.NONE:
        raise ServiceError(_("Say how the person was answered."), code="invalid")
    if satisfaction not in Satisfaction.values:
        raise ServiceError(_("Unknown satisfaction."), code="invalid")
    now = timezone.now()
    item.answer = answer.strip()[:MAX_TEXT]
    item.answered_via = via
    item.answered_at = answered_at or now
    item.satisfaction = satisfaction
    item.acknowledged_at = item.acknowledged_at or now
    item.status = Status.CLOSED if close else Status.ANSWERED
    fields = ["answer", "answered_via", "answered_at", "satisfaction", "acknowledged_at", "status"]
    if close:
        item.closed_at = now
        fields.append("closed_at")
    _save(item, actor, fields)
    record_event(
        item,
        EventKind.ANSWERED,
        actor=actor,
        organisation=item.assigned_organisation,
        time=item.answered_at,
        data={"via": via, "satisfaction": satisfaction},
    )
    if close:
        record_event(item, EventKind.CLOSED, actor=actor)
    return item


@transaction.atomic
def close_item(*, actor: Any, item: FeedbackItem, note: str = "") -> FeedbackItem:
    """Close without an answer (none wanted, or no way to reach the person): say why."""
    require(actor, Permission.CHANGE, item)
    if item.wants_answer and not item.answered_at and not note.strip():
        raise ServiceError(
            _("The person wanted an answer: give it, or say why it cannot be given."),
            code="answer_missing",
        )
    item.status = Status.CLOSED
    item.closed_at = timezone.now()
    _save(item, actor, ["status", "closed_at"])
    record_event(item, EventKind.CLOSED, actor=actor, note=note)
    return item


@transaction.atomic
def recode(*, actor: Any, item: FeedbackItem, data: Mapping[str, Any]) -> FeedbackItem:
    """Change the coding (type, category, code, sector, priority, summary). Coding an item as
    sensitive routes it to the focal points at once, and out of everyone else's sight."""
    require(actor, Permission.CHANGE, item)
    feedback_type = data.get("feedback_type", item.feedback_type)
    category = data.get("category", item.category)
    code = data.get("code", item.code)
    errors = check_coding(feedback_type, category, code)
    if errors:
        raise ValidationError(errors)
    became_sensitive = not item.sensitive and is_sensitive(category)
    if item.sensitive and not is_sensitive(category) and not data.get("confirm_not_sensitive"):
        raise ServiceError(
            _("This item is sensitive; confirm that it is not before coding it otherwise."),
            code="sensitive_downgrade",
        )
    item.feedback_type, item.category, item.code = feedback_type, category, code
    for name in ("sector", "priority", "summary", "concerned_organisation"):
        if name in data:
            setattr(item, name, data[name])
    fields = ["feedback_type", "category", "code", "sector", "priority", "summary"]
    fields.append("concerned_organisation")
    if item.sensitive != is_sensitive(category):
        item.sensitive = is_sensitive(category)
        fields.append("sensitive")
    if became_sensitive:
        item.cluster = None
        fields.append("cluster")
        if PRIORITY_RANK[Priority(item.priority)] < PRIORITY_RANK[Priority.HIGH]:
            item.priority = Priority.HIGH
    _save(item, actor, fields)
    record_event(
        item,
        EventKind.CODED,
        actor=actor,
        data={"type": feedback_type, "category": category, "code": code},
    )
    if became_sensitive:
        FeedbackEvent.objects.filter(item=item, kind=EventKind.CLUSTERED).delete()
        route_sensitive(item)
    return item


# --- service levels and escalation ------------------------------------------------------------


@transaction.atomic
def escalate(item: FeedbackItem, *, now: datetime.datetime | None = None) -> FeedbackItem:
    """Overdue: raise the priority, tell whoever can reassign it, mark it on the timeline."""
    now = now or timezone.now()
    locked = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    if locked.escalated_at is not None or locked.status not in OPEN_STATUSES:
        return locked
    locked.escalated_at = now
    if PRIORITY_RANK[Priority(locked.priority)] < PRIORITY_RANK[Priority.HIGH]:
        locked.priority = Priority.HIGH
    _save(locked, None, ["escalated_at", "priority"])
    overdue = "acknowledge" if locked.acknowledged_at is None else "answer"
    record_event(locked, EventKind.ESCALATED, time=now, data={"overdue": overdue})
    if locked.sensitive:
        recipients = notifications.sensitive_recipients(locked)
    else:
        recipients = notifications.group_coordinators(locked.group_id)
    notifications.notify(
        recipients,
        item=locked,
        kind=EventKind.ESCALATED,
        message=_("Feedback %(ref)s is overdue: reassign it or follow it up.")
        % {"ref": locked.reference},
    )
    return locked


def escalate_overdue(*, now: datetime.datetime | None = None) -> int:
    """Every open item past its escalation time and not escalated yet."""
    now = now or timezone.now()
    overdue = FeedbackItem.objects.filter(
        status__in=OPEN_STATUSES, escalate_at__lte=now, escalated_at__isnull=True
    ).order_by("escalate_at")
    count = 0
    for item in overdue.iterator(chunk_size=200):
        escalate(item, now=now)
        count += 1
    return count


def mark_read(*, user: Any, message_ids: list[int]) -> int:
    from .models import InboxMessage

    return (
        InboxMessage.objects.restrict(user, Permission.VIEW)
        .filter(pk__in=message_ids, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
