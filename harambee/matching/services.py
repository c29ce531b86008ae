"""Writes of the matching app: profiles and consent, cohorts, runs, and the workflow of a match
(proposed -> contacted -> accepted/declined -> active -> completed).

Keyword-only, one transaction each, permission checked, change records written through
harambee.core.services (or record_change for the workflow steps).
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import change_record, record_change, snapshot
from harambee.core.choices import Action, Permission, Visibility
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.models import ChangeRecord
from harambee.core.services import (
    create_object,
    delete_object,
    require,
    require_create,
    update_object,
)
from harambee.places.models import Country
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction, AccessChannel

from . import engine
from .batch import Row, as_text, parse_both
from .choices import (
    Answer,
    ConsentPurpose,
    MatchStatus,
    NeedKind,
    NeedStatus,
    OfferKind,
    ProfileKind,
    RunStatus,
    Verification,
)
from .models import (
    CheckIn,
    ConsentRecord,
    Credential,
    Match,
    MatchingRun,
    MatchMessage,
    Need,
    Offer,
    Profile,
    ProfileLanguage,
    ProfileOccupation,
    ProfileSkill,
    is_matchmaker,
)
from .taxonomy import search_skills

POLICY_VERSION = "2026-01"
WORKFLOW_INVALID = "match_workflow_invalid"
PERSON_FIELDS = (
    "kind", "name", "birth_date", "phone", "email", "nationality_id", "country_id", "place",
    "remote", "time_zone", "available_from", "available_to", "hours_per_week", "capacity",
    "sector", "stage",
)  # fmt: skip
TAKEN = (MatchStatus.CONTACTED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
FILLING = (MatchStatus.CONTACTED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# --- consent ------------------------------------------------------------------------------


def _is_person(actor: Any, profile: Profile) -> bool:
    return actor is not None and profile.user_id is not None and profile.user_id == actor.pk


def _require_person_or_matchmaker(actor: Any, profile: Profile) -> None:
    if actor is None or _is_person(actor, profile) or is_matchmaker(access_for(actor)):
        return
    raise PermissionDeniedError(_("Only the person or a matchmaker may do this."))


@transaction.atomic
def record_consent(
    *,
    actor: Any,
    profile: Profile,
    purpose: str,
    granted: bool,
    scope: Iterable[str] = (),
    policy_version: str = POLICY_VERSION,
) -> ConsentRecord:
    """A new answer of the person for one purpose (the latest one counts)."""
    _require_person_or_matchmaker(actor, profile)
    if purpose not in ConsentPurpose.values:
        raise ServiceError(_("Unknown consent purpose."))
    record = ConsentRecord.objects.create(
        profile=profile,
        purpose=purpose,
        granted=granted,
        scope=sorted(set(scope)),
        policy_version=policy_version,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_change(
        actor=actor,
        action=Action.CREATE,
        instance=record,
        before=None,
        after={"purpose": purpose, "granted": granted, "scope": record.scope},
        note=_("Consent recorded (policy %(version)s).") % {"version": policy_version},
    )
    return record


def current_consents(profile: Profile) -> dict[str, ConsentRecord]:
    result: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(profile=profile).order_by("-recorded_at", "-pk"):
        result.setdefault(record.purpose, record)
    return result


def has_consent(profile: Profile, purpose: str, scope_item: str | None = None) -> bool:
    record = current_consents(profile).get(purpose)
    if record is None or not record.granted:
        return False
    return scope_item is None or not record.scope or scope_item in record.scope


# --- profiles -----------------------------------------------------------------------------


def _person_entries(profile: Profile) -> dict[str, Any]:
    try:
        return json.loads(profile.person_entries) if profile.person_entries else {}
    except ValueError:
        return {}


@transaction.atomic
def create_profile(*, actor: Any, data: dict[str, Any], for_self: bool = True) -> Profile:
    """A profile: the person's own (for_self) or entered by a matchmaker."""
    require_create(actor, Profile)
    data = dict(data)
    if for_self:
        if actor is None or not actor.is_authenticated:
            raise PermissionDeniedError(_("Log in to create your profile."))
        if Profile.objects.filter(user=actor).exists():
            raise ServiceError(_("You already have a profile."))
        data["user"] = actor
        data["person_entries"] = json.dumps(
            {k: _plain(data.get(k)) for k in PERSON_FIELDS if k in data}
        )
    elif actor is not None and not is_matchmaker(access_for(actor)):
        raise PermissionDeniedError(_("Only matchmakers enter profiles for other people."))
    return create_object(Profile, actor=actor, data=data, check_permission=False)


@transaction.atomic
def update_profile(
    *, actor: Any, profile: Profile, data: dict[str, Any], expected_version: int | None
) -> Profile:
    """Changes by the person also become their own entries; changes by staff keep the
    person's own entries as they were, so both can be seen side by side."""
    _require_person_or_matchmaker(actor, profile)
    data = dict(data)
    if _is_person(actor, profile):
        entries = _person_entries(profile)
        entries.update({k: _plain(v) for k, v in data.items() if k in PERSON_FIELDS})
        data["person_entries"] = json.dumps(entries)
    return update_object(
        profile,
        actor=actor,
        data=data,
        expected_version=expected_version,
        check_permission=False,
        note="" if _is_person(actor, profile) else _("Changed by staff."),
    )


def staff_changes(profile: Profile) -> list[dict[str, Any]]:
    """Fields where the profile now differs from what the person entered."""
    entries = _person_entries(profile)
    changes = []
    for name, own in entries.items():
        if name in PERSON_FIELDS:
            current = _plain(getattr(profile, name, None))
            label = str(
                getattr(Profile._meta.get_field(name.removesuffix("_id")), "verbose_name", name)
            )
        else:
            current = _describe(profile, name)
            label = name
        if current != own and not (current in (None, "") and own in (None, "")):
            changes.append({"field": name, "label": label, "own": own, "current": current})
    return changes


@transaction.atomic
def set_occupations(
    *, actor: Any, profile: Profile, occupations: Iterable[tuple[str, str, int]]
) -> None:
    """Replace the profile's occupations: (code, label, years)."""
    _require_person_or_matchmaker(actor, profile)
    profile.occupations.all().delete()
    ProfileOccupation.objects.bulk_create(
        ProfileOccupation(profile=profile, code=code, label=label, years=years)
        for code, label, years in occupations
    )
    _touch(actor, profile, "occupations")


@transaction.atomic
def set_languages(
    *, actor: Any, profile: Profile, languages: Iterable[tuple[str, int, int]]
) -> None:
    _require_person_or_matchmaker(actor, profile)
    profile.languages.all().delete()
    ProfileLanguage.objects.bulk_create(
        ProfileLanguage(profile=profile, code=code, spoken=spoken, written=written)
        for code, spoken, written in languages
    )
    _touch(actor, profile, "languages")


