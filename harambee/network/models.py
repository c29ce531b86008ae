"""Who is who: organisations, their people, the groups they form and the requests between them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission, Role, Visibility
from harambee.core.fields import EncryptedTextField, HashField
from harambee.core.models import NOTHING, BaseModel, RestrictedModel
from harambee.places.models import Country

from .choices import GroupKind, MembershipRole, OrganisationType, RequestStatus, WorkplanStatus


class Organisation(RestrictedModel):
    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=64, blank=True)
    other_names = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_("Former names, names in other languages, names of merged duplicates."),
    )
    org_type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    description = models.TextField(_("description"), blank=True)
    hq_country = models.ForeignKey(
        Country,
        verbose_name=_("headquarters country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="headquartered_organisations",
    )
    countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries of operation"),
        blank=True,
        related_name="operating_organisations",
    )
    origin_country = models.ForeignKey(
        Country,
        verbose_name=_("country of origin served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diaspora_organisations",
        help_text=_("For diaspora organisations: the country of origin they serve."),
    )
    residence_countries = models.ManyToManyField(
        Country,
        verbose_name=_("countries of residence"),
        blank=True,
        related_name="resident_diaspora_organisations",
        help_text=_("For diaspora organisations: where their members live."),
    )
    iati_ref = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("e.g. GB-GOV-1, XM-DAC-41114"),
        # The organisation holding it may be hidden from whoever asks: say it is taken, not by
        # whom (Django's own message is the same, but this one says what to do).
        error_messages={
            "unique": _(
                "This IATI identifier is already registered in Harambee; ask a platform admin."
            )
        },
    )
    registration_number = models.CharField(
        _("national registration number"), max_length=100, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("A platform admin checked that the organisation exists and is who it says."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["org_type", "name"], name="org_type_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("network:organisation-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.origin_country_id and self.org_type != OrganisationType.DIASPORA:
            raise ValidationError(
                {
                    "origin_country": _(
                        "Only diaspora organisations have a country of origin served."
                    )
                }
            )
        if isinstance(self.other_names, list):
            self.other_names = [str(n).strip() for n in self.other_names if str(n).strip()]
        else:
            raise ValidationError({"other_names": _("Give other names as a list.")})


class Person(RestrictedModel):
    """A contact person. Personal data: their organisation and group coordinators see them."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    # Personal data: encrypted at rest; the keyed hashes find a person by exact name, email or
    # phone (duplicate checks, data protection requests) without decrypting anything.
    name = EncryptedTextField(_("name"), max_length=255)
    role = models.CharField(_("role"), max_length=255, blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    name_hash = HashField(source="name", kind="text")
    email_hash = HashField(source="email", kind="email")
    phone_hash = HashField(source="phone", kind="phone")

    audit_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "name_hash",
        "email_hash",
        "phone_hash",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Names are encrypted: the database cannot sort them (pages sort in Python).
        ordering = ["organisation_id", "pk"]

    def __str__(self) -> str:
        # Never the name: the string lands in change records (object_repr), messages and logs.
        return self.reference

    @property
    def reference(self) -> str:
        return f"CP-{self.pk:06d}" if self.pk else "CP-new"

    @classmethod
    def visibility_filter(cls, access: Access) -> Q | None:
        """As any record, and: coordinators of a group see the contacts of the organisations
        that are confirmed, current members of it (contacts only, no other records)."""
        condition = super().visibility_filter(access)
        coordinated = access.coordinated_organisations
        if condition is None or coordinated is None:
            return condition
        return condition | Q(
            visibility=Visibility.ORGANISATION, owner_organisation_id__in=coordinated
        )

    def clean(self) -> None:
        super().clean()
        # A person's record always belongs to their organisation and is never public.
        self.owner_organisation_id = self.organisation_id
        if self.visibility in (Visibility.PUBLIC, Visibility.NETWORK):
            raise ValidationError(
                {
                    "visibility": _(
                        "Contact details are personal data: choose own organisation or named people."
                    )
                }
            )
        if self.email:
            from django.core.validators import validate_email

            try:
                validate_email(self.email)
            except ValidationError as exc:
                raise ValidationError({"email": exc.messages}) from exc


class Group(RestrictedModel):
    """A country group (led by a host government) or a global thematic group."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=GroupKind.COUNTRY) | Q(country__isnull=False),
                name="group_country_group_has_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:group-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.kind == GroupKind.COUNTRY and not self.country_id:
            raise ValidationError({"country": _("A country group needs its country.")})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """View by visibility (and to anyone with a role in it); change by its editors."""
        view = cls.visibility_filter(access)
        if view is None:
            return None
        if action == Permission.VIEW:
            return view | Q(pk__in=list(access.group_roles))
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        groups = access.groups_with(needed)
        return Q(pk__in=groups) if groups else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.COORDINATOR)


class GroupScopedModel(BaseModel):
    """Belongs to a group: seen by whoever sees the group, changed by its editors."""

    group_field: ClassVar[str] = "group"

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        if action == Permission.VIEW:
            visible = Group.objects.restrict_access(access, Permission.VIEW)
            return Q(**{f"{cls.group_field}__in": visible})
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        groups = access.groups_with(needed)
        return Q(**{f"{cls.group_field}__in": groups}) if groups else NOTHING


class Membership(GroupScopedModel):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_(
            "The member organisation agreed to belong to the group. Until then the membership "
            "is an invitation."
        ),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(until__isnull=True)
                | Q(since__isnull=True)
                | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.group} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("The end date cannot be before the start date.")})

    @property
    def is_current(self) -> bool:
        return self.until is None or self.until >= timezone.localdate()

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """As the group's records, and an organisation's people see its own memberships and
        invitations (to confirm or decline them) even in a group they cannot see."""
        condition = super().permission_filter(access, action)
        if action == Permission.VIEW and condition is not None and access.organisation_id:
            condition |= Q(organisation_id=access.organisation_id)
        return condition


class GroupRole(GroupScopedModel):
    """A user's role in a group: viewer, editor or coordinator."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="user_roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="group_roles",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("group role")
        verbose_name_plural = _("group roles")
        ordering = ["group", "user__username"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="grouprole_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.group} ({self.get_role_display()})"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Users see their own roles; a group's coordinators see and manage its roles."""
        if access.is_admin:
            return None
        coordinated = access.groups_with(Role.COORDINATOR)
        condition = Q(group__in=coordinated) if coordinated else NOTHING
        if action == Permission.VIEW and access.user_id is not None:
            condition |= Q(user_id=access.user_id)
        return condition


class WorkplanItem(GroupScopedModel):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="workplan_items"
    )
    challenge = models.CharField(_("challenge"), max_length=255)
    objective = models.TextField(_("objective"))
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workplan_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WorkplanStatus.choices, default=WorkplanStatus.PLANNED
    )

    class Meta:
        verbose_name = _("work plan item")
        verbose_name_plural = _("work plan items")
        ordering = ["group", "due_date", "pk"]

    def __str__(self) -> str:
        return self.challenge


