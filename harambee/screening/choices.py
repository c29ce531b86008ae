from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """Who publishes a list (the `source` of a hit)."""

    UN = "un", _("UN Security Council")
    OFAC = "ofac", _("OFAC (United States)")
    EU = "eu", _("European Union")
    UK = "uk", _("United Kingdom (HMT/OFSI)")


class VersionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUPERSEDED = "superseded", _("Superseded")


class EntityType(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    VESSEL = "vessel", _("Vessel")
    AIRCRAFT = "aircraft", _("Aircraft")


class NameQuality(models.TextChoices):
    STRONG = "strong", _("Strong")
    WEAK = "weak", _("Weak")


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("Primary name")
    ALIAS = "alias", _("Also known as")
    FORMER = "former", _("Formerly known as")
    ORIGINAL_SCRIPT = "original_script", _("Original script")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    RANGE = "range", _("Range of years")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
