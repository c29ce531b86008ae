"""Feedback and complaints from affected people: items, their timeline, referrals and who handles
sensitive cases.

The visibility rule (see `FeedbackItem.permission_filter`) comes in a pair of permissions:

- VIEW: feedback that is *not* sensitive — to the country group's members, the organisation it
  is referred to or concerns, the person who took it in, and platform admins;
- VIEW_SENSITIVE: sensitive feedback (sexual exploitation and abuse, other abuse, fraud or
  corruption, safety threats) — only to the named PSEA focal points of the organisation
  concerned (or referred to) and the group's PSEA coordinators. Nobody else: not platform
  admins, not group coordinators, not the person who took it in.

`selectors.visible_items` is the one place both are combined; every page, API endpoint, export
and count reads through it, so a plain `restrict(user)` can never show a sensitive item.
Raw intake follows the same pair through its stored `sensitive` flag (what the sender declared,
since its words are encrypted): `RawIntake.permission_filter`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harambee.activities.models import Activity, PopulationGroup, Sector
from harambee.core.access import Access
from harambee.core.choices import Permission, Role
from harambee.core.fields import EncryptedTextField, HashField
from harambee.core.models import NOTHING, BaseModel
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea, Country

from .choices import (
    AnswerChannel,
    Channel,
    ClusterKind,
    EventKind,
    FocalPointKind,
    IntakeSource,
    Priority,
    RawStatus,
    Satisfaction,
    Status,
)
from .framework import FeedbackType

# The second permission of the pair: sensitive items. Never implied by VIEW.
VIEW_SENSITIVE = "view_sensitive"
# Aggregates with small cells suppressed (the public dashboard): never sensitive items.
AGGREGATE = "aggregate"


class FocalPoint(BaseModel):
    """A named person of an organisation who receives its referrals (feedback) or its sensitive
    cases (PSEA and safeguarding)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="feedback_focal_points",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="feedback_focal_points",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FocalPointKind.choices)

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["organisation__name", "kind", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "kind"], name="focalpoint_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_kind_display()})"

    def clean(self) -> None:
        super().clean()
        if (
            self.user_id
            and self.organisation_id
            and self.user.organisation_id != self.organisation_id
        ):
            raise ValidationError({"user": _("A focal point works for the organisation.")})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Users see their own; the organisation's coordinators name and remove them."""
        if access.is_admin:
            return None
        condition = NOTHING
        if access.organisation_id is not None and access.has_role_anywhere(Role.COORDINATOR):
            condition = Q(organisation_id=access.organisation_id)
        if action == Permission.VIEW and access.user_id is not None:
            condition |= Q(user_id=access.user_id)
        return condition

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.COORDINATOR)
        )


class PseaCoordinator(BaseModel):
    """The country group's PSEA (protection from sexual exploitation and abuse) coordinator."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="psea_coordinators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="psea_coordination",
    )

    class Meta:
        verbose_name = _("PSEA coordinator")
        verbose_name_plural = _("PSEA coordinators")
        ordering = ["group", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="pseacoordinator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.group}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """The group's coordinators name them; users see their own."""
        if access.is_admin:
            return None
        groups = access.groups_with(Role.COORDINATOR)
        condition = Q(group_id__in=groups) if groups else NOTHING
        if action == Permission.VIEW and access.user_id is not None:
            condition |= Q(user_id=access.user_id)
        return condition

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.COORDINATOR)


class IntakeToken(BaseModel):
    """A key an SMS gateway or chatbot sends with each message; only its hash is stored."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="feedback_intake_tokens",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("country group"),
        on_delete=models.CASCADE,
        related_name="feedback_intake_tokens",
        help_text=_("Feedback that arrives with this key belongs to this group."),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 'SMS gateway'."))
    prefix = models.CharField(_("key prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    audit_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "key_hash",
        "last_used_at",
    )

    class Meta:
        verbose_name = _("intake key")
        verbose_name_plural = _("intake keys")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """The organisation's editors see and manage its keys."""
        if access.is_admin:
            return None
        if access.organisation_id is None or not access.has_role_anywhere(Role.EDITOR):
            return NOTHING
        return Q(organisation_id=access.organisation_id)

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR)
        )


