"""Decisions on hits: cleared (false positive, with the reason), escalated or confirmed.

A decision is written once and never changed (`ScreeningDecision` refuses updates and
deletes). It records the query, the list version the hit came from, the entry's content
fingerprint, the score and the explanation. A cleared hit stays cleared for the same query
(same `query_key`) while the list entry's fingerprint stays the same: when a new list version
changes the entry, the hit comes back for review.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import record_change, snapshot
from harambee.core.choices import Action, Role
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.fields import hash_key
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction as PersonalDataAccess
from harambee.privacy.choices import AccessChannel

from ..choices import AlertStatus, Outcome
from ..matching.countries import country_code
from ..matching.engine import Query, screen
from ..matching.index import normalise_identifier
from ..models import (
    ComplianceFocalPoint,
    ListEntry,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningDecision,
    ScreeningResult,
)
from ..selectors import active_index
from .canonical import canonical


class DecisionError(ServiceError):
    code = "decision_invalid"


def query_dict(query: Query | dict[str, Any]) -> dict[str, Any]:
    """The query as recorded: name, schema, date_of_birth, nationality, identifiers."""
    get = query.get if isinstance(query, dict) else lambda k, d="": getattr(query, k, d)
    return {
        "name": str(get("name", "") or ""),
        "schema": str(get("schema", "") or ""),
        "date_of_birth": str(get("date_of_birth", "") or ""),
        "nationality": str(get("nationality", "") or ""),
        "identifiers": [str(i) for i in (get("identifiers", ()) or ())],
    }


def query_material(query: Query | dict[str, Any]) -> bytes:
    """What the key of a query is computed from: its normalised fields as canonical JSON (case,
    accents and spacing of the name aside, the nationality as a country code, identifiers
    normalised and sorted)."""
    q = query_dict(query)
    name = " ".join(unicodedata.normalize("NFKC", q["name"]).casefold().split())
    nationality = country_code(q["nationality"]) or q["nationality"].strip().casefold()
    key = {
        "name": name,
        "schema": q["schema"].strip().lower(),
        "date_of_birth": q["date_of_birth"].strip(),
        "nationality": nationality,
        "identifiers": sorted(normalise_identifier(i) for i in q["identifiers"] if i.strip()),
    }
    return canonical(key)


QUERY_KEY_PURPOSE = b"harambee-screening-query:"


def query_key(query: Query | dict[str, Any]) -> str:
    """The same query gets the same key: a keyed hash (HMAC-SHA256 with FIELD_HASH_KEY, as
    every keyed hash of personal data), so that a name cannot be recovered from the key by
    hashing candidate names. `rotate-keys --hashes` recomputes the stored keys after the hash
    key changes (decisions and alerts hold them in a `QueryKeyField`)."""
    message = QUERY_KEY_PURPOSE + query_material(query)
    return hmac.new(hash_key(), message, hashlib.sha256).hexdigest()


def _user_label(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def may_decide(user: Any) -> bool:
    """Editors of an organisation and its compliance focal points review hits."""
    access = access_for(user)
    if access.organisation_id is None:
        return False
    if access.has_role_anywhere(Role.EDITOR):
        return True
    return ComplianceFocalPoint.objects.filter(
        organisation_id=access.organisation_id, user_id=access.user_id
    ).exists()


def entry_of_hit(hit: dict[str, Any], version_ids: Iterable[int]) -> ListEntry | None:
    """The list entry a hit came from, in the versions it was screened against."""
    return (
        ListEntry.objects.filter(
            version_id__in=list(version_ids), version__source__code=hit.get("list"), ref=hit["ref"]
        )
        .select_related("version__source")
        .first()
    )


@transaction.atomic
def record_decision(
    *,
    actor: Any,
    query: Query | dict[str, Any],
    hit: dict[str, Any],
    version_ids: Iterable[int],
    outcome: str,
    reason: str,
    subject: str = "",
) -> ScreeningDecision:
    """Write the decision on one hit (and close the open alerts it answers)."""
    if not may_decide(actor):
        raise PermissionDeniedError(
            _("Only editors and compliance focal points of an organisation review hits.")
        )
    if outcome not in Outcome.values:
        raise DecisionError(_("Choose cleared, escalated or confirmed."))
    reason = (reason or "").strip()
    if outcome == Outcome.CLEARED and not reason:
        raise DecisionError(_("Say why the hit is a false positive."))
    if not reason:
        reason = str(Outcome(outcome).label)
    entry = entry_of_hit(hit, version_ids)
    if entry is None:
        raise DecisionError(
            _("The list entry %(ref)s is not in the list versions screened.") % {"ref": hit["ref"]}
        )
    q = query_dict(query)
    organisation_id = access_for(actor).organisation_id
    assert organisation_id is not None
    decision = ScreeningDecision.objects.create(
        organisation_id=organisation_id,
        decided_by=actor,
        decided_by_name=_user_label(actor)[:255],
        outcome=outcome,
        reason=reason,
        query=q,
        query_key=query_key(q),
        subject=subject[:255],
        list_version=entry.version,
        list_code=entry.version.source.code,
        entry_ref=entry.ref,
        entry_fingerprint=entry.fingerprint,
        listed_name=entry.primary_name[:500],
        matched_name=str(hit.get("matched_name", ""))[:500],
        score=float(hit["score"]),
        explanation=hit.get("explanation") or {},
    )
    record_change(
        actor=actor,
        action=Action.CREATE,
        instance=decision,
        before=None,
        after=logged_row(decision),
        # No name: the change log keeps keyed fingerprints of personal values, never values.
        note=_("Hit %(outcome)s: %(list)s %(ref)s")
        % {
            "outcome": decision.get_outcome_display(),
            "list": decision.list_code,
            "ref": decision.entry_ref,
        },
    )
    for alert in ScreeningAlert.objects.filter(
        organisation_id=organisation_id,
        query_key=decision.query_key,
        list_code=decision.list_code,
        entry_ref=decision.entry_ref,
        status=AlertStatus.OPEN,
    ):
        alert.status = AlertStatus.REVIEWED
        alert.decision = decision
        alert.save(update_fields=["status", "decision", "updated_at"])
    return decision


def _find_hit(hits: Sequence[dict[str, Any]], list_code: str, ref: str) -> dict[str, Any]:
    for hit in hits:
        if hit.get("list") == list_code and hit["ref"] == ref:
            return hit
    raise DecisionError(
        _("No hit on %(list)s %(ref)s for this query.") % {"list": list_code, "ref": ref}
    )


def decide_result_hit(
    *, actor: Any, result: ScreeningResult, list_code: str, ref: str, outcome: str, reason: str
) -> ScreeningDecision:
    """Decide on a hit of a batch the actor may see."""
    batch = result.batch
    if not ScreeningBatch.objects.restrict(actor).filter(pk=batch.pk).exists():
        raise PermissionDeniedError(_("You cannot see this screening batch."))
    hit = _find_hit(result.hits, list_code, ref)
    return record_decision(
        actor=actor,
        query={
            "name": result.name,
            "schema": result.schema,
            "date_of_birth": result.date_of_birth,
            "nationality": result.nationality,
            "identifiers": [],
        },
        hit=hit,
        version_ids=batch.list_versions.values_list("pk", flat=True),
        outcome=outcome,
        reason=reason,
        subject=_("batch %(batch)s (%(file)s), row %(row)s, id %(id)s")
        % {"batch": batch.pk, "file": batch.file_name, "row": result.row, "id": result.query_id},
    )


def decide_alert(
    *, actor: Any, alert: ScreeningAlert, outcome: str, reason: str
) -> ScreeningDecision:
    if not ScreeningAlert.objects.restrict(actor, "change").filter(pk=alert.pk).exists():
        raise PermissionDeniedError(_("This alert is for another organisation."))
    if alert.erased:
        raise DecisionError(
            _("The personal data of this alert was erased: there is nothing left to decide on.")
        )
    return record_decision(
        actor=actor,
        query=alert.query,
        hit=alert.hit,
        version_ids=[alert.list_version_id],
        outcome=outcome,
        reason=reason,
        subject=_("continuous screening: %(kind)s %(name)s")
        % {"kind": alert.get_subject_kind_display(), "name": alert.subject_name},
    )


def decide_query_hit(
    *, actor: Any, query: Query, list_code: str, ref: str, outcome: str, reason: str
) -> ScreeningDecision:
    """Decide on a hit of a single screening: the query is screened again, so the score and
    the explanation on record are the system's own, not what a client sent."""
    index = active_index()
    hits = screen(index, query, 0.0, max_hits=50)
    hit = _find_hit(hits, list_code, ref)
    return record_decision(
        actor=actor,
        query=query,
        hit=hit,
        version_ids=index.version_ids,
        outcome=outcome,
        reason=reason,
        subject=_("single screening"),
    )


