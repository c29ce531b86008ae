"""3W imports: start, preview, decide on organisations, map columns, commit, cancel.

Pages, the API, the `import-3w` command and the background tasks all go through these.
The file is stored with its ImportBatch; preview and commit read it again, so a commit
always writes exactly what the last preview (plus the decisions since) showed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import record_change
from harambee.core.choices import Action, Permission, Visibility
from harambee.core.errors import ServiceError, StaleVersionError
from harambee.core.services import require, require_create
from harambee.network.models import Organisation
from harambee.places.models import Country

from .choices import ImportStatus, MatchDecision
from .importers.engine import Analyser, analyse, can_commit, organisations_section, outcome
from .importers.reading import ImportFileError, Table, find_layout, header_signature, read_table
from .importers.tags import normalise_tag, tag_text
from .importers.writer import write_plan
from .models import Activity, ColumnMapping, ImportBatch

__all__ = [
    "ImportFileError",
    "ImportNotReady",
    "import_cancel",
    "import_commit",
    "import_decide",
    "import_preview",
    "import_set_mapping",
    "import_start",
]

Progress = Callable[[int, int], None]
NOW, BACKGROUND = "now", "background"


class ImportNotReady(ServiceError):
    code = "import_not_ready"


def _country(code: str | None) -> str | None:
    if not code:
        return None
    iso3 = code.strip().upper()
    if not Country.objects.filter(pk=iso3).exists():
        raise ImportFileError(_("Unknown country code '%(code)s'.") % {"code": code})
    return iso3


def _claim(batch: ImportBatch, expected_version: int | None, **changes: Any) -> None:
    """Save `changes` if nobody changed the batch since `expected_version` was read."""
    query = ImportBatch.objects.filter(pk=batch.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    changes["updated_at"] = timezone.now()
    if not query.update(version=F("version") + 1, **changes):
        raise StaleVersionError(
            _("Someone else changed this import since you opened it. Reload it and try again.")
        )
    batch.refresh_from_db()


def _progress_saver(batch: ImportBatch) -> Progress:
    def save(done: int, total: int) -> None:
        # A queryset update: progress is not an edit and must not bump the version.
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)
        batch.rows_done, batch.rows_total = done, total

    return save


def _read(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _saved_mapping(batch: ImportBatch, headers: list[str]) -> dict[str, str] | None:
    signature = header_signature(headers)
    found = ColumnMapping.objects.filter(header_signature=signature)
    mapping = found.filter(source=batch.source).first() or (
        None if batch.source else found.order_by("-updated_at").first()
    )
    return dict(mapping.mapping) if mapping else None


# The last file read, by fingerprint: commit right after preview (CLI, tests, one worker)
# does not read a large workbook twice.
_last_table: dict[str, Table] = {}


def _table(batch: ImportBatch, content: bytes) -> Table:
    fingerprint = hashlib.sha256(content).hexdigest()
    table = _last_table.get(fingerprint)
    if table is None:
        table = read_table(batch.file_name, content)
        _last_table.clear()
        _last_table[fingerprint] = table
    return table


# The last analysis, reused by a commit that follows its preview within a minute in the same
# process with the same decisions (the CLI, tests): reconciling twice is the slowest part.
# Keys and the comparison with stored activities are always recomputed inside the commit.
_last_analysis: dict[str, tuple[float, Any, Analyser]] = {}
REUSE_SECONDS = 60.0


def _analysis_key(batch: ImportBatch) -> str:
    import json

    return json.dumps(
        [
            batch.pk,
            batch.file_sha256,
            batch.country_id,
            batch.source,
            batch.mapping,
            batch.decisions,
        ],
        sort_keys=True,
        default=str,
    )


def _analyse(
    batch: ImportBatch, content: bytes, progress: Progress | None = None, reuse: bool = False
) -> tuple[Any, Analyser]:
    key = _analysis_key(batch)
    cached = _last_analysis.get(key)
    if reuse and cached is not None and time.monotonic() - cached[0] < REUSE_SECONDS:
        return cached[1], cached[2]
    result = _analyse_now(batch, content, progress)
    _last_analysis.clear()
    _last_analysis[_analysis_key(batch)] = (time.monotonic(), *result)
    return result


def _analyse_now(
    batch: ImportBatch, content: bytes, progress: Progress | None = None
) -> tuple[Any, Analyser]:
    table = _table(batch, content)
    mapping = batch.mapping or None
    if not mapping:
        layout = find_layout(table)
        if layout.tag_row is None:
            mapping = _saved_mapping(batch, layout.headers)
            if mapping:
                batch.mapping = mapping
    return analyse(
        table,
        country=batch.country_id,
        mapping=mapping,
        decisions=batch.decisions or {},
        source=batch.source,
        progress=progress,
        actor=batch.created_by,
    )


def import_start(
    *,
    actor: Any,
    file_name: str,
    content: bytes,
    country: str | None = None,
    source: str = "",
    mapping: dict[str, str] | None = None,
    run: str = NOW,
    progress: Progress | None = None,
) -> ImportBatch:
    """Store the file and read it (now, or in the background task `preview_import`).

    A file that cannot be read at all raises ImportFileError (code 'import_invalid') when run
    now; in the background the batch ends 'failed' with report['error'].
    """
    require_create(actor, Activity)
    iso3 = _country(country)
    if run == NOW:
        # Refuse unreadable files before storing anything.
        _last_table.clear()
        _last_table[hashlib.sha256(content).hexdigest()] = read_table(file_name, content)
    owner = access_for(actor).organisation_id if actor is not None else None
    user = actor if getattr(actor, "is_authenticated", False) else None
    batch = ImportBatch(
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        country_id=iso3,
        source=source[:200],
        mapping=dict(mapping or {}),
        created_by=user,
        visibility=Visibility.ORGANISATION,
        owner_organisation_id=owner,
        status=ImportStatus.PENDING,
    )
    batch.file.save(file_name, ContentFile(content), save=False)
    batch.save()
    if run == BACKGROUND:
        from .tasks import preview_import

        preview_import.enqueue(batch.pk)
        return batch
    try:
        return import_preview(batch=batch, progress=progress)
    except ImportFileError:
        batch.file.delete(save=False)
        batch.delete()
        raise


def import_preview(*, batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """(Re)compute the report without writing any activity."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, rows_done=0)
    saver = _progress_saver(batch)

    def report_progress(done: int, total: int) -> None:
        saver(done, total)
        if progress:
            progress(done, total)

    analysis, _analyser = _analyse(batch, _read(batch), report_progress)
    _claim(
        batch,
        None,
        status=ImportStatus.PREVIEW,
        report=analysis.report,
        mapping=batch.mapping,
        rows_done=F("rows_total"),
    )
    return batch


