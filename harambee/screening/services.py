"""Screening services: load a list version, screen one name or a batch.

Writes are keyword-only and atomic. A list load is all or nothing: a file that cannot be read
raises `ListFormatError` before anything is written, and the previous version stays active.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import record_change
from harambee.core.bulk import insert_many
from harambee.core.choices import Action, Visibility
from harambee.core.errors import PermissionDeniedError, ServiceError
from harambee.core.fields import keyed_hash

from .choices import BatchStatus, VersionStatus
from .loaders import ListFormatError, ParsedList, read_path
from .matching.countries import country_code
from .matching.engine import Query, screen, screen_many
from .matching.index import ListIndex, normalise_identifier
from .matching.scorer import DEFAULT_THRESHOLD
from .models import (
    EntryAddress,
    EntryBirthDate,
    EntryIdentifier,
    EntryName,
    EntryNationality,
    ListEntry,
    ListSource,
    ListVersion,
    ScreeningBatch,
    ScreeningResult,
)
from .selectors import active_index

Progress = Callable[[int, int], None]
MAX_DIFF_REFS = 2000


class QueryFileError(ServiceError):
    code = "query_file_invalid"


# --- lists --------------------------------------------------------------------------------


def load_list(*, source: str, path: str | Path, actor: Any = None) -> ListVersion:
    """Read a list file (or OFAC folder) and store it as the new active version."""
    parsed, content, file_name = read_path(source, path)
    return store_list(parsed=parsed, content=content, file_name=file_name, actor=actor)


@transaction.atomic
def store_list(
    *, parsed: ParsedList, content: bytes, file_name: str, actor: Any = None
) -> ListVersion:
    if not parsed.entries:
        raise ListFormatError(
            _("%(file)s holds no entry. Nothing was loaded; the previous version stays active.")
            % {"file": file_name}
        )
    refs = [e.ref for e in parsed.entries]
    if len(set(refs)) != len(refs):
        seen: set[str] = set()
        dup = next(r for r in refs if r in seen or seen.add(r))  # type: ignore[func-returns-value]
        raise ListFormatError(
            _("%(file)s lists reference %(ref)s twice. Nothing was loaded.")
            % {"file": file_name, "ref": dup}
        )
    list_source, _created = ListSource.objects.get_or_create(
        code=parsed.source_code,
        defaults={"kind": parsed.source_kind, "name": parsed.source_name},
    )
    previous = (
        ListVersion.objects.select_for_update()
        .filter(source=list_source, status=VersionStatus.ACTIVE)
        .first()
    )
    fingerprints = {e.ref: e.fingerprint() for e in parsed.entries}
    diff = _diff(previous, fingerprints)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    user = actor if getattr(actor, "is_authenticated", False) else None
    version = ListVersion.objects.create(
        source=list_source,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        published_on=parsed.published_on,
        status=VersionStatus.ACTIVE,
        previous=previous,
        loaded_by=user,
        diff=diff,
    )
    insert_many(
        ListEntry,
        (
            ListEntry(
                version=version,
                ref=e.ref[:64],
                entity_type=e.entity_type,
                primary_name=e.primary_name[:500],
                programmes=e.programmes,
                listed_on=e.listed_on,
                remarks=e.remarks,
                fingerprint=fingerprints[e.ref],
            )
            for e in parsed.entries
        ),
    )
    ids = dict(ListEntry.objects.filter(version=version).values_list("ref", "id"))
    names: list[EntryName] = []
    dates: list[EntryBirthDate] = []
    nats: list[EntryNationality] = []
    idents: list[EntryIdentifier] = []
    addrs: list[EntryAddress] = []
    for e in parsed.entries:
        entry_id = ids[e.ref[:64]]
        names.extend(
            EntryName(
                entry_id=entry_id, name=n.name, kind=n.kind, quality=n.quality, script=n.script[:16]
            )
            for n in e.names
        )
        dates.extend(
            EntryBirthDate(
                entry_id=entry_id,
                date_from=d.date_from,
                date_to=d.date_to,
                precision=d.precision,
                approximate=d.approximate,
                text=d.text[:100],
            )
            for d in e.birth_dates
        )
        nats.extend(
            EntryNationality(
                entry_id=entry_id, country_code=country_code(n) or "", country_name=n[:200]
            )
            for n in e.nationalities
        )
        idents.extend(
            EntryIdentifier(
                entry_id=entry_id,
                kind=i.kind[:200],
                number=i.number[:200],
                normalised=normalise_identifier(i.number)[:200],
                country=i.country[:200],
            )
            for i in e.identifiers
        )
        addrs.extend(
            EntryAddress(
                entry_id=entry_id,
                street=a.street[:500],
                city=a.city[:200],
                region=a.region[:200],
                postal_code=a.postal_code[:100],
                country_name=a.country_name[:200],
                country_code=country_code(a.country_name) or "",
                note=a.note[:500],
            )
            for a in e.addresses
        )
    for model, rows in (
        (EntryName, names),
        (EntryBirthDate, dates),
        (EntryNationality, nats),
        (EntryIdentifier, idents),
        (EntryAddress, addrs),
    ):
        insert_many(model, rows)
    version.entry_count = len(parsed.entries)
    version.name_count = len(names)
    counts: dict[str, Any] = {
        "entries": len(parsed.entries),
        "names": len(names),
        "weak_names": sum(1 for n in names if n.quality == "weak"),
        "original_script_names": sum(1 for n in names if n.kind == "original_script"),
        "birth_dates": len(dates),
        "nationalities": len(nats),
        "identifiers": len(idents),
        "addresses": len(addrs),
        "by_type": _count_by(e.entity_type for e in parsed.entries),
    }
    version.counts = counts
    version.save(update_fields=["entry_count", "name_count", "counts", "updated_at"])
    record_change(
        actor=user,
        action=Action.CREATE,
        instance=version,
        before=None,
        after={"source": list_source.code, "file_sha256": version.file_sha256, **version.counts},
        note=_("List loaded: %(added)s added, %(removed)s removed, %(changed)s changed.") % diff,
    )
    # Continuous screening: once the new version is committed, screen everyone again.
    transaction.on_commit(lambda: _enqueue_rescreen(version.pk))
    return version


def _enqueue_rescreen(version_id: int) -> None:
    from .tasks import rescreen_after_list_change

    rescreen_after_list_change.enqueue(version_id)


def _count_by(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    return dict(sorted(counts.items()))


def _diff(previous: ListVersion | None, fingerprints: dict[str, str]) -> dict[str, Any]:
    if previous is None:
        return {
            "previous": None,
            "added": len(fingerprints),
            "removed": 0,
            "changed": 0,
            "unchanged": 0,
            "added_refs": [],
            "removed_refs": [],
            "changed_refs": [],
        }
    old = dict(ListEntry.objects.filter(version=previous).values_list("ref", "fingerprint"))
    added = sorted(set(fingerprints) - set(old))
    removed = sorted(set(old) - set(fingerprints))
    changed = sorted(r for r in set(old) & set(fingerprints) if old[r] != fingerprints[r])
    return {
        "previous": previous.pk,
        "added": len(added),
        "removed": len(removed),
        "changed": len(changed),
        "unchanged": len(set(old) & set(fingerprints)) - len(changed),
        "added_refs": added[:MAX_DIFF_REFS],
        "removed_refs": removed[:MAX_DIFF_REFS],
        "changed_refs": changed[:MAX_DIFF_REFS],
    }


# --- screening ----------------------------------------------------------------------------


def screen_name(
    *,
    name: str,
    schema: str = "",
    date_of_birth: str = "",
    nationality: str = "",
    identifiers: Iterable[str] = (),
    threshold: float | None = None,
    index: ListIndex | None = None,
) -> list[dict[str, Any]]:
    """Hits for one name against the active version of every list, best first."""
    index = index if index is not None else active_index()
    query = Query(
        name=name,
        schema=schema,
        date_of_birth=date_of_birth,
        nationality=nationality,
        identifiers=tuple(identifiers),
    )
    return screen(index, query, DEFAULT_THRESHOLD if threshold is None else threshold)


def screen_batch(
    *,
    queries: Iterable[Query],
    threshold: float | None = None,
    workers: int = 1,
    index: ListIndex | None = None,
) -> Iterable[tuple[Query, list[dict[str, Any]]]]:
    """Screen many queries (in order); workers > 1 screens on that many processes."""
    index = index if index is not None else active_index()
    return screen_many(
        index, queries, DEFAULT_THRESHOLD if threshold is None else threshold, workers=workers
    )


QUERY_COLUMNS = ("id", "name", "schema", "date_of_birth", "nationality")


def read_queries(content: bytes | str, file_name: str = "queries.csv") -> list[Query]:
    """QUERIES.csv: id, name, schema, date_of_birth, nationality (only `name` required)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [(f or "").strip().lower() for f in (reader.fieldnames or [])]
    if "name" not in fields:
        raise QueryFileError(
            _(
                "%(file)s has no 'name' column (columns: id, name, schema, date_of_birth, "
                "nationality)."
            )
            % {"file": file_name}
        )
    reader.fieldnames = fields
    queries = []
    for number, row in enumerate(reader, start=1):
        get = lambda key, row=row: (row.get(key) or "").strip()  # noqa: E731
        schema = get("schema").lower()
        schema = {"organization": "organisation", "company": "organisation"}.get(schema, schema)
        queries.append(
            Query(
                id=get("id") or str(number),
                name=get("name"),
                schema=schema,
                date_of_birth=get("date_of_birth"),
                nationality=get("nationality"),
            )
        )
    return queries


