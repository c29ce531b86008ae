"""Spreadsheets in and out: commitments as CSV/XLSX (one row each, lists separated by ';'),
and a framework's results in IATI's result/indicator XML shape."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils.translation import gettext as _

from harambee.activities.models import PopulationGroup, Sector
from harambee.core.choices import Visibility
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea, Country

from . import status as rules
from .choices import CommitmentType, Direction, ShareRole, Unit
from .loading import LoadError, match_organisation
from .models import Commitment, Forum, Indicator, ResultsFramework

COLUMNS = [
    "code",
    "title",
    "description",
    "type",
    "forum",
    "made_on",
    "due_date",
    "group",
    "organisations",
    "countries",
    "admin_areas",
    "population_groups",
    "sectors",
    "indicators",
    "baseline_value",
    "baseline_date",
    "targets",
    "schedule",
    "smart_missing",
    "status",
]
SEP = "; "


def _join(values: Iterable[Any]) -> str:
    return SEP.join(str(v) for v in values)


def commitment_rows(queryset: Iterable[Commitment]) -> Iterable[list[Any]]:
    yield COLUMNS
    for c in queryset:
        yield [
            c.code,
            c.title,
            c.description,
            c.type,
            c.forum.name if c.forum is not None else "",
            c.made_on.isoformat() if c.made_on else "",
            c.due_date.isoformat() if c.due_date else "",
            c.group.name if c.group is not None else "",
            _join(
                f"{s.organisation.acronym or s.organisation.name}"
                + (f":{s.share.normalize():f}" if s.share is not None else "")
                for s in sorted(c.shares.all(), key=lambda s: (s.role != ShareRole.LEAD, s.pk))
            ),
            _join(x.pk for x in c.countries.all()),
            _join(a.pcode for a in c.admin_areas.all()),
            _join(g.pk for g in c.population_groups.all()),
            _join(s.code for s in c.sectors.all()),
            _join(f"{i.framework.code}/{i.code}" for i in c.indicators.all()),
            "" if c.baseline_value is None else f"{c.baseline_value:g}",
            c.baseline_date.isoformat() if c.baseline_date else "",
            _join(
                f"{t.date.isoformat()}={'' if t.value is None else f'{t.value:g}'}"
                + (f" {t.description}" if t.description else "")
                for t in c.targets.all()
            ),
            _join(f"{s.year} {s.currency} {s.amount.normalize():f}" for s in c.schedule.all()),
            c.smart_missing.replace(",", SEP),
            c.status,
        ]


def export_queryset(queryset: Any) -> Any:
    return queryset.prefetch_related(
        "shares__organisation",
        "countries",
        "admin_areas",
        "population_groups",
        "sectors",
        "indicators__framework",
        "targets",
        "schedule",
    ).select_related("forum", "group")


def commitments_csv(queryset: Iterable[Commitment]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in commitment_rows(queryset):
        writer.writerow(row)
    return out.getvalue()


def commitments_xlsx(queryset: Iterable[Commitment]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("commitments")
    for row in commitment_rows(queryset):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Import --------------------------------------------------------------------------------------------


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            return []
        header = [str(h or "").strip().lower() for h in values[0]]
        rows = []
        for raw in values[1:]:
            if raw is None or all(v in (None, "") for v in raw):
                continue
            row = {}
            for key, value in zip(header, raw, strict=False):
                if isinstance(value, datetime.datetime):
                    value = value.date().isoformat()
                elif isinstance(value, datetime.date):
                    value = value.isoformat()
                row[key] = "" if value is None else str(value).strip()
            rows.append(row)
        return rows
    text = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@transaction.atomic
def commitments_import(
    *, actor: Any, rows: list[dict[str, str]], dry_run: bool = False
) -> dict[str, int]:
    """Create or update commitments by code; all or nothing, errors by row and column.

    With dry_run, everything is checked and written, then rolled back: the counts (and any
    LoadError) are exactly what a real import would give, and nothing is kept."""
    from .services import commitment_create, commitment_update

    errors: list[str] = []
    problems: list[tuple[int | None, str, str]] = []
    required = {"code", "title", "type"}
    if not rows:
        raise LoadError([_("The file holds no commitment.")])
    if not required <= set(rows[0]):
        raise LoadError(
            [
                _("Missing column(s): %(columns)s.")
                % {"columns": ", ".join(sorted(required - set(rows[0])))}
            ]
        )

    def bad(line: int, column: str, message: str) -> None:
        problems.append((line, column, message))
        errors.append(
            _("row %(row)d, column %(column)s: %(message)s")
            % {"row": line, "column": column, "message": message}
        )

    plans = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code = row.get("code", "")
        if not code:
            bad(line, "code", _("required"))
        if code in seen:
            bad(line, "code", _("'%(code)s' is given twice") % {"code": code})
        seen.add(code)
        if not row.get("title"):
            bad(line, "title", _("required"))
        kind = row.get("type", "").lower()
        if kind not in CommitmentType.values:
            bad(
                line,
                "type",
                _("'%(value)s' is not one of %(allowed)s")
                % {"value": row.get("type", ""), "allowed": ", ".join(CommitmentType.values)},
            )
        data: dict[str, Any] = {
            "title": row.get("title", ""),
            "description": row.get("description", ""),
            "type": kind,
        }
        m2m: dict[str, list[Any]] = {}
        for column in ("made_on", "due_date", "baseline_date"):
            try:
                data[column] = datetime.date.fromisoformat(row[column]) if row.get(column) else None
            except ValueError:
                bad(line, column, _("a date (YYYY-MM-DD) is required"))
        if row.get("baseline_value"):
            try:
                data["baseline_value"] = float(row["baseline_value"])
            except ValueError:
                bad(
                    line,
                    "baseline_value",
                    _("'%(value)s' is not a number") % {"value": row["baseline_value"]},
                )
        if row.get("forum"):
            forum = Forum.objects.filter(name=row["forum"]).first()
            if forum is None:
                bad(line, "forum", _("no forum '%(name)s'") % {"name": row["forum"]})
            data["forum"] = forum
        if row.get("group"):
            group = Group.objects.filter(name=row["group"]).first()
            if group is None:
                bad(line, "group", _("no group '%(name)s'") % {"name": row["group"]})
            data["group"] = group
        lookups = (
            ("countries", Country.objects.all(), "iso3", str.upper),
            ("admin_areas", AdminArea.objects.all(), "pcode", str.upper),
            ("population_groups", PopulationGroup.objects.all(), "code", str.lower),
            ("sectors", Sector.objects.filter(country__isnull=True), "code", str.upper),
        )
        for column, queryset, key, norm in lookups:
            wanted = [norm(v) for v in _split(row.get(column, ""))]
            found = {getattr(o, key): o for o in queryset.filter(**{f"{key}__in": wanted})}
            for value in wanted:
                if value not in found:
                    bad(line, column, _("unknown code '%(value)s'") % {"value": value})
            m2m[column] = [found[v] for v in wanted if v in found]
        indicators = []
        for ref in _split(row.get("indicators", "")):
            framework_code, _slash, indicator_code = ref.partition("/")
            indicator = Indicator.objects.filter(
                framework__code=framework_code, code=indicator_code
            ).first()
            if indicator is None:
                bad(
                    line,
                    "indicators",
                    _("no indicator '%(ref)s' (FRAMEWORK/INDICATOR)") % {"ref": ref},
                )
            else:
                indicators.append(indicator)
        m2m["indicators"] = indicators
        shares = []
        for position, part in enumerate(_split(row.get("organisations", ""))):
            name, _colon, share = part.rpartition(":") if ":" in part else (part, "", "")
            pk, _candidates = match_organisation(name.strip())
            if pk is None:
                bad(
                    line,
                    "organisations",
                    _("'%(name)s' is not one organisation of the network") % {"name": name},
                )
                continue
            try:
                amount = Decimal(share) if share else None
            except InvalidOperation:
                bad(
                    line, "organisations", _("share '%(value)s' is not a number") % {"value": share}
                )
                amount = None
            shares.append(
                {
                    "organisation": Organisation._base_manager.get(pk=pk),
                    "share": amount,
                    "role": ShareRole.LEAD if position == 0 else ShareRole.PARTNER,
                }
            )
        targets = []
        for part in _split(row.get("targets", "")):
            day, _eq, rest = part.partition("=")
            value, _space, description = rest.strip().partition(" ")
            try:
                targets.append(
                    {
                        "date": datetime.date.fromisoformat(day.strip()),
                        "value": float(value) if value else None,
                        "description": description.strip(),
                    }
                )
            except ValueError:
                bad(line, "targets", _("'%(value)s' is not DATE=VALUE") % {"value": part})
        schedule = []
        for part in _split(row.get("schedule", "")):
            bits = part.split()
            try:
                year, currency, amount_text = bits
                schedule.append(
                    {
                        "year": int(year),
                        "currency": currency.upper(),
                        "amount": Decimal(amount_text),
                    }
                )
            except (ValueError, InvalidOperation):
                bad(
                    line, "schedule", _("'%(value)s' is not YEAR CURRENCY AMOUNT") % {"value": part}
                )
        plans.append((line, code, data, m2m, shares, targets, schedule))
    if errors:
        raise LoadError(errors, problems)
    counts = {"created": 0, "updated": 0}
    for line, code, data, m2m, shares, targets, schedule in plans:
        existing = Commitment.objects.filter(code=code).first()
        try:
            if existing is None:
                commitment_create(
                    actor=actor,
                    data={"code": code, "visibility": Visibility.PUBLIC, **data},
                    m2m=m2m,
                    shares=shares,
                    targets=targets,
                    schedule=schedule,
                )
                counts["created"] += 1
            else:
                commitment_update(
                    actor=actor,
                    commitment=existing,
                    data=data,
                    expected_version=None,
                    m2m=m2m,
                    shares=shares,
                    targets=targets,
                    schedule=schedule,
                )
                counts["updated"] += 1
        except Exception as exc:
            from django.core.exceptions import ValidationError

            from harambee.core.errors import ServiceError

            if isinstance(exc, ValidationError):
                column = ""
                if hasattr(exc, "error_dict") and len(exc.error_dict) == 1:
                    column = next(iter(exc.error_dict))
                    column = {"shares": "organisations", "__all__": ""}.get(column, column)
                message = "; ".join(exc.messages)
                raise LoadError(
                    [_("row %(row)d: %(message)s") % {"row": line, "message": message}],
                    [(line, column, message)],
                ) from exc
            if isinstance(exc, ServiceError):
                raise LoadError(
                    [_("row %(row)d: %(message)s") % {"row": line, "message": exc.message}],
                    [(line, "", exc.message)],
                ) from exc
            raise
    if dry_run:
        transaction.set_rollback(True)
    return counts


# IATI -------------------------------------------------------------------------------------------------


def _narrative(parent: ET.Element, tag: str, text: str) -> None:
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "narrative").text = text


def iati_results(framework: ResultsFramework, as_of: datetime.date) -> bytes:
    """The framework as one IATI activity whose results are its outcomes (type 2) with their
    indicators: baseline, and one period per target (target value; actual as computed as of
    the period end, or the as-of date for a period still running)."""
    root = ET.Element(
        "iati-activities",
        {"version": "2.03", "generated-datetime": f"{as_of.isoformat()}T00:00:00Z"},
    )
    activity = ET.SubElement(root, "iati-activity")
    ET.SubElement(activity, "iati-identifier").text = framework.code
    _narrative(activity, "title", framework.title)
    indicators = list(
        framework.indicators.select_related("framework", "outcome").prefetch_related("targets")
    )
    groups: dict[Any, list[Indicator]] = {}
    for ind in indicators:
        groups.setdefault(ind.outcome, []).append(ind)
    for outcome, members in groups.items():
        result = ET.SubElement(activity, "result", {"type": "2", "aggregation-status": "1"})
        _narrative(result, "title", outcome.title if outcome else framework.title)
        for ind in members:
            spec = rules.IndicatorSpec.of(ind)
            element = ET.SubElement(
                result,
                "indicator",
                {
                    "measure": "2" if ind.unit == Unit.PERCENTAGE else "1",
                    "ascending": "0" if ind.direction == Direction.DECREASE else "1",
                    "aggregation-status": "1",
                },
            )
            _narrative(element, "title", ind.title)
            ET.SubElement(element, "reference", {"vocabulary": "99", "code": ind.code})
            ET.SubElement(
                element,
                "baseline",
                {
                    "year": str(ind.baseline_date.year),
                    "iso-date": ind.baseline_date.isoformat(),
                    "value": f"{ind.baseline_value:g}",
                },
            )
            start = ind.baseline_date
            for day, value in spec.targets:
                period = ET.SubElement(element, "period")
                ET.SubElement(period, "period-start", {"iso-date": start.isoformat()})
                ET.SubElement(period, "period-end", {"iso-date": day.isoformat()})
                ET.SubElement(period, "target", {"value": f"{value:g}"})
                if start <= as_of:
                    actual = rules.summarise_by_pk([spec], min(day, as_of))[ind.pk].actual
                    if actual is not None:
                        ET.SubElement(period, "actual", {"value": f"{actual:g}"})
                start = day
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
