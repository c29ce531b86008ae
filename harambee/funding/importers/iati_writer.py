"""Writing an IATI file: activities, their participants, classifications and budgets, the
who-does-what-where activities they feed, and their transactions as flows. docs/funding.md
("IATI") explains the choices; in short:

* Identity. An activity is its iati-identifier. A transaction is a hash of its activity, type,
  date, amount, currency, provider, receiver and @ref (`transaction_identity`), "-2", "-3" for
  the same transaction repeated in an activity. An activity whose published record is unchanged
  (same SHA-256 of its XML) is left as it is; a changed one replaces what is held for it: its
  participants, classifications and budgets are rewritten, transactions with a known identity
  keep their flow (same id, fields updated), new ones are added and those gone are deleted.
  Activities missing from the file are kept (a file is one publisher's slice).
* Counting. See `flow_values`: the stage (pledge/commitment/paid from the type), the boundary
  (an activity that receives money passes it on internally), commitments carried by payments,
  activities that span several places (shared), and incoming funds repeating a held
  disbursement (repeats_parent, linked by provider-activity-id / receiver-activity-id).
* Speed. Rows are written from plain values with core.bulk.insert_values; the parties every
  flow of an activity shares (places, sectors, budget lines, humanitarian scope, the activity)
  are kept once per activity (IatiClassification) and copied to the flows by one
  INSERT ... SELECT; the usage-year parties by another.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.activities.choices import ActivityStatus, OrganisationRole
from harambee.activities.importers.rows import OrgRef
from harambee.activities.models import Activity, ActivityOrganisation, ActivityPlace, Sector
from harambee.activities.reconcile import OrganisationReconciler, SectorResolver, org_type_for
from harambee.core.audit import change_record
from harambee.core.bulk import insert_values
from harambee.core.choices import Action
from harambee.core.models import ChangeRecord
from harambee.core.services import require_create
from harambee.network.choices import OrganisationType
from harambee.network.models import Organisation
from harambee.network.services import organisations_create_many
from harambee.places.models import AdminArea, Country, Emergency

from ..choices import (
    IATI_TRANSACTION_STATUS,
    Behavior,
    Boundary,
    Channel,
    FlowStatus,
    OnBoundary,
    PartyKind,
    Side,
    SourceSystem,
)
from ..counting import refresh_facts
from ..currency import Conversion, RateBook, RateMissingError
from ..models import (
    Flow,
    FlowParty,
    FundingImport,
    IatiActivity,
    IatiBudget,
    IatiClassification,
    IatiParticipant,
    Plan,
)
from .iati import (
    TRANSACTION_TYPES,
    ActivityRecord,
    BudgetRecord,
    IatiBundle,
    IatiFileError,
    OrgRecord,
    TransactionRecord,
    read,
)

Progress = Callable[[str], None]

OUTGOING_TYPES = {"2", "3", "4", "12"}
INCOMING_TYPES = {"1", "11", "13"}
PAYMENT_OUT = {"3", "4"}
# Incoming type -> the provider's type it repeats.
REPEATS = {"1": "3", "11": "2"}
SHARED_PLACES = "several_places"
SHARED_PAYMENTS = "carried_by_payments"

# DAC 5-digit purpose code (exact, then its 3-digit category) -> IASC global cluster code.
DAC_CLUSTERS: dict[str, str] = {
    "12240": "NUT",
    "72040": "FSC",
    "72011": "HEA",
    "72012": "EDU",
    "52010": "FSC",
    "43071": "FSC",
    "43072": "FSC",
    "43073": "FSC",
    "15180": "PRO-GBV",
    "15250": "PRO-MIN",
    "15160": "PRO",
    "16030": "SHL",
    "16040": "SHL",
    "72010": "MS",
    "72050": "CSS",
    "73010": "ERY",
}
DAC_CATEGORY_CLUSTERS: dict[str, str] = {
    "111": "EDU",
    "112": "EDU",
    "113": "EDU",
    "114": "EDU",
    "121": "HEA",
    "122": "HEA",
    "123": "HEA",
    "130": "HEA",
    "140": "WSH",
    "311": "FSC",
}
# IATI organisation type -> network organisation type (governments are decided by country).
ORG_TYPES = {
    "21": OrganisationType.INTERNATIONAL_NGO,
    "22": OrganisationType.NATIONAL_NGO,
    "23": OrganisationType.NATIONAL_NGO,
    "24": OrganisationType.NATIONAL_NGO,
    "40": OrganisationType.UN_AGENCY,
    "60": OrganisationType.FOUNDATION,
    "70": OrganisationType.PRIVATE,
    "71": OrganisationType.PRIVATE,
    "72": OrganisationType.PRIVATE,
    "73": OrganisationType.PRIVATE,
    "80": OrganisationType.ACADEMIC,
}
# IATI organisation type of the receiver -> channel.
TYPE_CHANNELS = {
    "10": Channel.OTHER,
    "11": Channel.OTHER,
    "15": Channel.OTHER,
    "21": Channel.NGO,
    "22": Channel.NGO,
    "23": Channel.NGO,
    "24": Channel.NGO,
    "30": Channel.OTHER,
    "40": Channel.OTHER,
    "60": Channel.PRIVATE,
    "70": Channel.PRIVATE,
    "71": Channel.PRIVATE,
    "72": Channel.PRIVATE,
    "73": Channel.PRIVATE,
    "80": Channel.OTHER,
    "90": Channel.OTHER,
}
STATUSES = {
    "1": ActivityStatus.PLANNED,
    "2": ActivityStatus.ONGOING,
    "3": ActivityStatus.COMPLETED,
    "4": ActivityStatus.COMPLETED,
    "5": ActivityStatus.COMPLETED,
    "6": ActivityStatus.ONGOING,
}
ORG_IDENTIFIER = re.compile(r"^[A-Z]{2}-[A-Za-z0-9]+-.+")


def cluster_code(vocabulary: str, code: str) -> str | None:
    if vocabulary in ("1", "2"):
        return DAC_CLUSTERS.get(code) or DAC_CATEGORY_CLUSTERS.get(code[:3])
    return None


def channel_for(org: OrgRecord | None) -> str:
    """A channel from an organisation's IATI type, else its CRS channel code (DFID puts those
    in @ref: 41xxx UN agencies, 2xxxx NGOs, 21016/21018 Red Cross, 12000 recipient government)."""
    if org is None:
        return ""
    code = org.crs_channel_code or (org.ref if re.fullmatch(r"\d{5}", org.ref) else "")
    if code:
        if code in ("21016", "21018"):
            return Channel.RED_CROSS
        if code.startswith("41"):
            return Channel.UN_AGENCY
        if code.startswith("2"):
            return Channel.NGO
        if code == "12000":
            return Channel.GOVERNMENT_BUDGET
        if code.startswith("6"):
            return Channel.PRIVATE
        return Channel.OTHER
    if org.org_type == "40" and (
        org.ref.startswith("XM-DAC-41") or "united nations" in org.name.lower()
    ):
        return Channel.UN_AGENCY
    return TYPE_CHANNELS.get(org.org_type, "")


# --- reconciliation -----------------------------------------------------------------------------


class Organisations:
    """Every organisation an import names, looked up once: by IATI ref, then by name through
    the 3W importer's reconciler (the network's duplicate index). Participating organisations
    the network surely lacks (no candidate at all) are created; uncertain ones are left
    unlinked and reported, never created: no silent duplicate."""

    def __init__(self) -> None:
        self.by_key: dict[str, tuple[int | None, str]] = {}
        self.uncertain: dict[str, list[dict[str, Any]]] = {}
        self.created = 0

    @staticmethod
    def key(org: OrgRecord) -> str:
        return f"{org.ref}|{org.name}"

    def resolve(
        self, actor: Any, participants: list[tuple[OrgRecord, str | None]], others: list[OrgRecord]
    ) -> None:
        everything = [o for o, _c in participants] + others
        refs = {o.ref for o in everything if o.ref}
        by_ref = dict(
            Organisation._base_manager.filter(iati_ref__in=refs).values_list("iati_ref", "pk")
        )
        reconciler = OrganisationReconciler()
        item_keys: dict[str, str] = {}
        for org in everything:
            key = self.key(org)
            if key in self.by_key or key in item_keys:
                continue
            if org.ref in by_ref:
                self.by_key[key] = (by_ref[org.ref], "matched")
            elif org.name:
                item_keys[key] = reconciler.add(OrgRef(name=org.name, org_type=""))
            else:
                self.by_key[key] = (None, "unnamed")
        if item_keys:
            reconciler.run()
        participant_keys = {self.key(o): (o, c) for o, c in participants}
        to_create: list[tuple[str, OrgRecord, str | None]] = []
        created_names: dict[str, str] = {}
        for key, item_key in item_keys.items():
            item = reconciler.items[item_key]
            if item.status == "matched" and item.organisation:
                self.by_key[key] = (item.organisation[0], "matched")
            elif item.status == "new" and key in participant_keys:
                org, country = participant_keys[key]
                name_key = org.name.strip().lower()
                if name_key in created_names:  # the same name with another ref: one body
                    self.by_key[key] = (None, created_names[name_key])
                    continue
                created_names[name_key] = key
                to_create.append((key, org, country))
            else:
                self.by_key[key] = (None, "uncertain" if item.status == "uncertain" else "new")
                if item.status == "uncertain":
                    self.uncertain[item.name] = item.candidates[:3]
        taken: set[str] = set()
        items: list[tuple[Mapping[str, Any], Mapping[str, Iterable[Any]] | None]] = []
        for _key, org, country in to_create:
            ref = org.ref if ORG_IDENTIFIER.match(org.ref) and org.ref not in taken else ""
            taken.add(ref)
            items.append(
                (
                    {
                        "name": org.name[:255],
                        "org_type": _org_type(org, country),
                        "iati_ref": ref or None,
                    },
                    {"countries": [country] if country else []},
                )
            )
        made = organisations_create_many(actor=actor, items=items) if items else []
        for (key, _org, _country), organisation in zip(to_create, made, strict=True):
            self.by_key[key] = (organisation.pk, "created")
        for key, value in list(self.by_key.items()):
            if value[0] is None and value[1] in self.by_key:  # follower of a created name
                self.by_key[key] = (self.by_key[value[1]][0], "created")
        self.created = len(made)

    def get(self, org: OrgRecord | None) -> int | None:
        if org is None:
            return None
        return self.by_key.get(self.key(org), (None, ""))[0]

    def status(self, org: OrgRecord) -> str:
        return self.by_key.get(self.key(org), (None, ""))[1]


def _org_type(org: OrgRecord, country: str | None) -> str:
    if org.org_type in ("10", "11", "15"):
        return (
            OrganisationType.HOST_GOVERNMENT
            if country and org.ref[:2].upper() == (country_iso2(country) or "")
            else OrganisationType.DONOR_GOVERNMENT
        )
    return ORG_TYPES.get(org.org_type) or org_type_for(org.name)


_ISO2: dict[str, str] = {}


def country_iso2(iso3: str) -> str | None:
    if not _ISO2:
        _ISO2.update(dict(Country.objects.values_list("iso3", "iso2")))
    return _ISO2.get(iso3)


# --- the values of one flow ---------------------------------------------------------------------


def single_country(record: ActivityRecord, iso3_of: dict[str, str]) -> str | None:
    """The activity's one recipient country (ISO3), when it has exactly one and nothing else."""
    countries = [c for c in record.countries if c[0]]
    regions = [r for r in record.regions if r[1] is None or r[1] > 0]
    if len(countries) != 1 or regions:
        return None
    code, percentage, _name = countries[0]
    if percentage is not None and percentage < 100:
        return None
    return iso3_of.get(code)