@transaction.atomic
def add_skill(*, actor: Any, profile: Profile, text: str) -> ProfileSkill:
    """A skill as the person typed it, mapped to ESCO when one label is close enough; the
    closest ESCO skills are kept as suggestions to choose from."""
    _require_person_or_matchmaker(actor, profile)
    text = text.strip()
    if not text:
        raise ServiceError(_("Type a skill."))
    hits = search_skills(text, limit=5)
    suggestions = [{"id": h.pk, "label": h.label, "score": round(h.score, 1)} for h in hits]
    chosen = hits[0].pk if hits and hits[0].score >= 90 else None
    skill = ProfileSkill.objects.create(
        profile=profile, text=text, skill_id=chosen, suggestions=suggestions
    )
    _touch(actor, profile, "skills")
    return skill


@transaction.atomic
def choose_skill(*, actor: Any, profile_skill: ProfileSkill, skill_id: int | None) -> None:
    _require_person_or_matchmaker(actor, profile_skill.profile)
    allowed = {s["id"] for s in profile_skill.suggestions}
    if skill_id is not None and skill_id not in allowed:
        raise ServiceError(_("Choose one of the suggestions."))
    profile_skill.skill_id = skill_id
    profile_skill.save(update_fields=["skill", "updated_at"])
    _touch(actor, profile_skill.profile, "skills")


@transaction.atomic
def remove_skill(*, actor: Any, profile_skill: ProfileSkill) -> None:
    profile = profile_skill.profile
    _require_person_or_matchmaker(actor, profile)
    profile_skill.delete()
    _touch(actor, profile, "skills")


@transaction.atomic
def add_credential(*, actor: Any, profile: Profile, data: dict[str, Any]) -> Credential:
    """Credentials: the person declares them; only matchmakers mark them seen or verified."""
    _require_person_or_matchmaker(actor, profile)
    data = dict(data)
    if _is_person(actor, profile) and not is_matchmaker(access_for(actor)):
        data["status"] = Verification.SELF_DECLARED
        data.pop("verified_by", None)
        data.pop("verified_on", None)
    credential = Credential(profile=profile, **data)
    credential.full_clean()
    credential.save()
    _touch(actor, profile, "credentials")
    return credential


def _touch(actor: Any, profile: Profile, what: str) -> None:
    """Record which part of the profile changed and, for the person, keep their entry."""
    if _is_person(actor, profile):
        entries = _person_entries(profile)
        entries[what] = _describe(profile, what)
        Profile.objects.filter(pk=profile.pk).update(person_entries=json.dumps(entries))
        profile.refresh_from_db(fields=["person_entries"])
    record_change(
        actor=actor,
        action=Action.UPDATE,
        instance=profile,
        before=None,
        after={what: _describe(profile, what)},
        note="" if _is_person(actor, profile) else _("Changed by staff."),
    )


def _describe(profile: Profile, what: str) -> Any:
    if what == "occupations":
        return [f"{o.code}:{o.years}" for o in profile.occupations.all()]
    if what == "languages":
        return [f"{lang.code}:{lang.spoken}/{lang.written}" for lang in profile.languages.all()]
    if what == "skills":
        return [str(s) for s in profile.skills.select_related("skill")]
    if what == "credentials":
        return [f"{c.title} ({c.status})" for c in profile.credentials.all()]
    return None


def export_profile(*, actor: Any, profile: Profile, request: Any = None) -> dict[str, Any]:
    """Everything kept about the person in matching, as JSON-ready data. Written to the access
    log, the person's own export too: a copy leaving the platform is always logged."""
    _require_person_or_matchmaker(actor, profile)
    data = {f.name: _plain(getattr(profile, f.attname)) for f in profile._meta.concrete_fields}
    data.pop("person_entries", None)
    data["own_entries"] = _person_entries(profile)
    data["occupations"] = [
        {"code": o.code, "label": o.label, "years": o.years} for o in profile.occupations.all()
    ]
    data["skills"] = [
        {"text": s.text, "esco": s.skill.uri if s.skill else None, "label": str(s)}
        for s in profile.skills.select_related("skill")
    ]
    data["languages"] = [
        {"code": x.code, "spoken": x.get_spoken_display(), "written": x.get_written_display()}
        for x in profile.languages.all()
    ]
    data["credentials"] = [
        {
            "title": c.title,
            "status": c.status,
            "verified_by": str(c.verified_by) if c.verified_by else None,
            "verified_on": _plain(c.verified_on),
            "document_number": c.document_number,
        }
        for c in profile.credentials.select_related("verified_by")
    ]
    data["consents"] = [
        {
            "purpose": c.purpose,
            "granted": c.granted,
            "scope": c.scope,
            "policy_version": c.policy_version,
            "recorded_at": c.recorded_at.isoformat(),
        }
        for c in profile.consents.all()
    ]
    matches = Match.objects.filter(Q(offer__profile=profile) | Q(need__seeker=profile))
    data["matches"] = [
        {
            "need": m.need.title,
            "status": m.status,
            "score": m.score,
            "why": m.parts,
            "messages": [
                {"sent_at": x.sent_at.isoformat(), "body": x.body} for x in m.messages.all()
            ],
        }
        for m in matches.select_related("need").prefetch_related("messages")
    ]
    data["offers"] = [
        {"title": o.title, "kind": o.kind, "capacity": o.capacity} for o in profile.offers.all()
    ]
    export = {"action": AccessAction.EXPORT, "channel": AccessChannel.EXPORT, "request": request}
    log_access(actor, [profile], **export)
    credentials = [c for c in profile.credentials.all() if c.document_number]
    if credentials:
        log_access(actor, credentials, fields=["document_number"], **export)
    return data


@transaction.atomic
def delete_profile(*, actor: Any, profile: Profile) -> None:
    """The person's right to erasure: the profile goes with its offers, needs and matches.
    Change records keep no personal value (encrypted fields are fingerprints)."""
    _require_person_or_matchmaker(actor, profile)
    delete_object(
        profile, actor=actor, check_permission=False, note=_("Deleted at the person's request.")
    )


# --- anonymisation ------------------------------------------------------------------------

HIDDEN = ("name", "birth_date", "phone", "email", "nationality")
# The personal fields a profile shown "in full" carries (nationality is not a personal field).
IDENTITY_FIELDS = ("name", "birth_date", "phone", "email")


def may_see_identity(user: Any, profile: Profile) -> bool:
    """Matchmakers and the person always; anyone else only after the person agreed to show
    who they are in a match with that user's organisation (or with that user)."""
    access = access_for(user)
    if is_matchmaker(access) or (access.user_id and profile.user_id == access.user_id):
        return True
    if access.user_id is None:
        return False
    party = Match.need_side_filter(access) | Q(offer__profile__user_id=access.user_id)
    return (
        Match.objects.filter(identity_revealed=True, status__in=FILLING[1:])
        .filter(Q(offer__profile=profile) | Q(need__seeker=profile))
        .filter(party)
        .exists()
    )


