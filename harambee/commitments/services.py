"""Writes for commitments, frameworks, milestones and progress reports.

Keyword-only, one transaction each, permission-checked (actor=None is the system: commands,
demo data), audited through harambee.core.services. The cached SMART flags and status of a
commitment are refreshed here whenever what they depend on changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.audit import record_change, snapshot
from harambee.core.choices import Action, Permission
from harambee.core.errors import ServiceError
from harambee.core.services import (
    create_object,
    delete_object,
    require,
    update_object,
)
from harambee.network.models import Group

from . import status as rules
from .choices import ENABLING_TYPES, CommitmentType, IndicatorStatus, ReportStatus
from .models import (
    REVIEW,
    Commitment,
    CommitmentOrganisation,
    CommitmentTarget,
    Forum,
    GroupRules,
    Indicator,
    IndicatorTarget,
    Milestone,
    Outcome,
    ProgressReport,
    ResultsFramework,
    ScheduleLine,
)
from .validation import smart_missing

Data = Mapping[str, Any]
M2M = Mapping[str, Iterable[Any]] | None


class InvalidTransition(ServiceError):
    code = "invalid_transition"


class SmartRequired(ServiceError):
    code = "smart_required"


class MatchInvalid(ServiceError):
    code = "match_invalid"


# Forums and group rules ------------------------------------------------------------------------


def forum_create(*, actor: Any, data: Data) -> Forum:
    return create_object(Forum, actor=actor, data=data)


@transaction.atomic
def group_rules_set(*, actor: Any, group: Group, required: Iterable[str]) -> GroupRules:
    """Which SMART elements the group requires of the commitments it follows."""
    rules_row, _created = GroupRules.objects.get_or_create(group=group)
    require(actor, Permission.CHANGE, rules_row)
    value = ",".join(sorted(set(required)))
    return update_object(
        rules_row,
        actor=actor,
        data={"required": value},
        expected_version=None,
        check_permission=False,
    )


# Commitments --------------------------------------------------------------------------------------


def _shares(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    shares = [dict(item) for item in items or []]
    total = Decimal(0)
    seen: set[int] = set()
    for item in shares:
        organisation = item["organisation"]
        pk = getattr(organisation, "pk", organisation)
        if pk in seen:
            raise ValidationError(
                {"shares": _("%(organisation)s is named twice.") % {"organisation": organisation}}
            )
        seen.add(pk)
        if item.get("share") is not None:
            try:
                total += Decimal(str(item["share"]))
            except InvalidOperation as exc:
                raise ValidationError({"shares": _("A share is a percentage.")}) from exc
    if total > 100:
        raise ValidationError(
            {"shares": _("The shares add up to %(total)s%%, more than 100%%.") % {"total": total}}
        )
    return shares


def _write_parts(
    commitment: Commitment,
    *,
    shares: Iterable[Mapping[str, Any]] | None,
    targets: Iterable[Mapping[str, Any]] | None,
    schedule: Iterable[Mapping[str, Any]] | None,
) -> None:
    if shares is not None:
        commitment.shares.all().delete()
        for share in _shares(shares):
            row = CommitmentOrganisation(commitment=commitment, **share)
            row.full_clean()
            row.save()
    if targets is not None:
        commitment.targets.all().delete()
        for item in targets:
            row_t = CommitmentTarget(commitment=commitment, **item)
            row_t.full_clean()
            row_t.save()
    if schedule is not None:
        if list(schedule) and commitment.type != CommitmentType.FINANCIAL:
            raise ValidationError(
                {"schedule": _("Only a financial pledge has a schedule of payments.")}
            )
        # Lines are kept by (year, currency) so the flows linked to them survive an edit.
        existing = {(line.year, line.currency): line for line in commitment.schedule.all()}
        keys: set[tuple[int, str]] = set()
        for item in schedule:
            row_s = ScheduleLine(commitment=commitment, **item)
            # Uniqueness is (year, currency) within this schedule, checked just below.
            row_s.full_clean(validate_unique=False, validate_constraints=False)
            key = (row_s.year, row_s.currency)
            if key in keys:
                raise ValidationError(
                    {
                        "schedule": _("%(year)s %(currency)s is given twice.")
                        % {"year": row_s.year, "currency": row_s.currency}
                    }
                )
            keys.add(key)
            kept = existing.get(key)
            if kept is None:
                row_s.save()
            elif kept.amount != row_s.amount:
                kept.amount = row_s.amount
                kept.save(update_fields=["amount", "updated_at"])
        gone = [line.pk for key, line in existing.items() if key not in keys]
        if gone:
            ScheduleLine.objects.filter(pk__in=gone).delete()


def smart_check(commitment: Commitment) -> list[str]:
    """The SMART elements the commitment lacks (its cached flags are not read)."""
    return smart_missing(
        has_place=commitment.countries.exists() or commitment.admin_areas.exists(),
        has_population=commitment.population_groups.exists(),
        has_indicator=commitment.indicators.exists(),
        has_target=commitment.targets.exists()
        or IndicatorTarget.objects.filter(indicator__commitments=commitment).exists(),
        has_date=commitment.due_date is not None,
    )


def _apply_smart(commitment: Commitment) -> None:
    missing = smart_check(commitment)
    if commitment.group_id:
        rules_row = GroupRules.objects.filter(group_id=commitment.group_id).first()
        required = set(rules_row.required_elements) if rules_row else set()
        lacking = [m for m in missing if m in required]
        if lacking:
            from .choices import SmartElement

            raise SmartRequired(
                _("%(group)s requires of its commitments: %(missing)s.")
                % {
                    "group": commitment.group,
                    "missing": ", ".join(str(SmartElement(m).label).lower() for m in lacking),
                }
            )
    Commitment.objects.filter(pk=commitment.pk).update(
        smart_missing=",".join(missing), smart_missing_count=len(missing)
    )
    commitment.smart_missing, commitment.smart_missing_count = ",".join(missing), len(missing)


def _check_lead(actor: Any, data: Data) -> dict[str, Any]:
    values = dict(data)
    if values.get("owner_organisation") is None and values.get("owner_organisation_id") is None:
        organisation_id = getattr(actor, "organisation_id", None)
        if organisation_id is not None:
            values["owner_organisation_id"] = organisation_id
    return values


@transaction.atomic
def commitment_create(
    *,
    actor: Any,
    data: Data,
    m2m: M2M = None,
    shares: Iterable[Mapping[str, Any]] | None = None,
    targets: Iterable[Mapping[str, Any]] | None = None,
    schedule: Iterable[Mapping[str, Any]] | None = None,
) -> Commitment:
    commitment = create_object(Commitment, actor=actor, data=_check_lead(actor, data), m2m=m2m)
    _write_parts(commitment, shares=shares, targets=targets, schedule=schedule)
    _apply_smart(commitment)
    refresh_commitment_status(commitment)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: Any,
    commitment: Commitment,
    data: Data,
    expected_version: int | None,
    m2m: M2M = None,
    shares: Iterable[Mapping[str, Any]] | None = None,
    targets: Iterable[Mapping[str, Any]] | None = None,
    schedule: Iterable[Mapping[str, Any]] | None = None,
) -> Commitment:
    commitment = update_object(
        commitment, actor=actor, data=data, expected_version=expected_version, m2m=m2m
    )
    _write_parts(commitment, shares=shares, targets=targets, schedule=schedule)
    _apply_smart(commitment)
    refresh_commitment_status(commitment)
    return commitment


def commitment_delete(
    *, actor: Any, commitment: Commitment, expected_version: int | None = None
) -> None:
    delete_object(commitment, actor=actor, expected_version=expected_version)


@transaction.atomic
def commitment_link(*, actor: Any, policy: Commitment, enabling: Commitment) -> None:
    """Match a policy pledge with a financial or technical pledge that makes it possible."""
    require(actor, Permission.CHANGE, policy)
    if policy.type != CommitmentType.POLICY:
        raise MatchInvalid(_("Only a policy pledge is matched with the pledges it needs."))
    if enabling.type not in ENABLING_TYPES:
        raise MatchInvalid(_("A policy pledge is matched with a financial or technical pledge."))
    if not Commitment.objects.restrict(actor).filter(pk=enabling.pk).exists() and actor:
        raise MatchInvalid(_("That pledge does not exist."))
    before = snapshot(policy)
    policy.enabled_by.add(enabling)
    record_change(
        actor=actor, action=Action.UPDATE, instance=policy, before=before, after=snapshot(policy)
    )


@transaction.atomic
def commitment_unlink(*, actor: Any, policy: Commitment, enabling: Commitment) -> None:
    require(actor, Permission.CHANGE, policy)
    before = snapshot(policy)
    policy.enabled_by.remove(enabling)
    record_change(
        actor=actor, action=Action.UPDATE, instance=policy, before=before, after=snapshot(policy)
    )


def refresh_commitment_status(commitment: Commitment, as_of: datetime.date | None = None) -> str:
    """Recompute the cached status of one commitment from its indicators."""
    day = as_of or timezone.localdate()
    indicators = list(commitment.indicators.select_related("framework").prefetch_related("targets"))
    results = rules.summarise_by_pk(rules.specs_for(indicators), day)
    value = rules.combined_status(r.status for r in results.values())
    if value != commitment.status:
        Commitment.objects.filter(pk=commitment.pk).update(status=value)
        commitment.status = value
    return value


def refresh_statuses_for(indicator_ids: Iterable[int], as_of: datetime.date | None = None) -> int:
    """Recompute the cached status of every commitment that follows these indicators."""
    commitments = Commitment.objects.filter(indicators__in=list(indicator_ids)).distinct()
    count = 0
    for commitment in commitments:
        refresh_commitment_status(commitment, as_of)
        count += 1
    return count


def refresh_all_statuses(as_of: datetime.date | None = None) -> dict[str, int]:
    """Recompute every cached commitment status as of a day (default today).

    Status moves with time even when no report arrives: the expected value grows along the
    targets' line, so a commitment on track in March can be off track in June. Run daily
    (`harambee commitments-refresh-status`, the task `refresh_statuses`)."""
    from .models import Indicator

    indicator_ids = Indicator.objects.filter(commitments__isnull=False).values_list("pk", flat=True)
    before = dict(Commitment.objects.values_list("pk", "status"))
    checked = refresh_statuses_for(set(indicator_ids), as_of)
    # A commitment whose indicators were all removed has no data.
    orphans = Commitment.objects.filter(indicators__isnull=True).exclude(
        status=IndicatorStatus.NO_DATA
    )
    checked += orphans.update(status=IndicatorStatus.NO_DATA)
    after = dict(Commitment.objects.values_list("pk", "status"))
    changed = sum(1 for pk, value in after.items() if before.get(pk) != value)
    return {"checked": checked, "changed": changed}


# Money linked to financial pledges ---------------------------------------------------------------


class FlowLinkInvalid(ServiceError):
    code = "flow_link_invalid"


def _line_change(actor: Any, line: ScheduleLine, change: Any, note: str) -> None:
    require(actor, Permission.CHANGE, line.commitment)
    before = snapshot(line)
    change()
    record_change(
        actor=actor,
        action=Action.UPDATE,
        instance=line,
        before=before,
        after=snapshot(line),
        note=note,
    )


@transaction.atomic
def schedule_flow_link(*, actor: Any, line: ScheduleLine, flow: Any) -> None:
    """Record that a funding flow fulfils (part of) a financial pledge's schedule line.

    The flow must be visible to the actor, at a stage that counts (pledge, commitment or
    paid), and not already fulfil another line (a flow is money once)."""
    from harambee.funding.choices import FlowStatus
    from harambee.funding.models import Flow

    require(actor, Permission.CHANGE, line.commitment)
    if actor is not None and not Flow.objects.restrict(actor).filter(pk=flow.pk).exists():
        raise FlowLinkInvalid(_("That flow does not exist."))
    if flow.status == FlowStatus.OTHER:
        raise FlowLinkInvalid(
            _("This flow is not a pledge, a commitment or a payment: it never counts.")
        )
    other = ScheduleLine.objects.filter(flows=flow).exclude(pk=line.pk).first()
    if other is not None:
        raise FlowLinkInvalid(
            _("This flow already fulfils %(code)s, %(line)s: unlink it there first.")
            % {"code": other.commitment.code, "line": other}
        )
    if line.flows.filter(pk=flow.pk).exists():
        return
    _line_change(actor, line, lambda: line.flows.add(flow), note=f"flow {flow.pk} linked")


@transaction.atomic
def schedule_flow_unlink(*, actor: Any, line: ScheduleLine, flow: Any) -> None:
    require(actor, Permission.CHANGE, line.commitment)
    if not line.flows.filter(pk=flow.pk).exists():
        return
    _line_change(actor, line, lambda: line.flows.remove(flow), note=f"flow {flow.pk} unlinked")


# Frameworks --------------------------------------------------------------------------------------


def _require_group_editor(actor: Any, group: Group | None) -> None:
    """A framework owned by a group is written by that group's editors (or an admin)."""
    if actor is None or group is None:
        return
    from harambee.core.access import access_for
    from harambee.core.choices import Role
    from harambee.core.errors import PermissionDeniedError

    access = access_for(actor)
    if not access.is_admin and group.pk not in access.groups_with(Role.EDITOR):
        raise PermissionDeniedError(
            _("Only editors of %(group)s may keep its results frameworks.") % {"group": group}
        )


