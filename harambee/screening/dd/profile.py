"""The compliance profile of an NGO (Wolfsberg CBDDQ sections adapted to non-profits), its
documents with expiry dates, and its screening practice read from Harambee's own record."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harambee.core.access import access_for
from harambee.core.audit import record_change
from harambee.core.choices import Action, Permission
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.services import create_object, delete_object, require, update_object
from harambee.network.models import Organisation

from ..choices import VersionStatus
from ..models import (
    ALERT_IS_OPEN,
    ComplianceFocalPoint,
    ComplianceProfile,
    ListVersion,
    ProfileDocument,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningDecision,
)

# Section titles, in order: the profile page, the package and the docs follow them.
SECTIONS: list[tuple[str, Any, list[str]]] = [
    (
        "legal",
        gettext_lazy("Legal identity and registration"),
        [
            "legal_name",
            "legal_form",
            "registration_number",
            "registration_authority",
            "registration_country",
            "registered_on",
            "registered_address",
            "tax_number",
        ],
    ),
    ("governance", gettext_lazy("Governance: board and directors"), ["board", "governance"]),
    ("ownership", gettext_lazy("Ownership and control"), ["ownership_control"]),
    ("where", gettext_lazy("Where it works"), ["operating_areas", "high_risk_countries"]),
    (
        "policy",
        gettext_lazy("Sanctions and counter-terrorism financing policy"),
        ["sanctions_policy", "ctf_policy", "policy_approved_on"],
    ),
    ("screening", gettext_lazy("Screening practice"), ["screening_frequency"]),
    ("training", gettext_lazy("Training"), ["training", "last_training_on"]),
    ("audits", gettext_lazy("Audits"), ["audits", "last_audit_on", "auditor"]),
    ("funding", gettext_lazy("Funding sources"), ["funding_sources"]),
    ("banks", gettext_lazy("Bank relationships"), ["bank_relationships"]),
]

ALLOWED_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class DocumentError(ServiceError):
    code = "document_invalid"


def max_document_bytes() -> int:
    return int(getattr(settings, "SCREENING_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024))


def profile_for(organisation: Organisation) -> ComplianceProfile:
    profile, _created = ComplianceProfile.objects.get_or_create(organisation=organisation)
    return profile


def own_organisation(actor: Any) -> Organisation:
    access = access_for(actor)
    if access.organisation_id is None:
        raise PermissionDeniedError(_("Only people of an organisation have a compliance profile."))
    return Organisation.objects.get(pk=access.organisation_id)


def parse_board(text: str) -> list[dict[str, str]]:
    """Lines 'name; role; date of birth; nationality' (only the name required)."""
    board = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")] + ["", "", ""]
        name, role, dob, nationality = parts[:4]
        if not name:
            raise ServiceError(_("Board line %(n)s has no name.") % {"n": number})
        if dob and not DATE.match(dob):
            raise ServiceError(
                _("Board line %(n)s: write the date of birth as YYYY or YYYY-MM-DD.")
                % {"n": number}
            )
        board.append({"name": name, "role": role, "date_of_birth": dob, "nationality": nationality})
    return board


def board_text(board: list[dict[str, Any]]) -> str:
    return "\n".join(
        "; ".join(
            str(m.get(k, "") or "") for k in ("name", "role", "date_of_birth", "nationality")
        ).rstrip("; ")
        for m in board or []
    )


@transaction.atomic
def update_profile(
    *,
    actor: Any,
    profile: ComplianceProfile,
    data: dict[str, Any],
    expected_version: int | None,
    high_risk_countries: list[Any] | None = None,
) -> ComplianceProfile:
    """Change the profile (editors of the organisation); the old board is re-screened."""
    m2m = {"high_risk_countries": high_risk_countries} if high_risk_countries is not None else None
    profile = update_object(
        profile, actor=actor, data=data, expected_version=expected_version, m2m=m2m
    )
    if "board" in data:
        from .continuous import _profile_board, screen_subjects

        board = list(_profile_board(profile))
        transaction.on_commit(lambda: screen_subjects(board))
    return profile


def screening_practice(organisation: Organisation) -> dict[str, Any]:
    """What Harambee's own record says about the organisation's screening."""
    active = list(
        ListVersion.objects.filter(status=VersionStatus.ACTIVE)
        .select_related("source")
        .order_by("source__code")
    )
    batches = ScreeningBatch.objects.filter(owner_organisation=organisation)
    last_batch = batches.aggregate(last=Max("finished_at"))["last"]
    last_list = max((v.created_at for v in active), default=None)
    decisions = ScreeningDecision.objects.filter(organisation=organisation)
    profile = getattr(organisation, "compliance_profile", None)
    return {
        "lists": [
            {
                "list": v.source.code,
                "name": v.source.name,
                "version": v.pk,
                "file_sha256": v.file_sha256,
                "list_date": v.published_on.isoformat() if v.published_on else None,
                "loaded_at": v.created_at.isoformat(),
                "entries": v.entry_count,
            }
            for v in active
        ],
        "frequency": (profile.screening_frequency if profile else "")
        or _("as declared by the organisation: not stated"),
        "continuous": _(
            "Harambee screens the organisation, its people, board and payees again each time "
            "a list changes."
        ),
        "last_continuous_run": last_list.isoformat() if last_list else None,
        "last_batch": last_batch.isoformat() if last_batch else None,
        "batches": batches.count(),
        "decisions": decisions.count(),
        "decisions_by_outcome": {
            outcome: decisions.filter(outcome=outcome).count()
            for outcome in ("cleared", "escalated", "confirmed")
        },
        "open_alerts": ScreeningAlert.objects.filter(
            ALERT_IS_OPEN, organisation=organisation
        ).count(),
        "focal_points": ComplianceFocalPoint.objects.filter(organisation=organisation).count(),
    }


def document_add(
    *,
    actor: Any,
    profile: ComplianceProfile,
    kind: str,
    title: str,
    file_name: str,
    content: bytes,
    expires_on: Any = None,
) -> ProfileDocument:
    """Attach a PDF, PNG or JPEG (at most SCREENING_DOCUMENT_MAX_BYTES) to the profile."""
    require(actor, Permission.CHANGE, profile)
    limit = max_document_bytes()
    if len(content) > limit:
        raise DocumentError(
            _("%(file)s is %(size)s KB: documents may be at most %(limit)s KB.")
            % {"file": file_name, "size": len(content) // 1024, "limit": limit // 1024}
        )
    if not content:
        raise DocumentError(_("%(file)s is empty.") % {"file": file_name})
    suffix = ("." + file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else ""
    allowed = ALLOWED_TYPES.get(suffix)
    if allowed is None or not content.startswith(allowed[1]):
        raise DocumentError(
            _("%(file)s is not a PDF, PNG or JPEG file: only those can be attached.")
            % {"file": file_name}
        )
    with transaction.atomic():
        document = ProfileDocument(
            profile=profile,
            kind=kind,
            title=title.strip() or file_name,
            file_name=file_name[:255],
            content_type=allowed[0],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            expires_on=expires_on,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        document.file.save(f"{document.sha256[:16]}{suffix}", ContentFile(content), save=False)
        document.full_clean()
        document.save()
        record_change(
            actor=actor,
            action=Action.CREATE,
            instance=document,
            before=None,
            after={
                "title": document.title,
                "kind": kind,
                "sha256": document.sha256,
                "expires_on": str(expires_on or ""),
            },
        )
    return document


def document_remove(*, actor: Any, document: ProfileDocument) -> None:
    require(actor, Permission.CHANGE, document)
    document.file.delete(save=False)
    delete_object(document, actor=actor, check_permission=False)


def focal_point_add(*, actor: Any, user: Any) -> ComplianceFocalPoint:
    organisation = own_organisation(actor)
    if user.organisation_id != organisation.pk:
        raise ServiceError(_("A compliance focal point works for the organisation."))
    return create_object(
        ComplianceFocalPoint, actor=actor, data={"organisation": organisation, "user": user}
    )


def focal_point_remove(*, actor: Any, focal_point: ComplianceFocalPoint) -> None:
    delete_object(focal_point, actor=actor)


def profile_content(profile: ComplianceProfile) -> dict[str, Any]:
    """The profile as plain values, section by section (for the package and the API)."""
    out: dict[str, Any] = {}
    for key, _title, fields in SECTIONS:
        section: dict[str, Any] = {}
        for name in fields:
            value = getattr(profile, name)
            if name == "high_risk_countries":
                value = [
                    {"iso3": c.iso3, "name": c.name} for c in profile.high_risk_countries.all()
                ]
            elif name == "registration_country":
                value = profile.registration_country.iso3 if profile.registration_country else ""
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is None:
                value = ""
            section[name] = value
        out[key] = section
    out["documents"] = [
        {
            "kind": d.kind,
            "title": d.title,
            "file_name": d.file_name,
            "sha256": d.sha256,
            "expires_on": d.expires_on.isoformat() if d.expires_on else "",
            "expired": d.expired,
        }
        for d in profile.documents.all()
    ]
    return out
