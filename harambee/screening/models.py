"""Sanctions lists as versioned snapshots, and screening batches.

A load writes one `ListVersion` with every entry of the file and its names, dates of birth,
nationalities, identifiers and addresses; the previous version of the same list becomes
superseded in the same transaction. A load that fails writes nothing, so the previous version
stays active. Screening reads the active version of every list.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from harambee.core.fields import EncryptedJSONField, EncryptedTextField, HashField
from harambee.core.models import BaseModel, RestrictedModel

from .choices import (
    BatchStatus,
    DatePrecision,
    EntityType,
    NameKind,
    NameQuality,
    SourceKind,
    VersionStatus,
)


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
