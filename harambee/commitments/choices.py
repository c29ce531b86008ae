from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentType(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    MATERIAL = "material", _("Material")
    TECHNICAL = "technical", _("Technical")
    POLICY = "policy", _("Policy")
    RESETTLEMENT = "resettlement", _("Resettlement or complementary pathways")
    OTHER = "other", _("Other")


# A policy pledge is made possible by these (matching pledges).
ENABLING_TYPES = (CommitmentType.FINANCIAL, CommitmentType.TECHNICAL)


class ForumKind(models.TextChoices):
    REFUGEE_FORUM = "refugee_forum", _("Refugee forum")
    COMPACT = "compact", _("Country compact")
    SUMMIT = "summit", _("Summit")
    OTHER = "other", _("Other")


class SmartElement(models.TextChoices):
    """What makes a pledge followable; a missing one is flagged and counted."""

    PLACE = "place", _("Place")
    POPULATION = "population", _("Population")
    INDICATOR = "indicator", _("Indicator")
    TARGET = "target", _("Target")
    DATE = "date", _("Date")


class Unit(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENTAGE = "percentage", _("Percentage")


class TimeAggregation(models.TextChoices):
    SUM = "sum", _("Sum of the periods")
    LATEST = "latest", _("Latest period")


class PlaceAggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    MAX = "max", _("Largest")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")


class Dimension(models.TextChoices):
    """Disaggregation dimensions of an indicator (columns of a progress report)."""

    SEX = "sex", _("Sex")
    AGE = "age", _("Age")
    POPULATION_GROUP = "population_group", _("Population group")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Every six months")
    ANNUAL = "annual", _("Yearly")


FREQUENCY_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
}


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back")


class IndicatorStatus(models.TextChoices):
    """Computed from approved reports, never declared (see status.py)."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")


class ShareRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