def profile_view(user: Any, profile: Profile) -> dict[str, Any]:
    """What this user may see of the profile, decided here on the server (pages and API)."""
    revealed = may_see_identity(user, profile)
    data: dict[str, Any] = {
        "public_id": profile.public_id,
        "kind": profile.kind,
        "kind_label": profile.get_kind_display(),
        "identity_shown": revealed,
        "country": profile.country_id,
        "place": profile.place,
        "remote": profile.remote,
        "time_zone": profile.time_zone,
        "available_from": profile.available_from,
        "available_to": profile.available_to,
        "hours_per_week": profile.hours_per_week,
        "capacity": profile.capacity,
        "sector": profile.sector,
        "stage": profile.stage,
        "occupations": [
            {"code": o.code, "label": o.label, "years": o.years} for o in profile.occupations.all()
        ],
        "skills": [str(s) for s in profile.skills.all()],
        "languages": [
            {
                "code": x.code,
                "name": x.name,
                "spoken": x.get_spoken_display(),
                "written": x.get_written_display(),
            }
            for x in profile.languages.all()
        ],
        "credentials": [
            {
                "title": c.title,
                "status": c.status,
                "status_label": c.get_status_display(),
                "verified_by": str(c.verified_by) if c.verified_by else None,
                "verified_on": c.verified_on,
                **({"document_number": c.document_number} if revealed else {}),
            }
            for c in profile.credentials.all()
        ],
    }
    if revealed:
        data.update(
            {
                "name": profile.name,
                "birth_date": profile.birth_date,
                "phone": profile.phone,
                "email": profile.email,
                "nationality": profile.nationality_id,
            }
        )
    return data


def log_identity_shown(
    user: Any,
    profiles: Iterable[Profile],
    *,
    channel: str = AccessChannel.PAGE,
    request: Any = None,
) -> int:
    """Write to the access log the profiles whose identity (and document numbers) a page or an
    answer showed in clear: one entry per profile, one write per model whatever the number of
    profiles (credentials read from the prefetch where there is one). The person's own profile
    is not logged: a person seeing their own data is no access by someone else
    (docs/privacy.md). Returns how many profiles were logged."""
    others: dict[int, Profile] = {}
    for profile in profiles:
        if profile.user_id is None or profile.user_id != getattr(user, "pk", None):
            others.setdefault(profile.pk, profile)
    if not others:
        return 0
    shown = list(others.values())
    log_access(user, shown, fields=IDENTITY_FIELDS, channel=channel, request=request)
    credentials = [c for p in shown for c in p.credentials.all() if c.document_number]
    if credentials:
        log_access(user, credentials, fields=["document_number"], channel=channel, request=request)
    return len(shown)


# --- needs and offers ----------------------------------------------------------------------

T = TypeVar("T")

NEED_FIELDS = frozenset({
    "kind", "title", "description", "occupations", "skills_required", "skills_optional",
    "languages", "country_id", "place", "remote_ok", "start", "end", "posts",
    "visa_sponsorship", "sector", "stage", "amount",
})  # fmt: skip
# What the engine reads (need_units): a change makes unsent proposals out of date.
NEED_CRITERIA = (
    "kind", "occupations", "skills_required", "skills_optional", "languages", "country_id",
    "remote_ok", "start", "end", "sector", "stage",
)  # fmt: skip
OFFER_FIELDS = frozenset({
    "kind", "title", "description", "capacity", "occupations", "skills", "languages", "remote",
    "available_from", "available_to", "capital_type", "amount_min", "amount_max", "currency",
    "sectors", "stages",
})  # fmt: skip
OFFER_CRITERIA = (
    "occupations", "skills", "languages", "remote", "available_from", "available_to",
    "sectors", "stages",
)  # fmt: skip


@dataclass(frozen=True)
class Edited(Generic[T]):
    """A need or offer after a change, and what the change did to its matches."""

    obj: T
    proposals_removed: int = 0
    matches_withdrawn: int = 0


def _only(data: dict[str, Any], allowed: Iterable[str]) -> None:
    fixed = sorted(set(data) - set(allowed))
    if fixed:
        raise ServiceError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(fixed)},
            code="field_fixed",
        )


