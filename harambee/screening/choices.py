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


class PayeeSchema(models.TextChoices):
    """What a payee is (blank: not said), as screening takes it."""

    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


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


class Outcome(models.TextChoices):
    """What a reviewer decided about a hit."""

    CLEARED = "cleared", _("Cleared (false positive)")
    ESCALATED = "escalated", _("Escalated")
    CONFIRMED = "confirmed", _("Confirmed match")


class SubjectKind(models.TextChoices):
    """What continuous screening watches."""

    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")
    BOARD_MEMBER = "board_member", _("Board member or director")
    PAYEE = "payee", _("Payee")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REVIEWED = "reviewed", _("Reviewed")


class DocumentKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration certificate")
    STATUTES = "statutes", _("Statutes or constitution")
    BOARD = "board", _("Board list")
    POLICY = "policy", _("Sanctions or counter-terrorism financing policy")
    AUDIT = "audit", _("Audit report")
    ACCOUNTS = "accounts", _("Financial statements")
    OTHER = "other", _("Other")


class PackageKind(models.TextChoices):
    TRANSACTION = "transaction", _("A transaction")
    RELATIONSHIP = "relationship", _("A banking relationship")


class AccessAction(models.TextChoices):
    CREATED = "created", _("Created and signed")
    SHARED = "shared", _("Shared")
    FORWARDED = "forwarded", _("Forwarded")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("Downloaded")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused (expired)")
