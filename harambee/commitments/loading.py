"""Files in: a results framework (YAML, or the same shape as JSON) and progress reports (CSV).

Both are all-or-nothing: every problem is found first and reported by place in the file
(`indicators[2].targets[0].date`, `row 7, column period_end`); nothing is written unless
there is none. Organisations in reports are matched by name or acronym with the network's
duplicate index (harambee.network.duplicates), the same one every organisation form uses.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from harambee.activities.models import PopulationGroup
from harambee.core.audit import record_change, snapshot
from harambee.core.bulk import insert_values
from harambee.core.choices import Action, Permission
from harambee.core.errors import ErrorCode, ServiceError
from harambee.core.services import require, require_create
from harambee.network.duplicates import get_index, normalise_acronym, normalise_name
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea, Country

from .choices import (
    Dimension,
    Direction,
    Frequency,
    PlaceAggregation,
    ReportStatus,
    TimeAggregation,
    Unit,
)
from .models import Indicator, IndicatorTarget, Outcome, ProgressReport, ResultsFramework
from .validation import CATEGORY_FIELDS, report_problems

MAX_ERRORS = 200


class LoadError(ServiceError):
    """A file that cannot be loaded; `.errors` lists every problem by its place in the file."""

    code = ErrorCode.IMPORT_INVALID

    def __init__(
        self, errors: list[str], items: list[tuple[int | None, str, str]] | None = None
    ) -> None:
        shown = errors[:MAX_ERRORS]
        more = len(errors) - len(shown)
        text = "\n".join(shown) + (f"\n… {more} more" if more > 0 else "")
        super().__init__(
            _("Nothing was written. %(count)d problem(s):\n%(errors)s")
            % {"count": len(errors), "errors": text}
        )
        self.errors = errors
        # (row, column, message) for a table of problems; row None: the file as a whole.
        self.items = items if items is not None else [(None, "", error) for error in errors]


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    return datetime.date.fromisoformat(text)


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    number = float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


# Frameworks ------------------------------------------------------------------------------------

CHOICES = {
    "unit": Unit.values,
    "time_aggregation": TimeAggregation.values,
    "place_aggregation": PlaceAggregation.values,
    "direction": Direction.values,
    "frequency": Frequency.values,
}


def parse_framework_yaml(text: str, name: str = "framework.yaml") -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise LoadError([f"{name}{where}: {_('not valid YAML')} ({exc})"]) from exc
    if not isinstance(data, dict):
        raise LoadError([f"{name}: " + _("expected a mapping with code, title and indicators")])
    return data


@dataclass
class LoadResult:
    framework: ResultsFramework
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _check_indicator(i: int, item: Any, errors: list[str]) -> dict[str, Any] | None:
    where = f"indicators[{i}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: " + _("expected a mapping"))
        return None
    clean: dict[str, Any] = {}
    for key in ("code", "title"):
        value = str(item.get(key) or "").strip()
        if not value:
            errors.append(f"{where}.{key}: " + _("required"))
        clean[key] = value
    defaults = {
        "unit": Unit.NUMBER,
        "time_aggregation": TimeAggregation.SUM,
        "place_aggregation": PlaceAggregation.SUM,
        "direction": Direction.INCREASE,
        "frequency": Frequency.QUARTERLY,
    }
    for key, allowed in CHOICES.items():
        value = str(item.get(key) or defaults[key]).strip()
        if value not in allowed:
            errors.append(
                f"{where}.{key}: "
                + _("'%(value)s' is not one of %(allowed)s")
                % {"value": value, "allowed": ", ".join(allowed)}
            )
        clean[key] = value
    dims = item.get("disaggregations") or []
    if not isinstance(dims, list) or not set(map(str, dims)) <= set(Dimension.values):
        errors.append(
            f"{where}.disaggregations: " + _("a list of: %s") % ", ".join(Dimension.values)
        )
        dims = []
    clean["disaggregations"] = [str(d) for d in dims]
    clean["outcome"] = str(item.get("outcome") or "").strip()
    baseline = item.get("baseline")
    if not isinstance(baseline, dict):
        errors.append(f"{where}.baseline: " + _("required: {value, date}"))
        return None
    try:
        clean["baseline_value"] = _number(baseline.get("value"))
        if clean["baseline_value"] is None:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(f"{where}.baseline.value: " + _("a number is required"))
    try:
        clean["baseline_date"] = _date(baseline.get("date"))
        if clean["baseline_date"] is None:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(f"{where}.baseline.date: " + _("a date (YYYY-MM-DD) is required"))
        clean["baseline_date"] = None
    targets = item.get("targets") or []
    if not isinstance(targets, list):
        errors.append(f"{where}.targets: " + _("expected a list of {date, value}"))
        targets = []
    clean["targets"] = []
    seen: set[datetime.date] = set()
    for j, target in enumerate(targets):
        twhere = f"{where}.targets[{j}]"
        if not isinstance(target, dict):
            errors.append(f"{twhere}: " + _("expected {date, value}"))
            continue
        try:
            day = _date(target.get("date"))
            if day is None:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{twhere}.date: " + _("a date (YYYY-MM-DD) is required"))
            continue
        try:
            number = _number(target.get("value"))
            if number is None:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(f"{twhere}.value: " + _("a number is required"))
            continue
        if clean["baseline_date"] and day <= clean["baseline_date"]:
            errors.append(
                f"{twhere}.date: "
                + _("target date %(date)s is not after the baseline date %(baseline)s")
                % {"date": day, "baseline": clean["baseline_date"]}
            )
        if day in seen:
            errors.append(f"{twhere}.date: " + _("two targets on %(date)s") % {"date": day})
        seen.add(day)
        clean["targets"].append((day, number))
    return clean


@transaction.atomic
def framework_load(*, actor: Any, data: Mapping[str, Any], name: str = "") -> LoadResult:
    """Create or update a framework, its outcomes, indicators and targets from a mapping."""
    prefix = f"{name}: " if name else ""
    errors: list[str] = []
    code = str(data.get("code") or "").strip()
    title = str(data.get("title") or "").strip()
    if not code:
        errors.append(prefix + "code: " + _("required"))
    if not title:
        errors.append(prefix + "title: " + _("required"))
    group = None
    group_ref = data.get("group")
    if group_ref not in (None, ""):
        found = Group.objects.filter(name=str(group_ref)).first()
        if found is None and str(group_ref).isdigit():
            found = Group.objects.filter(pk=int(group_ref)).first()
        if found is None:
            errors.append(prefix + "group: " + _("no group '%(group)s'") % {"group": group_ref})
        group = found
    outcomes: dict[str, str] = {}
    for k, outcome in enumerate(data.get("outcomes") or []):
        if not isinstance(outcome, dict) or not outcome.get("code"):
            errors.append(prefix + f"outcomes[{k}]: " + _("expected {code, title}"))
            continue
        outcomes[str(outcome["code"])] = str(outcome.get("title") or outcome["code"])
    items = data.get("indicators")
    if not isinstance(items, list) or not items:
        errors.append(prefix + "indicators: " + _("a non-empty list is required"))
        items = []
    indicators = []
    codes: set[str] = set()
    for i, item in enumerate(items):
        local: list[str] = []
        clean = _check_indicator(i, item, local)
        errors += [prefix + e for e in local]
        if clean is None:
            continue
        if clean["code"] in codes:
            errors.append(
                prefix + f"indicators[{i}].code: " + _("'%s' is given twice") % clean["code"]
            )
        codes.add(clean["code"])
        if clean["outcome"] and clean["outcome"] not in outcomes:
            outcomes[clean["outcome"]] = clean["outcome"]
        indicators.append(clean)
    thresholds = data.get("thresholds") or {}
    extra: dict[str, Any] = {}
    for key, attr in (("on_track", "on_track_at"), ("at_risk", "at_risk_at")):
        if key in thresholds:
            try:
                extra[attr] = _number(thresholds[key])
            except (TypeError, ValueError):
                errors.append(prefix + f"thresholds.{key}: " + _("a number is required"))
    if errors:
        raise LoadError(errors)

    framework = ResultsFramework.objects.filter(code=code).first()
    values = {"title": title, "group": group, **extra}
    if "description" in data:
        values["description"] = str(data.get("description") or "")
    if framework is None:
        require_create(actor, ResultsFramework)
        framework = ResultsFramework(code=code, **values)
        if actor is not None and getattr(actor, "organisation_id", None):
            framework.owner_organisation_id = actor.organisation_id
        framework.full_clean()
        framework.save()
        record_change(
            actor=actor,
            action=Action.CREATE,
            instance=framework,
            before=None,
            after=snapshot(framework),
            note=_("Loaded from %(name)s") % {"name": name or "file"},
        )
    else:
        require(actor, Permission.CHANGE, framework)
        before = snapshot(framework)
        for key, value in values.items():
            setattr(framework, key, value)
        framework.version += 1
        framework.full_clean()
        framework.save()
        record_change(
            actor=actor,
            action=Action.UPDATE,
            instance=framework,
            before=before,
            after=snapshot(framework),
            note=_("Loaded from %(name)s") % {"name": name or "file"},
        )
    outcome_rows = {}
    for ocode, otitle in outcomes.items():
        outcome_rows[ocode], _created = Outcome.objects.update_or_create(
            framework=framework, code=ocode, defaults={"title": otitle}
        )
    result = LoadResult(framework=framework)
    existing = {i.code: i for i in framework.indicators.all()}
    for clean in indicators:
        fields = {
            "title": clean["title"],
            "unit": clean["unit"],
            "time_aggregation": clean["time_aggregation"],
            "place_aggregation": clean["place_aggregation"],
            "direction": clean["direction"],
            "frequency": clean["frequency"],
            "disaggregations": clean["disaggregations"],
            "baseline_value": clean["baseline_value"],
            "baseline_date": clean["baseline_date"],
            "outcome": outcome_rows.get(clean["outcome"]),
        }
        indicator = existing.get(clean["code"])
        if indicator is None:
            indicator = Indicator(framework=framework, code=clean["code"], **fields)
            result.created.append(clean["code"])
        else:
            for key, value in fields.items():
                setattr(indicator, key, value)
            indicator.version += 1
            result.updated.append(clean["code"])
        indicator.full_clean()
        indicator.save()
        indicator.targets.all().delete()
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, date=day, value=value)
            for day, value in clean["targets"]
        )
    from .services import refresh_statuses_for

    refresh_statuses_for(framework.indicators.values_list("pk", flat=True))
    return result


# Progress reports ---------------------------------------------------------------------------------

REPORT_COLUMNS = [
    "indicator",
    "organisation",
    "place",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "sex",
    "age",
    "population_group",
    "status",
]
IMPORTABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.APPROVED)


@dataclass
class ReportImportResult:
    rows: int = 0
    created_organisations: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)


def match_organisation(text: str) -> tuple[int | None, list[int]]:
    """An organisation by its name or acronym: (pk, []) when exactly one matches, else
    (None, the candidates). Exact on the normalised name (any of its names) or acronym."""
    index = get_index()
    wanted = normalise_name(text)
    found: set[int] = set()
    if wanted:
        found |= {pk for pk, n in zip(index.pks, index.sorted_names, strict=True) if n == wanted}
    code = normalise_acronym(text)
    if code:
        found |= set(index.acronyms.get(code, []))
    if len(found) == 1:
        return next(iter(found)), []
    return None, sorted(found)


def read_report_csv(content: bytes | str) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REPORT_COLUMNS if c not in headers]
    if missing:
        raise LoadError([_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}])
    reader.fieldnames = headers
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


@transaction.atomic
def reports_import(
    *,
    actor: Any,
    framework: ResultsFramework,
    rows: list[dict[str, str]],
    create_organisations: bool = False,
) -> ReportImportResult:
    """Check every row, then write them all (or nothing). Rows are numbered as in a
    spreadsheet: the header is row 1."""
    if actor is not None:
        require(actor, Permission.CHANGE, framework)
    errors: list[str] = []

    def bad(line: int, column: str, message: str) -> None:
        errors.append(
            _("row %(row)d, column %(column)s: %(message)s")
            % {"row": line, "column": column, "message": message}
        )

    indicators = {i.code: i for i in framework.indicators.all()}
    codes = {r["place"].upper() for r in rows if r.get("place")}
    areas = {
        a.pcode.upper(): a
        for a in AdminArea.objects.filter(pcode__in=codes).only("pcode", "country_id")
    }
    countries = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
    groups = set(PopulationGroup.objects.values_list("code", flat=True))
    organisations: dict[str, int | None] = {}
    to_create: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        name = row.get("organisation", "")
        if not name:
            bad(line, "organisation", _("required"))
            continue
        if name in organisations:
            continue
        pk, candidates = match_organisation(name)
        organisations[name] = pk
        if pk is not None:
            continue
        if candidates:
            found = Organisation._base_manager.filter(pk__in=candidates[:5])
            bad(
                line,
                "organisation",
                _("'%(name)s' matches more than one organisation (%(which)s): use its full name.")
                % {"name": name, "which": "; ".join(str(o) for o in found)},
            )
        elif create_organisations:
            to_create.setdefault(normalise_name(name) or name, name)
        else:
            bad(
                line,
                "organisation",
                _(
                    "'%(name)s' is not an organisation of the network (add "
                    "--create-organisations to create it)."
                )
                % {"name": name},
            )

    prepared: list[dict[str, Any]] = []
    keys: dict[tuple[Any, ...], int] = {}
    dims_of_cell: dict[tuple[Any, ...], tuple[frozenset[str], int]] = {}
    for line, row in enumerate(rows, start=2):
        indicator = indicators.get(row.get("indicator", ""))
        if indicator is None:
            bad(
                line,
                "indicator",
                _("'%(code)s' is not an indicator of framework %(framework)s")
                % {"code": row.get("indicator", ""), "framework": framework.code},
            )
            continue
        place = row.get("place", "").upper()
        area = areas.get(place)
        if area is None and place not in countries:
            bad(
                line,
                "place",
                _("'%(place)s' is neither a P-code nor an ISO3 country code")
                % {"place": row.get("place", "")},
            )
            continue
        values: dict[str, Any] = {}
        for column in ("period_start", "period_end"):
            try:
                values[column] = _date(row.get(column))
                if values[column] is None:
                    raise ValueError
            except ValueError:
                bad(line, column, _("a date (YYYY-MM-DD) is required"))
        for column in ("value", "numerator", "denominator"):
            try:
                values[column] = _number(row.get(column))
            except ValueError:
                bad(line, column, _("'%(value)s' is not a number") % {"value": row.get(column)})
                values[column] = None
        status = (row.get("status") or ReportStatus.DRAFT).lower()
        if status not in IMPORTABLE_STATUSES:
            bad(
                line,
                "status",
                _("'%(value)s' is not one of draft, submitted, approved")
                % {"value": row.get("status")},
            )
        categories = {name: row.get(name, "").strip().lower() for name in CATEGORY_FIELDS}
        if categories["population_group"] and categories["population_group"] not in groups:
            bad(
                line,
                "population_group",
                _("unknown population group '%(value)s'") % {"value": row.get("population_group")},
            )
        if values.get("period_start") is None or values.get("period_end") is None:
            continue
        for column, message in report_problems(
            indicator=indicator,
            period_start=values["period_start"],
            period_end=values["period_end"],
            value=values["value"],
            numerator=values["numerator"],
            denominator=values["denominator"],
            categories=categories,
        ).items():
            bad(line, column, message)
        organisation = row.get("organisation", "")
        cell = (indicator.code, organisation, place, values["period_start"], values["period_end"])
        key = (*cell, *categories.values())
        if key in keys:
            bad(
                line,
                "period_end",
                _("the same cell and period as row %(row)d (a duplicate)") % {"row": keys[key]},
            )
        keys[key] = line
        dims = frozenset(k for k, v in categories.items() if v)
        if dims:
            seen = dims_of_cell.setdefault(cell, (dims, line))
            if seen[0] != dims:
                bad(
                    line,
                    "sex",
                    _(
                        "categories of one cell and period must use the same "
                        "dimensions (row %(row)d uses %(dims)s)"
                    )
                    % {"row": seen[1], "dims": ", ".join(sorted(seen[0]))},
                )
        prepared.append(
            {
                "line": line,
                "indicator": indicator,
                "organisation": organisation,
                "area": area,
                "country": area.country_id if area is not None else place,
                "place_code": area.pcode if area is not None else place,
                "status": status,
                **values,
                **categories,
            }
        )
    # Against what is stored already.
    if prepared and not errors:
        stored = set(
            ProgressReport.objects.filter(indicator__framework=framework).values_list(
                "indicator__code",
                "organisation_id",
                "place_code",
                "period_start",
                "period_end",
                "sex",
                "age",
                "population_group",
            )
        )
        for item in prepared:
            pk = organisations.get(item["organisation"])
            if pk is None:
                continue
            key = (
                item["indicator"].code,
                pk,
                item["place_code"],
                item["period_start"],
                item["period_end"],
                item["sex"],
                item["age"],
                item["population_group"],
            )
            if key in stored:
                bad(
                    item["line"],
                    "period_end",
                    _("a report for this cell and period is already in Harambee (a duplicate)"),
                )
    if errors:
        raise LoadError(errors)

    result = ReportImportResult(rows=len(prepared))
    if to_create:
        from harambee.network.choices import OrganisationType
        from harambee.network.services import organisations_create_many

        made = organisations_create_many(
            actor=actor,
            items=[
                ({"name": name, "org_type": OrganisationType.OTHER, "verified": False}, None)
                for name in to_create.values()
            ],
        )
        by_key = {normalise_name(o.name) or o.name: o.pk for o in made}
        for text in list(organisations):
            if organisations[text] is None:
                organisations[text] = by_key.get(normalise_name(text) or text)
        result.created_organisations = [o.name for o in made]
    now_status: dict[str, int] = defaultdict(int)

    def values_of() -> Any:
        for item in prepared:
            now_status[item["status"]] += 1
            yield {
                "indicator_id": item["indicator"].pk,
                "organisation_id": organisations[item["organisation"]],
                "country_id": item["country"],
                "admin_area_id": item["area"].pk if item["area"] is not None else None,
                "place_code": item["place_code"],
                "period_start": item["period_start"],
                "period_end": item["period_end"],
                "sex": item["sex"],
                "age": item["age"],
                "population_group": item["population_group"],
                "is_total": not (item["sex"] or item["age"] or item["population_group"]),
                "value": item["value"],
                "numerator": item["numerator"],
                "denominator": item["denominator"],
                "status": item["status"],
            }

    insert_values(ProgressReport, values_of())
    result.by_status = dict(now_status)
    record_change(
        actor=actor,
        action=Action.UPDATE,
        instance=framework,
        before=None,
        after=None,
        note=_("%(count)d progress reports imported.") % {"count": len(prepared)},
    )
    from .services import refresh_statuses_for

    refresh_statuses_for({item["indicator"].pk for item in prepared})
    return result
