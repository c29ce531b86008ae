"""Choices of the money app. Each source's own word is kept beside the mapped value."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceSystem(models.TextChoices):
    FTS = "fts", _("OCHA Financial Tracking Service")
    IATI = "iati", _("IATI")
    MANUAL = "manual", _("Entered in Harambee")


class FlowStatus(models.TextChoices):
    """FTS's three stages; IATI transaction types map onto them (see IATI_TRANSACTION_STATUS)."""

    PLEDGE = "pledge", _("Pledge")
    COMMITMENT = "commitment", _("Commitment")
    PAID = "paid", _("Paid")
    OTHER = "other", _("Other (not counted)")


# IATI transaction type code -> status. Types not listed (5-10: interest and loan repayments,
# reimbursement, equity, credit guarantee) are kept with status OTHER and never counted.
IATI_TRANSACTION_STATUS: dict[str, str] = {
    "1": FlowStatus.PAID,  # incoming funds
    "2": FlowStatus.COMMITMENT,  # outgoing commitment
    "3": FlowStatus.PAID,  # disbursement
    "4": FlowStatus.PAID,  # expenditure
    "11": FlowStatus.COMMITMENT,  # incoming commitment
    "12": FlowStatus.PLEDGE,  # outgoing pledge
    "13": FlowStatus.PLEDGE,  # incoming pledge
}


class Boundary(models.TextChoices):
    """Where the flow crosses the boundary of the place and year it was reported for."""

    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    INTERNAL = "internal", _("Internal")


class OnBoundary(models.TextChoices):
    """FTS: 'single' when the whole amount belongs to the place and year; 'shared' when the
    flow spans several (its money is carried by other flows, e.g. multi-year parents)."""

    SINGLE = "single", _("Single")
    SHARED = "shared", _("Shared")


class FlowType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PARKED = "parked", _("Parked")
    PASS_THROUGH = "pass_through", _("Pass through")
    CARRYOVER = "carryover", _("Carryover")


class ContributionType(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    IN_KIND = "in_kind", _("In kind")


class Channel(models.TextChoices):
    """Through whom the money reaches the response."""

    GOVERNMENT_BUDGET = "government_budget", _("Host government budget")
    POOLED_FUND = "pooled_fund", _("Pooled fund")
    UN_AGENCY = "un_agency", _("UN agency")
    NGO = "ngo", _("NGO")
    RED_CROSS = "red_cross", _("Red Cross / Red Crescent")
    PRIVATE = "private", _("Private sector")
    DIASPORA = "diaspora", _("Diaspora philanthropy")
    OTHER = "other", _("Other")


class Side(models.TextChoices):
    SOURCE = "source", _("Source")
    DESTINATION = "destination", _("Destination")


class PartyKind(models.TextChoices):
    """What an end of a flow is (FTS 'objects'; IATI provider/receiver and classifications)."""

    ORGANISATION = "organisation", _("Organisation")
    POOLED_FUND = "pooled_fund", _("Pooled fund")
    BUDGET_LINE = "budget_line", _("Government budget line")
    PLAN = "plan", _("Plan")
    PROJECT = "project", _("Project / activity")
    LOCATION = "location", _("Place")
    SECTOR = "sector", _("Global cluster / sector")
    CLUSTER = "cluster", _("Plan cluster")
    USAGE_YEAR = "usage_year", _("Usage year")
    EMERGENCY = "emergency", _("Emergency")


# FTS object type -> party kind (organisations of type "Pooled fund" become pooled funds).
FTS_OBJECT_KIND: dict[str, str] = {
    "Organization": PartyKind.ORGANISATION,
    "Plan": PartyKind.PLAN,
    "Project": PartyKind.PROJECT,
    "Location": PartyKind.LOCATION,
    "GlobalCluster": PartyKind.SECTOR,
    "Cluster": PartyKind.CLUSTER,
    "UsageYear": PartyKind.USAGE_YEAR,
    "Emergency": PartyKind.EMERGENCY,
}


class Behavior(models.TextChoices):
    """FTS: how the amount relates to this object (whole, shared with others, overlapping)."""

    SINGLE = "single", _("Single")
    SHARED = "shared", _("Shared")
    OVERLAP = "overlap", _("Overlap")


class PlanKind(models.TextChoices):
    HUMANITARIAN_RESPONSE_PLAN = "hrp", _("Humanitarian response plan")
    REFUGEE_RESPONSE_PLAN = "rrp", _("Refugee response plan")
    FLASH_APPEAL = "flash_appeal", _("Flash appeal")
    NATIONAL_DEVELOPMENT_PLAN = "ndp", _("National development plan")
    COMPACT = "compact", _("Compact")
    OTHER = "other", _("Other")


# FTS plan type name (lower case) -> kind. The 3RP is a "Regional response plan" in FTS.
FTS_PLAN_KIND: dict[str, str] = {
    "humanitarian response plan": PlanKind.HUMANITARIAN_RESPONSE_PLAN,
    "regional response plan": PlanKind.REFUGEE_RESPONSE_PLAN,
    "regional refugee response plan": PlanKind.REFUGEE_RESPONSE_PLAN,
    "flash appeal": PlanKind.FLASH_APPEAL,
}


class FundType(models.TextChoices):
    COUNTRY_BASED = "country_based", _("Country-based")
    GLOBAL = "global", _("Global")
    OTHER = "other", _("Other")


class FundStage(models.TextChoices):
    """The four stages of money in a pooled fund, in order."""

    COMMITMENT = "commitment", _("Donor commitment (signed)")
    DEPOSIT = "deposit", _("Deposit")
    TRANSFER = "transfer", _("Transfer to participating organisation")
    EXPENDITURE = "expenditure", _("Expenditure")


class AggregateKind(models.TextChoices):
    REMITTANCES = "remittances", _("Diaspora remittances")
    PHILANTHROPY = "philanthropy", _("Diaspora philanthropy")


class CountingReason(models.TextChoices):
    """Why a flow is or is not in the funding total (the counting rule, in the order it is
    applied: boundary, on-boundary, counted upstream, stage)."""

    COUNTED = "counted", _("Counted")
    PLEDGE = "pledge", _("Pledge (totalled apart)")
    INTERNAL = "internal", _("Internal: money already counted when it came in")
    OUTGOING = "outgoing", _("Outgoing: money leaving")
    SHARED = "shared", _("Shared: carried by other flows (multi-year or multi-country)")
    UPSTREAM = "upstream", _("Repeats money an ancestor flow already carries")
    NO_STAGE = "no_stage", _("Not a funding stage (e.g. loan repayment)")