@transaction.atomic
def framework_create(*, actor: Any, data: Data) -> ResultsFramework:
    values = _check_lead(actor, data)
    _require_group_editor(actor, values.get("group"))
    return create_object(ResultsFramework, actor=actor, data=values)


@transaction.atomic
def framework_update(
    *, actor: Any, framework: ResultsFramework, data: Data, expected_version: int | None
) -> ResultsFramework:
    require(actor, Permission.CHANGE, framework)
    if "group" in data and data["group"] != framework.group:
        _require_group_editor(actor, data["group"])
    framework = update_object(framework, actor=actor, data=data, expected_version=expected_version)
    # Thresholds changed: the statuses of the commitments following it may change.
    refresh_statuses_for(framework.indicators.values_list("pk", flat=True))
    return framework


@transaction.atomic
def outcome_create(*, actor: Any, framework: ResultsFramework, data: Data) -> Outcome:
    require(actor, Permission.CHANGE, framework)
    return create_object(
        Outcome, actor=actor, data={**data, "framework": framework}, check_permission=False
    )


def outcome_update(
    *, actor: Any, outcome: Outcome, data: Data, expected_version: int | None
) -> Outcome:
    return update_object(outcome, actor=actor, data=data, expected_version=expected_version)


def _write_indicator_targets(indicator: Indicator, targets: Iterable[Mapping[str, Any]]) -> None:
    indicator.targets.all().delete()
    seen: set[datetime.date] = set()
    for item in targets:
        row = IndicatorTarget(indicator=indicator, **item)
        if row.date in seen:
            raise ValidationError({"targets": _("Two targets on %(date)s.") % {"date": row.date}})
        seen.add(row.date)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ValidationError({"targets": exc.messages}) from exc
        row.save()


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    framework: ResultsFramework,
    data: Data,
    targets: Iterable[Mapping[str, Any]] = (),
) -> Indicator:
    require(actor, Permission.CHANGE, framework)
    indicator = create_object(
        Indicator, actor=actor, data={**data, "framework": framework}, check_permission=False
    )
    _write_indicator_targets(indicator, targets)
    return indicator