# An action beyond view/change/delete: moving a request along (accept, decline, done...).
SET_STATUS = "set_status"


class Request(RestrictedModel):
    """A country group asks a thematic group (or any member organisation) for support."""

    from_group = models.ForeignKey(
        Group,
        verbose_name=_("requesting group"),
        on_delete=models.PROTECT,
        related_name="requests_made",
    )
    to_group = models.ForeignKey(
        Group,
        verbose_name=_("asked group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_received",
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("asked organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_received",
    )
    title = models.CharField(_("what is needed"), max_length=255)
    rationale = models.TextField(_("why"), blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_group__isnull=False) | Q(to_organisation__isnull=False),
                name="request_has_recipient",
            ),
            models.CheckConstraint(
                condition=Q(to_group__isnull=True) | ~Q(to_group=models.F("from_group")),
                name="request_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:request-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if not self.to_group_id and not self.to_organisation_id:
            raise ValidationError({"to_group": _("Ask a group or an organisation.")})
        if self.to_group_id and self.to_group_id == self.from_group_id:
            raise ValidationError({"to_group": _("A group cannot send a request to itself.")})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Seen by visibility and by both groups. Its content (what, why, to whom, who sees
        it) is changed by editors of the asking group or of the organisation that maintains
        it; its status (SET_STATUS) also by editors of the group or organisation asked."""
        view = cls.visibility_filter(access)
        if view is None:
            return None
        if action == Permission.VIEW:
            groups = list(access.group_roles)
            if groups:
                view |= Q(from_group__in=groups) | Q(to_group__in=groups)
            if access.organisation_id is not None:
                view |= Q(to_organisation_id=access.organisation_id)
            return view
        editor_of_organisation = access.organisation_id is not None and access.has_role_anywhere(
            Role.EDITOR
        )
        if action in (Permission.CHANGE, SET_STATUS):
            editors = access.groups_with(Role.EDITOR)
            condition = Q(from_group__in=editors) if editors else NOTHING
            if editor_of_organisation:
                condition |= Q(owner_organisation_id=access.organisation_id)
            if action == SET_STATUS:
                if editors:
                    condition |= Q(to_group__in=editors)
                if editor_of_organisation:
                    condition |= Q(to_organisation_id=access.organisation_id)
            return condition
        coordinated = access.groups_with(Role.COORDINATOR)
        return Q(from_group__in=coordinated) if coordinated else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class RequestResponse(BaseModel):
    """An organisation's offer in answer to a request."""

    request = models.ForeignKey(
        Request, verbose_name=_("request"), on_delete=models.CASCADE, related_name="responses"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="request_responses",
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    offer = models.TextField(_("what is offered"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.offer[:60]}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        if action == Permission.VIEW:
            # An offer names who made it: hidden organisations' offers stay hidden.
            return Q(
                request__in=Request.objects.restrict_access(access, Permission.VIEW),
                organisation__in=Organisation.objects.restrict_access(access, Permission.VIEW),
            )
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        if access.organisation_id is None or not access.has_role_anywhere(needed):
            return NOTHING
        return Q(organisation_id=access.organisation_id)

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR)
        )
