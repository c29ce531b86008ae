from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    HOST_GOVERNMENT = "host_government", _("Host government")
    DONOR_GOVERNMENT = "donor_government", _("Donor government")
    UN_AGENCY = "un_agency", _("UN agency")
    INTERNATIONAL_NGO = "international_ngo", _("International NGO")
    NATIONAL_NGO = "national_ngo", _("National NGO")
    REFUGEE_LED = "refugee_led", _("Refugee-led organisation")
    DIASPORA = "diaspora", _("Diaspora organisation")
    RED_CROSS = "red_cross", _("Red Cross/Red Crescent")
    PRIVATE = "private", _("Private company")
    BANK = "bank", _("Bank or financial institution")
    ACADEMIC = "academic", _("Academic or research")
    FOUNDATION = "foundation", _("Foundation")
    OTHER = "other", _("Other")


class GroupKind(models.TextChoices):
    COUNTRY = "country", _("Country group")
    THEMATIC = "thematic", _("Thematic group")
    OTHER = "other", _("Other")


class MembershipRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class WorkplanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


# Which status a request may move to from each status.
REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.OPEN: {RequestStatus.ACCEPTED, RequestStatus.DECLINED},
    RequestStatus.ACCEPTED: {RequestStatus.IN_PROGRESS, RequestStatus.DONE, RequestStatus.DECLINED},
    RequestStatus.IN_PROGRESS: {RequestStatus.DONE, RequestStatus.DECLINED},
    RequestStatus.DONE: {RequestStatus.IN_PROGRESS},
    RequestStatus.DECLINED: {RequestStatus.OPEN},
}
