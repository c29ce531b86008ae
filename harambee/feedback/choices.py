from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    SMS = "sms", _("SMS")
    WEB_FORM = "web_form", _("Web form")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")
    SOCIAL_MEDIA = "social_media", _("Social media")
    CHATBOT = "chatbot", _("Chatbot or messaging app")
    INTERMEDIARY = "intermediary", _("Through an organisation or diaspora intermediary")


class AnswerChannel(models.TextChoices):
    NONE = "none", _("No answer wanted")
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    COMMUNITY_MEETING = "community_meeting", _("At a community meeting")
    INTERMEDIARY = "intermediary", _("Through the intermediary")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.CRITICAL: 3}


class Status(models.TextChoices):
    NEW = "new", _("New")
    REFERRED = "referred", _("Referred")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("Action under way")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.REFERRED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class Satisfaction(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked")
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class FocalPointKind(models.TextChoices):
    PSEA = "psea", _("PSEA and safeguarding focal point (sensitive cases)")
    FEEDBACK = "feedback", _("Feedback focal point (referrals)")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("Sent to the focal points")
    CODED = "coded", _("Coded")
    REFERRED = "referred", _("Referred")
    REASSIGNED = "reassigned", _("Reassigned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTION = "action", _("Action taken")
    ANSWERED = "answered", _("Answer given to the person")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")
    CLUSTERED = "clustered", _("Grouped with similar feedback")


class IntakeSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    STAFF = "staff", _("Entered by staff")
    API = "api", _("Intake API")
    IMPORT = "import", _("File import")


class RawStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected: needs review")
    RESOLVED = "resolved", _("Reviewed")


class ClusterKind(models.TextChoices):
    SIMILAR = "similar", _("Similar feedback")
    RUMOUR = "rumour", _("Rumour")


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class ImportTarget(models.TextChoices):
    """What a column of an imported file can be mapped to."""

    IGNORE = "ignore", _("Ignore this column")
    MESSAGE = "message", _("Words as given")
    SUMMARY = "summary", _("Summary")
    CHANNEL = "channel", _("Channel")
    RECEIVED_ON = "received_on", _("Date")
    LANGUAGE = "language", _("Language")
    PLACE = "place", _("Place (P-code)")
    POPULATION_GROUP = "population_group", _("Population group")
    SECTOR = "sector", _("Sector")
    FEEDBACK_TYPE = "feedback_type", _("Type")
    CATEGORY = "category", _("Category")
    CODE = "code", _("Code")
    CONTACT = "contact", _("Contact (phone or email)")
    CONTACT_NAME = "contact_name", _("Name of the person")
    WANTS_ANSWER = "wants_answer", _("Wants an answer")
    ANSWER_CHANNEL = "answer_channel", _("How to answer")
    CONSENT = "consent", _("Consent given")
    PRIORITY = "priority", _("Priority")
    EXTERNAL_ID = "external_id", _("Identifier in the source")
