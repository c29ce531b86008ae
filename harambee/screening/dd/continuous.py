"""Continuous screening: organisations, their people and board members, and payees are
screened again whenever a list version changes; a hit not seen before raises an alert to the
organisation's compliance focal points (inbox page and email).

A hit is new when no alert exists yet for the same organisation, query, list entry and entry
content (fingerprint): an entry that changes in a new version alerts again; one that stays the
same does not. A hit cleared for that query (the entry unchanged since) raises no alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from harambee.core.choices import Role
from harambee.network.models import GroupRole, Organisation, Person

from ..choices import SubjectKind
from ..matching.engine import Query, screen_many
from ..matching.index import ListIndex
from ..matching.scorer import DEFAULT_THRESHOLD
from ..models import ComplianceFocalPoint, ComplianceProfile, ListEntry, Payee, ScreeningAlert
from ..selectors import active_index
from .decisions import prior_decisions, query_dict, query_key


@dataclass
class Subject:
    kind: str
    id: int | None
    organisation_id: int
    query: Query


def _profile_board(profile: ComplianceProfile) -> Iterator[Subject]:
    for number, member in enumerate(profile.board or [], start=1):
        if isinstance(member, dict) and str(member.get("name", "")).strip():
            yield Subject(
                SubjectKind.BOARD_MEMBER,
                number,
                profile.organisation_id,
                Query(
                    name=str(member["name"]),
                    schema="person",
                    date_of_birth=str(member.get("date_of_birth", "") or ""),
                    nationality=str(member.get("nationality", "") or ""),
                ),
            )


def payee_subject(payee: Payee) -> Subject:
    return Subject(
        SubjectKind.PAYEE,
        payee.pk,
        payee.organisation_id,
        Query(
            name=payee.name,
            schema=payee.schema,
            date_of_birth=payee.date_of_birth,
            nationality=payee.nationality,
            identifiers=tuple(str(i) for i in payee.identifiers or ()),
        ),
    )


def subjects(organisation_ids: Iterable[int] | None = None) -> Iterator[Subject]:
    """Everyone continuous screening watches (of these organisations, or all)."""
    ids = list(organisation_ids) if organisation_ids is not None else None
    orgs = Organisation.objects.all()
    people = Person.objects.all()
    profiles = ComplianceProfile.objects.all()
    payees = Payee.objects.all()
    if ids is not None:
        orgs = orgs.filter(pk__in=ids)
        people = people.filter(organisation_id__in=ids)
        profiles = profiles.filter(organisation_id__in=ids)
        payees = payees.filter(organisation_id__in=ids)
    for org in orgs.only("pk", "name", "registration_number").iterator():
        identifiers = (org.registration_number,) if org.registration_number else ()
        yield Subject(
            SubjectKind.ORGANISATION,
            org.pk,
            org.pk,
            Query(name=org.name, schema="organisation", identifiers=identifiers),
        )
    for person in people.only("pk", "name", "organisation_id").iterator():
        yield Subject(
            SubjectKind.PERSON, person.pk, person.organisation_id, Query(name=person.name)
        )
    for profile in profiles.only("organisation_id", "board"):
        yield from _profile_board(profile)
    for payee in payees.iterator():
        yield payee_subject(payee)


def screen_subjects(
    found: Iterable[Subject], *, index: ListIndex | None = None, notify: bool = True
) -> list[ScreeningAlert]:
    """Screen the subjects; write an alert for each new hit and tell the focal points."""
    index = index if index is not None else active_index()
    if not len(index):
        return []
    pending: list[tuple[Subject, str, dict[str, Any]]] = []
    subjects = [s for s in found if s.query.name.strip()]
    screened = screen_many(index, [s.query for s in subjects], DEFAULT_THRESHOLD)
    for subject, (_query, hits) in zip(subjects, screened, strict=True):
        for hit in hits:
            pending.append((subject, query_key(subject.query), hit))
    if not pending:
        return []
    refs = {h["ref"] for _s, _k, h in pending}
    entries = {
        (code, ref): (version_id, fp)
        for code, ref, version_id, fp in ListEntry.objects.filter(
            version_id__in=index.version_ids, ref__in=refs
        ).values_list("version__source__code", "ref", "version_id", "fingerprint")
    }
    by_org: dict[int, list[tuple[Subject, str, dict[str, Any]]]] = defaultdict(list)
    for item in pending:
        by_org[item[0].organisation_id].append(item)
    created: list[ScreeningAlert] = []
    for organisation_id, items in by_org.items():
        priors = prior_decisions(
            organisation_id=organisation_id,
            items=[(k, h) for _s, k, h in items],
            version_ids=index.version_ids,
        )
        seen = set(
            ScreeningAlert.objects.filter(
                organisation_id=organisation_id, query_key__in={k for _s, k, _h in items}
            ).values_list("query_key", "list_code", "entry_ref", "entry_fingerprint")
        )
        new: list[ScreeningAlert] = []
        for subject, key, hit in items:
            version_id, fingerprint = entries.get((hit["list"], hit["ref"]), (None, ""))
            if version_id is None:
                continue
            prior = priors.get((key, hit["list"], hit["ref"]))
            if prior is not None and prior.cleared:
                continue
            marker = (key, hit["list"], hit["ref"], fingerprint)
            if marker in seen:
                continue
            seen.add(marker)
            new.append(
                ScreeningAlert(
                    organisation_id=organisation_id,
                    subject_kind=subject.kind,
                    subject_id=subject.id,
                    subject_name=subject.query.name[:500],
                    query=query_dict(subject.query),
                    query_key=key,
                    list_version_id=version_id,
                    list_code=hit["list"],
                    entry_ref=hit["ref"],
                    entry_fingerprint=fingerprint,
                    score=hit["score"],
                    hit=hit,
                )
            )
        if new:
            with transaction.atomic():
                ScreeningAlert.objects.bulk_create(new)
                if notify:
                    notify_focal_points(organisation_id, new)
            created.extend(new)
    return created


def rescreen_all(*, organisation_ids: Iterable[int] | None = None) -> list[ScreeningAlert]:
    """Screen everyone watched against the active lists (after a list version changed)."""
    return screen_subjects(subjects(organisation_ids))


def alert_recipients(organisation_id: int) -> list[Any]:
    """The organisation's compliance focal points; without any, its coordinators."""
    User = get_user_model()
    focal = ComplianceFocalPoint.objects.filter(organisation_id=organisation_id).values("user_id")
    users = list(User.objects.filter(pk__in=focal, is_active=True).order_by("pk"))
    if users:
        return users
    coordinators = GroupRole.objects.filter(role=Role.COORDINATOR).values("user_id")
    return list(
        User.objects.filter(
            organisation_id=organisation_id, pk__in=coordinators, is_active=True
        ).order_by("pk")
    )


def notify_focal_points(organisation_id: int, alerts: list[ScreeningAlert]) -> int:
    """One email per focal point, once the alerts are saved; it names no one (email is not
    the place for it), only how many and where to look."""
    users = alert_recipients(organisation_id)
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    link = f"{base}{reverse('screening:alert-inbox')}"
    subject = _("[Harambee] New sanctions screening alerts")
    body = _(
        "Continuous screening found %(count)s new possible match(es) on the sanctions lists "
        "for your organisation.\n\nReview them in Harambee (log in first): %(link)s"
    ) % {"count": len(alerts), "link": link}
    mails = [(subject, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in users if u.email]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(mails)