@transaction.atomic
def indicator_update(
    *,
    actor: Any,
    indicator: Indicator,
    data: Data,
    expected_version: int | None,
    targets: Iterable[Mapping[str, Any]] | None = None,
) -> Indicator:
    indicator = update_object(indicator, actor=actor, data=data, expected_version=expected_version)
    if targets is not None:
        _write_indicator_targets(indicator, targets)
    # Its rules, baseline or targets changed: so may the status of the commitments following it.
    refresh_statuses_for([indicator.pk])
    for commitment in Commitment.objects.filter(indicators=indicator):
        smart = smart_check(commitment)
        Commitment.objects.filter(pk=commitment.pk).update(
            smart_missing=",".join(smart), smart_missing_count=len(smart)
        )
    return indicator


def _check_dependencies(milestone: Milestone | None, framework: Any, m2m: M2M) -> None:
    """Dependencies are milestones of the same framework and never make a loop."""
    wanted = list((m2m or {}).get("depends_on", []) or [])
    if not wanted:
        return
    framework_id = getattr(framework, "pk", framework)
    for item in wanted:
        if getattr(item, "framework_id", framework_id) != framework_id:
            raise ValidationError(
                {
                    "depends_on": _("“%(title)s” is on another framework's timeline.")
                    % {"title": item}
                }
            )
    if milestone is None or milestone.pk is None:
        return
    # A loop: the milestone is reachable from one of the milestones it would depend on.
    edges: dict[int, set[int]] = {}
    for source, target in Milestone.depends_on.through.objects.filter(
        from_milestone__framework_id=framework_id
    ).values_list("from_milestone_id", "to_milestone_id"):
        edges.setdefault(source, set()).add(target)
    edges[milestone.pk] = {getattr(m, "pk", m) for m in wanted}
    stack, seen = list(edges[milestone.pk]), set()
    while stack:
        current = stack.pop()
        if current == milestone.pk:
            raise ValidationError(
                {"depends_on": _("These dependencies make a loop back to this milestone.")}
            )
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges.get(current, ()))