def _criteria(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _drop_proposals(actor: Any, matches: Iterable[Match], note: str) -> int:
    """Remove unsent proposals (as a new run does), each with its change record."""
    matches = [m for m in matches if m.status == MatchStatus.PROPOSED]
    if not matches:
        return 0
    records = [
        change_record(
            actor=actor, action=Action.DELETE, instance=m, before=snapshot(m), after=None, note=note
        )
        for m in matches
    ]
    Match.objects.filter(pk__in=[m.pk for m in matches], status=MatchStatus.PROPOSED).delete()
    ChangeRecord.objects.bulk_create(records)
    return len(matches)


def _withdraw_contacted(actor: Any, matches: Any, reason: str) -> int:
    """Proposals already sent but not yet answered: withdrawn, and both sides told why in
    the match's messages (they could otherwise still accept)."""
    count = 0
    for match in matches.select_for_update(of=("self",)).filter(status=MatchStatus.CONTACTED):
        before = snapshot(match)
        match.status = MatchStatus.WITHDRAWN
        match.decline_reason = reason
        MatchMessage.objects.create(match=match, sender=actor, body=hide_contact_details(reason))
        _save(actor, match, before, _("Withdrawn."))
        count += 1
    return count


def _creator(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Needs of an entrepreneur (their own `seeker` profile).
ENTREPRENEUR_NEEDS = (NeedKind.MENTOR, NeedKind.CAPITAL)


def _own_entrepreneur_profile(actor: Any, kind: Any) -> Profile | None:
    """The poster's own entrepreneur profile, for an entrepreneur's need they post."""
    if kind not in ENTREPRENEUR_NEEDS or _creator(actor) is None:
        return None
    return Profile.objects.filter(user=actor, kind=ProfileKind.ENTREPRENEUR).first()


@transaction.atomic
def need_create(*, actor: Any, data: dict[str, Any]) -> Need:
    """A need posted by a signed-in user; their organisation maintains it (and, for a job,
    is the employer). Visible to the network. The user is its creator: they may edit, close
    and reopen it without an editor role (see `created_by_filter`), and answer its matches
    while no organisation maintains it (`Match.need_side_filter`). An entrepreneur posting a
    need for a mentor or capital is its entrepreneur (`seeker`): their profile is linked."""
    _only(data, NEED_FIELDS)
    organisation = getattr(actor, "organisation", None)
    return create_object(
        Need,
        actor=actor,
        data={
            "visibility": Visibility.NETWORK,
            "owner_organisation": organisation,
            "employer": organisation,
            **data,
            "seeker": _own_entrepreneur_profile(actor, data.get("kind")),
            "created_by": _creator(actor),
        },
    )


@transaction.atomic
def need_update(
    *, actor: Any, need: Need, data: dict[str, Any], expected_version: int | None
) -> Edited[Need]:
    """Change a need from the version the editor read (a stale one is refused).

    Matches already sent or under way keep their posts: fewer posts than they take is
    refused. Unsent proposals are removed when what the engine matches on changed (their
    scores and reasons describe the old need), or, lowest score first, when fewer posts are
    left than proposals. The status follows the posts (filled or open) unless closed."""
    require(actor, Permission.CHANGE, need)
    _only(data, NEED_FIELDS)
    stored = Need.objects.get(pk=need.pk)
    matches = Match.objects.filter(need_id=need.pk)
    posts = int(data.get("posts", stored.posts) or 0)
    under_way = matches.filter(status__in=FILLING).count()
    if posts < under_way:
        raise ValidationError(
            {
                "posts": _(
                    "At least %(count)d: matches already sent or under way take that many posts."
                )
                % {"count": under_way}
            }
        )
    data = dict(data)
    if stored.status != NeedStatus.CLOSED:
        accepted = matches.filter(status__in=FILLING[1:]).count()
        data["status"] = NeedStatus.FILLED if accepted >= posts else NeedStatus.OPEN
    before = _criteria(stored, NEED_CRITERIA)
    updated = update_object(
        need, actor=actor, data=data, expected_version=expected_version, check_permission=False
    )
    proposals = matches.filter(status=MatchStatus.PROPOSED).order_by("-score", "pk")
    if _criteria(updated, NEED_CRITERIA) != before:
        note = _("Proposal removed: the need changed. Run matching again.")
        removed = _drop_proposals(actor, proposals, note)
    else:
        note = _("Proposal removed: the need has fewer posts.")
        removed = _drop_proposals(actor, list(proposals)[posts - under_way :], note)
    return Edited(updated, proposals_removed=removed)


@transaction.atomic
def need_close(
    *, actor: Any, need: Need, expected_version: int | None, reason: str = ""
) -> Edited[Need]:
    """Close a need (no more matches wanted). Unsent proposals are removed; proposals sent
    but not yet answered are withdrawn with a message to both sides; accepted and active
    matches go on."""
    require(actor, Permission.CHANGE, need)
    if Need.objects.filter(pk=need.pk, status=NeedStatus.CLOSED).exists():
        raise ServiceError(_("This need is already closed."), code=WORKFLOW_INVALID)
    reason = reason.strip()
    updated = update_object(
        need, actor=actor, data={"status": NeedStatus.CLOSED}, expected_version=expected_version,
        check_permission=False, note=reason or _("Need closed."),
    )  # fmt: skip
    matches = Match.objects.filter(need_id=need.pk)
    removed = _drop_proposals(
        actor, matches.filter(status=MatchStatus.PROPOSED), _("Proposal removed: need closed.")
    )
    message = _("This need was closed: the proposal is withdrawn.")
    withdrawn = _withdraw_contacted(
        actor, matches, f"{message} {reason}".strip() if reason else message
    )
    return Edited(updated, proposals_removed=removed, matches_withdrawn=withdrawn)


@transaction.atomic
def need_reopen(*, actor: Any, need: Need, expected_version: int | None) -> Edited[Need]:
    """Open a closed need again (filled if its accepted matches take every post)."""
    require(actor, Permission.CHANGE, need)
    stored = Need.objects.get(pk=need.pk)
    if stored.status != NeedStatus.CLOSED:
        raise ServiceError(_("Only a closed need can be reopened."), code=WORKFLOW_INVALID)
    accepted = Match.objects.filter(need_id=need.pk, status__in=FILLING[1:]).count()
    status = NeedStatus.FILLED if accepted >= stored.posts else NeedStatus.OPEN
    updated = update_object(
        need, actor=actor, data={"status": status}, expected_version=expected_version,
        check_permission=False, note=_("Need reopened."),
    )  # fmt: skip
    return Edited(updated)


@transaction.atomic
def offer_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Iterable[Any]] | None = None
) -> Offer:
    """An offer of an organisation or thematic group (a person's offer comes with their
    profile), maintained by the actor's organisation. Visible to the network. The user is its
    creator: they may edit, withdraw and offer it again without an editor role."""
    _only(data, OFFER_FIELDS)
    if data.get("kind") == OfferKind.PERSON:
        raise ServiceError(_("A person offers help through their profile."))
    organisation = getattr(actor, "organisation", None)
    return create_object(
        Offer,
        actor=actor,
        data={
            "visibility": Visibility.NETWORK,
            "organisation": organisation,
            "owner_organisation": organisation,
            **data,
            "created_by": _creator(actor),
        },
        m2m=m2m,
    )


@transaction.atomic
def offer_update(
    *,
    actor: Any,
    offer: Offer,
    data: dict[str, Any],
    expected_version: int | None,
    m2m: dict[str, Iterable[Any]] | None = None,
) -> Edited[Offer]:
    """Change an offer from the version the editor read (a stale one is refused).

    Matches sent or under way keep their capacity: less capacity than they take is refused.
    Unsent proposals are removed when what the engine matches on changed, or, lowest score
    first, when less capacity is left than proposals. A person's offer changes its title,
    description and capacity here; the rest is the person's profile."""
    require(actor, Permission.CHANGE, offer)
    stored = Offer.objects.get(pk=offer.pk)
    person = stored.kind == OfferKind.PERSON
    _only({**data, **(m2m or {})}, Offer.PERSON_FIELDS if person else {*OFFER_FIELDS, "countries"})
    if "kind" in data and (data["kind"] == OfferKind.PERSON) != person:
        raise ServiceError(
            _("A person's offer stays a person's offer, and the others stay theirs.")
        )
    matches = Match.objects.filter(offer_id=offer.pk)
    capacity = int(data.get("capacity", stored.capacity) or 0)
    taken = matches.filter(status__in=TAKEN).count()
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "At least %(count)d: matches already sent or under way take that much capacity."
                )
                % {"count": taken}
            }
        )
    before = _criteria(stored, OFFER_CRITERIA)
    countries_before = set(stored.countries.values_list("pk", flat=True))
    updated = update_object(
        offer, actor=actor, data=data, expected_version=expected_version, m2m=m2m,
        check_permission=False,
    )  # fmt: skip
    changed = _criteria(updated, OFFER_CRITERIA) != before or (
        m2m is not None
        and "countries" in m2m
        and {getattr(c, "pk", c) for c in m2m["countries"]} != countries_before
    )
    proposals = matches.filter(status=MatchStatus.PROPOSED).order_by("-score", "pk")
    if changed:
        note = _("Proposal removed: the offer changed. Run matching again.")
        removed = _drop_proposals(actor, proposals, note)
    else:
        note = _("Proposal removed: the offer has less capacity.")
        removed = _drop_proposals(actor, list(proposals)[capacity - taken :], note)
    return Edited(updated, proposals_removed=removed)