# --- batches in the background ------------------------------------------------------------


def start_batch(
    *, actor: Any, file_name: str, content: bytes, threshold: float | None = None
) -> ScreeningBatch:
    """Store the uploaded CSV as a batch and screen it in the background (django-tasks)."""
    access = access_for(actor)
    if not access.is_member:
        raise PermissionDeniedError(_("Only members of the network can screen names."))
    queries = read_queries(content, file_name)
    batch = ScreeningBatch.objects.create(
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        queries=[q.__dict__ | {"identifiers": list(q.identifiers)} for q in queries],
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        rows_total=len(queries),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        visibility=Visibility.ORGANISATION,
        owner_organisation_id=access.organisation_id,
    )
    from .tasks import run_screening_batch

    run_screening_batch.enqueue(batch.pk)
    return batch


def run_batch(*, batch: ScreeningBatch, progress_every: int = 200) -> ScreeningBatch:
    """Screen every query of the batch, storing results and progress as it goes."""
    index = active_index()
    batch.status = BatchStatus.RUNNING
    batch.rows_done = 0
    batch.save(update_fields=["status", "rows_done", "updated_at"])
    batch.list_versions.set(index.version_ids)
    ScreeningResult.objects.filter(batch=batch).delete()
    queries = [Query(**q) for q in batch.queries]
    rows: list[ScreeningResult] = []
    hit_rows = 0
    for number, query in enumerate(queries, start=1):
        hits = screen(index, query, batch.threshold)
        hit_rows += bool(hits)
        rows.append(
            ScreeningResult(
                batch=batch,
                row=number,
                query_id=query.id[:200],
                name=query.name[:500],
                name_hash=keyed_hash(query.name[:500], "text"),  # insert_many skips pre_save
                schema=query.schema[:16],
                date_of_birth=query.date_of_birth[:10],
                nationality=query.nationality[:100],
                hit_count=len(hits),
                top_score=hits[0]["score"] if hits else None,
                hits=hits,
            )
        )
        if number % progress_every == 0 or number == len(queries):
            insert_many(ScreeningResult, rows)
            rows = []
            ScreeningBatch.objects.filter(pk=batch.pk).update(rows_done=number, hit_rows=hit_rows)
    batch.rows_done = len(queries)
    batch.hit_rows = hit_rows
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["rows_done", "hit_rows", "status", "finished_at", "updated_at"])
    return batch


