"""A person's data (find, export, correct, erase), consent, retention and key rotation.

Every function that reveals or changes personal data writes an access-log entry; every change
also writes a change record (with keyed fingerprints, never the values).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.audit import change_record, snapshot
from harambee.core.choices import Action
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.fields import (
    encrypted_fields,
    hash_fields,
    is_current_token,
    keyed_hash,
)
from harambee.core.models import ChangeRecord
from harambee.core.services import update_object

from .access import is_data_protection_officer, log_access, log_event
from .choices import AccessAction, AccessChannel, ConsentMethod
from .models import Consent, RetentionRun
from .registry import SEARCH_KINDS, PersonalData, personal_data

BATCH = 500


def _require_dpo(actor: Any) -> None:
    if actor is not None and not is_data_protection_officer(actor):
        raise PermissionDeniedError(_("Only data protection officers may do this."))


# --- consent ----------------------------------------------------------------------------------


def record_consent(
    *,
    subject: models.Model,
    purpose: str,
    actor: Any = None,
    method: str = ConsentMethod.VERBAL,
    policy_version: str | None = None,
    given_at: datetime.datetime | None = None,
) -> Consent:
    """Record that the person behind `subject` agreed to `purpose` (current notice by default)."""
    if not purpose:
        raise ValidationError({"purpose": _("Say what the consent is for.")})
    user = actor if getattr(actor, "is_authenticated", False) else None
    return Consent.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        purpose=purpose,
        policy_version=policy_version or settings.PRIVACY_POLICY_VERSION,
        method=method,
        given_at=given_at or timezone.now(),
        recorded_by=user,
    )


def withdraw_consent(*, consent: Consent, when: datetime.datetime | None = None) -> Consent:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = when or timezone.now()
        Consent.objects.filter(pk=consent.pk).update(withdrawn_at=consent.withdrawn_at)
    return consent


def consents_for(subject: models.Model) -> list[Consent]:
    return list(
        Consent.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
        )
    )


# --- a person's data --------------------------------------------------------------------------


@dataclass
class Match:
    entry: PersonalData
    record: models.Model

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def model_name(self) -> str:
        return str(self.entry.model._meta.verbose_name)

    def personal(self) -> dict[str, Any]:
        return {f.name: f.value_from_object(self.record) for f in self.entry.fields}

    def pending(self) -> list[tuple[str, int]]:
        """What keeps this record from retention (its kind's `kept_while`): (the kind of
        record, in the plural, and how many are pending), e.g. an open screening alert."""
        found = []
        for holder, rows_of in personal_data.holders(self.entry):
            count = holder.model._default_manager.filter(rows_of([self.record.pk])).count()
            if count:
                found.append((str(holder.model._meta.verbose_name_plural), count))
        return found


def find_person(*, actor: Any, kind: str, value: str, request: Any = None) -> list[Match]:
    """Every registered record whose keyed hash of `kind` (name, email, phone) matches."""
    _require_dpo(actor)
    if kind not in SEARCH_KINDS:
        raise ServiceError(_("Search by name, email or phone."), code="privacy_unknown_kind")
    digest = keyed_hash(value, "text" if kind == "name" else kind)
    matches: list[Match] = []
    if digest:
        for entry in personal_data:
            hash_name = entry.search.get(kind)
            if hash_name:
                rows = entry.model._default_manager.filter(**{hash_name: digest}).order_by("pk")
                matches += [Match(entry, r) for r in rows]
    log_event(
        actor,
        action=AccessAction.SEARCH,
        channel=AccessChannel.DATA_PROTECTION,
        request=request,
        note=f"{kind}: {len(matches)}",
    )
    if matches:
        log_access(
            actor,
            [m.record for m in matches],
            action=AccessAction.VIEW,
            channel=AccessChannel.DATA_PROTECTION,
            request=request,
        )
    return matches


def get_record(*, actor: Any, label: str, pk: Any, request: Any = None) -> Match:
    _require_dpo(actor)
    entry = personal_data.get(label)
    if entry is None:
        raise ServiceError(_("No such kind of record."), code="privacy_unknown_record")
    try:
        record = entry.model._default_manager.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise ServiceError(_("No such record."), code="privacy_unknown_record") from exc
    log_access(
        actor,
        [record],
        action=AccessAction.VIEW,
        channel=AccessChannel.DATA_PROTECTION,
        request=request,
    )
    return Match(entry, record)


def _changes(record: models.Model) -> list[dict[str, Any]]:
    return [
        {"time": c.time.isoformat(), "action": c.action, "by": c.user_name, "note": c.note}
        for c in ChangeRecord.objects.for_object(record)
    ]


def export_person(*, actor: Any, matches: Iterable[Match], request: Any = None) -> dict[str, Any]:
    """Everything held about the person, as JSON: personal fields in clear, consents, history."""
    _require_dpo(actor)
    matches = list(matches)
    records = []
    for m in matches:
        records.append(
            {
                "kind": m.label,
                "id": m.record.pk,
                "personal_data": m.personal(),
                "held_since": getattr(m.record, "created_at", None),
                "retention_days": m.entry.days,
                "consents": [
                    {
                        "purpose": c.purpose,
                        "policy_version": c.policy_version,
                        "method": c.method,
                        "given_at": c.given_at.isoformat(),
                        "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
                    }
                    for c in consents_for(m.record)
                ],
                "changes": _changes(m.record),
            }
        )
    log_access(
        actor,
        [m.record for m in matches],
        action=AccessAction.EXPORT,
        channel=AccessChannel.DATA_PROTECTION,
        request=request,
    )
    return {"exported_at": timezone.now().isoformat(), "records": records}


def correct_record(
    *, actor: Any, match: Match, data: Mapping[str, Any], request: Any = None
) -> models.Model:
    """Change personal fields only (a data protection officer is not the record's editor)."""
    _require_dpo(actor)
    allowed = {f.name for f in match.entry.fields}
    unknown = set(data) - allowed
    if unknown:
        raise ServiceError(
            _("Only personal fields can be corrected here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            code="privacy_not_personal",
        )
    record = update_object(
        match.record,
        actor=actor,
        data=dict(data),
        expected_version=None,
        check_permission=False,
        note=_("Corrected by data protection."),
    )
    log_access(
        actor,
        [record],
        action=AccessAction.CORRECT,
        channel=AccessChannel.DATA_PROTECTION,
        fields=sorted(data),
        request=request,
    )
    return record


def _erased_values(entry: PersonalData) -> dict[str, Any]:
    values: dict[str, Any] = {f.name: (None if f.null else "") for f in entry.fields}
    values.update({h.name: "" for h in entry.hashes})
    return values


def _erase_rows(entry: PersonalData, rows: list[models.Model], *, actor: Any, note: str) -> int:
    """Blank the personal fields (and their hashes) of `rows`; one change record each."""
    if not rows:
        return 0
    model = entry.model
    values = _erased_values(entry)
    befores = [snapshot(r) for r in rows]
    extra: dict[str, Any] = {}
    if any(f.name == "version" for f in model._meta.concrete_fields):
        extra["version"] = F("version") + 1
    model._default_manager.filter(pk__in=[r.pk for r in rows]).update(**values, **extra)
    records = []
    for row, before in zip(rows, befores, strict=True):
        for name, value in values.items():
            setattr(row, name, value)
        records.append(
            change_record(
                actor=actor,
                action=Action.ERASE,
                instance=row,
                before=before,
                after=snapshot(row),
                note=note,
            )
        )
    ChangeRecord.objects.bulk_create(records)
    return len(rows)


def _erase_with_dependents(
    entry: PersonalData, rows: list[models.Model], *, actor: Any, note: str
) -> dict[str, list[models.Model]]:
    """Erase `rows`, then the rows of the kinds registered as erased with them (their
    `erased_with`), and theirs in turn. Returns the rows erased, by kind (`rows` first)."""
    erased: dict[str, list[models.Model]] = {}
    if not rows:
        return erased
    _erase_rows(entry, rows, actor=actor, note=note)
    erased[entry.label] = list(rows)
    ids = [r.pk for r in rows]
    for dependent, rows_of in personal_data.dependents(entry):
        # Rows already erased are left alone: nothing to do, and no endless loop.
        more = list(
            dependent.model._default_manager.filter(rows_of(ids))
            .filter(dependent.not_erased())
            .order_by("pk")
        )
        for label, done in _erase_with_dependents(dependent, more, actor=actor, note=note).items():
            erased.setdefault(label, []).extend(done)
    return erased


@transaction.atomic
def erase_record(*, actor: Any, match: Match, request: Any = None) -> models.Model:
    """Erase the person's data from the record (and from the records registered as erased
    with it); the records (and what they count) stay."""
    _require_dpo(actor)
    erased = _erase_with_dependents(
        match.entry, [match.record], actor=actor, note=_("Erased by data protection.")
    )
    log_access(
        actor,
        [row for rows in erased.values() for row in rows],
        action=AccessAction.ERASE,
        channel=AccessChannel.DATA_PROTECTION,
        request=request,
    )
    return match.record


# --- retention --------------------------------------------------------------------------------


@dataclass
class RetentionReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    cutoffs: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def due_for_erasure(entry: PersonalData, now: datetime.datetime) -> models.QuerySet[Any] | None:
    days = entry.days
    if days is None:
        return None
    cutoff = now - datetime.timedelta(days=days)
    queryset = entry.model._default_manager.filter(**{f"{entry.date_field}__lt": cutoff})
    queryset = queryset.filter(entry.not_erased())
    if entry.retainable is not None:
        queryset = entry.retainable(queryset)
    for holder, rows_of in personal_data.holders(entry):
        # Kept while a row of another kind waits on it (an open alert naming the person).
        queryset = queryset.exclude(
            Exists(holder.model._default_manager.filter(rows_of([OuterRef("pk")])))
        )
    return queryset.order_by("pk")


def _would_erase(
    entry: PersonalData, rows: models.QuerySet[Any], found: dict[str, set[Any]]
) -> None:
    """Add to `found` the ids of `rows` and of the rows that would be erased with them."""
    ids = set(rows.values_list("pk", flat=True)) - found.get(entry.label, set())
    if not ids:
        return
    found.setdefault(entry.label, set()).update(ids)
    ordered = sorted(ids)
    for dependent, rows_of in personal_data.dependents(entry):
        for start in range(0, len(ordered), BATCH):
            more = dependent.model._default_manager.filter(
                rows_of(ordered[start : start + BATCH])
            ).filter(dependent.not_erased())
            _would_erase(dependent, more, found)


def apply_retention(
    *, dry_run: bool = False, now: datetime.datetime | None = None, batch_size: int = BATCH
) -> RetentionReport:
    """Erase the personal fields of every record older than its kind's retention period.

    Idempotent: erased records are not counted again. The records stay, so counts of them
    (contacts per organisation, items per week) still add up; only the personal data goes.
    """
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    would: dict[str, set[Any]] = {}  # dry run: the ids that would be erased, by kind
    for entry in personal_data:
        queryset = due_for_erasure(entry, now)
        if queryset is None:
            continue
        report.cutoffs[entry.label] = (
            (now - datetime.timedelta(days=entry.days or 0)).date().isoformat()
        )
        if dry_run:
            # Counted as the run would: with the rows erased with them (an alert with its
            # contact person), each once, under its own kind.
            report.counts.setdefault(entry.label, 0)
            _would_erase(entry, queryset, would)
            continue
        report.counts.setdefault(entry.label, 0)
        while True:
            with transaction.atomic():
                rows = list(queryset[:batch_size])
                erased = _erase_with_dependents(
                    entry, rows, actor=None, note=_("Erased: retention period over.")
                )
            # Rows erased with those due (an alert with its payee) count under their own kind.
            for label, done in erased.items():
                report.counts[label] = report.counts.get(label, 0) + len(done)
            if len(rows) < batch_size:
                break
    for label, ids in would.items():
        report.counts[label] = len(ids)
    RetentionRun.objects.create(dry_run=dry_run, counts=report.counts)
    return report


# --- key rotation -----------------------------------------------------------------------------


def encrypted_models() -> list[tuple[type[models.Model], list[Any]]]:
    found = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return sorted(found, key=lambda item: item[0]._meta.label)


def rotate_keys(*, batch_size: int = BATCH) -> dict[str, int]:
    """Re-encrypt every encrypted value not yet under the newest key (and any stored in clear
    before encryption), in batches. Idempotent: a second run rewrites nothing.

    Versions, timestamps and change records are left alone: the content does not change.
    Keep the old keys in FIELD_ENCRYPTION_KEY until this has run, then drop them.
    """
    counts: dict[str, int] = {}
    for model, fields in encrypted_models():
        manager = model._default_manager
        raw_names = {f.name: f"_raw_{f.name}" for f in fields}
        by_name = {f.name: f for f in fields}
        rows = manager.order_by("pk").annotate(
            **{raw: Cast(name, output_field=TextField()) for name, raw in raw_names.items()}
        )
        rewritten = 0
        last_pk: Any = None
        while True:
            page = rows.filter(pk__gt=last_pk) if last_pk is not None else rows
            batch = list(page.values("pk", *raw_names.values())[:batch_size])
            if not batch:
                break
            last_pk = batch[-1]["pk"]
            with transaction.atomic():
                for row in batch:
                    # The field reads the stored value back (decrypting; parsing JSON).
                    changes = {
                        name: by_name[name].from_db_value(row[raw], None, None)
                        for name, raw in raw_names.items()
                        if row[raw] and not is_current_token(row[raw])
                    }
                    if changes:
                        manager.filter(pk=row["pk"]).update(**changes)
                        rewritten += 1
        counts[model._meta.label_lower] = rewritten
    return counts


def hash_refresh(*, batch_size: int = BATCH) -> dict[str, int]:
    """Recompute every keyed hash (after FIELD_HASH_KEY changes, or for rows written before
    a hash was added)."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        hashes = hash_fields(model)
        if not hashes:
            continue
        # The base manager: every row, and a plain update even on an append-only record
        # (screening decisions keep their query's keyed hash: it is an index, not content).
        manager = model._base_manager
        changed = 0
        for start in range(0, manager.count(), batch_size):
            rows = list(manager.order_by("pk")[start : start + batch_size])
            with transaction.atomic():
                for row in rows:
                    values = {h.name: h.hash_for(row) for h in hashes}
                    if any(getattr(row, k) != v for k, v in values.items()):
                        manager.filter(pk=row.pk).update(**values)
                        changed += 1
        counts[model._meta.label_lower] = changed
    return counts
