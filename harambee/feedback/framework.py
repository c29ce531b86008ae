"""The Red Cross Red Crescent community feedback coding framework: type → category → code.

Reference data, kept in code (translated, versioned with the application, the same on every
server): items store the three keys. Adapted from the IFRC/ICRC community feedback coding
framework; four complaint categories are *sensitive* and are handled only by named focal points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackType(models.TextChoices):
    QUESTION = "question", _("Question")
    REQUEST = "request", _("Request or suggestion")
    COMPLAINT = "complaint", _("Report or complaint")
    PRAISE = "praise", _("Praise")
    OBSERVATION = "observation", _("Observation, perception or belief (including rumours)")
    INCOMPLETE = "incomplete", _("Incomplete")


@dataclass(frozen=True)
class Category:
    key: str
    feedback_type: str
    label: Any
    codes: tuple[tuple[str, Any], ...]
    sensitive: bool = False


def _c(
    key: str, kind: str, label: Any, codes: list[tuple[str, Any]], sensitive: bool = False
) -> Category:
    return Category(key, kind, label, tuple(codes), sensitive)


QU, RE, CO, PR, OB, IN = (
    FeedbackType.QUESTION,
    FeedbackType.REQUEST,
    FeedbackType.COMPLAINT,
    FeedbackType.PRAISE,
    FeedbackType.OBSERVATION,
    FeedbackType.INCOMPLETE,
)

CATEGORIES: tuple[Category, ...] = (
    _c("q_assistance", QU, _("Question about assistance and services"), [
        ("q_assistance_when", _("When or where assistance will be given")),
        ("q_assistance_eligibility", _("Who is eligible, selection criteria")),
        ("q_assistance_registration", _("How to register")),
        ("q_assistance_other", _("Other question about assistance")),
    ]),
    _c("q_organisation", QU, _("Question about an organisation or its staff"), [
        ("q_organisation_who", _("Who the organisation is, what it does")),
        ("q_organisation_contact", _("How to contact the organisation")),
    ]),
    _c("q_situation", QU, _("Question about the situation"), [
        ("q_situation_health", _("Disease or health situation")),
        ("q_situation_safety", _("Security situation, movement")),
        ("q_situation_legal", _("Legal status, documents, asylum")),
        ("q_situation_return", _("Return or relocation")),
    ]),
    _c("r_assistance", RE, _("Request for assistance"), [
        ("r_assistance_food", _("Food")),
        ("r_assistance_cash", _("Cash")),
        ("r_assistance_shelter", _("Shelter or household items")),
        ("r_assistance_health", _("Health care, medicine")),
        ("r_assistance_water", _("Water, sanitation, hygiene")),
        ("r_assistance_education", _("Education")),
        ("r_assistance_protection", _("Protection, legal aid")),
        ("r_assistance_livelihood", _("Work, livelihood")),
        ("r_assistance_other", _("Other assistance")),
    ]),
    _c("r_information", RE, _("Request for information"), [
        ("r_information_services", _("Information about services")),
        ("r_information_family", _("Tracing or news of family members")),
    ]),
    _c("r_suggestion", RE, _("Suggestion"), [
        ("r_suggestion_programme", _("How a programme could work better")),
        ("r_suggestion_new", _("A new service or activity")),
    ]),
    _c("c_quality", CO, _("Complaint about the quantity or quality of assistance"), [
        ("c_quality_insufficient", _("Not enough")),
        ("c_quality_poor", _("Poor quality or inappropriate")),
        ("c_quality_late", _("Late or did not arrive")),
    ]),
    _c("c_access", CO, _("Complaint about access or exclusion"), [
        ("c_access_excluded", _("Excluded or not selected")),
        ("c_access_distance", _("Too far, hard to reach, not accessible")),
        ("c_access_discrimination", _("Unfair treatment of a group")),
    ]),
    _c("c_behaviour", CO, _("Complaint about staff or volunteer behaviour"), [
        ("c_behaviour_rude", _("Rude or disrespectful")),
        ("c_behaviour_absent", _("Absent, did not come as promised")),
    ]),
    _c("c_process", CO, _("Complaint about a process"), [
        ("c_process_registration", _("Registration or verification")),
        ("c_process_communication", _("Poor information or communication")),
        ("c_process_feedback", _("Earlier feedback not answered")),
    ]),
    _c("c_sea", CO, _("Sexual exploitation and abuse"), [
        ("c_sea_exploitation", _("Sexual exploitation (assistance for sex)")),
        ("c_sea_abuse", _("Sexual abuse")),
        ("c_sea_harassment", _("Sexual harassment")),
    ], sensitive=True),
    _c("c_abuse", CO, _("Other abuse by staff or volunteers"), [
        ("c_abuse_physical", _("Physical violence")),
        ("c_abuse_threats", _("Threats or intimidation")),
        ("c_abuse_child", _("Abuse of a child")),
    ], sensitive=True),
    _c("c_fraud", CO, _("Fraud or corruption"), [
        ("c_fraud_payment", _("Payment or favour demanded for assistance")),
        ("c_fraud_diversion", _("Assistance diverted or sold")),
        ("c_fraud_favouritism", _("Favouritism in selection")),
    ], sensitive=True),
    _c("c_safety", CO, _("Safety threat"), [
        ("c_safety_person", _("Threat to a person's life or safety")),
        ("c_safety_staff", _("Threat to staff or volunteers")),
        ("c_safety_site", _("Unsafe site or distribution")),
    ], sensitive=True),
    _c("p_thanks", PR, _("Praise and thanks"), [
        ("p_thanks_assistance", _("Thanks for assistance")),
        ("p_thanks_staff", _("Praise for staff or volunteers")),
    ]),
    _c("o_rumour", OB, _("Rumour or misinformation"), [
        ("o_rumour_assistance", _("About assistance (who gets what, when)")),
        ("o_rumour_health", _("About a disease, a vaccine or a treatment")),
        ("o_rumour_organisation", _("About an organisation or its staff")),
        ("o_rumour_security", _("About security, movement or borders")),
    ]),
    _c("o_perception", OB, _("Perception or belief"), [
        ("o_perception_trust", _("Trust or mistrust")),
        ("o_perception_fairness", _("Fairness of assistance")),
        ("o_perception_needs", _("Needs not covered")),
    ]),
    _c("o_observation", OB, _("Observation"), [
        ("o_observation_community", _("Something seen in the community")),
        ("o_observation_tension", _("Tension between communities")),
    ]),
    _c("i_incomplete", IN, _("Incomplete"), [
        ("i_incomplete_unclear", _("Unclear, cannot be coded")),
        ("i_incomplete_cut", _("Cut off or empty")),
    ]),
)  # fmt: skip

CATEGORY_BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}
CODE_TO_CATEGORY: dict[str, Category] = {code: c for c in CATEGORIES for code, _label in c.codes}
SENSITIVE_CATEGORIES: frozenset[str] = frozenset(c.key for c in CATEGORIES if c.sensitive)


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Categories grouped by type, for a select."""
    return [
        (str(label), [(c.key, str(c.label)) for c in CATEGORIES if c.feedback_type == kind])
        for kind, label in FeedbackType.choices
    ]