def mark_batch_failed(batch_id: int, message: str) -> None:
    ScreeningBatch.objects.filter(pk=batch_id).update(
        status=BatchStatus.FAILED, error=message, finished_at=timezone.now()
    )


RESULT_COLUMNS = [
    "row",
    "id",
    "name",
    "schema",
    "date_of_birth",
    "nationality",
    "hit_rank",
    "score",
    "source",
    "list",
    "ref",
    "listed_name",
    "matched_name",
    "reasons",
]


def batch_csv(batch: ScreeningBatch) -> str:
    """The batch's results: one line per hit (and one per query without a hit)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    for result in batch.results.order_by("row"):
        base = [
            result.row,
            result.query_id,
            result.name,
            result.schema,
            result.date_of_birth,
            result.nationality,
        ]
        if not result.hits:
            writer.writerow([*base, "", "", "", "", "", "", "", ""])
        for rank, hit in enumerate(result.hits, start=1):
            writer.writerow(
                [
                    *base,
                    rank,
                    hit["score"],
                    hit["source"],
                    hit.get("list", ""),
                    hit["ref"],
                    hit["name"],
                    hit["matched_name"],
                    explain_text(hit["explanation"]),
                ]
            )
    return out.getvalue()


def explain_text(explanation: dict[str, Any]) -> str:
    """One line a compliance officer can read."""
    if explanation.get("method") == "identifier":
        ident = explanation.get("identifier") or {}
        return f"identical identifier {ident.get('kind', '')} {ident.get('number', '')}".strip()
    parts = "; ".join(
        f"{p['query']}~{p['list']} {p['score']}" for p in explanation.get("parts", [])
    )
    text = f"{explanation.get('method')}: {parts} (name {explanation.get('name_score')})"
    for cap in explanation.get("caps", []):
        text += f"; {cap}"
    for adj in explanation.get("adjustments", []):
        text += f"; {adj['reason']} ({adj['change']:+.2f})"
    return text