# --- reading decisions back ---------------------------------------------------------------


def decisions(*, user: Any) -> QuerySet[ScreeningDecision]:
    return ScreeningDecision.objects.restrict(user).select_related("list_version__source")


@dataclass
class Prior:
    """The latest decision on (query, list, ref), and whether it still holds."""

    decision: ScreeningDecision
    entry_unchanged: bool

    @property
    def cleared(self) -> bool:
        return self.decision.outcome == Outcome.CLEARED and self.entry_unchanged


def prior_decisions(
    *,
    organisation_id: int | None,
    items: Iterable[tuple[str, dict[str, Any]]],
    version_ids: Iterable[int],
) -> dict[tuple[str, str, str], Prior]:
    """For (query_key, hit) pairs: the organisation's latest decision on each, if any, and
    whether the entry is unchanged since (same content fingerprint in the screened version)."""
    items = list(items)
    if organisation_id is None or not items:
        return {}
    keys = {k for k, _hit in items}
    refs = {h["ref"] for _k, h in items}
    latest: dict[tuple[str, str, str], ScreeningDecision] = {}
    for decision in ScreeningDecision.objects.filter(
        organisation_id=organisation_id, query_key__in=keys, entry_ref__in=refs
    ).order_by("decided_at", "pk"):
        latest[(decision.query_key, decision.list_code, decision.entry_ref)] = decision
    if not latest:
        return {}
    fingerprints = {
        (code, ref): fp
        for code, ref, fp in ListEntry.objects.filter(
            version_id__in=list(version_ids), ref__in=refs
        ).values_list("version__source__code", "ref", "fingerprint")
    }
    return {
        key: Prior(decision, fingerprints.get((key[1], key[2])) == decision.entry_fingerprint)
        for key, decision in latest.items()
    }