def flow_values(
    record: ActivityRecord,
    tx: TransactionRecord,
    conversion: Conversion,
    *,
    receives: bool,
    pays_out: bool,
    pays_in: bool,
    several_places: bool,
    channel: str,
    budget_line: tuple[str, str] | None,
    reporting_id: int | None,
) -> dict[str, Any]:
    """The flow a transaction becomes (the rule in the module docstring)."""
    kind = tx.type
    status = IATI_TRANSACTION_STATUS.get(kind, FlowStatus.OTHER)
    if kind in INCOMING_TYPES:
        boundary = Boundary.INCOMING
    else:
        # Money an activity received and passes on or spends was counted when it came in.
        boundary = Boundary.INTERNAL if receives else Boundary.INCOMING
    shared = ""
    if several_places and not tx.countries:
        shared = SHARED_PLACES
    elif (kind == "2" and pays_out) or (kind == "11" and pays_in):
        shared = SHARED_PAYMENTS  # the payments reported under it carry its money
    provider_activity = tx.provider.activity_ref if tx.provider else ""
    receiver_activity = tx.receiver.activity_ref if tx.receiver else ""
    extra: dict[str, Any] = {"iati_type": TRANSACTION_TYPES.get(kind, kind)}
    if shared:
        extra["shared_because"] = shared
    extra.update(tx.extra)
    humanitarian = tx.humanitarian if tx.humanitarian is not None else record.humanitarian
    if humanitarian is None and record.humanitarian_scopes:
        humanitarian = True
    return {
        "source_system": SourceSystem.IATI,
        "source_id": tx.source_id,
        "source_version": 1,
        "reporting_organisation_id": reporting_id,
        "reporting_organisation_name": record.reporting.name,
        "report_details": [],
        "description": tx.description,
        "ref_code": tx.ref,
        "status": status,
        "status_original": TRANSACTION_TYPES.get(kind, kind),
        "iati_transaction_type": kind[:4],
        "boundary": boundary,
        "on_boundary": OnBoundary.SHARED if shared else OnBoundary.SINGLE,
        "channel": Channel.GOVERNMENT_BUDGET if budget_line else channel,
        "budget_classification_code": budget_line[1] if budget_line else "",
        "budget_vocabulary": budget_line[0] if budget_line else "",
        "is_humanitarian": humanitarian,
        "date": tx.date,
        "value_date": tx.value_date,
        "budget_year": tx.date.year,
        "original_amount": tx.value,
        "original_currency": tx.currency,
        "exchange_rate": conversion.rate,
        "exchange_rate_date": conversion.rate_date,
        "exchange_rate_source": conversion.source,
        "amount_usd": conversion.amount_usd,
        "parent_source_id": "",
        "child_source_ids": [],
        "repeats_parent": kind in REPEATS and bool(provider_activity),
        "provider_activity_id": provider_activity,
        "receiver_activity_id": receiver_activity,
        "extra": extra,
    }


