"""Matching: the ESCO/ISCO taxonomy, people's profiles, offers, needs, and the matches between
them with their explanation and workflow."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission, Role
from harambee.core.fields import EncryptedTextField, HashField
from harambee.core.models import NOTHING, BaseModel, RestrictedModel

from .choices import (
    Answer,
    CapBy,
    CapitalType,
    Cefr,
    ConsentPurpose,
    MatchStatus,
    Mode,
    NeedKind,
    NeedStatus,
    OfferKind,
    ProfileKind,
    RunStatus,
    Stage,
    Verification,
)


def is_matchmaker(access: Access) -> bool:
    """Matchmakers see full profiles and run matching: platform admins and group coordinators."""
    return access.is_admin or access.has_role_anywhere(Role.COORDINATOR)


def created_by_filter(access: Access, action: str) -> Q:
    """Needs and offers: whoever posted one sees and changes it (edit, close or withdraw,
    reopen) — also without an organisation or an editor role — as long as no other
    organisation maintains it: a record of their organisation while they belong to it, or
    one that no organisation maintains. Deleting stays with the organisation's coordinators."""
    if access.user_id is None or action not in (Permission.VIEW, Permission.CHANGE):
        return NOTHING
    maintained = Q(owner_organisation__isnull=True)
    if access.organisation_id is not None:
        maintained |= Q(owner_organisation_id=access.organisation_id)
    return Q(created_by_id=access.user_id) & maintained


def new_public_id() -> str:
    return "P-" + secrets.token_hex(5).upper()


# --- taxonomy ------------------------------------------------------------------------------


class IscoGroup(BaseModel):
    """An ISCO-08 group (1 to 4 digits); the parent is the code one digit shorter."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    label = models.CharField(_("label"), max_length=255)
    uri = models.CharField(_("URI"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def parent_code(self) -> str | None:
        return self.code[:-1] or None


class Occupation(BaseModel):
    """An ESCO occupation, inside an ISCO-08 unit group."""

    uri = models.CharField(_("URI"), max_length=255, unique=True)
    code = models.CharField(_("ESCO code"), max_length=32, db_index=True)
    isco_group = models.ForeignKey(
        IscoGroup,
        verbose_name=_("ISCO-08 group"),
        on_delete=models.PROTECT,
        related_name="occupations",
    )
    label = models.CharField(_("label"), max_length=255)
    alt_labels = models.JSONField(_("other labels"), default=list, blank=True)

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Skill(BaseModel):
    """An ESCO skill, competence or knowledge concept."""

    uri = models.CharField(_("URI"), max_length=255, unique=True)
    label = models.CharField(_("label"), max_length=255)
    alt_labels = models.JSONField(_("other labels"), default=list, blank=True)
    skill_type = models.CharField(_("type"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class OccupationSkill(BaseModel):
    occupation = models.ForeignKey(Occupation, on_delete=models.CASCADE, related_name="skill_links")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="occupation_links")
    essential = models.BooleanField(_("essential"), default=True)

    class Meta:
        verbose_name = _("occupation skill")
        verbose_name_plural = _("occupation skills")
        constraints = [
            models.UniqueConstraint(fields=["occupation", "skill"], name="occupationskill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.occupation_id}–{self.skill_id}"


# --- people --------------------------------------------------------------------------------


class Profile(BaseModel):
    """A person who offers or seeks help. Personal fields are encrypted; others see the person
    by `public_id` only, until the person consents to show who they are."""

    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_profile",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ProfileKind.choices)
    name = EncryptedTextField(_("name"), blank=True)
    birth_date = EncryptedTextField(_("birth date"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("email"), blank=True)
    nationality = models.ForeignKey(
        "places.Country",
        verbose_name=_("nationality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country where they are"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    remote = models.BooleanField(_("can work remotely"), default=False)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_to = models.DateField(_("available until"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many people or posts at once (a mentor takes 1 to N mentees)."),
    )
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    group = models.ForeignKey(
        "network.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cohort = models.CharField(_("cohort"), max_length=100, blank=True, db_index=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    # The person's own latest entries (JSON), kept when staff change the profile.
    person_entries = EncryptedTextField(_("the person's own entries"), blank=True)
    # Keyed hashes: the data-protection officer finds a person's profile without decrypting.
    name_hash = HashField(source="name", kind="text")
    email_hash = HashField(source="email", kind="email")
    phone_hash = HashField(source="phone", kind="phone")

    audit_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "person_entries",
        "name_hash",
        "email_hash",
        "phone_hash",
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="profile_capacity_min_1"),
            models.CheckConstraint(
                condition=Q(available_to__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_to__gte=models.F("available_from")),
                name="profile_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    def get_absolute_url(self) -> str:
        return reverse("matching:profile-detail", args=[self.public_id])

    def clean(self) -> None:
        super().clean()
        if self.available_from and self.available_to and self.available_to < self.available_from:
            raise ValidationError(
                {"available_to": _("The end date cannot be before the start date.")}
            )
        if self.time_zone:
            import zoneinfo

            if self.time_zone not in zoneinfo.available_timezones():
                raise ValidationError({"time_zone": _("Unknown time zone.")})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Matchmakers see and change every profile; the person their own; network members
        see (anonymised) the profiles of people who consent to be matched."""
        if is_matchmaker(access):
            return None
        own = Q(user_id=access.user_id) if access.user_id is not None else NOTHING
        if action == Permission.VIEW and access.is_member:
            return own | Q(pk__in=ConsentRecord.current_granted(ConsentPurpose.MATCH))
        return own

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_authenticated