@transaction.atomic
def offer_withdraw(
    *, actor: Any, offer: Offer, expected_version: int | None, reason: str = ""
) -> Edited[Offer]:
    """Withdraw an offer (no longer matched). Unsent proposals are removed; proposals sent
    but not yet answered are withdrawn with a message to both sides; accepted and active
    matches go on."""
    require(actor, Permission.CHANGE, offer)
    if not Offer.objects.filter(pk=offer.pk, active=True).exists():
        raise ServiceError(_("This offer is already withdrawn."), code=WORKFLOW_INVALID)
    reason = reason.strip()
    updated = update_object(
        offer, actor=actor, data={"active": False}, expected_version=expected_version,
        check_permission=False, note=reason or _("Offer withdrawn."),
    )  # fmt: skip
    matches = Match.objects.filter(offer_id=offer.pk)
    removed = _drop_proposals(
        actor,
        matches.filter(status=MatchStatus.PROPOSED),
        _("Proposal removed: offer withdrawn."),
    )
    message = _("This offer was withdrawn: the proposal is withdrawn too.")
    withdrawn = _withdraw_contacted(
        actor, matches, f"{message} {reason}".strip() if reason else message
    )
    return Edited(updated, proposals_removed=removed, matches_withdrawn=withdrawn)


@transaction.atomic
def offer_reactivate(*, actor: Any, offer: Offer, expected_version: int | None) -> Edited[Offer]:
    """Offer again what was withdrawn: the next run can match it."""
    require(actor, Permission.CHANGE, offer)
    if Offer.objects.filter(pk=offer.pk, active=True).exists():
        raise ServiceError(_("This offer is already available."), code=WORKFLOW_INVALID)
    updated = update_object(
        offer, actor=actor, data={"active": True}, expected_version=expected_version,
        check_permission=False, note=_("Offer available again."),
    )  # fmt: skip
    return Edited(updated)


# --- cohorts ------------------------------------------------------------------------------


@transaction.atomic
def load_cohort(
    *,
    actor: Any,
    offers_file: bytes | str,
    needs_file: bytes | str,
    cohort: str,
    group: Any = None,
    organisation: Any = None,
) -> dict[str, int]:
    """Profiles, offers and needs from OFFERS.csv and NEEDS.csv (the `harambee match`
    columns), all or nothing. Consent "yes" in the file is recorded as given on paper."""
    if actor is not None and not is_matchmaker(access_for(actor)):
        raise PermissionDeniedError(_("Only matchmakers load cohorts."))
    offer_units, offer_rows, need_units, need_rows = parse_both(
        as_text(offers_file), as_text(needs_file)
    )
    countries = set(Country.objects.values_list("iso3", flat=True))
    every: list[Any] = [*offer_units, *need_units]
    unknown = sorted({u.country for u in every if u.country and u.country not in countries})
    if unknown:
        raise ServiceError(
            _("Countries not in Harambee: %(codes)s. Load the places first.")
            % {"codes": ", ".join(unknown)}
        )
    organisation = organisation or getattr(actor, "organisation", None)
    for offer_unit, offer_row in zip(offer_units, offer_rows, strict=True):
        _cohort_offer(actor, offer_unit, offer_row, cohort, group, organisation)
    for need_unit, need_row in zip(need_units, need_rows, strict=True):
        _cohort_need(actor, need_unit, need_row, cohort, group, organisation)
    return {"offers": len(offer_units), "needs": len(need_units)}