FLOW_UPDATE_FIELDS = [
    "reporting_organisation",
    "reporting_organisation_name",
    "description",
    "ref_code",
    "status",
    "status_original",
    "iati_transaction_type",
    "boundary",
    "on_boundary",
    "channel",
    "budget_classification_code",
    "budget_vocabulary",
    "is_humanitarian",
    "date",
    "value_date",
    "budget_year",
    "original_amount",
    "original_currency",
    "exchange_rate",
    "exchange_rate_date",
    "exchange_rate_source",
    "amount_usd",
    "repeats_parent",
    "provider_activity_id",
    "receiver_activity_id",
    "extra",
    "import_run",
    "version",
    "updated_at",
]


_PARTY_DEFAULTS: dict[str, Any] = {
    "behavior": Behavior.SINGLE,
    "source_type": "",
    "source_id": "",
    "name": "",
    "code": "",
    "vocabulary": "",
    "organisation_types": [],
    "organisation_id": None,
    "pooled_fund_id": None,
    "plan_id": None,
    "country_id": None,
    "admin_area_id": None,
    "emergency_id": None,
    "sector_id": None,
    "activity_id": None,
    "year": None,
}


def _party_row(flow_id: int, side: str, kind: str, **values: Any) -> dict[str, Any]:
    """A FlowParty row as plain values, its key, source key and label as
    FlowParty.refresh_key sets them (no model instance: imports write hundreds of thousands)."""
    row = {**_PARTY_DEFAULTS, **values, "flow_id": flow_id, "side": side, "kind": kind}
    ident = row["source_id"] or row["code"] or row["name"]
    row["source_key"] = f"{row['source_type'] or kind}:{ident}"[:200]
    link = FlowParty.LINKS.get(kind)
    linked = row.get(f"{link}_id") if link else None
    if kind == PartyKind.USAGE_YEAR and row["year"]:
        row["key"], row["label"] = f"year:{row['year']}", str(row["year"])
        return row
    if kind == PartyKind.LOCATION and row["admin_area_id"]:
        row["key"] = f"area:{row['admin_area_id']}"
    elif link and linked is not None:
        row["key"] = f"{link}:{linked}"
    else:
        row["key"] = row["source_key"]
    row["label"] = row["name"] or row["code"] or row["source_id"]
    return row


# --- import ---------------------------------------------------------------------------------


