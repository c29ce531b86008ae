"""Due-diligence packages: assembled by the NGO, written as canonical JSON, hashed (SHA-256)
and signed (Ed25519) with the organisation's key held by Harambee; shared with a named bank
user, who may read, verify and forward it to a correspondent bank user. Every access is
logged and the NGO sees the log. Packages expire.

The file format is described in `canonical.py` and docs/screening.md.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import record_change
from harambee.core.choices import Action, Role
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.network.choices import OrganisationType
from harambee.network.models import Organisation

from ..choices import AccessAction, PackageKind
from ..models import DueDiligencePackage, PackageAccess, PackageShare, Payee, SigningKey
from ..selectors import active_index, active_versions
from ..services import screen_name
from .canonical import (
    PackageFileError,
    Verification,
    key_id,
    new_key,
    sign_content,
    verify_document,
)
from .continuous import payee_subject
from .decisions import decision_row, query_dict, query_key
from .profile import profile_content, profile_for, screening_practice

DEFAULT_VALID_DAYS = 90
MAX_VALID_DAYS = 365


class PackageError(ServiceError):
    code = "package_invalid"


class PackageExpiredError(PermissionDeniedError):
    code = "package_expired"


def is_bank_user(user: Any) -> bool:
    organisation = getattr(user, "organisation", None)
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and organisation is not None
        and organisation.org_type == OrganisationType.BANK
    )


def bank_users() -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, organisation__org_type=OrganisationType.BANK)
        .select_related("organisation")
        .order_by("organisation__name", "username")
    )


def signing_key(organisation: Organisation) -> SigningKey:
    """The organisation's key, made on first use."""
    existing = SigningKey.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    private, public = new_key()
    with transaction.atomic():
        key = SigningKey.objects.create(
            organisation=organisation, public_key=public, key_id=key_id(public), private_key=private
        )
        record_change(
            actor=None,
            action=Action.CREATE,
            instance=key,
            before=None,
            after={"public_key": public, "key_id": key.key_id},
            note=_("Signing key made for due-diligence packages."),
        )
    return key


def _log(package: DueDiligencePackage, actor: Any, action: str, detail: str = "") -> None:
    organisation = getattr(actor, "organisation", None)
    PackageAccess.objects.create(
        package=package,
        user=actor if getattr(actor, "is_authenticated", False) else None,
        user_name=(getattr(actor, "username", "") or "anonymous")[:255],
        organisation_name=str(organisation or "")[:255],
        action=action,
        detail=detail[:500],
    )