def _cohort_offer(
    actor: Any, unit: engine.OfferUnit, row: Row, cohort: str, group: Any, organisation: Any
) -> Offer:
    kind = row.values["kind"]
    if kind in ProfileKind.values:
        profile = Profile.objects.create(
            kind=kind,
            country_id=unit.country,
            remote=unit.remote,
            available_from=unit.available_from,
            available_to=unit.available_to,
            capacity=unit.capacity,
            organisation=organisation,
            group=group,
            cohort=cohort,
            external_id=unit.id,
        )
        ProfileOccupation.objects.bulk_create(
            ProfileOccupation(profile=profile, code=code, years=years)
            for code, years in unit.occupations
        )
        ProfileLanguage.objects.bulk_create(
            ProfileLanguage(profile=profile, code=code, spoken=s, written=w)
            for code, (s, w) in unit.languages.items()
        )
        _cohort_skills(profile, unit.skills)
        ConsentRecord.objects.create(
            profile=profile,
            purpose=ConsentPurpose.MATCH,
            granted=unit.consent,
            policy_version=POLICY_VERSION,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        offer = Offer.objects.create(
            kind=OfferKind.PERSON,
            title=f"{profile.get_kind_display()} {unit.id}",
            profile=profile,
            capacity=unit.capacity,
            cohort=cohort,
            external_id=unit.id,
            group=group,
            owner_organisation=organisation,
            visibility=Visibility.NETWORK,
        )
    else:
        offer = Offer.objects.create(
            kind=kind,
            title=f"{OfferKind(kind).label} {unit.id}",
            organisation=organisation,
            capacity=unit.capacity,
            occupations=[f"{c}:{y}" for c, y in unit.occupations],
            skills=sorted(unit.skills),
            languages=[{"code": c, "level": s} for c, (s, _w) in unit.languages.items()],
            remote=unit.remote,
            available_from=unit.available_from,
            available_to=unit.available_to,
            cohort=cohort,
            external_id=unit.id,
            group=group,
            owner_organisation=organisation,
            visibility=Visibility.NETWORK,
        )
        if unit.country:
            offer.countries.set([unit.country])
    record_change(
        actor=actor, action=Action.CREATE, instance=offer, before=None, after=snapshot(offer),
        note=_("Loaded with cohort %(cohort)s.") % {"cohort": cohort},
    )  # fmt: skip
    return offer


def _cohort_skills(profile: Profile, skills: Iterable[str]) -> None:
    from .models import Skill

    by_uri = dict(Skill.objects.filter(uri__in=list(skills)).values_list("uri", "pk"))
    ProfileSkill.objects.bulk_create(
        ProfileSkill(
            profile=profile,
            skill_id=by_uri.get(s),
            text="" if s in by_uri else s.removeprefix("text:"),
        )
        for s in sorted(skills)
    )


def _cohort_need(
    actor: Any, unit: engine.NeedUnit, row: Row, cohort: str, group: Any, organisation: Any
) -> Need:
    need = Need(
        kind=NeedKind.CRISIS,
        title=_("Need %(id)s") % {"id": unit.id},
        group=group,
        occupations=list(unit.occupations),
        skills_required=sorted(unit.skills_required),
        skills_optional=sorted(unit.skills_optional),
        languages=[{"code": c, "level": m} for c, (m, _w) in unit.languages.items()],
        country_id=unit.country,
        remote_ok=unit.remote_ok,
        start=unit.start,
        end=unit.end,
        posts=unit.posts,
        cohort=cohort,
        external_id=unit.id,
        owner_organisation=organisation,
        visibility=Visibility.NETWORK,
    )
    need.full_clean()
    need.save()
    record_change(
        actor=actor, action=Action.CREATE, instance=need, before=None, after=snapshot(need),
        note=_("Loaded with cohort %(cohort)s.") % {"cohort": cohort},
    )  # fmt: skip
    return need


# --- from the database to the engine --------------------------------------------------------

VERIFICATION_SHARE = {
    Verification.SELF_DECLARED: 0.0,
    Verification.DOCUMENT_SEEN: 0.5,
    Verification.VERIFIED: 1.0,
}


def _utc_offset(time_zone: str) -> float | None:
    if not time_zone:
        return None
    import zoneinfo
    from datetime import datetime

    try:
        offset = datetime.now(zoneinfo.ZoneInfo(time_zone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return offset.total_seconds() / 3600 if offset is not None else None


def _code_years(item: str) -> tuple[str, int]:
    code, _sep, years = str(item).partition(":")
    return code, int(years) if years.isdigit() else 0


def offer_units(offers: Iterable[Offer]) -> list[engine.OfferUnit]:
    """Engine units for offers, with their remaining capacity and the person's consent."""
    offers = list(offers)
    consenting = set(
        ConsentRecord.current_granted(ConsentPurpose.MATCH).values_list("profile_id", flat=True)
    )
    taken = dict(
        Match.objects.filter(offer__in=[o.pk for o in offers], status__in=TAKEN)
        .values("offer")
        .annotate(n=Count("pk"))
        .values_list("offer", "n")
    )
    units = []
    for offer in offers:
        remaining = offer.capacity - taken.get(offer.pk, 0)
        if remaining < 1:
            continue
        profile = offer.profile
        if profile is not None:
            verification = max(
                (VERIFICATION_SHARE[Verification(c.status)] for c in profile.credentials.all()),
                default=0.0,
            )
            units.append(
                engine.OfferUnit(
                    id=str(offer.pk),
                    capacity=remaining,
                    occupations=[(o.code, o.years) for o in profile.occupations.all()],
                    skills=frozenset(
                        s.skill.uri if s.skill else f"text:{s.text.lower()}"
                        for s in profile.skills.all()
                    ),
                    languages={x.code: (x.spoken, x.written) for x in profile.languages.all()},
                    country=profile.country_id,
                    remote=profile.remote,
                    available_from=profile.available_from or offer.available_from,
                    available_to=profile.available_to or offer.available_to,
                    consent=profile.pk in consenting,
                    organisation=str(profile.organisation_id or offer.organisation_id or ""),
                    nationality=profile.nationality_id,
                    verification=verification,
                    utc_offset=_utc_offset(profile.time_zone),
                )
            )
        else:
            countries = [c.pk for c in offer.countries.all()]
            tokens = set(offer.skills) | {f"sector:{s}".lower() for s in offer.sectors}
            tokens |= {f"stage:{s}" for s in offer.stages}
            units.append(
                engine.OfferUnit(
                    id=str(offer.pk),
                    capacity=remaining,
                    occupations=[_code_years(c) for c in offer.occupations],
                    skills=frozenset(tokens),
                    languages={
                        x["code"]: (int(x["level"]), int(x["level"])) for x in offer.languages
                    },
                    country=countries[0] if len(countries) == 1 else None,
                    remote=offer.remote or len(countries) != 1,
                    available_from=offer.available_from,
                    available_to=offer.available_to,
                    organisation=str(offer.organisation_id or ""),
                    verification=1.0,
                )
            )
    return units


def need_units(needs: Iterable[Need]) -> list[engine.NeedUnit]:
    """Engine units for needs, with their posts still to fill and the offers already
    declined for them left out."""
    needs = list(needs)
    filled = dict(
        Match.objects.filter(need__in=[n.pk for n in needs], status__in=FILLING)
        .values("need")
        .annotate(n=Count("pk"))
        .values_list("need", "n")
    )
    declined: dict[int, set[str]] = {}
    for need_id, offer_id in Match.objects.filter(
        need__in=[n.pk for n in needs], status__in=[MatchStatus.DECLINED, MatchStatus.WITHDRAWN]
    ).values_list("need_id", "offer_id"):
        declined.setdefault(need_id, set()).add(str(offer_id))
    units = []
    for need in needs:
        remaining = need.posts - filled.get(need.pk, 0)
        if remaining < 1:
            continue
        required = set(need.skills_required)
        if need.kind == NeedKind.CAPITAL and need.sector:
            required.add(f"sector:{need.sector}".lower())
        optional = set(need.skills_optional)
        if need.stage:
            optional.add(f"stage:{need.stage}")
        units.append(
            engine.NeedUnit(
                id=str(need.pk),
                posts=remaining,
                occupations=list(need.occupations),
                skills_required=frozenset(required),
                skills_optional=frozenset(optional),
                languages={
                    x["code"]: (int(x["level"]), bool(x.get("written"))) for x in need.languages
                },
                country=need.country_id,
                remote_ok=need.remote_ok,
                start=need.start,
                end=need.end,
                exclude=frozenset(declined.get(need.pk, set())),
            )
        )
    return units


# --- runs ---------------------------------------------------------------------------------


@transaction.atomic
def start_run(
    *,
    actor: Any,
    group: Any = None,
    cohort: str = "",
    mode: str = "optimal",
    cap_by: str = "",
    cap: int | None = None,
) -> MatchingRun:
    """Queue a matching run (a background task); its progress shows on the board."""
    if actor is not None and not MatchingRun.can_create(access_for(actor)):
        raise PermissionDeniedError(_("Only matchmakers run matching."))
    if mode == "stable" and cap_by:
        raise ServiceError(_("Caps per organisation or nationality apply to the optimal mode."))
    if cap_by and not cap:
        raise ServiceError(_("Give the cap (at least 1)."))
    run = MatchingRun.objects.create(
        group=group,
        cohort=cohort,
        mode=mode,
        cap_by=cap_by,
        cap=cap,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from .tasks import run_matching

    run_matching.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _scope(model: Any, run: MatchingRun) -> Any:
    queryset = model.objects.all()
    if run.group_id:
        queryset = queryset.filter(group_id=run.group_id)
    if run.cohort:
        queryset = queryset.filter(cohort=run.cohort)
    return queryset


def execute_run(run: MatchingRun, *, needs: Iterable[Need] | None = None) -> MatchingRun:
    """Match the open needs to the active offers in the run's scope; unsent proposals of
    earlier runs for those needs are replaced."""

    def progress(stage: str, fraction: float) -> None:
        share = int(10 + 80 * fraction) if stage == "candidates" else 90
        MatchingRun.objects.filter(pk=run.pk).update(progress=share, stage=stage)

    MatchingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=5, stage="reading"
    )
    need_list = list(
        needs if needs is not None else _scope(Need, run).filter(status=NeedStatus.OPEN)
    )
    offers = (
        _scope(Offer, run)
        .filter(active=True)
        .select_related("profile")
        .prefetch_related(
            "countries",
            "profile__occupations",
            "profile__languages",
            "profile__credentials",
            "profile__skills__skill",
        )
    )
    offer_list = list(offers)
    units_o = offer_units(offer_list)
    units_n = need_units(need_list)
    result = engine.run(
        units_n,
        units_o,
        mode=run.mode,
        cap_by=run.cap_by or None,
        cap=run.cap,
        progress=progress,
    )
    public = {
        str(o.pk): (o.profile.public_id if o.profile_id and o.profile else o.title)
        for o in offer_list
    }
    with transaction.atomic():
        Match.objects.filter(
            need__in=[n.pk for n in need_list], status=MatchStatus.PROPOSED
        ).delete()
        Match.objects.bulk_create(
            Match(
                run=run,
                need_id=int(a.need_id),
                offer_id=int(a.offer_id),
                score=a.score,
                parts=[p.as_dict() for p in a.parts],
                passed_over=[
                    {**p.as_dict(), "offer_label": public.get(p.offer_id, p.offer_id)}
                    for p in a.passed_over
                ],
            )
            for a in result.assignments
        )
        summary = {
            "needs": len(units_n),
            "offers": len(units_o),
            "candidates": len(result.candidates),
            "proposed": len(result.assignments),
            "total_score": result.total_score,
            "unfilled_posts": sum(result.unfilled.values()),
            "seconds": round(result.timings["total"], 3),
        }
        MatchingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, stage="done", summary=summary
        )
    run.refresh_from_db()
    return run


def fail_run(run_id: int, message: str) -> None:
    MatchingRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=message)


# --- workflow -----------------------------------------------------------------------------

CONTACT_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+?\d[\d ()./-]{6,}\d", re.UNICODE)


def match_sides(actor: Any, match: Match) -> set[str]:
    """Which sides of the match the actor speaks for: "need", "offer" (or both). The rule is
    `Match.need_side_filter`/`offer_side_filter`, the same as who sees the match."""
    access = access_for(actor)
    this = Match.objects.filter(pk=match.pk)
    sides = set()
    if this.filter(Match.offer_side_filter(access)).exists():
        sides.add("offer")
    if this.filter(Match.need_side_filter(access)).exists():
        sides.add("need")
    return sides


def _save(actor: Any, match: Match, before: dict[str, Any], note: str = "") -> Match:
    match.version += 1
    match.save()
    record_change(
        actor=actor, action=Action.UPDATE, instance=match, before=before,
        after=snapshot(match), note=note,
    )  # fmt: skip
    return match


def _require_matchmaker(actor: Any) -> None:
    if actor is not None and not is_matchmaker(access_for(actor)):
        raise PermissionDeniedError(_("Only matchmakers may do this."))


def _require_status(match: Match, *allowed: str) -> None:
    if match.status not in allowed:
        raise ServiceError(
            _("This match is %(status)s: that step is not possible now.")
            % {"status": match.get_status_display()},
            code=WORKFLOW_INVALID,
        )


def hide_contact_details(text: str) -> str:
    return CONTACT_PATTERN.sub(_("[contact details hidden until both agree]"), text)


@transaction.atomic
def send_proposal(*, actor: Any, match: Match, message: str = "") -> Match:
    """The matchmaker contacts both sides through the platform."""
    _require_matchmaker(actor)
    match = Match.objects.select_for_update(of=("self",)).get(pk=match.pk)
    _require_status(match, MatchStatus.PROPOSED)
    before = snapshot(match)
    match.status = MatchStatus.CONTACTED
    match.contacted_at = timezone.now()
    body = message.strip() or _(
        "You have been matched: %(need)s. Please accept or decline in your Harambee inbox."
    ) % {"need": match.need.title}
    MatchMessage.objects.create(match=match, sender=actor, body=hide_contact_details(body))
    return _save(actor, match, before, _("Proposal sent."))


@transaction.atomic
def post_message(*, actor: Any, match: Match, body: str) -> MatchMessage:
    """A message between the sides; contact details are hidden until both accepted."""
    match = Match.objects.select_related("offer__profile", "need__seeker").get(pk=match.pk)
    if not match_sides(actor, match) and not is_matchmaker(access_for(actor)):
        raise PermissionDeniedError(_("Only the two sides and matchmakers write here."))
    _require_status(
        match,
        MatchStatus.CONTACTED,
        MatchStatus.ACCEPTED,
        MatchStatus.ACTIVE,
        MatchStatus.COMPLETED,
    )
    body = body.strip()
    if not body:
        raise ServiceError(_("Write a message."))
    if match.status == MatchStatus.CONTACTED:
        body = hide_contact_details(body)
    return MatchMessage.objects.create(match=match, sender=actor, body=body)


@transaction.atomic
def answer(
    *,
    actor: Any,
    match: Match,
    accept: bool,
    reason: str = "",
    reveal: bool = False,
    side: str | None = None,
) -> Match:
    """One side accepts or declines. Both accepted: the match is accepted (and the person's
    identity shown if they agreed). A decline re-opens the need and proposes the next best."""
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("offer__profile", "need__seeker")
        .get(pk=match.pk)
    )
    _require_status(match, MatchStatus.CONTACTED)
    sides = match_sides(actor, match)
    if side is not None and side not in sides:
        _require_matchmaker(actor)  # a matchmaker records an answer given on paper
        sides = {side}
    if not sides:
        raise PermissionDeniedError(_("You are not a side of this match."))
    before = snapshot(match)
    value = Answer.ACCEPTED if accept else Answer.DECLINED
    if "offer" in sides:
        match.offer_answer = value
    if "need" in sides:
        match.need_answer = value
    if not accept:
        if not reason.strip():
            raise ServiceError(_("Say why you decline (it helps the next match)."))
        match.status = MatchStatus.DECLINED
        match.decline_reason = reason.strip()
        _save(actor, match, before, _("Declined."))
        Need.objects.filter(pk=match.need_id).update(status=NeedStatus.OPEN)
        rematch_need(need=match.need)
        return match
    if reveal and "offer" in sides and match.offer.profile is not None:
        record_consent(
            actor=actor,
            profile=match.offer.profile,
            purpose=ConsentPurpose.REVEAL,
            granted=True,
            scope=[f"match:{match.pk}"],
        )
        match.identity_revealed = True
    if match.offer_answer == Answer.ACCEPTED and match.need_answer == Answer.ACCEPTED:
        match.status = MatchStatus.ACCEPTED
        match.accepted_at = timezone.now()
        if match.offer.profile_id is None:
            match.identity_revealed = True  # organisations have no identity to hide
    _save(actor, match, before, _("Accepted."))
    filled = Match.objects.filter(need=match.need, status__in=FILLING[1:]).count()
    if filled >= match.need.posts:
        Need.objects.filter(pk=match.need_id).update(status=NeedStatus.FILLED)
    return match


