"""CSV/XLSX import of a KoboToolbox-style export, with a column mapping.

All or nothing: any bad row (or a column that maps to nothing) and no item is written; the
file's rows are kept as raw intake with every error named by row and column, for review.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from harambee.activities.models import Sector
from harambee.network.models import Group

from .choices import AnswerChannel, Channel, ImportTarget, IntakeSource
from .framework import raw_declares_sensitive
from .models import FeedbackItem, RawIntake
from .services import IntakeError, accept_raw, record_raw, reject_raw, submit_feedback

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

# Column names as Kobo forms usually call them (after the group prefix "group_x/").
KNOWN_COLUMNS: dict[str, str] = {
    "feedback": ImportTarget.MESSAGE,
    "feedback_text": ImportTarget.MESSAGE,
    "message": ImportTarget.MESSAGE,
    "comment": ImportTarget.MESSAGE,
    "verbatim": ImportTarget.MESSAGE,
    "summary": ImportTarget.SUMMARY,
    "channel": ImportTarget.CHANNEL,
    "feedback_channel": ImportTarget.CHANNEL,
    "date": ImportTarget.RECEIVED_ON,
    "feedback_date": ImportTarget.RECEIVED_ON,
    "today": ImportTarget.RECEIVED_ON,
    "_submission_time": ImportTarget.RECEIVED_ON,
    "language": ImportTarget.LANGUAGE,
    "pcode": ImportTarget.PLACE,
    "admin_pcode": ImportTarget.PLACE,
    "location_pcode": ImportTarget.PLACE,
    "population_group": ImportTarget.POPULATION_GROUP,
    "population_type": ImportTarget.POPULATION_GROUP,
    "sector": ImportTarget.SECTOR,
    "type": ImportTarget.FEEDBACK_TYPE,
    "feedback_type": ImportTarget.FEEDBACK_TYPE,
    "category": ImportTarget.CATEGORY,
    "code": ImportTarget.CODE,
    "phone": ImportTarget.CONTACT,
    "phone_number": ImportTarget.CONTACT,
    "contact": ImportTarget.CONTACT,
    "name": ImportTarget.CONTACT_NAME,
    "respondent_name": ImportTarget.CONTACT_NAME,
    "wants_answer": ImportTarget.WANTS_ANSWER,
    "follow_up": ImportTarget.WANTS_ANSWER,
    "answer_channel": ImportTarget.ANSWER_CHANNEL,
    "consent": ImportTarget.CONSENT,
    "priority": ImportTarget.PRIORITY,
    "_uuid": ImportTarget.EXTERNAL_ID,
}
# Kobo's own bookkeeping columns: never data about the feedback.
KOBO_METADATA = {
    "start", "end", "deviceid", "username", "simserial", "subscriberid", "phonenumber",
    "_id", "_index", "_parent_index", "_submission__id", "_validation_status", "_notes",
    "_status", "_submitted_by", "__version__", "_tags", "_version_", "meta/instanceid",
    "instanceid", "_attachments", "_geolocation", "audit",
}  # fmt: skip
TRUE = {"1", "yes", "true", "oui", "y", "x"}


def _key(header: str) -> str:
    """A header as the mapping knows it: lower case, without Kobo's group prefix."""
    name = header.strip().lower()
    return name.rsplit("/", 1)[-1] if "/" in name and name != "meta/instanceid" else name