def code_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(str(c.label), [(k, str(v)) for k, v in c.codes]) for c in CATEGORIES]


def label_of_category(key: str) -> str:
    category = CATEGORY_BY_KEY.get(key)
    return str(category.label) if category else key


def label_of_code(key: str) -> str:
    category = CODE_TO_CATEGORY.get(key)
    if category is None:
        return key
    return str(dict(category.codes)[key])


def is_sensitive(category: str) -> bool:
    return category in SENSITIVE_CATEGORIES


# What a sender may write for "no" (a form's unticked box sends nothing at all).
_NOT_FLAGGED = frozenset({"", "0", "false", "no", "off", "none", "null"})


def is_flagged(value: Any) -> bool:
    """Whether a declared "sensitive" flag says yes: a boolean, or a form's or a file's word
    ("on", "true", "1"...). Anything but a clear "no" counts as yes."""
    if isinstance(value, str):
        return value.strip().lower() not in _NOT_FLAGGED
    return bool(value)


def declares_sensitive(data: Mapping[str, Any]) -> bool:
    """The one rule that makes feedback sensitive from what was declared with it: the sender's
    "sensitive" flag, a sensitive category, or a code of a sensitive category. Items are made
    sensitive by it (services.clean_intake), and so is raw intake, whether or not it could be
    read into an item (services.record_raw, raw_declares_sensitive)."""
    category = str(data.get("category") or "").strip()
    owner = CODE_TO_CATEGORY.get(str(data.get("code") or "").strip())
    return (
        is_flagged(data.get("sensitive"))
        or is_sensitive(category)
        or (owner is not None and owner.sensitive)
    )


def raw_declares_sensitive(payload: Any) -> bool:
    """`declares_sensitive` applied to what arrived as it arrived (RawIntake.payload, parsed):
    a form's or an API's fields; for a file, any cell holding the key of a sensitive category
    or code (a file's column mapping is not kept, and a file that could not be read into items
    may not have one)."""
    if not isinstance(payload, Mapping):
        return False
    if declares_sensitive(payload):
        return True
    rows = payload.get("rows")
    if not isinstance(rows, list):
        return False
    return any(
        declares_sensitive({"category": cell, "code": cell})
        for row in rows
        if isinstance(row, list)
        for cell in row
        if isinstance(cell, str)
    )


def check_coding(feedback_type: str, category: str, code: str) -> dict[str, str]:
    """Errors per field when the three keys do not belong together (empty: they do)."""
    errors: dict[str, str] = {}
    if category:
        found = CATEGORY_BY_KEY.get(category)
        if found is None:
            errors["category"] = str(_("Unknown category."))
        elif feedback_type and found.feedback_type != feedback_type:
            errors["category"] = str(_("This category belongs to another type."))
    if code:
        owner = CODE_TO_CATEGORY.get(code)
        if owner is None:
            errors["code"] = str(_("Unknown code."))
        elif category and owner.key != category:
            errors["code"] = str(_("This code belongs to another category."))
    return errors
