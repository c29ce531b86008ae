"""Choices of the matching app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileKind(models.TextChoices):
    DIASPORA_EXPERT = "diaspora_expert", _("Diaspora expert")
    MENTOR = "mentor", _("Mentor")
    JOB_SEEKER = "job_seeker", _("Job seeker")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    VOLUNTEER = "volunteer", _("Volunteer")


class Cefr(models.IntegerChoices):
    """CEFR levels as numbers, so "at least B2" is a comparison."""

    A1 = 1, "A1"
    A2 = 2, "A2"
    B1 = 3, "B1"
    B2 = 4, "B2"
    C1 = 5, "C1"
    C2 = 6, "C2"


CEFR_BY_NAME = {label: value for value, label in Cefr.choices}


class Verification(models.TextChoices):
    SELF_DECLARED = "self_declared", _("Self-declared")
    DOCUMENT_SEEN = "document_seen", _("Document seen")
    VERIFIED = "verified", _("Verified by an organisation")


class ConsentPurpose(models.TextChoices):
    MATCH = "match", _("Be matched")
    CONTACT = "contact", _("Be contacted")
    REVEAL = "reveal", _("Show my identity")


class OfferKind(models.TextChoices):
    PERSON = "person", _("A person's skills and time")
    EXPERTISE = "expertise", _("Expertise of a thematic group")
    IN_KIND = "in_kind", _("In-kind support")
    CAPITAL = "capital", _("Capital")


class CapitalType(models.TextChoices):
    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    INVESTMENT = "investment", _("Investment")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    EARLY = "early", _("Early")
    GROWTH = "growth", _("Growth")
    MATURE = "mature", _("Mature")


class NeedKind(models.TextChoices):
    CRISIS = "crisis", _("Crisis need")
    GROUP_REQUEST = "group_request", _("Country group request")
    JOB = "job", _("Job opening")
    MENTOR = "mentor", _("Entrepreneur seeking a mentor")
    CAPITAL = "capital", _("Entrepreneur seeking capital")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONTACTED = "contacted", _("Contacted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Answer(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Mode(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal (highest total score)")
    STABLE = "stable", _("Stable (deferred acceptance)")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CapBy(models.TextChoices):
    NONE = "", _("No cap")
    ORGANISATION = "organisation", _("Organisation")
    NATIONALITY = "nationality", _("Nationality")