@dataclass
class ImportReport:
    raw: RawIntake
    created: list[FeedbackItem] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(file_name: str, content: bytes) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a CSV or XLSX file (first sheet)."""
    if len(content) > MAX_BYTES:
        raise IntakeError(_("The file is larger than 10 MB."), code="file_too_large")
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise IntakeError(
                _("This is not a readable XLSX file."), code="unreadable_file"
            ) from exc
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        book.close()
    elif lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel  # type: ignore[assignment]
        rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    else:
        raise IntakeError(_("Give a .csv or .xlsx file."), code="unsupported_file")
    rows = [r for r in rows if any(str(v or "").strip() for v in r)]
    if not rows:
        raise IntakeError(_("The file is empty."), code="empty_file")
    headers = [str(h or "").strip() for h in rows[0]]
    if len(rows) - 1 > MAX_ROWS:
        raise IntakeError(
            _("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS},
            code="too_many_rows",
        )
    return headers, rows[1:]


def propose_mapping(headers: list[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Header → target: what the user gave, else a known Kobo name; metadata is ignored."""
    given = given or {}
    mapping: dict[str, str] = {}
    for header in headers:
        if header in given:
            mapping[header] = given[header]
        elif _key(header) in KNOWN_COLUMNS:
            mapping[header] = KNOWN_COLUMNS[_key(header)]
        elif _key(header) in KOBO_METADATA or header.lower() in KOBO_METADATA or not header:
            mapping[header] = ImportTarget.IGNORE
    return mapping


def _date(value: Any) -> datetime.datetime | datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    text = str(value).strip()
    parsed = parse_datetime(text.replace(" ", "T", 1)) if ("T" in text or ":" in text) else None
    if parsed is None:
        parsed = parse_date(text[:10])  # type: ignore[assignment]
    if parsed is None:
        raise IntakeError(
            _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": text[:30]}, code="bad_date"
        )
    return parsed


def _channel(value: str, default: str) -> str:
    text = re.sub(r"[\s-]+", "_", value.strip().lower())
    if not text:
        return default
    aliases = {"phone": Channel.HOTLINE, "call": Channel.HOTLINE, "web": Channel.WEB_FORM,
               "f2f": Channel.FACE_TO_FACE, "in_person": Channel.FACE_TO_FACE,
               "meeting": Channel.COMMUNITY_MEETING, "facebook": Channel.SOCIAL_MEDIA,
               "whatsapp": Channel.CHATBOT}  # fmt: skip
    return aliases.get(text, text)


def row_data(row: Mapping[str, Any], default_channel: str) -> dict[str, Any]:
    """One row's values (target → value) as the intake service takes them."""
    text = {
        k: str(v).strip() if v is not None else "" for k, v in row.items() if k != "received_on"
    }
    data: dict[str, Any] = {
        "original_text": text.get(ImportTarget.MESSAGE, ""),
        "summary": text.get(ImportTarget.SUMMARY, ""),
        "channel": _channel(text.get(ImportTarget.CHANNEL, ""), default_channel),
        "received_at": _date(row.get(ImportTarget.RECEIVED_ON)),
        "language": text.get(ImportTarget.LANGUAGE, ""),
        "admin_area": text.get(ImportTarget.PLACE, ""),
        "population_group": text.get(ImportTarget.POPULATION_GROUP, "") or None,
        "feedback_type": text.get(ImportTarget.FEEDBACK_TYPE, ""),
        "category": text.get(ImportTarget.CATEGORY, ""),
        "code": text.get(ImportTarget.CODE, ""),
        "contact": text.get(ImportTarget.CONTACT, ""),
        "contact_name": text.get(ImportTarget.CONTACT_NAME, ""),
        "wants_answer": text.get(ImportTarget.WANTS_ANSWER, "").lower() in TRUE,
        "answer_channel": text.get(ImportTarget.ANSWER_CHANNEL, "") or None,
        "priority": text.get(ImportTarget.PRIORITY, "") or None,
        "external_id": text.get(ImportTarget.EXTERNAL_ID, ""),
    }
    if ImportTarget.CONSENT in text:
        data["consent_given"] = text[ImportTarget.CONSENT].lower() in TRUE
    if data["answer_channel"] and data["answer_channel"] not in AnswerChannel.values:
        data["answer_channel"] = None
    sector = text.get(ImportTarget.SECTOR, "")
    if sector:
        found = (
            Sector.objects.filter(code__iexact=sector).first()
            or Sector.objects.filter(aliases__icontains=sector).first()
        )
        if found is None:
            raise IntakeError(
                _("Unknown sector “%(s)s”.") % {"s": sector[:40]},
                code="unknown_sector",
                field="sector",
            )
        data["sector"] = found
    return data