@transaction.atomic
def milestone_create(*, actor: Any, data: Data, m2m: M2M = None) -> Milestone:
    values = dict(data)
    values.setdefault("planned_date", values.get("due_date"))
    framework = values.get("framework")
    if actor is not None and framework is not None:
        require(actor, Permission.CHANGE, framework)
    _check_dependencies(None, framework, m2m)
    return create_object(Milestone, actor=actor, data=values, m2m=m2m, check_permission=False)


@transaction.atomic
def milestone_update(
    *, actor: Any, milestone: Milestone, data: Data, expected_version: int | None, m2m: M2M = None
) -> Milestone:
    """Change a milestone. Its first planned date is kept (slippage is measured from it)."""
    values = {k: v for k, v in data.items() if k not in {"planned_date", "framework"}}
    if m2m and milestone.pk in {getattr(m, "pk", m) for m in m2m.get("depends_on", [])}:
        raise ValidationError({"depends_on": _("A milestone cannot depend on itself.")})
    _check_dependencies(milestone, milestone.framework_id, m2m)
    return update_object(
        milestone, actor=actor, data=values, expected_version=expected_version, m2m=m2m
    )


def milestone_delete(
    *, actor: Any, milestone: Milestone, expected_version: int | None = None
) -> None:
    delete_object(milestone, actor=actor, expected_version=expected_version)