def annotate_hits(
    *,
    organisation_id: int | None,
    query: Query | dict[str, Any],
    hits: list[dict[str, Any]],
    version_ids: Iterable[int],
) -> list[dict[str, Any]]:
    """Copies of the hits with `prior` (the latest decision) and `cleared` (it still holds)."""
    key = query_key(query)
    priors = prior_decisions(
        organisation_id=organisation_id,
        items=[(key, h) for h in hits],
        version_ids=version_ids,
    )
    out = []
    for hit in hits:
        prior = priors.get((key, hit.get("list", ""), hit["ref"]))
        out.append(
            hit
            | {
                "prior": prior.decision if prior else None,
                "entry_changed": bool(prior and not prior.entry_unchanged),
                "cleared": bool(prior and prior.cleared),
            }
        )
    return out


EXPORT_COLUMNS = [
    "id",
    "decided_at",
    "decided_by",
    "outcome",
    "reason",
    "query_name",
    "query_schema",
    "query_date_of_birth",
    "query_nationality",
    "query_identifiers",
    "subject",
    "list",
    "list_version",
    "list_file_sha256",
    "entry_ref",
    "entry_fingerprint",
    "listed_name",
    "matched_name",
    "score",
    "explanation",
]


def decision_row(d: ScreeningDecision) -> dict[str, Any]:
    version = d.list_version
    return {
        "id": d.pk,
        "decided_at": d.decided_at.isoformat(),
        "decided_by": d.decided_by_name,
        "outcome": d.outcome,
        "reason": d.reason,
        "query": d.query,
        "subject": d.subject,
        "list": d.list_code,
        "list_version": version.pk,
        "list_file_sha256": version.file_sha256,
        "list_loaded_at": version.created_at.isoformat(),
        "entry_ref": d.entry_ref,
        "entry_fingerprint": d.entry_fingerprint,
        "listed_name": d.listed_name,
        "matched_name": d.matched_name,
        "score": d.score,
        "explanation": d.explanation,
    }


def logged_row(d: ScreeningDecision) -> dict[str, Any]:
    """The decision as the change log keeps it: the query, where it was screened and the
    explanation as keyed fingerprints (as `snapshot` writes every personal field)."""
    row = decision_row(d)
    fingerprints = snapshot(d)
    for name in ScreeningDecision.personal_fields:
        row[name] = fingerprints.get(name)
    return row


def log_export(user: Any, queryset: QuerySet[ScreeningDecision], *, request: Any = None) -> int:
    """The decision record is exported with the names screened (it is the organisation's own
    record of what it decided on): each decision exported is written to the access log."""
    return log_access(
        user,
        queryset.select_related(None).only("pk"),
        action=PersonalDataAccess.EXPORT,
        channel=AccessChannel.EXPORT,
        request=request,
    )


def export_csv(queryset: QuerySet[ScreeningDecision]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for d in queryset.select_related("list_version"):
        row = decision_row(d)
        q = row.pop("query")
        writer.writerow(
            [
                row["id"],
                row["decided_at"],
                row["decided_by"],
                row["outcome"],
                row["reason"],
                q.get("name", ""),
                q.get("schema", ""),
                q.get("date_of_birth", ""),
                q.get("nationality", ""),
                ";".join(q.get("identifiers", [])),
                row["subject"],
                row["list"],
                row["list_version"],
                row["list_file_sha256"],
                row["entry_ref"],
                row["entry_fingerprint"],
                row["listed_name"],
                row["matched_name"],
                row["score"],
                json.dumps(row["explanation"], ensure_ascii=False, sort_keys=True),
            ]
        )
    return out.getvalue()


def export_json(queryset: QuerySet[ScreeningDecision]) -> str:
    rows = [decision_row(d) for d in queryset.select_related("list_version")]
    return json.dumps({"decisions": rows}, ensure_ascii=False, indent=1, sort_keys=True)


__all__ = [
    "AlertStatus",
    "DecisionError",
    "Prior",
    "annotate_hits",
    "decide_alert",
    "decide_query_hit",
    "decide_result_hit",
    "decisions",
    "export_csv",
    "export_json",
    "log_export",
    "may_decide",
    "prior_decisions",
    "query_key",
    "record_decision",
]