def import_file(
    *,
    actor: Any,
    group: Group,
    file_name: str,
    content: bytes,
    mapping: Mapping[str, str] | None = None,
    default_channel: str = Channel.FACE_TO_FACE,
) -> ImportReport:
    """Read, check every row, then write every item in one transaction (or none)."""
    raw = record_raw(
        source=IntakeSource.IMPORT, group=group, payload={"file": file_name}, received_by=actor,
        file_name=file_name,
    )  # fmt: skip
    report = ImportReport(raw=raw)
    try:
        headers, rows = read_table(file_name, content)
    except IntakeError as exc:
        reject_raw(raw, exc)
        report.errors = raw.errors
        return report
    raw.payload = _payload(file_name, headers, rows)
    # A file with a sensitive category or code in any cell is reviewed as sensitive intake.
    raw.sensitive = raw_declares_sensitive({"rows": rows})
    raw.save(update_fields=["payload", "sensitive", "updated_at"])
    report.mapping = propose_mapping(headers, mapping)
    targets = set(ImportTarget.values)
    unmapped = [h for h in headers if report.mapping.get(h) not in targets]
    if unmapped:
        report.errors = [
            {
                "code": "unmapped_columns",
                "column": h,
                "message": _("Column “%(column)s” maps to nothing: map it, or ignore it.")
                % {"column": h},
            }
            for h in unmapped
        ]
    elif ImportTarget.MESSAGE not in report.mapping.values() and (
        ImportTarget.SUMMARY not in report.mapping.values()
    ):
        report.errors = [
            {
                "code": "no_message_column",
                "column": "",
                "message": _("No column holds the feedback itself."),
            }
        ]
    if report.errors:
        reject_raw(raw, report.errors)
        return report
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        row = {}
        for header, value in zip(headers, values, strict=False):
            target = report.mapping[header]
            if target != ImportTarget.IGNORE and value not in (None, "") and target not in row:
                row[target] = value
        try:
            parsed.append((number, row_data(row, default_channel)))
        except IntakeError as exc:
            report.errors.append(_row_error(number, exc, report.mapping))
    if not report.errors:
        try:
            with transaction.atomic():
                for number, data in parsed:
                    try:
                        report.created.append(
                            submit_feedback(
                                actor=actor,
                                group=group,
                                data=data,
                                source=IntakeSource.IMPORT,
                                raw=raw,
                            )
                        )
                    except IntakeError as exc:
                        report.errors.append(_row_error(number, exc, report.mapping))
                if report.errors:
                    raise _Rollback
        except _Rollback:
            report.created = []
    if report.errors:
        reject_raw(raw, report.errors)
    else:
        accept_raw(raw, len(report.created))
    return report


class _Rollback(Exception):
    pass


_FIELD_TARGET = {
    "original_text": ImportTarget.MESSAGE,
    "admin_area": ImportTarget.PLACE,
    "received_on": ImportTarget.RECEIVED_ON,
    "feedback_type": ImportTarget.FEEDBACK_TYPE,
}


def _row_error(number: int, exc: IntakeError, mapping: Mapping[str, str]) -> dict[str, Any]:
    target = _FIELD_TARGET.get(exc.field, exc.field)
    columns = [h for h, t in mapping.items() if t == target]
    return {
        "code": exc.code,
        "row": number,
        "column": columns[0] if columns else "",
        "message": exc.message,
    }


def _payload(file_name: str, headers: list[str], rows: list[list[Any]]) -> str:
    import json

    return json.dumps(
        {"file": file_name, "headers": headers, "rows": rows}, ensure_ascii=False, default=str
    )