class FeedbackCluster(BaseModel):
    """Similar feedback from the same area in the same week: duplicates, or a spreading rumour."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="feedback_clusters"
    )
    admin_area = models.ForeignKey(
        AdminArea,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    week = models.DateField(_("week starting"))
    kind = models.CharField(_("kind"), max_length=16, choices=ClusterKind.choices)
    label = EncryptedTextField(_("label"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("same in the week before"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_weeks",
    )

    class Meta:
        verbose_name = _("feedback cluster")
        verbose_name_plural = _("feedback clusters")
        ordering = ["-week", "pk"]
        indexes = [models.Index(fields=["group", "week"], name="feedbackcluster_week")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Seen by whoever sees one of its items (sensitive items are never clustered)."""
        if action != Permission.VIEW:
            return None if access.is_admin else NOTHING
        visible = FeedbackItem.objects.restrict_access(access, Permission.VIEW)
        return Q(pk__in=visible.exclude(cluster__isnull=True).values("cluster_id"))


class RawIntake(BaseModel):
    """Whatever arrived, as it arrived, before it was read: kept whether or not it made an item,
    so nothing sent is lost. Rejected intake waits here for a person to review it."""

    source = models.CharField(_("source"), max_length=16, choices=IntakeSource.choices)
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_raw_intake",
    )
    token = models.ForeignKey(
        IntakeToken,
        verbose_name=_("intake key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raw_intake",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel as sent"), max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    external_id = models.CharField(_("identifier in the source"), max_length=128, blank=True)
    payload = EncryptedTextField(_("what was sent (JSON)"), blank=True)
    # Set at intake from what the sender declared (framework.declares_sensitive), since the
    # encrypted payload cannot be filtered on: sensitive intake is seen as sensitive items are.
    sensitive = models.BooleanField(
        _("declared sensitive"),
        default=False,
        help_text=_(
            "The sender marked it sensitive, or gave a sensitive category or code: only the "
            "group's PSEA coordinators review it."
        ),
    )
    status = models.CharField(_("status"), max_length=16, choices=RawStatus.choices)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    item_count = models.PositiveIntegerField(_("items made"), default=0)

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "payload")

    class Meta:
        verbose_name = _("raw intake")
        verbose_name_plural = _("raw intake")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "status", "-created_at"], name="rawintake_review"),
            models.Index(fields=["token", "external_id"], name="rawintake_external"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Like an item, in a pair.

        Ordinary intake: rejected or reviewed (its words may be anything), the group's
        coordinators, PSEA coordinators and platform admins; once it made items, as its items.

        Sensitive intake (`sensitive`: the sender declared it so): as a sensitive item, only
        the group's PSEA coordinators — the organisation concerned is not known until it is an
        item — and, once it made items, whoever sees one of its sensitive items (the PSEA
        focal points of the organisation concerned or referred to). Not the group's
        coordinators, not platform admins. Reviewing (CHANGE) follows the same rule.
        """
        if not access.is_authenticated or access.user_id is None:
            return NOTHING
        psea_groups = PseaCoordinator.objects.filter(user_id=access.user_id).values("group_id")
        if access.is_admin:
            ordinary_reviewers = Q(sensitive=False)
        else:
            ordinary_reviewers = Q(
                sensitive=False, group_id__in=access.groups_with(Role.COORDINATOR)
            )
        reviewers = ordinary_reviewers | Q(group_id__in=psea_groups)
        rejected = ~Q(status=RawStatus.ACCEPTED) & reviewers
        if action != Permission.VIEW:
            return rejected
        made = FeedbackItem.objects.exclude(raw_intake__isnull=True)
        seen = made.filter(FeedbackItem.visible_condition(access)).values("raw_intake_id")
        seen_sensitive = made.filter(FeedbackItem.sensitive_condition(access)).values(
            "raw_intake_id"
        )
        accepted = Q(status=RawStatus.ACCEPTED) & (
            Q(sensitive=False, pk__in=seen)
            | Q(sensitive=True, pk__in=seen_sensitive)
            | Q(sensitive=True, group_id__in=psea_groups)
        )
        return rejected | accepted


class FeedbackItem(BaseModel):
    """One piece of feedback from an affected person, from intake to the answer they got."""

    group = models.ForeignKey(
        Group,
        verbose_name=_("country group"),
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    received_on = models.DateField(_("date"))
    received_at = models.DateTimeField(_("received"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    admin_area = models.ForeignKey(
        AdminArea,
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    population_group = models.ForeignKey(
        PopulationGroup,
        verbose_name=_("population group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    # The person: personal data, encrypted; the keyed hash finds the same person again.
    contact_name = EncryptedTextField(_("name of the person"), blank=True)
    contact = EncryptedTextField(_("contact (phone or email)"), blank=True)
    # Platform keyed hash (FIELD_HASH_KEY) of the contact: search, duplicates (docs/privacy.md).
    contact_hash = HashField(
        _("contact fingerprint"), source="contact", kind="contact", db_index=False
    )
    wants_answer = models.BooleanField(_("wants an answer"), default=False)
    answer_channel = models.CharField(
        _("how to answer"), max_length=32, choices=AnswerChannel.choices, default=AnswerChannel.NONE
    )
    consent_given = models.BooleanField(_("consent given"), null=True, blank=True)
    consent_purpose = models.CharField(_("purpose consented to"), max_length=255, blank=True)
    consent_policy_version = models.CharField(
        _("privacy notice version"), max_length=32, blank=True
    )
    consent_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    # The words as given (may name people: encrypted) and a summary without names.
    original_text = EncryptedTextField(_("words as given"), blank=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("In a few words, without naming anyone.")
    )
    feedback_type = models.CharField(
        _("type"), max_length=16, choices=FeedbackType.choices, default=FeedbackType.INCOMPLETE
    )
    category = models.CharField(_("category"), max_length=32, blank=True)
    code = models.CharField(_("code"), max_length=48, blank=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Sexual exploitation and abuse, other abuse, fraud or corruption, or a safety threat: "
            "only named focal points see it."
        ),
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    concerned_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_concerning",
    )
    concerned_activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_items",
    )
    # Referral and service levels.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    assigned_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_referred",
    )
    referred_at = models.DateTimeField(_("referred"), null=True, blank=True)
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("answer by"), null=True, blank=True)
    escalate_at = models.DateTimeField(_("escalate at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # Closing the loop.
    answer = EncryptedTextField(_("answer given"), blank=True)
    answered_via = models.CharField(
        _("answered how"), max_length=32, choices=AnswerChannel.choices, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"),
        max_length=16,
        choices=Satisfaction.choices,
        default=Satisfaction.NOT_ASKED,
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Where it came from.
    source = models.CharField(_("intake"), max_length=16, choices=IntakeSource.choices)
    raw_intake = models.ForeignKey(
        RawIntake,
        verbose_name=_("raw intake"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cluster = models.ForeignKey(
        FeedbackCluster,
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )

    # The timeline (FeedbackEvent) is the item's history; the change log keeps no text.
    audit_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "summary",
        "contact_hash",
    )

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "sensitive", "received_on"], name="feedback_group_day"),
            models.Index(fields=["assigned_organisation", "status"], name="feedback_referred"),
            models.Index(fields=["status", "escalate_at"], name="feedback_escalation"),
            models.Index(fields=["contact_hash"], name="feedback_contact_hash"),
            models.Index(fields=["admin_area", "received_on"], name="feedback_area_day"),
        ]

    def __str__(self) -> str:
        # Never the words: the string lands in change records and logs.
        return self.reference

    @property
    def reference(self) -> str:
        return f"FB-{self.pk:06d}" if self.pk else "FB-new"

    def get_absolute_url(self) -> str:
        return reverse("feedback:item-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.ANSWERED, Status.CLOSED)

    @classmethod
    def sensitive_condition(cls, access: Access) -> Q:
        """Sensitive items this user may see: as a PSEA focal point of the organisation
        concerned or referred to, or as a PSEA coordinator of the group. Nobody else."""
        if not access.is_authenticated or access.user_id is None:
            return NOTHING
        psea_organisations = FocalPoint.objects.filter(
            user_id=access.user_id, kind=FocalPointKind.PSEA
        ).values("organisation_id")
        coordinated = PseaCoordinator.objects.filter(user_id=access.user_id).values("group_id")
        return Q(sensitive=True) & (
            Q(concerned_organisation_id__in=psea_organisations)
            | Q(assigned_organisation_id__in=psea_organisations)
            | Q(group_id__in=coordinated)
        )

    @classmethod
    def ordinary_condition(cls, access: Access, action: str) -> Q:
        """Items that are not sensitive: group members, the organisations referred to or
        concerned, whoever took it in; changes by group editors and the organisation referred to."""
        if access.is_admin:
            return Q(sensitive=False)
        if not access.is_authenticated:
            return NOTHING
        if action == Permission.VIEW:
            condition = Q(created_by_id=access.user_id)
            if access.group_roles:
                condition |= Q(group_id__in=list(access.group_roles))
            if access.organisation_id is not None:
                condition |= Q(assigned_organisation_id=access.organisation_id) | Q(
                    concerned_organisation_id=access.organisation_id
                )
            return Q(sensitive=False) & condition
        editors = access.groups_with(Role.EDITOR)
        condition = Q(group_id__in=editors) if editors else NOTHING
        if access.organisation_id is not None:
            condition |= Q(assigned_organisation_id=access.organisation_id)
        return Q(sensitive=False) & condition

    @classmethod
    def visible_condition(cls, access: Access) -> Q:
        """The pair: ordinary items by VIEW, sensitive ones by VIEW_SENSITIVE."""
        return cls.ordinary_condition(access, Permission.VIEW) | cls.sensitive_condition(access)

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW:
            return cls.ordinary_condition(access, Permission.VIEW)
        if action == VIEW_SENSITIVE:
            return cls.sensitive_condition(access)
        if action == AGGREGATE:
            return Q(sensitive=False)
        if action == Permission.CHANGE:
            return cls.ordinary_condition(access, action) | cls.sensitive_condition(access)
        return NOTHING  # never deleted by anyone: retention erases personal fields instead

    @classmethod
    def can_create(cls, access: Access) -> bool:
        """Staff intake: members of the network. (Anyone may use the public form.)"""
        return access.is_member or access.is_admin


class FeedbackEvent(BaseModel):
    """One step on an item's timeline: received, referred, acknowledged, answered..."""

    item = models.ForeignKey(
        FeedbackItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    time = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = EncryptedTextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["item", "time", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action != Permission.VIEW:
            return NOTHING
        return Q(item__in=FeedbackItem.objects.filter(FeedbackItem.visible_condition(access)))


class InboxMessage(BaseModel):
    """An in-app notice to one user about one item (the email says the same, without content)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="feedback_inbox",
    )
    item = models.ForeignKey(
        FeedbackItem,
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    message = models.CharField(_("message"), max_length=255)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_user_unread")]

    def __str__(self) -> str:
        return self.message

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Only to its user, and only while the user may still see the item."""
        if access.user_id is None or action == Permission.DELETE:
            return NOTHING
        items = FeedbackItem.objects.filter(FeedbackItem.visible_condition(access))
        return Q(user_id=access.user_id) & (Q(item__isnull=True) | Q(item__in=items))


class ServiceLevel(BaseModel):
    """Hours to acknowledge, to answer and to escalate, per type and sensitivity (a row here
    overrides the defaults in settings.FEEDBACK_SERVICE_LEVELS)."""

    feedback_type = models.CharField(
        _("type"), max_length=16, choices=FeedbackType.choices, blank=True
    )
    sensitive = models.BooleanField(_("sensitive"), default=False)
    hours_to_acknowledge = models.PositiveIntegerField(_("hours to acknowledge"))
    hours_to_resolve = models.PositiveIntegerField(_("hours to answer"))
    hours_to_escalate = models.PositiveIntegerField(_("hours before escalation"))

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["sensitive", "feedback_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback_type", "sensitive"], name="servicelevel_unique"
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_feedback_type_display() or _("Any type")
        sensitivity = _("sensitive") if self.sensitive else _("not sensitive")
        return f"{kind} / {sensitivity}"

    def clean(self) -> None:
        """At least an hour each; acknowledge first, escalate before the answer is due (as
        the defaults in sla.DEFAULT_LEVELS do)."""
        super().clean()
        hours = {
            "hours_to_acknowledge": self.hours_to_acknowledge,
            "hours_to_resolve": self.hours_to_resolve,
            "hours_to_escalate": self.hours_to_escalate,
        }
        errors: dict[str, Any] = {
            name: _("Give at least one hour.")
            for name, value in hours.items()
            if value is not None and value < 1
        }
        if errors:
            raise ValidationError(errors)
        acknowledge, resolve, escalate = hours.values()
        if acknowledge is None or resolve is None or escalate is None:
            return  # the missing field has its own error
        if acknowledge > resolve:
            errors["hours_to_acknowledge"] = _("Acknowledging cannot take longer than answering.")
        if not acknowledge <= escalate <= resolve:
            errors["hours_to_escalate"] = _(
                "Escalate after the time to acknowledge and no later than the time to answer."
            )
        if errors:
            raise ValidationError(errors)
