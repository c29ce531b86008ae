"""IATI 2.03 export of the money Harambee holds for a country (and year).

* Flows that came from IATI are written back as their activities (identifier, reporting and
  participating organisations, status, dates, recipient countries and regions, sectors, country
  budget items, humanitarian scope, budgets and planned disbursements) with the transactions in
  scope, in their original currency and value date: importing the file again gives the same
  flows, the same USD amounts and the same totals.
* Other flows (FTS, entered in Harambee) that the counting rule counts, and pledges, are written
  as one activity each, reported by Harambee as a secondary reporter
  (`XI-HARAMBEE-<source>-<id>`): one transaction in US dollars (2 commitment, 3 disbursement,
  12 pledge) for the country, with its donors (funding), recipients (implementing), global
  clusters (vocabulary 10) and plans or emergencies (humanitarian scope).

The document is validated against the 2.03 schema before it is returned.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from harambee.core.errors import ServiceError
from harambee.places.models import Country

from .. import counting
from ..choices import FlowStatus, PartyKind, Side, SourceSystem
from ..importers.iati import activity_schema
from ..models import Flow, FlowParty, IatiActivity

HARAMBEE_REF = "XI-HARAMBEE"
STATUS_TYPES: dict[str, str] = {
    FlowStatus.COMMITMENT: "2",
    FlowStatus.PAID: "3",
    FlowStatus.PLEDGE: "12",
}


class IatiExportError(ServiceError):
    code = "export_invalid"


def _text(parent: Any, tag: str, text: str, **attributes: str) -> Any:
    element = etree.SubElement(
        parent, tag, {k.replace("_", "-"): v for k, v in attributes.items() if v}
    )
    etree.SubElement(element, "narrative").text = text or "-"
    return element


def _empty(parent: Any, tag: str, **attributes: Any) -> Any:
    return etree.SubElement(
        parent,
        tag,
        {k.replace("_", "-"): str(v) for k, v in attributes.items() if v not in (None, "")},
    )


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def export_iati(
    flows: QuerySet[Flow], *, country: str, year: int | None = None
) -> tuple[bytes, dict[str, int]]:
    """The IATI XML of the flows in scope (a queryset the caller restricted to what the user
    may see), and counts."""
    iso3 = country.strip().upper()
    iso2 = Country.objects.filter(pk=iso3).values_list("iso2", flat=True).first()
    if iso2 is None:
        raise IatiExportError(_("Unknown country “%(code)s”.") % {"code": country})
    scoped = counting.in_scope(flows, country=iso3, year=year)
    parties = FlowParty.objects.select_related(
        "organisation", "sector", "plan", "emergency", "country"
    )
    iati_flows = list(
        scoped.filter(source_system=SourceSystem.IATI, iati_activity__isnull=False)
        .prefetch_related(Prefetch("parties", queryset=parties))
        .order_by("iati_activity_id", "date", "pk")
    )
    others = list(
        scoped.exclude(source_system=SourceSystem.IATI)
        .filter(counting.counted_condition() | counting.pledge_condition())
        .prefetch_related(Prefetch("parties", queryset=parties))
        .order_by("date", "pk")
    )
    root = etree.Element(
        "iati-activities",
        {
            "version": "2.03",
            "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    by_activity: dict[int, list[Flow]] = defaultdict(list)
    for flow in iati_flows:
        by_activity[flow.iati_activity_id].append(flow)  # type: ignore[attr-defined,index]
    activities = (
        IatiActivity.objects.filter(pk__in=list(by_activity))
        .prefetch_related("participants", "classifications", "budgets")
        .order_by("iati_identifier")
    )
    budgets = 0
    for activity in activities:
        budgets += _iati_activity(root, activity, by_activity[activity.pk], year)
    for flow in others:
        _harambee_activity(root, flow, iso2)
    document = etree.ElementTree(root)
    schema = activity_schema()
    if not schema.validate(document):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5])
        raise IatiExportError(
            _("The export does not follow the schema: %(errors)s") % {"errors": errors}
        )
    content = etree.tostring(document, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return content, {
        "activities": len(activities) + len(others),
        "transactions": len(iati_flows) + len(others),
        "budgets": budgets,
    }


def _org_element(
    parent: Any, tag: str, party: FlowParty | None, activity_attribute: str, activity_id: str
) -> None:
    if party is None and not activity_id:
        return
    attributes: dict[str, str] = {}
    if party is not None:
        ref = party.code or (party.organisation.iati_ref if party.organisation else "") or ""
        attributes = {"ref": ref, "type": party.vocabulary if party.vocabulary.isdigit() else ""}
    attributes[activity_attribute] = activity_id
    element = _empty(parent, tag, **attributes)
    if party is not None and party.name:
        etree.SubElement(element, "narrative").text = party.name


def _party(flow: Flow, side: str, kind: str, source_type: str | None = None) -> FlowParty | None:
    for party in flow.parties.all():
        if (
            party.side == side
            and party.kind == kind
            and (source_type is None or party.source_type == source_type)
        ):
            return party
    return None


def _iati_activity(root: Any, activity: IatiActivity, flows: list[Flow], year: int | None) -> int:
    attributes = {
        "default-currency": activity.default_currency,
        "hierarchy": str(activity.hierarchy) if activity.hierarchy else "",
        "last-updated-datetime": activity.last_updated.isoformat() if activity.last_updated else "",
    }
    if activity.humanitarian is not None:
        attributes["humanitarian"] = "1" if activity.humanitarian else "0"
    element = etree.SubElement(root, "iati-activity", {k: v for k, v in attributes.items() if v})
    etree.SubElement(element, "iati-identifier").text = activity.iati_identifier
    _text(
        element,
        "reporting-org",
        activity.reporting_org_name,
        ref=activity.reporting_org_ref,
        type=activity.extra.get("reporting_org_type") or "90",
    )
    _text(element, "title", activity.title)
    _text(element, "description", activity.description)
    participants = list(activity.participants.all())
    for p in participants:
        org = etree.SubElement(
            element,
            "participating-org",
            {
                k: v
                for k, v in (
                    ("ref", p.ref),
                    ("type", p.org_type),
                    ("role", p.role or "1"),
                    ("activity-id", p.activity_ref),
                )
                if v
            },
        )
        if p.name:
            etree.SubElement(org, "narrative").text = p.name
    if not participants:
        _text(
            element,
            "participating-org",
            activity.reporting_org_name,
            ref=activity.reporting_org_ref,
            role="1",
        )
    _empty(element, "activity-status", code=activity.status_code or "2")
    dates = [
        ("1", activity.planned_start),
        ("2", activity.actual_start),
        ("3", activity.planned_end),
        ("4", activity.actual_end),
    ]
    written = False
    for kind, day in dates:
        if day:
            _empty(element, "activity-date", type=kind, iso_date=day.isoformat())
            written = True
    if not written:
        first = min((f.date for f in flows if f.date), default=None) or timezone.now().date()
        _empty(element, "activity-date", type="2", iso_date=first.isoformat())
    for c in activity.recipient_countries:
        _empty(element, "recipient-country", code=c["code"], percentage=c.get("percentage"))
    for r in activity.recipient_regions:
        _empty(
            element,
            "recipient-region",
            code=r["code"],
            vocabulary=r.get("vocabulary"),
            percentage=r.get("percentage"),
        )
    for s in activity.sectors:
        sector = _empty(
            element,
            "sector",
            vocabulary=s.get("vocabulary"),
            code=s["code"],
            percentage=s.get("percentage"),
        )
        if s.get("name"):
            etree.SubElement(sector, "narrative").text = s["name"]
    classifications = list(activity.classifications.all())
    items = [c for c in classifications if c.kind == PartyKind.BUDGET_LINE]
    if items:
        group = _empty(element, "country-budget-items", vocabulary=items[0].vocabulary or "1")
        for item in items:
            budget_item = _empty(group, "budget-item", code=item.code, percentage=item.percentage)
            if item.name and item.name != item.code:
                _text(budget_item, "description", item.name)
    for c in classifications:
        if c.kind in (PartyKind.PLAN, PartyKind.EMERGENCY):
            scope_type = "2" if c.kind == PartyKind.PLAN else "1"
            default_vocabulary = "2-1" if c.kind == PartyKind.PLAN else "1-2"
            _text(
                element,
                "humanitarian-scope",
                c.name,
                type=scope_type,
                vocabulary=c.vocabulary or default_vocabulary,
                code=c.code,
            )
    budgets = 0
    for b in activity.budgets.all():
        if b.period_start is None or (b.kind == "budget" and b.period_end is None):
            continue
        if year and not (
            b.period_start.year <= year and (b.period_end or b.period_start).year >= year
        ):
            continue
        tag = "budget" if b.kind == "budget" else "planned-disbursement"
        attributes = {"type": b.type_code}
        if tag == "budget":
            attributes["status"] = b.status_code
        node = _empty(element, tag, **attributes)
        _empty(node, "period-start", iso_date=b.period_start.isoformat())
        if b.period_end:
            _empty(node, "period-end", iso_date=b.period_end.isoformat())
        value = _empty(
            node,
            "value",
            currency=b.original_currency,
            value_date=(b.value_date or b.period_start).isoformat(),
        )
        value.text = _amount(b.original_amount)
        if tag == "planned-disbursement":
            for org_tag, ref, name in (
                ("provider-org", b.provider_ref, b.provider_name),
                ("receiver-org", b.receiver_ref, b.receiver_name),
            ):
                if ref or name:
                    _text(node, org_tag, name, ref=ref)
        budgets += 1
    for flow in flows:
        node = _empty(element, "transaction", ref=flow.ref_code)
        _empty(node, "transaction-type", code=flow.iati_transaction_type)
        day = flow.date or flow.value_date or flow.created_at.date()
        _empty(node, "transaction-date", iso_date=day.isoformat())
        value = _empty(
            node,
            "value",
            currency=flow.original_currency,
            value_date=(flow.value_date or day).isoformat(),
        )
        value.text = _amount(flow.original_amount)  # type: ignore[arg-type]
        if flow.description:
            _text(node, "description", flow.description)
        _org_element(
            node,
            "provider-org",
            _party(flow, Side.SOURCE, PartyKind.ORGANISATION, "iati-org"),
            "provider-activity-id",
            flow.provider_activity_id,
        )
        _org_element(
            node,
            "receiver-org",
            _party(flow, Side.DESTINATION, PartyKind.ORGANISATION, "iati-org"),
            "receiver-activity-id",
            flow.receiver_activity_id,
        )
    if activity.parent_identifier:
        _empty(element, "related-activity", ref=activity.parent_identifier, type="1")
    return budgets


def _harambee_activity(root: Any, flow: Flow, iso2: str) -> None:
    ident = f"{HARAMBEE_REF}-{flow.source_system.upper()}-{flow.source_id or flow.pk}"
    element = etree.SubElement(root, "iati-activity", {"default-currency": "USD"})
    etree.SubElement(element, "iati-identifier").text = ident
    reporting = _text(element, "reporting-org", "Harambee", ref=HARAMBEE_REF, type="90")
    reporting.set("secondary-reporter", "1")
    label = flow.get_source_system_display()
    _text(element, "title", flow.description[:500] or f"{label} {flow.source_id or flow.pk}")
    _text(
        element,
        "description",
        _("%(source)s flow %(id)s, as Harambee holds it.")
        % {"source": label, "id": flow.source_id or flow.pk},
    )
    parties = list(flow.parties.all())
    organisations = [p for p in parties if p.kind == PartyKind.ORGANISATION]
    for p in organisations:
        role = "1" if p.side == Side.SOURCE else "4"
        ref = p.organisation.iati_ref if p.organisation and p.organisation.iati_ref else ""
        _text(element, "participating-org", p.label or p.name, ref=ref or "", role=role)
    if not organisations:
        _text(element, "participating-org", _("Not specified"), role="1")
    _empty(element, "activity-status", code="2")
    day = flow.date or flow.decision_date or flow.created_at.date()
    _empty(element, "activity-date", type="2", iso_date=day.isoformat())
    _empty(element, "recipient-country", code=iso2)
    clusters = [p for p in parties if p.side == Side.DESTINATION and p.kind == PartyKind.SECTOR]
    shares = _shares(len(clusters))
    for p, share in zip(clusters, shares, strict=True):
        code = p.sector.code if p.sector else (p.code or p.source_id or p.name)
        _text(
            element, "sector", p.label or p.name, vocabulary="10", code=code[:50], percentage=share
        )
    for p in parties:
        if p.kind == PartyKind.PLAN and (p.code or (p.plan and p.plan.code)):
            code = p.plan.code if p.plan and p.plan.code else p.code
            _text(
                element,
                "humanitarian-scope",
                p.label or p.name,
                type="2",
                vocabulary="2-1",
                code=code,
            )
        elif p.kind == PartyKind.EMERGENCY and p.emergency and p.emergency.glide:
            _text(
                element,
                "humanitarian-scope",
                p.label or p.name,
                type="1",
                vocabulary="1-2",
                code=p.emergency.glide,
            )
    node = _empty(element, "transaction", ref=flow.ref_code)
    _empty(node, "transaction-type", code=STATUS_TYPES.get(flow.status, "3"))
    _empty(node, "transaction-date", iso_date=day.isoformat())
    value = _empty(node, "value", currency="USD", value_date=day.isoformat())
    value.text = _amount(flow.amount_usd)
    source = next((p for p in organisations if p.side == Side.SOURCE), None)
    destination = next((p for p in organisations if p.side == Side.DESTINATION), None)
    for tag, party in (("provider-org", source), ("receiver-org", destination)):
        if party is not None:
            ref = (
                party.organisation.iati_ref
                if party.organisation and party.organisation.iati_ref
                else ""
            )
            _text(node, tag, party.label or party.name, ref=ref or "")


def _shares(n: int) -> list[str]:
    if n <= 1:
        return [""] * n
    each = (Decimal(100) / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
    values = [each] * (n - 1)
    values.append(Decimal(100) - sum(values))
    return [str(v) for v in values]
