"""Who does what where: activities by organisation, sector and place, and the imports they came from."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission, Role
from harambee.core.models import NOTHING, BaseModel, RestrictedModel
from harambee.network.models import Organisation
from harambee.places.models import AdminArea, Country, Emergency

from .choices import ActivityStatus, AgeGroup, FigureKind, ImportStatus, OrganisationRole, Sex


class PopulationGroup(BaseModel):
    """Refugees, asylum seekers, IDPs, returnees, stateless people, host community, migrants."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return gettext(self.name)  # names are marked for translation in reference.py


class Sector(BaseModel):
    """A global cluster (country empty) or a sector a country defines for itself."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sectors",
        help_text=_("Empty for the global clusters."),
    )
    aliases = models.JSONField(
        _("other names and codes"),
        default=list,
        blank=True,
        help_text=_("Names and codes files use for this sector, e.g. 'EiE_OP', 'Éducation'."),
    )

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["country_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(country__isnull=True), name="sector_global_code_unique"
            ),
            models.UniqueConstraint(
                fields=["country", "code"],
                condition=Q(country__isnull=False),
                name="sector_country_code_unique",
            ),
        ]

    def __str__(self) -> str:
        # Global cluster names are marked for translation in reference.py.
        return gettext(self.name) if self.country_id is None else self.name

    @property
    def is_global(self) -> bool:
        return self.country_id is None

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Everyone views; editors add and change their country's own sectors, admins the clusters."""
        if action == Permission.VIEW or access.is_admin:
            return None
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        return Q(country__isnull=False) if access.has_role_anywhere(needed) else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class ImportBatch(RestrictedModel):
    """One 3W file brought in: read, previewed, reviewed, then committed (or not).

    Visible to the importer's organisation by default (the file may hold names of contacts).
    """

    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who sends this file, e.g. 'OCHA Afghanistan 3W'. Column mappings are kept per source."
        ),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64, db_index=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    dry_run = models.BooleanField(_("preview only"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    decisions = models.JSONField(_("decisions on organisations"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "report", "rows_done")

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("activities:import-detail", args=[self.pk])

    @property
    def progress(self) -> int:
        """Percent of rows processed, for the progress bar."""
        if not self.rows_total:
            return 100 if self.status in (ImportStatus.PREVIEW, ImportStatus.COMMITTED) else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ColumnMapping(BaseModel):
    """How the columns of files from one source map to HXL tags, kept for the next file."""

    source = models.CharField(_("source"), max_length=200)
    header_signature = models.CharField(_("header signature"), max_length=64)
    headers = models.JSONField(_("headers"), default=list)
    mapping = models.JSONField(_("mapping"), default=dict, help_text=_("Column header → HXL tag."))

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "header_signature"], name="columnmapping_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.source

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        return None if access.has_role_anywhere(Role.EDITOR) else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class Activity(RestrictedModel):
    """What an organisation does, in which sector, where, when, for whom."""

    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,  # activity_country_sector and activity_coverage start with it
    )
    implementing_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("implementing organisation"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.ONGOING
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    emergency = models.ForeignKey(
        Emergency,
        verbose_name=_("emergency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    population_groups = models.ManyToManyField(
        PopulationGroup, verbose_name=_("population groups"), blank=True, related_name="activities"
    )
    people_in_need = models.PositiveIntegerField(_("people in need"), null=True, blank=True)
    people_targeted = models.PositiveIntegerField(_("people targeted"), null=True, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    # Where it came from; 3W rows carry no IDs, so the key is derived from their content.
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    source_row = models.PositiveIntegerField(_("source row"), null=True, blank=True)
    source_key = models.CharField(_("source key"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["country_id", "implementing_organisation__name", "pk"]
        indexes = [
            models.Index(fields=["country", "sector"], name="activity_country_sector"),
            # Covers the map and the coverage matrix: their grouped queries read this index
            # alone, never the table (4x faster on 50,000 activities; see bench/).
            models.Index(
                fields=[
                    "country",
                    "implementing_organisation",
                    "sector",
                    "visibility",
                    "owner_organisation",
                    "people_in_need",
                    "people_targeted",
                    "people_reached",
                ],
                name="activity_coverage",
            ),
            models.Index(fields=["status"], name="activity_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "source_key"], name="activity_source_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="activity_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.implementing_organisation} — {self.sector}"

    def get_absolute_url(self) -> str:
        return reverse("activities:activity-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.sector_id and self.sector.country_id and self.sector.country_id != self.country_id:
            raise ValidationError({"sector": _("This sector belongs to another country.")})


class ActivityPart(BaseModel):
    """Part of an activity: seen and changed by whoever may see and change the activity."""

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        # Adding or removing a part is a change to the activity.
        needed = Permission.VIEW if action == Permission.VIEW else Permission.CHANGE
        return Q(activity__in=Activity.objects.restrict_access(access, needed))


class ActivityPlace(ActivityPart):
    """Where an activity happens: an admin area (by P-code) and/or a point, with the source's own names."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="places",
        db_index=False,  # activityplace_activity (activity, admin_area) serves instead
    )
    admin_area = models.ForeignKey(
        AdminArea,
        verbose_name=_("admin area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_places",
        db_index=False,  # activityplace_area starts with it
    )
    source_pcode = models.CharField(_("P-code in the file"), max_length=32, blank=True)
    source_names = models.JSONField(
        _("place names in the file"),
        default=list,
        blank=True,
        help_text=_("From the largest area to the smallest, as the file spelt them."),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity place")
        verbose_name_plural = _("activity places")
        ordering = ["activity", "pk"]
        indexes = [
            models.Index(fields=["admin_area", "activity"], name="activityplace_area"),
            # Joining places to activities reads the area from the index, not the table.
            models.Index(fields=["activity", "admin_area"], name="activityplace_activity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="activityplace_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="activityplace_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        if self.admin_area_id:
            return str(self.admin_area)
        return " / ".join(self.source_names) or self.source_pcode


class ActivityOrganisation(ActivityPart):
    """Another organisation's part in an activity: funding, reporting or partner."""

    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="other_organisations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="activity_roles",
    )
    role = models.CharField(_("role"), max_length=16, choices=OrganisationRole.choices)

    class Meta:
        verbose_name = _("organisation role in an activity")
        verbose_name_plural = _("organisation roles in activities")
        ordering = ["activity", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "organisation", "role"], name="activityorganisation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ActivityFigure(ActivityPart):
    """People in need, targeted or reached, by sex and age, where the file gives them."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="figures"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FigureKind.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.ALL)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.ALL
    )
    value = models.PositiveIntegerField(_("people"))

    class Meta:
        verbose_name = _("people figure")
        verbose_name_plural = _("people figures")
        ordering = ["activity", "kind", "sex", "age_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "kind", "sex", "age_group"], name="activityfigure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
