"""Sanctions lists as versioned snapshots, and screening batches.

A load writes one `ListVersion` with every entry of the file and its names, dates of birth,
nationalities, identifiers and addresses; the previous version of the same list becomes
superseded in the same transaction. A load that fails writes nothing, so the previous version
stays active. Screening reads the active version of every list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission, Role, Visibility
from harambee.core.fields import EncryptedJSONField, EncryptedTextField, HashField
from harambee.core.models import NOTHING, BaseModel, RestrictedModel

from .choices import (
    AccessAction,
    AlertStatus,
    BatchStatus,
    DatePrecision,
    DocumentKind,
    EntityType,
    NameKind,
    NameQuality,
    Outcome,
    PackageKind,
    PayeeSchema,
    SourceKind,
    SubjectKind,
    VersionStatus,
)
from .fields import QueryKeyField


class ListSource(BaseModel):
    """One published list: UN consolidated, OFAC SDN, OFAC non-SDN, EU consolidated, UK."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("publisher"), max_length=8, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("sanctions list")
        verbose_name_plural = _("sanctions lists")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ListVersion(BaseModel):
    """One load of a list file: what it held, and what changed since the previous load."""

    source = models.ForeignKey(
        ListSource, verbose_name=_("list"), on_delete=models.PROTECT, related_name="versions"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64, db_index=True)
    published_on = models.DateField(_("list date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.ACTIVE
    )
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    name_count = models.PositiveIntegerField(_("names"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    diff = models.JSONField(
        _("changes since the previous version"),
        default=dict,
        blank=True,
        help_text=_("References of the entries added, removed and changed."),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("list version")
        verbose_name_plural = _("list versions")
        ordering = ["source__code", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status="active"),
                name="screening_one_active_version_per_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source.code} {self.created_at:%Y-%m-%d %H:%M} ({self.file_sha256[:8]})"


class ListEntry(models.Model):
    """A listed person, organisation, vessel or aircraft in one list version."""

    version = models.ForeignKey(
        ListVersion,
        verbose_name=_("list version"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    ref = models.CharField(
        _("list reference"),
        max_length=64,
        help_text=_(
            "The list's own reference: UN reference number, OFAC ent_num, EU logicalId, "
            "UK Group ID."
        ),
    )
    entity_type = models.CharField(_("type"), max_length=16, choices=EntityType.choices)
    primary_name = models.CharField(_("name"), max_length=500)
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=40)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["version", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ref"], name="screening_entry_ref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.primary_name}"


class EntryName(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=500)
    kind = models.CharField(_("kind"), max_length=16, choices=NameKind.choices)
    quality = models.CharField(_("quality"), max_length=8, choices=NameQuality.choices)
    script = models.CharField(_("script"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("name")
        verbose_name_plural = _("names")

    def __str__(self) -> str:
        return self.name


class EntryBirthDate(models.Model):
    """A date of birth: a day, a month, a year, or a range of years (from/to inclusive)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="birth_dates")
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    precision = models.CharField(_("precision"), max_length=8, choices=DatePrecision.choices)
    approximate = models.BooleanField(_("approximate"), default=False)
    text = models.CharField(_("as listed"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("date of birth")
        verbose_name_plural = _("dates of birth")

    def __str__(self) -> str:
        return self.text or f"{self.date_from}..{self.date_to}"


class EntryNationality(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="nationalities")
    country_code = models.CharField(_("country code"), max_length=2, blank=True)
    country_name = models.CharField(_("country"), max_length=200)

    class Meta:
        verbose_name = _("nationality")
        verbose_name_plural = _("nationalities")

    def __str__(self) -> str:
        return self.country_code or self.country_name


class EntryIdentifier(models.Model):
    """A passport, national ID, registration or tax number, IMO number..."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=200)
    number = models.CharField(_("number"), max_length=200)
    normalised = models.CharField(_("normalised number"), max_length=200, db_index=True)
    country = models.CharField(_("country"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class EntryAddress(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField(_("street"), max_length=500, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=100, blank=True)
    country_name = models.CharField(_("country"), max_length=200, blank=True)
    country_code = models.CharField(_("country code"), max_length=2, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.street, self.city, self.country_name) if p)


class ScreeningBatch(RestrictedModel):
    """A CSV of names screened in the background, with its results."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64)
    # The uploaded rows (names, dates of birth of payees): personal data, encrypted at rest and
    # erased after the retention period (SCREENING_RETENTION_DAYS). The file itself is not kept.
    queries = EncryptedJSONField(_("queries"), default=list, blank=True)
    threshold = models.FloatField(_("threshold"))
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows screened"), default=0)
    hit_rows = models.PositiveIntegerField(_("rows with hits"), default=0)
    list_versions = models.ManyToManyField(
        ListVersion, verbose_name=_("list versions"), blank=True, related_name="+"
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "rows_done", "queries")

    class Meta:
        verbose_name = _("screening batch")
        verbose_name_plural = _("screening batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress(self) -> int:
        """Percent of rows screened."""
        if not self.rows_total:
            return 100 if self.status == BatchStatus.DONE else 0
        return int(100 * self.rows_done / self.rows_total)


class ScreeningResult(models.Model):
    """One query of a batch and the hits it got (with their explanations)."""

    batch = models.ForeignKey(ScreeningBatch, on_delete=models.CASCADE, related_name="results")
    row = models.PositiveIntegerField(_("row"))
    query_id = models.CharField(_("query id"), max_length=200, blank=True)
    # Personal data of the payee or beneficiary screened: encrypted (the hits quote the name in
    # their explanations), a keyed hash of the name for the data protection officer's search;
    # erased after the retention period, leaving row, hit count and top score.
    name = EncryptedTextField(_("name"), max_length=500)
    name_hash = HashField(source="name", kind="text")
    schema = models.CharField(_("type"), max_length=16, blank=True)
    date_of_birth = EncryptedTextField(_("date of birth"), max_length=10, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100, blank=True)
    hit_count = models.PositiveIntegerField(_("hits"), default=0)
    top_score = models.FloatField(_("top score"), null=True, blank=True)
    hits = EncryptedJSONField(_("hits"), default=list, blank=True)

    personal_fields: ClassVar[tuple[str, ...]] = ("query_id", "nationality")
    audit_exclude: ClassVar[tuple[str, ...]] = ("name_hash",)

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        ordering = ["batch", "row"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.name}"


# --- due diligence: who decides, what was decided, what the NGO says and signs ------------


def _own_organisation(access: Access, field: str = "organisation_id") -> Q | None:
    """Members of the organisation see it; platform admins see everything."""
    if access.is_admin:
        return None
    if access.organisation_id is None:
        return NOTHING
    return Q(**{field: access.organisation_id})


def _editors_of_own_organisation(access: Access, field: str = "organisation_id") -> Q | None:
    if access.is_admin:
        return None
    if access.organisation_id is None or not access.has_role_anywhere(Role.EDITOR):
        return NOTHING
    return Q(**{field: access.organisation_id})


class ComplianceFocalPoint(BaseModel):
    """A named user of an organisation who receives its screening alerts."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="compliance_focal_points",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="compliance_focal_points",
    )

    class Meta:
        verbose_name = _("compliance focal point")
        verbose_name_plural = _("compliance focal points")
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="screening_focal_point_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW:
            return _own_organisation(access)
        if access.is_admin:
            return None
        if access.organisation_id is None or not access.has_role_anywhere(Role.COORDINATOR):
            return NOTHING
        return Q(organisation_id=access.organisation_id)

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.COORDINATOR)
        )


class Payee(RestrictedModel):
    """Someone an organisation pays: screened when added, again when a list changes."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="payees",
    )
    # Who is paid, with their date of birth and documents: personal data, encrypted at rest.
    # The keyed hash of the name finds a payee by exact name (the data protection officer's
    # search) without decrypting anything; names cannot be sorted in SQL (pages sort in Python).
    name = EncryptedTextField(_("name"), max_length=500)
    name_hash = HashField(source="name", kind="text")
    schema = models.CharField(
        _("type"),
        max_length=16,
        blank=True,
        choices=PayeeSchema.choices,
    )
    date_of_birth = EncryptedTextField(
        _("date of birth"), max_length=10, blank=True, help_text=_("YYYY or YYYY-MM-DD.")
    )
    nationality = EncryptedTextField(_("nationality or country"), max_length=100, blank=True)
    identifiers = EncryptedJSONField(_("identifiers"), default=list, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)

    # Left out of the API unless asked for (and then logged), recorded as changed/unchanged in
    # the change log, erased after the retention period (privacy registry, apps.py).
    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "name_hash")

    class Meta:
        verbose_name = _("payee")
        verbose_name_plural = _("payees")
        # Names are encrypted: the database cannot sort them (pages sort in Python).
        ordering = ["organisation_id", "pk"]

    def __str__(self) -> str:
        # Never the name: the string lands in change records (object_repr) and logs.
        return self.reference

    @property
    def reference(self) -> str:
        return f"PY-{self.pk:06d}" if self.pk else "PY-new"

    @property
    def erased(self) -> bool:
        """The personal data was erased (retention or data protection): nothing to screen."""
        return not (self.name or "").strip()

    def clean(self) -> None:
        super().clean()
        self.owner_organisation_id = self.organisation_id
        self.visibility = Visibility.ORGANISATION


def _immutable(name: str) -> str:
    return f"{name} cannot be edited or deleted."


class RecordQuerySet(models.QuerySet):
    """A record that is only ever added to: no bulk update or delete."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(_immutable(self.model._meta.object_name or "This record"))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(_immutable(self.model._meta.object_name or "This record"))

    def restrict(self, user: Any, action: str = Permission.VIEW) -> RecordQuerySet:
        from harambee.core.access import access_for

        condition = self.model.permission_filter(access_for(user), action)  # type: ignore[attr-defined]
        return self if condition is None else self.filter(condition)


class AppendOnly(models.Model):
    """Saved once, never changed or deleted through the app (as core.ChangeRecord)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError(_immutable(type(self).__name__))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(_immutable(type(self).__name__))


class ScreeningDecision(AppendOnly):
    """A reviewer's decision on one hit: cleared, escalated or confirmed, for the record.

    It keeps what was decided on: the query, the list version and the entry's content
    fingerprint, the score and its explanation. A cleared hit stays cleared for the same query
    while the entry's fingerprint stays the same.
    """

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="screening_decisions",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="screening_decisions",
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=255)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    query = models.JSONField(_("query"))
    # A keyed hash of the query: the same query finds its decisions (a cleared hit stays
    # cleared), and nobody without FIELD_HASH_KEY recovers a name from it.
    query_key = QueryKeyField(_("query key"), source="query")
    subject = models.CharField(_("screened in"), max_length=255, blank=True)
    list_version = models.ForeignKey(
        ListVersion,
        verbose_name=_("list version"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    list_code = models.CharField(_("list"), max_length=32)
    entry_ref = models.CharField(_("list reference"), max_length=64)
    entry_fingerprint = models.CharField(_("entry fingerprint"), max_length=40)
    listed_name = models.CharField(_("listed name"), max_length=500)
    matched_name = models.CharField(_("matched name"), max_length=500)
    score = models.FloatField(_("score"))
    explanation = models.JSONField(_("explanation"))

    # The query (a payee's, a board member's or a contact person's name, date of birth...),
    # where it was screened (an alert names the subject) and the explanation (it quotes the
    # query) are personal data. The decision record is kept as it was written (it must show
    # what was decided on: never changed, never erased); the API returns these fields only with
    # ?include_personal=true, pages and exports that show them write to the access log.
    personal_fields: ClassVar[tuple[str, ...]] = ("query", "subject", "explanation")

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening decision")
        verbose_name_plural = _("screening decisions")
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(
                fields=["organisation", "query_key", "list_code", "entry_ref"],
                name="screening_decision_lookup",
            )
        ]

    def __str__(self) -> str:
        # Never the name screened: the string lands in change records (object_repr).
        return f"{self.get_outcome_display()}: {self.list_code} {self.entry_ref} (#{self.pk})"

    def get_absolute_url(self) -> str:
        return reverse("screening:decision-detail", args=[self.pk])

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action != Permission.VIEW:
            return NOTHING
        return _own_organisation(access)


class ScreeningAlert(BaseModel):
    """A new hit found by continuous screening, for the organisation's focal points."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="screening_alerts",
    )
    subject_kind = models.CharField(_("who"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("subject id"), null=True, blank=True)
    # The name screened (a payee, a contact person, a board member) is in the name, the query
    # and the hit's explanation: personal data, encrypted at rest, found by the keyed hash of
    # the name (the data protection officer's search), erased after the retention period or
    # with the payee or person (privacy registry, apps.py); left out of the API unless asked
    # for, and logged wherever shown.
    subject_name = EncryptedTextField(_("name screened"), max_length=500)
    subject_name_hash = HashField(source="subject_name", kind="text")
    query = EncryptedJSONField(_("query"))
    query_key = QueryKeyField(_("query key"), source="query")
    list_version = models.ForeignKey(
        ListVersion, verbose_name=_("list version"), on_delete=models.PROTECT, related_name="+"
    )
    list_code = models.CharField(_("list"), max_length=32)
    entry_ref = models.CharField(_("list reference"), max_length=64)
    entry_fingerprint = models.CharField(_("entry fingerprint"), max_length=40)
    score = models.FloatField(_("score"))
    hit = EncryptedJSONField(_("hit"))
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    decision = models.ForeignKey(
        ScreeningDecision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    audit_exclude: ClassVar[tuple[str, ...]] = (
        "created_at",
        "updated_at",
        "subject_name_hash",
        "query_key",
    )

    class Meta:
        verbose_name = _("screening alert")
        verbose_name_plural = _("screening alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Erased alerts have no query key left: they no longer stand for their query (a
            # payee added again with the same name is alerted again).
            models.UniqueConstraint(
                fields=["organisation", "query_key", "list_code", "entry_ref", "entry_fingerprint"],
                condition=~Q(query_key=""),
                name="screening_alert_once_per_entry_content",
            )
        ]

    def __str__(self) -> str:
        # Never the name screened: the string lands in change records (object_repr).
        return f"{self.get_subject_kind_display()} ~ {self.list_code} {self.entry_ref} (#{self.pk})"

    @property
    def erased(self) -> bool:
        """The personal data was erased (retention, data protection): nothing to decide on."""
        return not (self.subject_name or "").strip()

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.DELETE:
            return NOTHING if not access.is_admin else None
        return _own_organisation(access)


# Alerts waiting for review: open, and not erased (an erased alert has nothing left to review, so
# it neither counts as open nor holds its payee or contact person back from retention).
ALERT_IS_OPEN = Q(status=AlertStatus.OPEN) & ~Q(subject_name="")


class ComplianceProfile(BaseModel):
    """What an NGO tells its banks, in the sections of the Wolfsberg CBDDQ adapted to NGOs."""

    organisation = models.OneToOneField(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="compliance_profile",
    )
    # 1. Legal identity and registration
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=255, blank=True, help_text=_("e.g. association, trust.")
    )
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    registration_authority = models.CharField(_("registered with"), max_length=255, blank=True)
    registration_country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country of registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_address = models.TextField(_("registered address"), blank=True)
    tax_number = models.CharField(_("tax or charity number"), max_length=100, blank=True)
    # 2. Governance: board and directors (name, role, date of birth, nationality)
    board = models.JSONField(
        _("board members and directors"),
        default=list,
        blank=True,
        help_text=_("One per line: name; role; date of birth (YYYY or YYYY-MM-DD); nationality."),
    )
    governance = models.TextField(_("how the organisation is governed"), blank=True)
    # 3. Ownership and control
    ownership_control = models.TextField(
        _("ownership and control"),
        blank=True,
        help_text=_("Who controls the organisation: founders, members, parent organisations."),
    )
    # 4. Where it works
    high_risk_countries = models.ManyToManyField(
        "places.Country",
        verbose_name=_("high-risk places where it works"),
        blank=True,
        related_name="+",
    )
    operating_areas = models.TextField(_("where it works"), blank=True)
    # 5. Sanctions and counter-terrorism financing policy
    sanctions_policy = models.TextField(_("sanctions policy"), blank=True)
    ctf_policy = models.TextField(_("counter-terrorism financing policy"), blank=True)
    policy_approved_on = models.DateField(_("policies approved on"), null=True, blank=True)
    # 6. Screening practice (the rest is filled from Harambee's own record)
    screening_frequency = models.CharField(
        _("screening frequency"),
        max_length=255,
        blank=True,
        help_text=_("e.g. before each payment, and again whenever a list changes."),
    )
    # 7. Training
    training = models.TextField(_("staff training"), blank=True)
    last_training_on = models.DateField(_("last training"), null=True, blank=True)
    # 8. Audits
    audits = models.TextField(_("audits"), blank=True)
    last_audit_on = models.DateField(_("last audit"), null=True, blank=True)
    auditor = models.CharField(_("auditor"), max_length=255, blank=True)
    # 9. Funding sources
    funding_sources = models.TextField(_("funding sources"), blank=True)
    # 10. Bank relationships
    bank_relationships = models.TextField(_("bank relationships"), blank=True)

    class Meta:
        verbose_name = _("compliance profile")
        verbose_name_plural = _("compliance profiles")

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("screening:profile")

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW:
            return _own_organisation(access)
        return _editors_of_own_organisation(access)

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR)
        )


class ProfileDocument(BaseModel):
    """A document attached to a compliance profile, with its expiry date."""

    profile = models.ForeignKey(
        ComplianceProfile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to="screening/documents/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("file fingerprint"), max_length=64)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("profile document")
        verbose_name_plural = _("profile documents")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW:
            return _own_organisation(access, "profile__organisation_id")
        return _editors_of_own_organisation(access, "profile__organisation_id")

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return ComplianceProfile.can_create(access)


class SigningKey(BaseModel):
    """The organisation's Ed25519 key; the private half encrypted at rest."""

    organisation = models.OneToOneField(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="signing_key",
    )
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    key_id = models.CharField(_("key fingerprint"), max_length=16, unique=True)
    private_key = EncryptedTextField(_("private key"))

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "private_key")

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"{self.organisation} {self.key_id}"

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        # The public half is public; nobody changes a key through the app.
        return None if action == Permission.VIEW else NOTHING


class DueDiligencePackage(AppendOnly):
    """A signed due-diligence package: the file as it was signed, never changed afterwards."""

    reference = models.UUIDField(_("reference"), unique=True, editable=False)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="dd_packages",
    )
    kind = models.CharField(_("for"), max_length=16, choices=PackageKind.choices)
    title = models.CharField(_("title"), max_length=255)
    purpose = models.TextField(_("purpose"))
    document = models.TextField(_("signed file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    key_id = models.CharField(_("key fingerprint"), max_length=16)
    signed_at = models.DateTimeField(_("signed"))
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("due-diligence package")
        verbose_name_plural = _("due-diligence packages")
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("screening:package-detail", args=[self.pk])

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """The NGO's members; the bank users it was shared with or forwarded to."""
        if action != Permission.VIEW:
            return NOTHING
        if access.is_admin:
            return None
        condition = NOTHING
        if access.organisation_id is not None:
            condition = Q(organisation_id=access.organisation_id)
        if access.user_id is not None:
            condition |= Q(shares__recipient_id=access.user_id)
        return condition


class PackageShare(AppendOnly):
    """The package given to a named bank user (by the NGO, or forwarded by a bank user)."""

    package = models.ForeignKey(
        DueDiligencePackage,
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="received_dd_packages",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwarded from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("shared"), default=timezone.now)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("package share")
        verbose_name_plural = _("package shares")
        ordering = ["package", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.package} → {self.recipient}"


class PackageAccess(AppendOnly):
    """Every access to a package: who, from which organisation, what, when."""

    package = models.ForeignKey(
        DueDiligencePackage,
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="accesses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=255)
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("package access")
        verbose_name_plural = _("package accesses")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.user_name} {self.action}"
