"""Countries (ISO 3166), admin areas (P-codes) and emergencies (GLIDE)."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission, Role
from harambee.core.models import NOTHING, BaseModel

from .choices import EmergencyType


class Country(BaseModel):
    """An ISO 3166 country; its ISO3 code is its key in URLs and the API."""

    iso3 = models.CharField(_("ISO3 code"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO2 code"), max_length=2, unique=True)
    numeric = models.CharField(_("numeric code"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(_("official name"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_upper"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:country-detail", args=[self.iso3])


class AdminArea(BaseModel):
    """An administrative area identified by its P-code (OCHA common operational dataset)."""

    pcode = models.CharField(_("P-code"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="admin_areas"
    )
    level = models.PositiveSmallIntegerField(_("admin level"))
    name = models.CharField(_("name"), max_length=255)
    other_names = models.JSONField(_("other names"), default=list, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "boundary")

    class Meta:
        verbose_name = _("admin area")
        verbose_name_plural = _("admin areas")
        ordering = ["country_id", "level", "name"]
        indexes = [
            models.Index(fields=["country", "level", "name"], name="adminarea_country_level")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="adminarea_level_1_4"
            ),
            models.CheckConstraint(
                condition=Q(level=1) | Q(parent__isnull=False),
                name="adminarea_parent_below_level_1",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="adminarea_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="adminarea_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="adminarea_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    def get_absolute_url(self) -> str:
        return reverse("places:area-detail", args=[self.pcode])

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            if self.level and self.level > 1:
                raise ValidationError({"parent": _("An area below level 1 needs a parent area.")})
            return
        parent = self.parent
        if parent is None:
            return
        errors: dict[str, Any] = {}
        if parent.pk == self.pk:
            errors["parent"] = _("An area cannot be its own parent.")
        elif parent.level != self.level - 1:
            errors["parent"] = _(
                "The parent of a level %(level)s area must be at level %(parent)s."
            ) % {"level": self.level, "parent": self.level - 1}
        elif parent.country_id != self.country_id:
            errors["parent"] = _("The parent area is in another country.")
        if errors:
            raise ValidationError(errors)


GLIDE_VALIDATOR = RegexValidator(
    r"^[A-Z]{2}-\d{4}-\d{6}-[A-Z]{3}$",
    _("A GLIDE number looks like EP-2014-000041-GIN: hazard, year, six digits, country."),
)


class Emergency(BaseModel):
    """A crisis that activities, money and needs respond to; GLIDE numbers identify them."""

    name = models.CharField(_("name"), max_length=255)
    glide = models.CharField(
        _("GLIDE number"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        validators=[GLIDE_VALIDATOR],
        help_text=_("e.g. EP-2014-000041-GIN"),
    )
    emergency_type = models.CharField(_("type"), max_length=4, choices=EmergencyType.choices)
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), related_name="emergencies"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="emergency_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:emergency-detail", args=[self.pk])

    def clean_fields(self, exclude: object = None) -> None:
        # A blank GLIDE is "none": NULL keeps the unique index from treating blanks as equal.
        self.glide = (self.glide or "").strip().upper() or None
        super().clean_fields(exclude=exclude)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

    def is_active_on(self, day: datetime.date) -> bool:
        started = self.start_date is None or self.start_date <= day
        return started and (self.end_date is None or self.end_date >= day)

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Everyone views; editors anywhere in the network keep emergencies up to date."""
        if action == Permission.VIEW or access.is_admin:
            return None
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        return None if access.has_role_anywhere(needed) else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)