def _require_open(batch: ImportBatch) -> None:
    if batch.status in {ImportStatus.COMMITTED, ImportStatus.CANCELLED, ImportStatus.COMMITTING}:
        raise ImportNotReady(
            _("This import is %(status)s: it can no longer be changed.")
            % {"status": batch.get_status_display()}
        )


def import_decide(
    *,
    actor: Any,
    batch: ImportBatch,
    key: str,
    action: str,
    organisation_id: int | None = None,
    expected_version: int,
) -> ImportBatch:
    """Record what to do with one organisation of the file: accept / pick another / create."""
    require(actor, Permission.CHANGE, batch)
    _require_open(batch)
    report = dict(batch.report or {})
    items = report.get("organisations", {}).get("items", [])
    item = next((i for i in items if i["key"] == key), None)
    if item is None:
        raise ServiceError(_("No organisation '%(key)s' in this import.") % {"key": key})
    if action not in MatchDecision.values:
        raise ServiceError(_("Unknown decision '%(action)s'.") % {"action": action})
    if action == MatchDecision.ACCEPT and organisation_id is None:
        suggested = item.get("organisation") or (item["candidates"] or [None])[0]
        if suggested is None:
            raise ServiceError(_("There is no suggested organisation to accept."))
        organisation_id = suggested["id"]
    if action == MatchDecision.CREATE:
        organisation_id = None
    elif organisation_id is None:
        raise ServiceError(_("Choose the organisation."))
    else:
        visible = (
            Organisation.objects.all() if actor is None else Organisation.objects.restrict(actor)
        )
        if not visible.filter(pk=organisation_id).exists():
            raise ServiceError(_("No such organisation."))
    decisions = dict(batch.decisions or {})
    decisions[key] = {"action": str(action), "organisation": organisation_id}
    counts = {"matched": 0, "new": 0, "uncertain": 0}
    for entry in items:
        decision = decisions.get(entry["key"])
        if decision is None and entry["status"] == "new":
            decision = {"action": MatchDecision.CREATE.value, "organisation": None}
        entry["decision"] = decision
        counts[outcome(entry["status"], decision)] += 1
    report["organisations"] = {**report["organisations"], **counts, "items": items}
    report["can_commit"] = can_commit(report)
    _claim(batch, expected_version, decisions=decisions, report=report)
    return batch