def parse_amounts(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    amounts = []
    for row in rows:
        currency = str(row.get("currency", "")).strip().upper()
        try:
            value = Decimal(str(row.get("amount", "")).replace(",", "").strip())
        except InvalidOperation as exc:
            raise PackageError(
                _("%(amount)s is not an amount.") % {"amount": row.get("amount")}
            ) from exc
        if value < 0 or len(currency) != 3 or not currency.isalpha():
            raise PackageError(_("Give each amount as a positive number and a 3-letter currency."))
        amounts.append({"amount": f"{value:.2f}", "currency": currency})
    return amounts


def payee_block(payee: Payee, organisation_id: int) -> dict[str, Any]:
    """The payee, its hits on the active lists now, and every decision on record for it."""
    from ..models import ScreeningDecision

    subject = payee_subject(payee)
    q = query_dict(subject.query)
    # An erased payee (retention, data protection) has no name left to screen.
    hits = (
        screen_name(
            name=q["name"],
            schema=q["schema"],
            date_of_birth=q["date_of_birth"],
            nationality=q["nationality"],
            identifiers=q["identifiers"],
        )
        if q["name"].strip()
        else []
    )
    decisions = ScreeningDecision.objects.filter(
        organisation_id=organisation_id, query_key=query_key(q)
    ).select_related("list_version")
    return {
        "payee_id": payee.pk,
        **q,
        "screened_at": timezone.now().replace(microsecond=0).isoformat(),
        "hits": hits,
        "decisions": [decision_row(d) for d in decisions.order_by("decided_at", "pk")],
    }


def create_package(
    *,
    actor: Any,
    title: str,
    kind: str,
    purpose: str,
    amounts: list[dict[str, Any]] | None = None,
    places: list[str] | None = None,
    payees: list[Payee] | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> DueDiligencePackage:
    """Assemble, sign and store a package of the actor's organisation (editors)."""
    access = access_for(actor)
    if access.organisation_id is None or not (
        access.is_admin or access.has_role_anywhere(Role.EDITOR)
    ):
        raise PermissionDeniedError(_("Only editors of an organisation make its packages."))
    organisation = Organisation.objects.select_related("hq_country").get(pk=access.organisation_id)
    if kind not in PackageKind.values:
        raise PackageError(_("Say whether the package is for a transaction or a relationship."))
    if not title.strip() or not purpose.strip():
        raise PackageError(_("Give the package a title and a purpose."))
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise PackageError(
            _("A package is valid from 1 to %(max)s days.") % {"max": MAX_VALID_DAYS}
        )
    payees = list(payees or [])
    if any(p.organisation_id != organisation.pk for p in payees):
        raise PermissionDeniedError(_("Only your organisation's payees go in its package."))
    index = active_index()
    if not len(index):
        raise PackageError(_("No sanctions list is loaded: payees cannot be screened."))
    key = signing_key(organisation)
    profile = profile_for(organisation)
    now = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    expires = now + datetime.timedelta(days=valid_days)
    reference = uuid.uuid4()
    versions = list(active_versions().order_by("source__code"))
    content = {
        "package": {
            "reference": str(reference),
            "title": title.strip(),
            "kind": kind,
            "purpose": purpose.strip(),
            "amounts": parse_amounts(amounts or []),
            "places": [p.strip() for p in places or [] if p.strip()],
            "organisation": {
                "id": organisation.pk,
                "name": organisation.name,
                "acronym": organisation.acronym,
                "type": organisation.org_type,
                "registration_number": organisation.registration_number,
                "hq_country": organisation.hq_country_id or "",
            },
            "profile": profile_content(profile),
            "screening_practice": screening_practice(organisation),
            "list_versions": [
                {
                    "id": v.pk,
                    "list": v.source.code,
                    "name": v.source.name,
                    "file_sha256": v.file_sha256,
                    "list_date": v.published_on.isoformat() if v.published_on else "",
                    "loaded_at": v.created_at.isoformat(),
                }
                for v in versions
            ],
            "payees": [payee_block(p, organisation.pk) for p in payees],
            "prepared_by": actor.get_full_name() or actor.username,
        },
        "signer": {
            "algorithm": "Ed25519",
            "organisation": {"id": organisation.pk, "name": organisation.name},
            "public_key": key.public_key,
            "key_id": key.key_id,
        },
        "signed_at": now.isoformat(),
        "expires_at": expires.isoformat(),
    }
    document = sign_content(content, key.private_key)
    from .canonical import canonical, sha256_hex

    with transaction.atomic():
        package = DueDiligencePackage.objects.create(
            reference=reference,
            organisation=organisation,
            kind=kind,
            title=title.strip()[:255],
            purpose=purpose.strip(),
            document=document,
            sha256=sha256_hex(canonical(content)),
            key_id=key.key_id,
            signed_at=now,
            expires_at=expires,
            created_by=actor,
        )
        _log(package, actor, AccessAction.CREATED)
        record_change(
            actor=actor,
            action=Action.CREATE,
            instance=package,
            before=None,
            after={"reference": str(reference), "sha256": package.sha256, "title": package.title},
        )
    return package


def packages(*, user: Any) -> QuerySet[DueDiligencePackage]:
    return (
        DueDiligencePackage.objects.restrict(user)
        .select_related("organisation", "created_by")
        .distinct()
    )


def _owner(actor: Any, package: DueDiligencePackage) -> bool:
    access = access_for(actor)
    return access.is_admin or access.organisation_id == package.organisation_id


def _recipient_share(actor: Any, package: DueDiligencePackage) -> PackageShare | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return package.shares.filter(recipient_id=actor.pk).order_by("created_at", "pk").first()


def open_package(*, actor: Any, package: DueDiligencePackage, action: str) -> None:
    """Log one access (viewed, downloaded, verified); refuse a recipient an expired package."""
    owner = _owner(actor, package)
    if not owner and _recipient_share(actor, package) is None:
        raise PermissionDeniedError(_("This package was not shared with you."))
    if package.expired and not owner:
        _log(package, actor, AccessAction.REFUSED, action)
        raise PackageExpiredError(
            _("This package expired on %(date)s: ask the organisation for a new one.")
            % {"date": timezone.localtime(package.expires_at).strftime("%Y-%m-%d %H:%M")}
        )
    _log(package, actor, action)


@transaction.atomic
def share_package(
    *, actor: Any, package: DueDiligencePackage, recipient: Any, note: str = ""
) -> PackageShare:
    """The NGO (its editors) shares the package with a named bank user; a bank user it was
    shared with forwards it to a correspondent bank user."""
    owner = _owner(actor, package)
    via = None if owner else _recipient_share(actor, package)
    if owner:
        access = access_for(actor)
        if not (access.is_admin or access.has_role_anywhere(Role.EDITOR)):
            raise PermissionDeniedError(_("Only editors of the organisation share its packages."))
    elif via is None or not is_bank_user(actor):
        raise PermissionDeniedError(_("Only the bank users it was shared with may forward it."))
    if package.expired:
        raise PackageExpiredError(_("This package has expired: it cannot be shared."))
    if not is_bank_user(recipient):
        raise PackageError(_("Packages are shared with named users of a bank."))
    if recipient.pk == getattr(actor, "pk", None):
        raise PackageError(_("Choose someone else."))
    share = PackageShare.objects.create(
        package=package, recipient=recipient, shared_by=actor, forwarded_from=via, note=note[:2000]
    )
    action = AccessAction.FORWARDED if via is not None else AccessAction.SHARED
    _log(
        package,
        actor,
        action,
        _("to %(user)s (%(org)s)") % {"user": recipient.username, "org": recipient.organisation},
    )
    return share


def verify_file(data: bytes | str) -> tuple[Verification, dict[str, Any]]:
    """Verify a package file and compare its key with the one Harambee holds for the signer."""
    try:
        result = verify_document(data)
    except PackageFileError as exc:
        raise PackageError(
            _("This file cannot be read as a due-diligence package: %(why)s") % {"why": exc}
        ) from exc
    org = result.signer.get("organisation") or {}
    registered = SigningKey.objects.filter(organisation_id=org.get("id")).first()
    known = {
        "registered_key_id": registered.key_id if registered else None,
        "key_matches": bool(registered and registered.key_id == result.signer.get("key_id")),
        "package": DueDiligencePackage.objects.filter(
            sha256=result.sha256, key_id=result.signer.get("key_id", "")
        ).first(),
    }
    return result, known


def verify_package(*, actor: Any, package: DueDiligencePackage) -> Verification:
    open_package(actor=actor, package=package, action=AccessAction.VERIFIED)
    return verify_document(package.document)