def rematch_need(*, need: Need) -> Match | None:
    """Propose the next best offer for a need's open posts (declined offers left out)."""
    run = MatchingRun(mode="optimal", group_id=need.group_id, cohort=need.cohort)
    offers = (
        _scope(Offer, run)
        .filter(active=True)
        .select_related("profile")
        .prefetch_related(
            "countries", "profile__occupations", "profile__languages",
            "profile__credentials", "profile__skills__skill",
        )
    )  # fmt: skip
    units = need_units([need])
    if not units:
        return None
    result = engine.run(units, offer_units(offers))
    best = next(iter(sorted(result.assignments, key=lambda a: -a.score)), None)
    if best is None:
        return None
    Match.objects.filter(need=need, status=MatchStatus.PROPOSED).delete()
    return Match.objects.create(
        need=need,
        offer_id=int(best.offer_id),
        score=best.score,
        parts=[p.as_dict() for p in best.parts],
    )


@transaction.atomic
def start_match(*, actor: Any, match: Match) -> Match:
    match = Match.objects.select_related("offer__profile", "need__seeker").get(pk=match.pk)
    if not match_sides(actor, match):
        _require_matchmaker(actor)
    _require_status(match, MatchStatus.ACCEPTED)
    before = snapshot(match)
    match.status = MatchStatus.ACTIVE
    match.started_at = timezone.now()
    return _save(actor, match, before, _("Started."))