def import_iati(
    *, actor: Any, path: str | Path, force: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Import one IATI activity file (all or nothing); returns the report."""
    require_create(actor, Flow)
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise IatiFileError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from exc
    held: dict[str, tuple[int, str, int | None, int]] = {}

    def fingerprints(identifiers: list[str]) -> dict[str, str]:
        for chunk in _chunks(identifiers, 5000):
            rows = IatiActivity.objects.filter(iati_identifier__in=chunk).values_list(
                "pk", "iati_identifier", "content_sha256", "activity_id", "version"
            )
            for pk, ident, sha, activity_id, version in rows:
                held[ident] = (pk, sha, activity_id, version)
        return {ident: value[1] for ident, value in held.items()}

    bundle = read(path.name, content, force=force, held=fingerprints)
    if progress:
        progress(_("read %(n)s activities") % {"n": len(bundle.activities)})
    conversions = _convert(bundle)
    with transaction.atomic():
        report = _write(actor, bundle, held, conversions, progress)
        # Some marks (shared commitments, internal pass-through) change without a new flow
        # version: rebuild the counting facts of this file's flows outright.
        touched = Flow.objects.filter(
            iati_activity__iati_identifier__in=[a.identifier for a in bundle.activities]
        ).values_list("pk", flat=True)
        refresh_facts(list(touched))
    return report


def _convert(bundle: IatiBundle) -> dict[int, Conversion]:
    """Every amount in USD with a stored rate (keyed by id of the record); all missing rates
    named at once (RateMissingError), nothing written."""
    currencies = {t.currency for a in bundle.activities for t in a.transactions}
    currencies |= {b.currency for a in bundle.activities for b in a.budgets}
    book = RateBook(currencies)
    result: dict[int, Conversion] = {}
    for activity in bundle.activities:
        items: list[TransactionRecord | BudgetRecord] = [*activity.transactions, *activity.budgets]
        for item in items:
            day = item.value_date or (
                item.date if isinstance(item, TransactionRecord) else item.period_start
            )
            if day is None:
                raise IatiFileError(
                    _("line %(line)s: no date to convert the amount with.") % {"line": item.line}
                )
            conversion = book.to_usd(item.value, item.currency, day)
            if conversion is not None:
                result[id(item)] = conversion
    if book.missing:
        missing = sorted(book.missing)
        shown = ", ".join(f"{c} {m}" for c, m in missing[:20])
        more = len(missing) - 20
        raise RateMissingError(
            _(
                "No exchange rate for %(missing)s%(more)s: import them (harambee import-rates); "
                "nothing was imported."
            )
            % {"missing": shown, "more": _(" and %(n)s more") % {"n": more} if more > 0 else ""}
        )
    return result


def _write(
    actor: Any,
    bundle: IatiBundle,
    held: dict[str, tuple[int, str, int | None, int]],
    conversions: dict[int, Conversion],
    progress: Progress | None,
) -> dict[str, Any]:
    now = timezone.now()
    run = FundingImport.objects.create(
        source_system=SourceSystem.IATI,
        kind="iati-activities",
        files=[{"name": bundle.name, "sha256": bundle.sha256, "version": bundle.version}],
    )
    # Activities read are new or changed (those unchanged were not read).
    new = [a for a in bundle.activities if a.identifier not in held]
    changed = [a for a in bundle.activities if a.identifier in held]
    writing = new + changed
    iso3_of = dict(Country.objects.values_list("iso2", "iso3"))
    countries = {a.identifier: single_country(a, iso3_of) for a in writing}

    # Organisations.
    organisations = Organisations()
    participants = [(p, countries[a.identifier]) for a in writing for p in a.participants]
    participants += [(a.reporting, countries[a.identifier]) for a in writing]
    others = [
        o
        for a in writing
        for t in a.transactions
        for o in (t.provider, t.receiver)
        if o is not None
    ]
    organisations.resolve(actor, participants, others)

    # Who-does-what-where activities, then the IATI activities pointing to them.
    linked = _write_activities(actor, bundle, writing, countries, held, organisations, now)
    activity_rows = [
        {
            **_activity_row(a, countries, organisations, run, bundle),
            "activity_id": linked.get(a.identifier),
        }
        for a in writing
    ]
    insert_values(IatiActivity, activity_rows[: len(new)])
    ids = {ident: value[0] for ident, value in held.items()}
    for chunk in _chunks([a.identifier for a in new], 5000):
        ids.update(
            IatiActivity.objects.filter(iati_identifier__in=chunk).values_list(
                "iati_identifier", "pk"
            )
        )
    if changed:
        objects = []
        for record, row in zip(changed, activity_rows[len(new) :], strict=True):
            pk, _sha, _activity_id, version = held[record.identifier]
            obj = IatiActivity(pk=pk, **row)
            obj.version = version + 1
            obj.updated_at = now
            objects.append(obj)
        IatiActivity.objects.bulk_update(
            objects,
            [*(k.removesuffix("_id") for k in activity_rows[0]), "version", "updated_at"],
            batch_size=500,
        )
        changed_ids = [ids[a.identifier] for a in changed]
        for chunk in _chunks(changed_ids, 5000):
            IatiParticipant.objects.filter(iati_activity_id__in=chunk).delete()
            IatiClassification.objects.filter(iati_activity_id__in=chunk).delete()
            IatiBudget.objects.filter(iati_activity_id__in=chunk).delete()
    if progress:
        progress(_("%(n)s activities written") % {"n": len(writing)})

    # Participants and budgets.
    insert_values(
        IatiParticipant,
        (
            {
                "iati_activity_id": ids[a.identifier],
                "role": p.role,
                "ref": p.ref,
                "name": p.name,
                "org_type": p.org_type,
                "activity_ref": p.activity_ref,
                "organisation_id": organisations.get(p),
                "match": organisations.status(p),
            }
            for a in writing
            for p in a.participants
        ),
    )
    budget_count = insert_values(
        IatiBudget,
        (
            {
                "iati_activity_id": ids[a.identifier],
                "kind": b.kind,
                "type_code": b.type_code,
                "status_code": b.status_code,
                "period_start": b.period_start,
                "period_end": b.period_end,
                "original_amount": b.value,
                "original_currency": b.currency,
                "value_date": b.value_date,
                "exchange_rate": conversions[id(b)].rate,
                "exchange_rate_date": conversions[id(b)].rate_date,
                "exchange_rate_source": conversions[id(b)].source,
                "amount_usd": conversions[id(b)].amount_usd,
                "provider_ref": b.provider.ref if b.provider else "",
                "provider_name": b.provider.name if b.provider else "",
                "receiver_ref": b.receiver.ref if b.receiver else "",
                "receiver_name": b.receiver.name if b.receiver else "",
            }
            for a in writing
            for b in a.budgets
        ),
    )

    # Classifications: the destination parties every flow of an activity shares.
    sectors = _SectorMap()
    plans = dict(Plan.objects.exclude(code="").values_list("code", "pk"))
    emergencies = dict(Emergency.objects.exclude(glide="").values_list("glide", "pk"))
    classification_rows = []
    for a in writing:
        classification_rows += _classifications(
            a, ids[a.identifier], linked.get(a.identifier), iso3_of, sectors, plans, emergencies
        )
    insert_values(IatiClassification, classification_rows)

    # Flows.
    flow_report = _write_flows(
        bundle,
        writing,
        changed,
        ids,
        countries,
        organisations,
        conversions,
        run,
        now,
        iso3_of,
        sectors,
    )
    if progress:
        progress(_("%(n)s flows written") % {"n": flow_report["written"]})
    trace = link_traceability()
    audit = change_record(
        actor=actor,
        action=Action.CREATE,
        instance=run,
        before=None,
        after={
            "file": bundle.name,
            "activities_created": len(new),
            "activities_updated": len(changed),
            **{k: v for k, v in flow_report.items() if isinstance(v, int)},
        },
        note=_("IATI import (%(file)s)") % {"file": bundle.name},
    )
    ChangeRecord.objects.bulk_create([audit])
    by_type: dict[str, int] = defaultdict(int)
    for a in bundle.activities:
        for t in a.transactions:
            by_type[t.type] += 1
    for _identifier, types in bundle.unchanged:
        for code in types:
            by_type[code] += 1
    report = {
        "file": bundle.name,
        "version": bundle.version,
        "activities": {
            "read": len(bundle.activities) + len(bundle.unchanged),
            "created": len(new),
            "updated": len(changed),
            "unchanged": len(bundle.unchanged),
            "duplicates_in_file": bundle.duplicates,
            "linked_to_3w": len(linked),
        },
        "transactions": {
            "read": sum(by_type.values()),
            "by_type": dict(
                sorted(by_type.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 99)
            ),
        },
        "flows": {k: v for k, v in flow_report.items() if k != "written"},
        "budgets": budget_count,
        "organisations": {
            "created": organisations.created,
            "uncertain": sorted(organisations.uncertain),
        },
        "traceability": trace,
        "schema_errors": bundle.schema_errors,
        "tolerated": bundle.tolerated,
        "skipped": bundle.skipped,
    }
    run.report = report
    run.save(update_fields=["report", "updated_at"])
    return report


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _activity_row(
    a: ActivityRecord,
    countries: dict[str, str | None],
    organisations: Organisations,
    run: FundingImport,
    bundle: IatiBundle,
) -> dict[str, Any]:
    return {
        "iati_identifier": a.identifier,
        "hierarchy": a.hierarchy,
        "parent_identifier": a.parent_identifier,
        "reporting_org_ref": a.reporting.ref,
        "reporting_org_name": a.reporting.name,
        "reporting_organisation_id": organisations.get(a.reporting),
        "title": a.title,
        "description": a.description,
        "status_code": a.status_code,
        "planned_start": a.dates.get("1"),
        "actual_start": a.dates.get("2"),
        "planned_end": a.dates.get("3"),
        "actual_end": a.dates.get("4"),
        "default_currency": a.default_currency[:3],
        "humanitarian": a.humanitarian,
        "recipient_countries": [
            {"code": c, "percentage": str(p) if p is not None else None} for c, p, _n in a.countries
        ],
        "recipient_regions": [
            {"code": c, "percentage": str(p) if p is not None else None, "vocabulary": v}
            for c, p, v in a.regions
        ],
        "sectors": [
            {"vocabulary": v, "code": c, "name": n, "percentage": str(p) if p is not None else None}
            for v, c, n, p in a.sectors
        ],
        "country_id": countries[a.identifier],
        "file_version": bundle.version,
        "last_updated": a.last_updated,
        "content_sha256": a.sha256,
        "import_run_id": run.pk,
        "extra": {"reporting_org_type": a.reporting.org_type} if a.reporting.org_type else {},
    }


class _SectorMap:
    """Global clusters by code; IATI cluster-vocabulary sectors by name through the resolver."""

    def __init__(self) -> None:
        self.clusters = dict(Sector.objects.filter(country__isnull=True).values_list("code", "pk"))
        self.names = dict(Sector.objects.filter(country__isnull=True).values_list("pk", "name"))
        self.resolver = SectorResolver("")

    def sector(self, vocabulary: str, code: str, name: str) -> int | None:
        cluster = cluster_code(vocabulary, code)
        if cluster:
            return self.clusters.get(cluster)
        if vocabulary == "10":
            match = self.resolver.resolve("", name or code)
            return match.sector_id if match is not None and not match.is_new else None
        return None


def _best_sector(a: ActivityRecord) -> tuple[str, str, str, Decimal | None] | None:
    usable = [s for s in a.sectors if s[0] in ("1", "2", "10") and s[1]]
    if not usable:
        return None
    return max(usable, key=lambda s: s[3] if s[3] is not None else Decimal(100))


def _classifications(
    a: ActivityRecord,
    activity_pk: int,
    linked_activity: int | None,
    iso3_of: dict[str, str],
    sectors: _SectorMap,
    plans: dict[str, int],
    emergencies: dict[str, int],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(kind: str, behavior: str = Behavior.SINGLE, **values: Any) -> None:
        percentage = values.pop("percentage", None)
        row = _party_row(0, Side.DESTINATION, kind, behavior=behavior, **values)
        row.pop("flow_id")
        row["iati_activity_id"] = activity_pk
        row["percentage"] = percentage
        rows.append(row)

    places = [c for c in a.countries if c[0]] + [
        (r[0], r[1], "") for r in a.regions if r[1] is None or r[1] > 0
    ]
    place_behavior = Behavior.SHARED if len(places) > 1 else Behavior.SINGLE
    for code, percentage, name in [c for c in a.countries if c[0]]:
        iso3 = iso3_of.get(code)
        add(
            PartyKind.LOCATION,
            place_behavior,
            source_type="iati-country",
            source_id=iso3 or code,
            name=name or iso3 or code,
            code=code,
            country_id=iso3,
            percentage=percentage,
        )
    for code, percentage, vocabulary in a.regions:
        if percentage is not None and percentage <= 0:
            continue
        add(
            PartyKind.LOCATION,
            place_behavior,
            source_type="iati-region",
            source_id=code,
            name=code,
            code=code,
            vocabulary=vocabulary,
            percentage=percentage,
        )
    usable = [s for s in a.sectors if s[1]]
    sector_behavior = Behavior.SHARED if len(usable) > 1 else Behavior.SINGLE
    for vocabulary, code, name, percentage in usable:
        add(
            PartyKind.SECTOR,
            sector_behavior,
            source_type=f"iati-sector-{vocabulary}",
            source_id=code,
            name=name or code,
            code=code,
            vocabulary=vocabulary,
            sector_id=sectors.sector(vocabulary, code, name),
            percentage=percentage,
        )
    items = [b for b in a.budget_items if b[1]]
    for vocabulary, code, description, percentage in items:
        add(
            PartyKind.BUDGET_LINE,
            Behavior.SHARED if len({i[1] for i in items}) > 1 else Behavior.SINGLE,
            source_type=f"iati-budget-{vocabulary}",
            source_id=code,
            name=description or code,
            code=code,
            vocabulary=vocabulary,
            percentage=percentage,
        )
    for scope_type, vocabulary, code, name in a.humanitarian_scopes:
        if not code:
            continue
        # Type 2 (appeal), vocabulary 2-1: the humanitarian plan, by FTS's plan code.
        if scope_type == "2" or vocabulary.startswith("2"):
            add(
                PartyKind.PLAN,
                source_type="iati-plan",
                source_id=code,
                name=name or code,
                code=code,
                vocabulary=vocabulary,
                plan_id=plans.get(code),
            )
        else:  # 1-2: GLIDE, 1-1: the UN's emergency list
            add(
                PartyKind.EMERGENCY,
                source_type="iati-emergency",
                source_id=code,
                name=name or code,
                code=code,
                vocabulary=vocabulary,
                emergency_id=emergencies.get(code),
            )
    add(
        PartyKind.PROJECT,
        source_type="iati-activity",
        source_id=a.identifier[:128],
        name=a.title[:500],
        code=a.identifier[:128],
        activity_id=linked_activity,
    )
    return rows


def _write_activities(
    actor: Any,
    bundle: IatiBundle,
    writing: list[ActivityRecord],
    countries: dict[str, str | None],
    held: dict[str, tuple[int, str, int | None, int]],
    organisations: Organisations,
    now: datetime.datetime,
) -> dict[str, int]:
    """Create or update the who-does-what-where activity of each IATI activity that has one
    recipient country, an implementing organisation in the network and a sector. Returns
    identifier -> Activity id."""
    sectors = _SectorMap()
    plans: dict[str, dict[str, Any]] = {}
    new_country_sectors: dict[tuple[str, str], str] = {}
    for a in writing:
        country = countries[a.identifier]
        implementer = next(
            (
                organisations.get(p)
                for p in a.participants
                if p.role == "4" and organisations.get(p)
            ),
            None,
        )
        best = _best_sector(a)
        if not country or implementer is None or best is None:
            continue
        vocabulary, code, name, _pct = best
        sector_id = sectors.sector(vocabulary, code, name)
        sector_code = ""
        if sector_id is None:
            sector_code = (
                f"DAC-{code}"[:32] if vocabulary in ("1", "2") else f"IATI-{vocabulary}-{code}"[:32]
            )
            new_country_sectors.setdefault((country, sector_code), name or sector_code)
        start = a.dates.get("2") or a.dates.get("1")
        end = a.dates.get("4") or a.dates.get("3")
        if start and end and end < start:
            end = None
        plans[a.identifier] = {
            "country_id": country,
            "implementing_organisation_id": implementer,
            "sector_id": sector_id,
            "sector_code": sector_code,
            "title": a.title[:500],
            "description": a.description,
            "status": STATUSES.get(a.status_code, ActivityStatus.ONGOING),
            "start_date": start,
            "end_date": end,
        }
    # Country sectors for DAC codes no cluster covers, made once.
    if new_country_sectors:
        existing = {
            (c, code): pk
            for pk, c, code in Sector.objects.filter(
                country_id__in={k[0] for k in new_country_sectors},
                code__in={k[1] for k in new_country_sectors},
            ).values_list("pk", "country_id", "code")
        }
        missing = [k for k in new_country_sectors if k not in existing]
        Sector.objects.bulk_create(
            [
                Sector(
                    country_id=c,
                    code=code,
                    name=new_country_sectors[(c, code)][:200],
                    aliases=[code],
                )
                for c, code in missing
            ]
        )
        existing.update(
            {
                (c, code): pk
                for pk, c, code in Sector.objects.filter(
                    country_id__in={k[0] for k in missing}, code__in={k[1] for k in missing}
                ).values_list("pk", "country_id", "code")
            }
        )
        for plan in plans.values():
            if plan["sector_id"] is None:
                plan["sector_id"] = existing[(plan["country_id"], plan["sector_code"])]
    for plan in plans.values():
        plan.pop("sector_code")
    # Existing links; an activity already linked is updated in place.
    current = {ident: held[ident][2] for ident in plans if ident in held and held[ident][2]}
    existing_activities = dict(
        Activity.objects.filter(pk__in=list(current.values())).values_list("pk", "version")
    )
    creates: list[tuple[str, dict[str, Any]]] = []
    updates: list[tuple[str, int, dict[str, Any]]] = []
    for ident, plan in plans.items():
        pk = current.get(ident)
        if pk is not None and pk in existing_activities:
            updates.append((ident, pk, plan))
        else:
            creates.append((ident, plan))
    keys = {ident: source_key(ident) for ident, _p in creates}
    # A who-does-what-where activity made by an earlier import of this identifier.
    found = {
        key: pk
        for key, pk in Activity.objects.filter(source_key__in=list(keys.values())).values_list(
            "source_key", "pk"
        )
    }
    still: list[tuple[str, dict[str, Any]]] = []
    for ident, plan in creates:
        pk = found.get(keys[ident])
        if pk is not None:
            updates.append((ident, pk, plan))
        else:
            still.append((ident, plan))
    insert_values(
        Activity,
        (
            {
                **plan,
                "source_key": keys[ident],
                "source_file": bundle.name[:255],
            }
            for ident, plan in still
        ),
    )
    linked: dict[str, int] = {}
    if still:
        made = dict(
            Activity.objects.filter(source_key__in=[keys[i] for i, _p in still]).values_list(
                "source_key", "pk"
            )
        )
        linked.update({ident: made[keys[ident]] for ident, _p in still})
    if updates:
        versions = dict(
            Activity.objects.filter(pk__in=[pk for _i, pk, _p in updates]).values_list(
                "pk", "version"
            )
        )
        objects = []
        for ident, pk, plan in updates:
            obj = Activity(pk=pk, **plan)
            obj.source_file = bundle.name[:255]
            obj.version = versions[pk] + 1
            obj.updated_at = now
            objects.append(obj)
            linked[ident] = pk
        fields = [k.removesuffix("_id") for k in next(iter(plans.values()))]
        Activity.objects.bulk_update(
            objects, [*fields, "source_file", "version", "updated_at"], batch_size=500
        )
        ActivityPlace.objects.filter(activity_id__in=[pk for _i, pk, _p in updates]).delete()
        ActivityOrganisation.objects.filter(activity_id__in=[pk for _i, pk, _p in updates]).delete()
    # Places and other organisations.
    records = {a.identifier: a for a in writing}
    areas = {
        (country, pcode.upper()): pk
        for pk, country, pcode in AdminArea.objects.filter(
            country_id__in={p["country_id"] for p in plans.values()}
        ).values_list("pk", "country_id", "pcode")
    }
    place_rows = []
    roles: set[tuple[int, int, str]] = set()
    for ident, pk in linked.items():
        a = records[ident]
        country = plans[ident]["country_id"]
        for name, latitude, longitude, codes in a.locations:
            area = next(
                (
                    areas.get((country, c.upper()))
                    for _v, c in codes
                    if areas.get((country, c.upper()))
                ),
                None,
            )
            if area is None and latitude is None and not name:
                continue
            place_rows.append(
                {
                    "activity_id": pk,
                    "admin_area_id": area,
                    "source_pcode": next((c for _v, c in codes), "")[:32],
                    "source_names": [name] if name else [],
                    "latitude": latitude,
                    "longitude": longitude,
                }
            )
        implementer = plans[ident]["implementing_organisation_id"]
        reporting = organisations.get(a.reporting)
        if reporting and reporting != implementer:
            roles.add((pk, reporting, OrganisationRole.REPORTING))
        for p in a.participants:
            org = organisations.get(p)
            if org is None or org == implementer or p.role == "4":
                continue
            role = OrganisationRole.FUNDING if p.role == "1" else OrganisationRole.PARTNER
            roles.add((pk, org, role))
    insert_values(ActivityPlace, place_rows)
    ActivityOrganisation.objects.bulk_create(
        [ActivityOrganisation(activity_id=a, organisation_id=o, role=r) for a, o, r in roles],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return linked


def source_key(identifier: str) -> str:
    """The who-does-what-where activity's stable key: iati:<iati-identifier> (hashed when too
    long for the 64-character key)."""
    key = f"iati:{identifier}"
    if len(key) <= 64:
        return key
    return "iati:" + hashlib.sha1(identifier.encode()).hexdigest()


def _write_flows(
    bundle: IatiBundle,
    writing: list[ActivityRecord],
    changed: list[ActivityRecord],
    ids: dict[str, int],
    countries: dict[str, str | None],
    organisations: Organisations,
    conversions: dict[int, Conversion],
    run: FundingImport,
    now: datetime.datetime,
    iso3_of: dict[str, str],
    sectors: _SectorMap,
) -> dict[str, int]:
    # Flows held for the changed activities, by identity.
    held: dict[str, tuple[int, int]] = {}
    changed_ids = [ids[a.identifier] for a in changed]
    for chunk in _chunks(changed_ids, 2000):
        for pk, sid, version in Flow.objects.filter(iati_activity_id__in=chunk).values_list(
            "pk", "source_id", "version"
        ):
            held[sid] = (pk, version)
    new_rows: list[dict[str, Any]] = []
    updates: list[Flow] = []
    own_parties: list[tuple[str, dict[str, Any]]] = []  # (source_id, party values)
    override_kinds: set[str] = set()
    seen: set[str] = set()
    for a in writing:
        activity_pk = ids[a.identifier]
        types = {t.type for t in a.transactions}
        receives = bool(types & INCOMING_TYPES)
        pays_out = bool(types & PAYMENT_OUT)
        pays_in = "1" in types
        several = countries[a.identifier] is None
        implementer = next((p for p in a.participants if p.role == "4"), None)
        items = [b for b in a.budget_items if b[1]]
        budget_line = (
            (items[0][0], max(items, key=lambda b: b[3] or Decimal(0))[1]) if items else None
        )
        reporting_id = organisations.get(a.reporting)
        for tx in a.transactions:
            values = flow_values(
                a,
                tx,
                conversions[id(tx)],
                receives=receives,
                pays_out=pays_out,
                pays_in=pays_in,
                several_places=several,
                channel=channel_for(tx.receiver) or channel_for(implementer),
                budget_line=budget_line,
                reporting_id=reporting_id,
            )
            values["iati_activity_id"] = activity_pk
            values["import_run_id"] = run.pk
            sid = tx.source_id
            if sid in seen:  # the same identity in two activities cannot happen; be safe
                continue
            seen.add(sid)
            stored = held.pop(sid, None)
            if stored is None:
                new_rows.append(values)
            else:
                flow = Flow(pk=stored[0], **values)
                flow.version = stored[1] + 1
                flow.updated_at = now
                updates.append(flow)
            outgoing = tx.type not in INCOMING_TYPES
            source = tx.provider or (a.reporting if outgoing else None)
            destination = tx.receiver or (None if outgoing else a.reporting)
            for side, org in ((Side.SOURCE, source), (Side.DESTINATION, destination)):
                if org is not None and (org.ref or org.name):
                    given = org is tx.provider or org is tx.receiver
                    own_parties.append(
                        (
                            sid,
                            {
                                "side": side,
                                "kind": PartyKind.ORGANISATION,
                                # The publisher's own provider/receiver, or its reporting
                                # organisation standing for a missing one.
                                "source_type": "iati-org" if given else "iati-reporting-org",
                                "source_id": org.ref[:128],
                                "name": org.name,
                                "code": org.ref[:128],
                                "vocabulary": org.org_type,
                                "organisation_id": organisations.get(org),
                            },
                        )
                    )
            if tx.provider and tx.provider.activity_ref:
                own_parties.append(
                    (
                        sid,
                        {
                            "side": Side.SOURCE,
                            "kind": PartyKind.PROJECT,
                            "source_type": "iati-activity",
                            "source_id": tx.provider.activity_ref[:128],
                            "code": tx.provider.activity_ref[:128],
                        },
                    )
                )
            for vocabulary, code, name, _p in tx.sectors:
                override_kinds.add(PartyKind.SECTOR)
                own_parties.append(
                    (
                        sid,
                        {
                            "side": Side.DESTINATION,
                            "kind": PartyKind.SECTOR,
                            "source_type": f"iati-sector-{vocabulary}",
                            "source_id": code,
                            "name": name or code,
                            "code": code,
                            "vocabulary": vocabulary,
                            "sector_id": sectors.sector(vocabulary, code, name),
                        },
                    )
                )
            for code, _p in tx.countries:
                override_kinds.add(PartyKind.LOCATION)
                iso3 = iso3_of.get(code)
                own_parties.append(
                    (
                        sid,
                        {
                            "side": Side.DESTINATION,
                            "kind": PartyKind.LOCATION,
                            "source_type": "iati-country",
                            "source_id": iso3 or code,
                            "name": iso3 or code,
                            "code": code,
                            "country_id": iso3,
                        },
                    )
                )
    # Flows of changed activities whose transaction is gone.
    deleted = 0
    gone = [pk for pk, _v in held.values()]
    for chunk in _chunks(gone, 2000):
        deleted += Flow.objects.filter(pk__in=chunk).delete()[1].get("funding.Flow", 0)
    created = insert_values(Flow, new_rows)
    if updates:
        for chunk in _chunks([f.pk for f in updates], 2000):
            FlowParty.objects.filter(flow_id__in=chunk).delete()
        Flow.objects.bulk_update(updates, FLOW_UPDATE_FIELDS, batch_size=500)
    # Flow ids by identity, for the parties.
    flow_ids: dict[str, int] = dict(
        Flow.objects.filter(import_run=run).values_list("source_id", "pk")
    )
    insert_values(
        FlowParty,
        (_party_row(flow_ids[sid], **values) for sid, values in own_parties),
    )
    _copy_classifications(run, override_kinds)
    # Counted, for the report.
    written = created + len(updates)
    return {
        "created": created,
        "updated": len(updates),
        "deleted": deleted,
        "written": written,
    }


PARTY_COLUMNS = [
    "side",
    "kind",
    "behavior",
    "source_type",
    "source_id",
    "name",
    "code",
    "vocabulary",
    "organisation_id",
    "plan_id",
    "country_id",
    "admin_area_id",
    "emergency_id",
    "sector_id",
    "activity_id",
    "key",
    "source_key",
    "label",
]


def _copy_classifications(run: FundingImport, override_kinds: set[str]) -> None:
    """Every flow written by the run gets its activity's classifications as parties (unless the
    transaction named its own of that kind), and its usage year: two INSERT ... SELECT."""
    quote = connection.ops.quote_name
    party = quote(FlowParty._meta.db_table)
    flow = quote(Flow._meta.db_table)
    classification = quote(IatiClassification._meta.db_table)
    now = FlowParty._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    columns = ", ".join(quote(c) for c in PARTY_COLUMNS)
    selected = ", ".join(f"c.{quote(c)}" for c in PARTY_COLUMNS)
    override = ""
    if override_kinds:
        override = (
            f" AND NOT EXISTS (SELECT 1 FROM {party} o WHERE o.{quote('flow_id')} = f.{quote('id')}"
            f" AND o.{quote('kind')} = c.{quote('kind')} AND o.{quote('side')} = c.{quote('side')})"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {party} ({quote('created_at')}, {quote('updated_at')}, "
            f"{quote('version')}, {quote('flow_id')}, {quote('organisation_types')}, "
            f"{quote('year')}, {columns}) "
            f"SELECT %s, %s, 1, f.{quote('id')}, '[]', NULL, {selected} FROM {flow} f "
            f"JOIN {classification} c ON c.{quote('iati_activity_id')} = f.{quote('iati_activity_id')} "
            f"WHERE f.{quote('import_run_id')} = %s{override}",
            [now, now, run.pk],
        )
        year = f"CAST(f.{quote('budget_year')} AS VARCHAR(8))"
        cursor.execute(
            f"INSERT INTO {party} ({quote('created_at')}, {quote('updated_at')}, "
            f"{quote('version')}, {quote('flow_id')}, {quote('organisation_types')}, "
            f"{quote('year')}, {columns}) "
            f"SELECT %s, %s, 1, f.{quote('id')}, '[]', f.{quote('budget_year')}, "
            f"%s, %s, %s, '', {year}, {year}, '', '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
            f"'year:' || {year}, 'usage_year:' || {year}, {year} FROM {flow} f "
            f"WHERE f.{quote('import_run_id')} = %s AND f.{quote('budget_year')} IS NOT NULL",
            [now, now, Side.DESTINATION, PartyKind.USAGE_YEAR, Behavior.SINGLE, run.pk],
        )


# --- traceability ---------------------------------------------------------------------------------


def link_traceability() -> dict[str, int]:
    """Link each IATI incoming transaction (1 incoming funds, 11 incoming commitment) to the
    provider's transaction it repeats (3 disbursement, 2 outgoing commitment), across
    publishers: by provider-activity-id (or the provider's receiver-activity-id naming this
    activity), the same amount and currency first, else the nearest date within a quarter.

    A linked flow repeats its parent (repeats_parent), so it is not counted when the parent is
    (counting rule 4); when the parent's money is counted elsewhere (the parent passes on money
    its activity received, or is a commitment carried by payments) the repeat is internal.
    An incoming transaction naming a provider activity not held keeps "iati-activity:<id>" as
    its parent's id: flagged parent_missing, counted, and linked when the provider arrives.
    Runs after every IATI import, over all IATI flows; writes only what changes."""
    from ..services import link_flows

    fields = (
        "pk",
        "source_id",
        "iati_transaction_type",
        "iati_activity__iati_identifier",
        "provider_activity_id",
        "receiver_activity_id",
        "original_amount",
        "original_currency",
        "date",
        "boundary",
        "extra",
        "parent_source_id",
        "repeats_parent",
    )
    incoming = list(
        Flow.objects.filter(
            source_system=SourceSystem.IATI, iati_transaction_type__in=list(REPEATS)
        )
        .order_by("date", "pk")
        .values_list(*fields)
    )
    if not incoming:
        # Nothing to trace, but the pages' counting facts must still follow the import.
        links = link_flows(source_system=SourceSystem.IATI)
        return {
            "linked": 0,
            "provider_not_held": 0,
            "changed": 0,
            "counted_upstream": links["counted_upstream"],
        }
    activities = {row[3] for row in incoming}
    providers = {row[4] for row in incoming if row[4]}
    candidates = list(
        Flow.objects.filter(
            source_system=SourceSystem.IATI, iati_transaction_type__in=list(REPEATS.values())
        )
        .filter(
            Q(iati_activity__iati_identifier__in=providers) | Q(receiver_activity_id__in=activities)
        )
        .order_by("date", "pk")
        .values_list(*fields)
    )
    held_activities = set(
        IatiActivity.objects.filter(iati_identifier__in=providers).values_list(
            "iati_identifier", flat=True
        )
    )
    by_activity: dict[str, list[Any]] = defaultdict(list)
    by_receiver: dict[str, list[Any]] = defaultdict(list)
    for row in candidates:
        by_activity[row[3]].append(row)
        if row[5]:
            by_receiver[row[5]].append(row)
    used: set[int] = set()
    changes: list[Flow] = []
    linked = not_held = 0
    for row in incoming:
        pk, _sid, kind, activity, provider = row[0], row[1], row[2], row[3], row[4]
        wanted = REPEATS[kind]
        pool = [
            c
            for c in by_activity.get(provider, []) + by_receiver.get(activity, [])
            if c[2] == wanted
            and c[0] not in used
            and (not c[5] or c[5] == activity)
            and (not provider or c[3] == provider)
        ]
        best = None
        if pool:
            same = [c for c in pool if c[6] == row[6] and c[7] == row[7]]
            near = sorted(same or pool, key=lambda c: abs((c[8] - row[8]).days))
            if same or (provider and abs((near[0][8] - row[8]).days) <= 92):
                best = near[0]
        if best is not None:
            used.add(best[0])
            linked += 1
            parent_sid = best[1]
            repeats = True
            carried = (
                best[9] == Boundary.INTERNAL
                or (best[10] or {}).get("shared_because") == SHARED_PAYMENTS
            )
            boundary = Boundary.INTERNAL if carried else Boundary.INCOMING
        else:
            parent_sid = f"iati-activity:{provider}"[:128] if provider else ""
            repeats = bool(provider)
            boundary = Boundary.INCOMING
            not_held += bool(provider) and provider not in held_activities
        if (row[11], row[12], row[9]) != (parent_sid, repeats, boundary):
            flow = Flow(
                pk=pk,
                parent_source_id=parent_sid,
                repeats_parent=repeats,
                boundary=boundary,
                version=F("version") + 1,  # a new version: its counting fact is rebuilt
            )
            changes.append(flow)
    Flow.objects.bulk_update(
        changes, ["parent_source_id", "repeats_parent", "boundary", "version"], batch_size=500
    )
    links = link_flows(source_system=SourceSystem.IATI)
    return {
        "linked": linked,
        "provider_not_held": not_held,
        "changed": len(changes),
        "counted_upstream": links["counted_upstream"],
    }