class ProfileOccupation(BaseModel):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="occupations")
    code = models.CharField(
        _("occupation code"),
        max_length=32,
        help_text=_("An ISCO-08 group code (e.g. 2221) or an ESCO occupation code."),
    )
    label = models.CharField(_("label"), max_length=255, blank=True)
    years = models.PositiveSmallIntegerField(_("years of experience"), default=0)

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["-years", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class ProfileSkill(BaseModel):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        Skill, verbose_name=_("ESCO skill"), null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.CharField(_("as typed"), max_length=255, blank=True)
    suggestions = models.JSONField(_("suggested ESCO skills"), default=list, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.skill.label if self.skill else self.text


class ProfileLanguage(BaseModel):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language (ISO 639-3)"), max_length=3)
    spoken = models.PositiveSmallIntegerField(_("spoken"), choices=Cefr.choices)
    written = models.PositiveSmallIntegerField(_("written"), choices=Cefr.choices)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="profilelanguage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_spoken_display()}/{self.get_written_display()}"

    @property
    def name(self) -> str:
        from .languages import language_name

        return language_name(self.code)


class Credential(BaseModel):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="credentials")
    title = models.CharField(_("title"), max_length=255)
    status = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.SELF_DECLARED,
    )
    verified_by = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    document_number = EncryptedTextField(_("document number"), blank=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.status == Verification.VERIFIED and not self.verified_by_id:
            raise ValidationError({"verified_by": _("Say which organisation verified it.")})


class ConsentRecord(models.Model):
    """One answer of the person for one purpose, with the policy version they saw. Never
    changed: a new answer is a new record, and the latest one counts."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    scope = models.JSONField(
        _("to whom"),
        default=list,
        blank=True,
        help_text=_("Kinds of organisation (contact) or who may see the identity (reveal)."),
    )
    policy_version = models.CharField(_("policy version"), max_length=32)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["profile", "purpose", "-recorded_at"], name="consent_latest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.purpose} {self.granted}"

    @classmethod
    def current_granted(cls, purpose: str) -> models.QuerySet[Any]:
        """Ids of profiles whose latest answer for `purpose` is yes (a subquery)."""
        latest = (
            cls.objects.filter(profile_id=models.OuterRef("profile_id"), purpose=purpose)
            .order_by("-recorded_at", "-pk")
            .values("pk")[:1]
        )
        return cls.objects.filter(purpose=purpose, granted=True, pk=models.Subquery(latest)).values(
            "profile_id"
        )


# --- offers and needs ----------------------------------------------------------------------


class Offer(RestrictedModel):
    """Help on offer: a person's skills and time (through their profile), a thematic group's
    expertise, in-kind support, or capital."""

    # A person's offer takes occupations, skills, languages, place and dates from the profile;
    # of the offer itself only these are edited.
    PERSON_FIELDS: ClassVar[tuple[str, ...]] = ("title", "description", "capacity")

    kind = models.CharField(_("kind"), max_length=16, choices=OfferKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    profile = models.ForeignKey(
        Profile,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offers",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matching_offers",
    )
    group = models.ForeignKey(
        "network.Group",
        verbose_name=_("thematic group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_offers",
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=1, validators=[MinValueValidator(1)]
    )
    occupations = models.JSONField(_("occupation codes"), default=list, blank=True)
    skills = models.JSONField(_("skills (ESCO URIs or labels)"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    countries = models.ManyToManyField(
        "places.Country", verbose_name=_("countries"), blank=True, related_name="+"
    )
    remote = models.BooleanField(_("remote"), default=False)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_to = models.DateField(_("available until"), null=True, blank=True)
    capital_type = models.CharField(
        _("capital type"), max_length=16, choices=CapitalType.choices, blank=True
    )
    amount_min = models.DecimalField(
        _("minimum amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("maximum amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    stages = models.JSONField(_("stages"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    cohort = models.CharField(_("cohort"), max_length=100, blank=True, db_index=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who posted it (set by the service that creates it)."),
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offer_capacity_min_1"),
            models.CheckConstraint(
                condition=Q(amount_max__isnull=True)
                | Q(amount_min__isnull=True)
                | Q(amount_max__gte=models.F("amount_min")),
                name="offer_amounts_ordered",
            ),
            models.CheckConstraint(
                condition=Q(available_to__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_to__gte=models.F("available_from")),
                name="offer_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("matching:offer-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.kind == OfferKind.PERSON and not self.profile_id:
            raise ValidationError({"profile": _("A person's offer needs their profile.")})
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_max < self.amount_min
        ):
            raise ValidationError({"amount_max": _("The maximum cannot be below the minimum.")})
        if self.available_from and self.available_to and self.available_to < self.available_from:
            raise ValidationError(
                {"available_to": _("The end date cannot be before the start date.")}
            )

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if is_matchmaker(access):
            return None
        condition = super().permission_filter(access, action)
        if access.user_id is not None:
            own = Q(profile__user_id=access.user_id) | created_by_filter(access, action)
            condition = own if condition is None else condition | own
        return condition

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_authenticated


class Need(RestrictedModel):
    """Help needed: a crisis need, a country group's request, a job opening, or an
    entrepreneur seeking a mentor or capital."""

    kind = models.CharField(_("kind"), max_length=16, choices=NeedKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    group = models.ForeignKey(
        "network.Group",
        verbose_name=_("country group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_needs",
    )
    request = models.ForeignKey(
        "network.Request",
        verbose_name=_("network request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_needs",
    )
    employer = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_jobs",
    )
    seeker = models.ForeignKey(
        Profile,
        verbose_name=_("entrepreneur"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="needs",
    )
    occupations = models.JSONField(_("occupation codes"), default=list, blank=True)
    skills_required = models.JSONField(_("required skills"), default=list, blank=True)
    skills_optional = models.JSONField(_("optional skills"), default=list, blank=True)
    languages = models.JSONField(
        _("languages with minimum levels"),
        default=list,
        blank=True,
        help_text=_('A list of {"code": "kri", "level": 4}; level 1 = A1 … 6 = C2.'),
    )
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    remote_ok = models.BooleanField(_("remote possible"), default=False)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    posts = models.PositiveSmallIntegerField(
        _("posts"), default=1, validators=[MinValueValidator(1)]
    )
    visa_sponsorship = models.BooleanField(_("visa sponsorship"), default=False)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    amount = models.DecimalField(
        _("amount sought"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    cohort = models.CharField(_("cohort"), max_length=100, blank=True, db_index=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who posted it (set by the service that creates it)."),
    )

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(posts__gte=1), name="need_posts_min_1"),
            models.CheckConstraint(
                condition=Q(end__isnull=True)
                | Q(start__isnull=True)
                | Q(end__gte=models.F("start")),
                name="need_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("matching:need-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date cannot be before the start date.")})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if is_matchmaker(access):
            return None
        condition = super().permission_filter(access, action)
        if access.user_id is not None:
            own = Q(seeker__user_id=access.user_id) | created_by_filter(access, action)
            condition = own if condition is None else condition | own
        return condition

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_authenticated


# --- matching ------------------------------------------------------------------------------


class MatchingRun(BaseModel):
    """One run of the engine over the open needs and active offers (of a group or cohort)."""

    group = models.ForeignKey(
        "network.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cohort = models.CharField(_("cohort"), max_length=100, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.OPTIMAL)
    cap_by = models.CharField(
        _("cap matches per"), max_length=16, choices=CapBy.choices, blank=True
    )
    cap = models.PositiveIntegerField(_("cap"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=255, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_mode_display()}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        return None if is_matchmaker(access) else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return is_matchmaker(access)


OPEN_MATCH = (
    MatchStatus.PROPOSED,
    MatchStatus.CONTACTED,
    MatchStatus.ACCEPTED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)
SENT_MATCH = (
    MatchStatus.CONTACTED,
    MatchStatus.ACCEPTED,
    MatchStatus.DECLINED,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
)


class Match(BaseModel):
    """An offer matched to one post of a need, with the reasons, and its way to completion."""

    run = models.ForeignKey(
        MatchingRun,
        verbose_name=_("run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
    )
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="matches"
    )
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="matches"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(_("score"))
    parts = models.JSONField(_("why"), default=list, blank=True)
    passed_over = models.JSONField(_("better options not chosen"), default=list, blank=True)
    need_answer = models.CharField(
        _("answer of the need's side"),
        max_length=16,
        choices=Answer.choices,
        default=Answer.PENDING,
    )
    offer_answer = models.CharField(
        _("answer of the person or offer"),
        max_length=16,
        choices=Answer.choices,
        default=Answer.PENDING,
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    identity_revealed = models.BooleanField(_("identity shown"), default=False)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    need_feedback = models.TextField(_("feedback of the need's side"), blank=True)
    offer_feedback = models.TextField(_("feedback of the person or offer"), blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "offer"],
                condition=Q(status__in=OPEN_MATCH),
                name="match_one_open_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "need"], name="match_status_need_idx")]

    def __str__(self) -> str:
        return f"{self.need} ← {self.offer_id}"

    def get_absolute_url(self) -> str:
        return reverse("matching:match-detail", args=[self.pk])

    @classmethod
    def need_side_filter(cls, access: Access) -> Q:
        """Matches the user answers for on the need's side: the entrepreneur themselves (the
        need's `seeker`), members of the organisation that maintains the need or employs, and
        the need's creator while no organisation maintains it (someone who posted a need
        without an organisation). The one rule: `services.match_sides` (pages and API), the
        visibility of matches and the inbox all read it."""
        if access.user_id is None:
            return NOTHING
        side = Q(need__seeker__user_id=access.user_id) | Q(
            need__created_by_id=access.user_id, need__owner_organisation__isnull=True
        )
        if access.organisation_id is not None:
            side |= Q(need__owner_organisation_id=access.organisation_id) | Q(
                need__employer_id=access.organisation_id
            )
        return side

    @classmethod
    def offer_side_filter(cls, access: Access) -> Q:
        """Matches the user answers for on the offer's side: the person of a person's offer,
        members of the offering organisation for an organisation's offer."""
        if access.user_id is None:
            return NOTHING
        side = Q(offer__profile__user_id=access.user_id)
        if access.organisation_id is not None:
            side |= Q(offer__organisation_id=access.organisation_id, offer__profile__isnull=True)
        return side

    @classmethod
    def party_filter(cls, access: Access) -> Q:
        """Matches the user is a party to, once sent (never while only proposed)."""
        if access.user_id is None:
            return NOTHING
        sides = cls.need_side_filter(access) | cls.offer_side_filter(access)
        return sides & Q(status__in=SENT_MATCH)

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if is_matchmaker(access):
            return None
        if action == Permission.VIEW:
            return cls.party_filter(access)
        return NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return is_matchmaker(access)


class MatchMessage(models.Model):
    """A message through the platform: no contact details change hands until both consent."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class CheckIn(models.Model):
    """A mentorship check-in."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date}: {self.note[:40]}"