# Progress reports -------------------------------------------------------------------------------


def _place_fields(values: dict[str, Any]) -> dict[str, Any]:
    area = values.get("admin_area")
    if area is not None:
        values["country"] = area.country
        values["place_code"] = area.pcode
    elif values.get("country") is not None:
        values["place_code"] = values["country"].iso3
    return values


def _duplicate(values: Mapping[str, Any], exclude: int | None = None) -> bool:
    query = ProgressReport.objects.filter(
        indicator=values["indicator"],
        organisation=values["organisation"],
        place_code=values.get("place_code", ""),
        period_start=values["period_start"],
        period_end=values["period_end"],
        sex=values.get("sex", ""),
        age=values.get("age", ""),
        population_group=values.get("population_group", ""),
    )
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return query.exists()


DUPLICATE_REPORT = "report_duplicate"


def _refuse_duplicate(values: Mapping[str, Any], exclude: int | None = None) -> None:
    if _duplicate(values, exclude):
        raise ServiceError(
            _(
                "There is already a report for this indicator, organisation, place, category "
                "and period: change that one instead."
            ),
            code=DUPLICATE_REPORT,
        )


@transaction.atomic
def report_create(*, actor: Any, data: Data) -> ProgressReport:
    values = _place_fields(dict(data))
    indicator = values["indicator"]
    if actor is not None:
        require(actor, Permission.VIEW, indicator.framework)
        organisation = values.get("organisation")
        if not _may_report_for(actor, organisation):
            from harambee.core.errors import PermissionDeniedError

            raise PermissionDeniedError(_("You may only report for your own organisation."))
    values["status"] = ReportStatus.DRAFT
    _refuse_duplicate(values)
    return create_object(ProgressReport, actor=actor, data=values)


def _may_report_for(actor: Any, organisation: Any) -> bool:
    from harambee.core.access import access_for

    access = access_for(actor)
    if access.is_admin:
        return True
    return (
        ProgressReport.can_create(access)
        and organisation is not None
        and getattr(organisation, "pk", organisation) == access.organisation_id
    )