def import_set_mapping(
    *, actor: Any, batch: ImportBatch, mapping: dict[str, str], expected_version: int
) -> ImportBatch:
    """Say which HXL tag each column header means; kept for the next file from this source."""
    require(actor, Permission.CHANGE, batch)
    _require_open(batch)
    cleaned: dict[str, str] = {}
    for header, tag in mapping.items():
        if not (tag or "").strip():
            continue
        parsed = normalise_tag(tag)
        if parsed is None:
            raise ServiceError(
                _("'%(tag)s' (for column '%(header)s') is not an HXL hashtag.")
                % {"tag": tag, "header": header}
            )
        cleaned[header] = tag_text(parsed)
    layout = find_layout(read_table(batch.file_name, _read(batch)))
    _claim(batch, expected_version, mapping=cleaned, status=ImportStatus.PENDING)
    ColumnMapping.objects.update_or_create(
        source=batch.source,
        header_signature=header_signature(layout.headers),
        defaults={"headers": layout.headers, "mapping": cleaned},
    )
    return import_preview(batch=batch)


def import_commit(
    *,
    actor: Any,
    batch: ImportBatch,
    expected_version: int,
    run: str = NOW,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportBatch:
    """Write the import in one transaction (or in the background task `commit_import`).

    `skip_invalid` (the CLI's --skip-invalid) writes the valid rows and leaves out the rows
    with errors; otherwise any error refuses the commit.
    """
    require_create(actor, Activity)
    require(actor, Permission.CHANGE, batch)
    if batch.status != ImportStatus.PREVIEW or not can_commit(batch.report or {}, skip_invalid):
        raise ImportNotReady(
            _(
                "This import cannot be committed yet: fix the errors, map the columns and decide "
                "on every uncertain organisation first."
            )
        )
    _claim(batch, expected_version, status=ImportStatus.COMMITTING, rows_done=0)
    if run == BACKGROUND:
        from .tasks import commit_import

        commit_import.enqueue(batch.pk, actor.pk if actor is not None else None, skip_invalid)
        return batch
    try:
        return commit_now(batch=batch, actor=actor, skip_invalid=skip_invalid, progress=progress)
    except Exception:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.PREVIEW)
        batch.refresh_from_db()
        raise


def commit_now(
    *,
    batch: ImportBatch,
    actor: Any,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportBatch:
    saver = _progress_saver(batch)

    def report_progress(done: int, total: int) -> None:
        saver(done, total)
        if progress:
            progress(done, total)

    with transaction.atomic():
        analysis, analyser = _analyse(batch, _read(batch), report_progress, reuse=True)
        _last_analysis.clear()
        report = analysis.report
        if not can_commit(report, skip_invalid):
            raise ImportNotReady(
                _("The file no longer passes its checks: preview it again before importing.")
            )
        counts = write_plan(analyser, batch, actor)
        counts["remove_candidates"] = len(analysis.remove_ids)
        counts["skipped_rows"] = len({e["row"] for e in report["errors"]})
        report["organisations"] = organisations_section(
            analysis.organisations, batch.decisions or {}
        )
        report["committed"] = counts
        record_change(
            actor=actor,
            action=Action.UPDATE,
            instance=batch,
            before=None,
            after={"status": ImportStatus.COMMITTED, **counts},
            note=_(
                "3W import of %(file)s: %(created)s activities created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {"file": batch.file_name, **counts},
        )
        _claim(
            batch,
            None,
            status=ImportStatus.COMMITTED,
            committed_at=timezone.now(),
            report=report,
        )
    return batch


def import_cancel(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    require(actor, Permission.CHANGE, batch)
    _require_open(batch)
    _claim(batch, None, status=ImportStatus.CANCELLED)
    return batch


def mark_failed(batch_id: int, error: Exception) -> None:
    """What a background task leaves when the file cannot be imported."""
    code = getattr(error, "code", "error")
    message = getattr(error, "message", None) or str(error)
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED,
        report={"error": {"code": code, "message": message}, "can_commit": False},
    )
