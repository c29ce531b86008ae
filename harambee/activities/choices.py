from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class OrganisationRole(models.TextChoices):
    """Roles other than implementing (the activity's own organisation), as in 4W/5W files."""

    FUNDING = "funding", _("Funding")
    REPORTING = "reporting", _("Reporting")
    PARTNER = "partner", _("Partner")


class FigureKind(models.TextChoices):
    IN_NEED = "in_need", _("People in need")
    TARGETED = "targeted", _("People targeted")
    REACHED = "reached", _("People reached")


class Sex(models.TextChoices):
    ALL = "all", _("All")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class AgeGroup(models.TextChoices):
    ALL = "all", _("All ages")
    CHILDREN = "0-17", _("Children (0–17)")
    ADULTS = "18-59", _("Adults (18–59)")
    OLDER = "60+", _("Older people (60+)")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Reading")
    PREVIEW = "preview", _("Ready to review")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class MatchDecision(models.TextChoices):
    """What a person decided about an organisation named in a file."""

    ACCEPT = "accept", _("Accept the suggested match")
    PICK = "pick", _("Pick another organisation")
    CREATE = "create", _("Create a new organisation")