@transaction.atomic
def add_check_in(*, actor: Any, match: Match, note: str, on: date | None = None) -> CheckIn:
    """A mentorship check-in by either side or a matchmaker."""
    match = Match.objects.select_related("offer__profile", "need__seeker").get(pk=match.pk)
    if not match_sides(actor, match):
        _require_matchmaker(actor)
    _require_status(match, MatchStatus.ACTIVE)
    if not note.strip():
        raise ServiceError(_("Write what was discussed."))
    return CheckIn.objects.create(
        match=match, author=actor, note=note.strip(), date=on or timezone.localdate()
    )


@transaction.atomic
def give_feedback(*, actor: Any, match: Match, feedback: str, side: str | None = None) -> Match:
    """Each side's feedback; with both, the match is completed."""
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("offer__profile", "need__seeker")
        .get(pk=match.pk)
    )
    _require_status(match, MatchStatus.ACTIVE)
    sides = match_sides(actor, match)
    if side is not None and side not in sides:
        _require_matchmaker(actor)
        sides = {side}
    if not sides:
        raise PermissionDeniedError(_("You are not a side of this match."))
    if not feedback.strip():
        raise ServiceError(_("Write your feedback."))
    before = snapshot(match)
    if "need" in sides:
        match.need_feedback = feedback.strip()
    if "offer" in sides:
        match.offer_feedback = feedback.strip()
    if match.need_feedback and match.offer_feedback:
        match.status = MatchStatus.COMPLETED
        match.completed_at = timezone.now()
    return _save(actor, match, before, _("Feedback given."))


@transaction.atomic
def withdraw(*, actor: Any, match: Match, reason: str = "") -> Match:
    _require_matchmaker(actor)
    match = Match.objects.get(pk=match.pk)
    _require_status(match, MatchStatus.PROPOSED, MatchStatus.CONTACTED)
    before = snapshot(match)
    match.status = MatchStatus.WITHDRAWN
    match.decline_reason = reason
    return _save(actor, match, before, _("Withdrawn."))


# --- outcomes and charts --------------------------------------------------------------------


def outcomes(matches: Any, needs: Any) -> dict[str, Any]:
    """Counts for a group page: made (sent), accepted, completed, declined, and the median
    days from a need being posted to a match accepted."""
    counts = dict(matches.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    sent = sum(counts.get(s, 0) for s in (*FILLING, MatchStatus.DECLINED))
    accepted = sum(
        counts.get(s, 0) for s in (MatchStatus.ACCEPTED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)
    )
    days = [
        (accepted_at - created).total_seconds() / 86400
        for accepted_at, created in matches.filter(accepted_at__isnull=False).values_list(
            "accepted_at", "need__created_at"
        )
    ]
    return {
        "needs": needs.count(),
        "open_needs": needs.filter(status=NeedStatus.OPEN).count(),
        "proposed": counts.get(MatchStatus.PROPOSED, 0),
        "made": sent,
        "accepted": accepted,
        "completed": counts.get(MatchStatus.COMPLETED, 0),
        "declined": counts.get(MatchStatus.DECLINED, 0),
        "days_to_match": round(statistics.median(days), 1) if days else None,
    }


def supply_demand(
    *, offers: Any, needs: Any, country: str, level: int = 2
) -> dict[str, list[dict[str, Any]]]:
    """Supply (capacity of active offers in the country or remote) against demand (posts
    of open needs in the country), by ISCO group (`level` digits) and by language."""
    from .languages import language_name
    from .models import IscoGroup

    supply_occ: dict[str, int] = {}
    supply_lang: dict[str, int] = {}
    demand_occ: dict[str, int] = {}
    demand_lang: dict[str, int] = {}
    offer_qs = (
        offers.filter(active=True)
        .filter(Q(profile__country_id=country) | Q(profile__remote=True) | Q(countries=country))
        .distinct()
    )
    for offer in offer_qs.select_related("profile").prefetch_related(
        "profile__occupations", "profile__languages"
    ):
        if offer.profile_id:
            codes = {o.code[:level] for o in offer.profile.occupations.all()}
            langs = {x.code for x in offer.profile.languages.all()}
        else:
            codes = {str(c)[:level] for c in offer.occupations}
            langs = {x["code"] for x in offer.languages}
        for code in codes:
            supply_occ[code] = supply_occ.get(code, 0) + offer.capacity
        for code in langs:
            supply_lang[code] = supply_lang.get(code, 0) + offer.capacity
    for need in needs.filter(country_id=country, status=NeedStatus.OPEN):
        for code in {str(c)[:level] for c in need.occupations}:
            demand_occ[code] = demand_occ.get(code, 0) + need.posts
        for x in need.languages:
            demand_lang[x["code"]] = demand_lang.get(x["code"], 0) + need.posts
    labels = dict(
        IscoGroup.objects.filter(code__in=set(supply_occ) | set(demand_occ)).values_list(
            "code", "label"
        )
    )

    def rows(
        supply: dict[str, int], demand: dict[str, int], name: Callable[[str], str]
    ) -> list[dict[str, Any]]:
        keys = sorted(
            set(supply) | set(demand), key=lambda k: -(demand.get(k, 0) + supply.get(k, 0))
        )
        return [
            {"code": k, "label": name(k), "supply": supply.get(k, 0), "demand": demand.get(k, 0)}
            for k in keys[:15]
        ]

    return {
        "occupations": rows(supply_occ, demand_occ, lambda k: labels.get(k, k)),
        "languages": rows(supply_lang, demand_lang, language_name),
    }