@transaction.atomic
def report_update(
    *, actor: Any, report: ProgressReport, data: Data, expected_version: int | None
) -> ProgressReport:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.SENT_BACK):
        raise InvalidTransition(
            _("Only a draft or a report sent back can be changed; this one is %(status)s.")
            % {"status": report.get_status_display().lower()}
        )
    values = _place_fields(dict(data))
    values.pop("status", None)
    merged = {
        "indicator": values.get("indicator", report.indicator),
        "organisation": values.get("organisation", report.organisation),
        "place_code": values.get("place_code", report.place_code),
        "period_start": values.get("period_start", report.period_start),
        "period_end": values.get("period_end", report.period_end),
        "sex": values.get("sex", report.sex),
        "age": values.get("age", report.age),
        "population_group": values.get("population_group", report.population_group),
    }
    _refuse_duplicate(merged, exclude=report.pk)
    return update_object(report, actor=actor, data=values, expected_version=expected_version)


def report_delete(
    *, actor: Any, report: ProgressReport, expected_version: int | None = None
) -> None:
    if report.status == ReportStatus.APPROVED and actor is not None:
        raise InvalidTransition(_("An approved report cannot be deleted."))
    delete_object(report, actor=actor, expected_version=expected_version)


def _move(
    report: ProgressReport,
    *,
    actor: Any,
    action: str,
    allowed_from: tuple[str, ...],
    to: str,
    expected_version: int | None,
    extra: dict[str, Any] | None = None,
) -> ProgressReport:
    require(actor, action, report)
    if report.status not in allowed_from:
        raise InvalidTransition(
            _("This report is %(status)s: it cannot become %(new)s.")
            % {
                "status": report.get_status_display().lower(),
                "new": ReportStatus(to).label.lower(),
            }
        )
    data = {"status": to, **(extra or {})}
    report = update_object(
        report, actor=actor, data=data, expected_version=expected_version, check_permission=False
    )
    if to == ReportStatus.APPROVED or ReportStatus.APPROVED in allowed_from:
        refresh_statuses_for([report.indicator_id])
    return report


def report_submit(
    *, actor: Any, report: ProgressReport, expected_version: int | None
) -> ProgressReport:
    return _move(
        report,
        actor=actor,
        action=Permission.CHANGE,
        allowed_from=(ReportStatus.DRAFT, ReportStatus.SENT_BACK),
        to=ReportStatus.SUBMITTED,
        expected_version=expected_version,
        extra={"submitted_at": timezone.now()},
    )


def _reviewer(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def report_approve(
    *, actor: Any, report: ProgressReport, expected_version: int | None, note: str = ""
) -> ProgressReport:
    return _move(
        report,
        actor=actor,
        action=REVIEW,
        allowed_from=(ReportStatus.SUBMITTED,),
        to=ReportStatus.APPROVED,
        expected_version=expected_version,
        extra={"reviewed_at": timezone.now(), "reviewed_by": _reviewer(actor), "review_note": note},
    )


def report_send_back(
    *, actor: Any, report: ProgressReport, expected_version: int | None, note: str
) -> ProgressReport:
    if not note.strip():
        raise ValidationError({"review_note": _("Say what needs changing.")})
    return _move(
        report,
        actor=actor,
        action=REVIEW,
        allowed_from=(ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        to=ReportStatus.SENT_BACK,
        expected_version=expected_version,
        extra={"reviewed_at": timezone.now(), "reviewed_by": _reviewer(actor), "review_note": note},
    )


__all__ = [
    "DUPLICATE_REPORT",
    "FlowLinkInvalid",
    "InvalidTransition",
    "MatchInvalid",
    "SmartRequired",
    "commitment_create",
    "commitment_delete",
    "commitment_link",
    "commitment_unlink",
    "commitment_update",
    "forum_create",
    "framework_create",
    "framework_update",
    "group_rules_set",
    "indicator_create",
    "indicator_update",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "outcome_create",
    "outcome_update",
    "refresh_all_statuses",
    "refresh_commitment_status",
    "refresh_statuses_for",
    "report_approve",
    "report_create",
    "report_delete",
    "report_send_back",
    "report_submit",
    "report_update",
    "schedule_flow_link",
    "schedule_flow_unlink",
]
