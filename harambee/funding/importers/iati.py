"""Reading IATI activity files (versions 2.01, 2.02 and 2.03) with lxml.

One pass: parse, normalise the known differences of the older versions, validate against the
2.03 schema (offline), then read every activity into plain records. Reading checks everything
before anything is written (the writing is in iati_writer.py):

* malformed XML, a file that is not an IATI activity file, a version other than 2.01-2.03:
  IatiFileError, nothing written;
* a file that fails the schema: IatiSchemaError listing the failures with their line numbers,
  nothing written, unless the import is forced (`--force`), when the failures become warnings
  and the records that cannot be read at all (a transaction without a value...) are skipped and
  named;
* an unknown currency, an amount that is not a number: IatiFileError naming the line.

Versions. The 2.02 and 2.03 upgrades only added elements, attributes and codes and relaxed
occurrences, so a valid 2.01 or 2.02 file is valid against the 2.03 schema; what differs is
read as follows and reported in `tolerated`:
* 1.x codes some 2.0x publishers kept (transaction types C, D, E, IF, ...; participating-org
  roles "Funding", "Implementing", ...; sector vocabularies "DAC", "DAC-3") are mapped to the
  2.0x codes before validation (line numbers are kept);
* codes and elements from a later version than the file declares (transaction types 11 in a
  2.01 file, 12 and 13 before 2.03; humanitarian-scope or @humanitarian in a 2.01 file; tag or
  @crs-channel-code before 2.03) are accepted and read as 2.03 defines them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from harambee.core.errors import ServiceError

from ..currency import is_known_currency

MAX_ERRORS = 20
SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")

TRANSACTION_TYPES: dict[str, str] = {
    "1": "Incoming Funds",
    "2": "Outgoing Commitment",
    "3": "Disbursement",
    "4": "Expenditure",
    "5": "Interest Payment",
    "6": "Loan Repayment",
    "7": "Reimbursement",
    "8": "Purchase of Equity",
    "9": "Sale of Equity",
    "10": "Credit Guarantee",
    "11": "Incoming Commitment",
    "12": "Outgoing Pledge",
    "13": "Incoming Pledge",
}
# The version that introduced a transaction type (others exist since 2.01).
TYPE_SINCE = {"11": "2.02", "12": "2.03", "13": "2.03"}
# IATI 1.x codes still found in some 2.0x files.
LEGACY_TRANSACTION_TYPES = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
LEGACY_ROLES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
LEGACY_SECTOR_VOCABULARIES = {"DAC": "1", "DAC-3": "2"}
# Elements and attributes with the version that introduced them (checked on older files).
NEWER_ELEMENTS = {"humanitarian-scope": "2.02", "tag": "2.03"}
NEWER_ATTRIBUTES = {
    ("iati-activity", "humanitarian"): "2.02",
    ("transaction", "humanitarian"): "2.02",
    ("participating-org", "activity-id"): "2.02",
    ("participating-org", "crs-channel-code"): "2.03",
}


class IatiFileError(ServiceError):
    code = "import_invalid"


class IatiSchemaError(IatiFileError):
    code = "schema_invalid"


@dataclass
class OrgRecord:
    ref: str = ""
    name: str = ""
    org_type: str = ""
    activity_ref: str = ""
    role: str = ""
    crs_channel_code: str = ""

    @property
    def identity(self) -> str:
        return self.ref or self.name


@dataclass
class TransactionRecord:
    line: int
    type: str
    date: datetime.date
    value: Decimal
    currency: str
    value_date: datetime.date
    ref: str = ""
    description: str = ""
    provider: OrgRecord | None = None
    receiver: OrgRecord | None = None
    humanitarian: bool | None = None
    sectors: list[tuple[str, str, str, Decimal | None]] = field(default_factory=list)
    countries: list[tuple[str, Decimal | None]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    source_id: str = ""


@dataclass
class BudgetRecord:
    line: int
    kind: str
    type_code: str
    status_code: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    value: Decimal
    currency: str
    value_date: datetime.date | None
    provider: OrgRecord | None = None
    receiver: OrgRecord | None = None


@dataclass
class ActivityRecord:
    line: int
    identifier: str
    sha256: str
    default_currency: str = ""
    hierarchy: int | None = None
    last_updated: datetime.datetime | None = None
    humanitarian: bool | None = None
    reporting: OrgRecord = field(default_factory=OrgRecord)
    title: str = ""
    description: str = ""
    status_code: str = ""
    dates: dict[str, datetime.date] = field(default_factory=dict)
    participants: list[OrgRecord] = field(default_factory=list)
    countries: list[tuple[str, Decimal | None, str]] = field(default_factory=list)
    regions: list[tuple[str, Decimal | None, str]] = field(default_factory=list)
    # (vocabulary, code, narrative, percentage)
    sectors: list[tuple[str, str, str, Decimal | None]] = field(default_factory=list)
    budget_items: list[tuple[str, str, str, Decimal | None]] = field(default_factory=list)
    # (type, vocabulary, code, narrative)
    humanitarian_scopes: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (name, latitude, longitude, [(vocabulary, code)])
    locations: list[tuple[str, float | None, float | None, list[tuple[str, str]]]] = field(
        default_factory=list
    )
    parent_identifier: str = ""
    transactions: list[TransactionRecord] = field(default_factory=list)
    budgets: list[BudgetRecord] = field(default_factory=list)


@dataclass
class IatiBundle:
    name: str
    sha256: str
    version: str = ""
    activities: list[ActivityRecord] = field(default_factory=list)
    schema_errors: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0
    # Activities whose published record is the one held: only their identity and the types of
    # their transactions are read.
    unchanged: list[tuple[str, list[str]]] = field(default_factory=list)


def schema_dir() -> Path:
    configured = getattr(settings, "IATI_SCHEMA_DIR", None)
    if configured:
        return Path(configured)
    return Path(settings.PROJECT_DIR).parent / "shared" / "data" / "iati" / "schema-2.03"


@lru_cache(maxsize=1)
def activity_schema() -> etree.XMLSchema:
    path = schema_dir() / "iati-activities-schema.xsd"
    if not path.exists():
        raise IatiFileError(
            _("The IATI 2.03 schema is not at %(path)s (settings.IATI_SCHEMA_DIR).")
            % {"path": path}
        )
    return etree.XMLSchema(etree.parse(str(path)))


def parse(name: str, content: bytes) -> Any:
    """The document's root element; IatiFileError for anything but IATI 2.01-2.03 activities."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (exc.lineno, 0)) or (0, 0)
        raise IatiFileError(
            _("%(file)s is not well-formed XML: %(error)s (line %(line)s, column %(column)s).")
            % {"file": name, "error": exc.msg, "line": line, "column": column}
        ) from exc
    if root is None:
        raise IatiFileError(_("%(file)s is empty.") % {"file": name})
    if root.tag == "iati-organisations":
        raise IatiFileError(
            _("%(file)s is an IATI organisation file; import-iati reads activity files.")
            % {"file": name}
        )
    if root.tag != "iati-activities":
        raise IatiFileError(
            _(
                "%(file)s is not an IATI activity file: its root element is <%(tag)s>, not "
                "<iati-activities>."
            )
            % {"file": name, "tag": root.tag}
        )
    version = (root.get("version") or "").strip()
    if version and version not in SUPPORTED_VERSIONS:
        raise IatiFileError(
            _(
                "%(file)s is IATI version %(version)s; Harambee reads versions %(supported)s "
                "(convert older files with IATI's tools first)."
            )
            % {"file": name, "version": version, "supported": ", ".join(SUPPORTED_VERSIONS)}
        )
    return root


def normalise(root: Any, version: str) -> list[str]:
    """Map the 1.x codes older files keep to 2.03's and note what later versions added; in
    place, line numbers kept; one pass over the elements concerned. Returns what was
    tolerated, counted by kind."""
    counts: dict[tuple[str, ...], int] = {}
    older = version in ("2.01", "2.02")
    newer_attributes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if older:
        for (tag, attribute), since in NEWER_ATTRIBUTES.items():
            if since > version:
                newer_attributes[tag].append((attribute, since))
    newer_elements = {t: s for t, s in NEWER_ELEMENTS.items() if older and s > version}
    tags = {"transaction-type", "participating-org", "sector", *newer_attributes, *newer_elements}
    for element in root.iter(*tags):
        tag = element.tag
        if tag == "transaction-type":
            code = (element.get("code") or "").strip()
            if code in LEGACY_TRANSACTION_TYPES:
                element.set("code", LEGACY_TRANSACTION_TYPES[code])
                key: tuple[str, ...] = ("legacy-type", code)
                counts[key] = counts.get(key, 0) + 1
            elif older and code in TYPE_SINCE and TYPE_SINCE[code] > version:
                key = ("newer-type", code)
                counts[key] = counts.get(key, 0) + 1
        elif tag == "participating-org":
            role = (element.get("role") or "").strip()
            if role.lower() in LEGACY_ROLES:
                element.set("role", LEGACY_ROLES[role.lower()])
                key = ("legacy-role", role)
                counts[key] = counts.get(key, 0) + 1
        elif tag == "sector":
            vocabulary = (element.get("vocabulary") or "").strip()
            if vocabulary in LEGACY_SECTOR_VOCABULARIES:
                element.set("vocabulary", LEGACY_SECTOR_VOCABULARIES[vocabulary])
                key = ("legacy-vocabulary", vocabulary)
                counts[key] = counts.get(key, 0) + 1
        if tag in newer_elements:
            key = ("newer-element", tag)
            counts[key] = counts.get(key, 0) + 1
        for attribute, _since in newer_attributes.get(tag, ()):
            if element.get(attribute) is not None:
                key = ("newer-attribute", tag, attribute)
                counts[key] = counts.get(key, 0) + 1
    return [f"{_tolerated(key, version)} ({n})" for key, n in counts.items()]


def _tolerated(key: tuple[str, ...], version: str) -> str:
    kind = key[0]
    if kind == "legacy-type":
        return _("1.x transaction type %(code)s read as %(new)s") % {
            "code": key[1],
            "new": LEGACY_TRANSACTION_TYPES[key[1]],
        }
    if kind == "newer-type":
        return _("transaction type %(code)s (from IATI %(since)s) in a %(version)s file") % {
            "code": key[1],
            "since": TYPE_SINCE[key[1]],
            "version": version,
        }
    if kind == "legacy-role":
        return _("1.x participating-org role “%(role)s”") % {"role": key[1]}
    if kind == "legacy-vocabulary":
        return _("1.x sector vocabulary “%(vocabulary)s”") % {"vocabulary": key[1]}
    if kind == "newer-element":
        return _("<%(tag)s> (from IATI %(since)s) in a %(version)s file") % {
            "tag": key[1],
            "since": NEWER_ELEMENTS[key[1]],
            "version": version,
        }
    return _("@%(attribute)s on <%(tag)s> (from IATI %(since)s) in a %(version)s file") % {
        "attribute": key[2],
        "tag": key[1],
        "since": NEWER_ATTRIBUTES[(key[1], key[2])],
        "version": version,
    }


def validate(root: Any) -> list[str]:
    """The schema's complaints, each with its line number (at most MAX_ERRORS, then a count)."""
    schema = activity_schema()
    if schema.validate(root):
        return []
    errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
    if len(errors) > MAX_ERRORS:
        errors = [*errors[:MAX_ERRORS], _("... and %(n)s more.") % {"n": len(errors) - MAX_ERRORS}]
    return errors


# --- reading ------------------------------------------------------------------------------------


class _Skip(Exception):
    """A record that cannot be read (only when forced past the schema)."""


def _narrative(element: Any) -> str:
    if element is None:
        return ""
    for child in element:
        if child.tag == "narrative" and child.text:
            return " ".join(child.text.split())
    return " ".join((element.text or "").split())


def _date(value: str | None, line: int, what: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise IatiFileError(
            _("line %(line)s: %(what)s “%(value)s” is not a date.")
            % {"line": line, "what": what, "value": value}
        ) from exc


def _decimal(value: str | None, line: int, what: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise IatiFileError(
            _("line %(line)s: %(what)s “%(value)s” is not a number.")
            % {"line": line, "what": what, "value": value.strip()}
        ) from exc
    if not number.is_finite():
        raise IatiFileError(
            _("line %(line)s: %(what)s is not a number.") % {"line": line, "what": what}
        )
    return number


def _org(element: Any) -> OrgRecord:
    return OrgRecord(
        ref=(element.get("ref") or "").strip()[:255],
        name=_narrative(element)[:500],
        org_type=(element.get("type") or "").strip()[:4],
        activity_ref=(
            element.get("provider-activity-id")
            or element.get("receiver-activity-id")
            or element.get("activity-id")
            or ""
        ).strip()[:255],
        role=(element.get("role") or "").strip()[:4],
        crs_channel_code=(element.get("crs-channel-code") or "").strip(),
    )


_currency_ok: dict[str, bool] = {}


def _currency(code: str | None, default: str, line: int) -> str:
    currency = (code or default or "").strip().upper()
    if not currency:
        raise IatiFileError(
            _("line %(line)s: the value has no currency and the activity no default-currency.")
            % {"line": line}
        )
    known = _currency_ok.get(currency)
    if known is None:
        known = _currency_ok[currency] = is_known_currency(currency)
    if not known:
        raise IatiFileError(
            _("line %(line)s: unknown currency “%(code)s”.") % {"line": line, "code": currency}
        )
    return currency


def _value(
    element: Any, default_currency: str, line: int, what: str
) -> tuple[Decimal, str, datetime.date | None]:
    if element is None:
        raise _Skip(_("line %(line)s: <%(what)s> has no value.") % {"line": line, "what": what})
    amount = _decimal(element.text, element.sourceline or line, "value")
    if amount is None:
        raise _Skip(_("line %(line)s: <%(what)s> has no value.") % {"line": line, "what": what})
    currency = _currency(element.get("currency"), default_currency, element.sourceline or line)
    return (
        amount,
        currency,
        _date(element.get("value-date"), element.sourceline or line, "value-date"),
    )


def _transaction(element: Any, activity: ActivityRecord) -> TransactionRecord:
    line = element.sourceline or activity.line
    type_code = ""
    date: datetime.date | None = None
    value_element = None
    record = TransactionRecord(line, "", datetime.date.min, Decimal(0), "", datetime.date.min)
    for child in element:
        tag = child.tag
        if tag == "transaction-type":
            type_code = (child.get("code") or "").strip()
        elif tag == "transaction-date":
            date = _date(child.get("iso-date"), child.sourceline or line, "transaction-date")
        elif tag == "value":
            value_element = child
        elif tag == "description":
            record.description = _narrative(child)
        elif tag == "provider-org":
            record.provider = _org(child)
        elif tag == "receiver-org":
            record.receiver = _org(child)
        elif tag == "sector":
            record.sectors.append(
                (
                    (child.get("vocabulary") or "1").strip(),
                    (child.get("code") or "").strip(),
                    _narrative(child),
                    None,
                )
            )
        elif tag == "recipient-country":
            record.countries.append(((child.get("code") or "").strip().upper(), None))
        elif tag in (
            "aid-type",
            "finance-type",
            "flow-type",
            "tied-status",
            "disbursement-channel",
        ):
            record.extra[tag] = (child.get("code") or "").strip()
    if not type_code:
        raise _Skip(_("line %(line)s: a transaction without a transaction-type.") % {"line": line})
    amount, currency, value_date = _value(
        value_element, activity.default_currency, line, "transaction"
    )
    if date is None:
        date = value_date
    if date is None:
        raise _Skip(_("line %(line)s: a transaction without a date.") % {"line": line})
    record.type = type_code
    record.date = date
    record.value = amount
    record.currency = currency
    record.value_date = value_date or date
    record.ref = (element.get("ref") or "").strip()[:255]
    humanitarian = element.get("humanitarian")
    if humanitarian is not None:
        record.humanitarian = humanitarian.strip() in ("1", "true")
    return record


def transaction_identity(activity: str, record: TransactionRecord) -> str:
    """IATI transactions have no id: this is one, from what identifies the money (activity,
    type, date, amount, currency, provider, receiver, the publisher's own ref)."""
    parts = [
        activity,
        record.type,
        record.date.isoformat(),
        format(record.value.normalize(), "f"),
        record.currency,
        record.provider.identity if record.provider else "",
        record.receiver.identity if record.receiver else "",
        record.ref,
    ]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:32]


def _budget(element: Any, kind: str, activity: ActivityRecord) -> BudgetRecord:
    line = element.sourceline or activity.line
    start = end = None
    value_element = None
    provider = receiver = None
    for child in element:
        tag = child.tag
        if tag == "period-start":
            start = _date(child.get("iso-date"), child.sourceline or line, "period-start")
        elif tag == "period-end":
            end = _date(child.get("iso-date"), child.sourceline or line, "period-end")
        elif tag == "value":
            value_element = child
        elif tag == "provider-org":
            provider = _org(child)
        elif tag == "receiver-org":
            receiver = _org(child)
    what = "budget" if kind == "budget" else "planned-disbursement"
    amount, currency, value_date = _value(value_element, activity.default_currency, line, what)
    return BudgetRecord(
        line,
        kind,
        (element.get("type") or "").strip()[:4],
        (element.get("status") or "").strip()[:4],
        start,
        end,
        amount,
        currency,
        value_date or start,
        provider,
        receiver,
    )


def _percentage(element: Any) -> Decimal | None:
    return _decimal(element.get("percentage"), element.sourceline or 0, "percentage")


def _identity(element: Any) -> tuple[str, str]:
    line = element.sourceline or 0
    identifier = ""
    for child in element:
        if child.tag == "iati-identifier":
            identifier = " ".join((child.text or "").split())
            break
    if not identifier:
        raise _Skip(_("line %(line)s: an activity without an iati-identifier.") % {"line": line})
    return identifier[:255], hashlib.sha256(etree.tostring(element)).hexdigest()


def _activity(element: Any, bundle: IatiBundle, identifier: str, sha256: str) -> ActivityRecord:
    line = element.sourceline or 0
    record = ActivityRecord(
        line=line,
        identifier=identifier,
        sha256=sha256,
        default_currency=(element.get("default-currency") or "").strip().upper(),
    )
    hierarchy = (element.get("hierarchy") or "").strip()
    record.hierarchy = int(hierarchy) if hierarchy.isdigit() else None
    updated = element.get("last-updated-datetime")
    if updated:
        try:
            stamp = datetime.datetime.fromisoformat(updated.strip().replace("Z", "+00:00"))
            record.last_updated = stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.UTC)
        except ValueError:
            record.last_updated = None
    humanitarian = element.get("humanitarian")
    if humanitarian is not None:
        record.humanitarian = humanitarian.strip() in ("1", "true")
    transactions: list[Any] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == "transaction":
            transactions.append(child)
        elif tag == "reporting-org":
            record.reporting = _org(child)
        elif tag == "title":
            record.title = _narrative(child)[:1000]
        elif tag == "description" and not record.description:
            record.description = _narrative(child)
        elif tag == "participating-org":
            record.participants.append(_org(child))
        elif tag == "activity-status":
            record.status_code = (child.get("code") or "").strip()[:4]
        elif tag == "activity-date":
            day = _date(child.get("iso-date"), child.sourceline or line, "activity-date")
            if day is not None:
                record.dates[(child.get("type") or "").strip()] = day
        elif tag == "recipient-country":
            record.countries.append(
                ((child.get("code") or "").strip().upper(), _percentage(child), _narrative(child))
            )
        elif tag == "recipient-region":
            record.regions.append(
                (
                    (child.get("code") or "").strip(),
                    _percentage(child),
                    (child.get("vocabulary") or "1"),
                )
            )
        elif tag == "sector":
            record.sectors.append(
                (
                    (child.get("vocabulary") or "1").strip(),
                    (child.get("code") or "").strip(),
                    _narrative(child),
                    _percentage(child),
                )
            )
        elif tag == "country-budget-items":
            vocabulary = (child.get("vocabulary") or "").strip()
            for item in child:
                if item.tag == "budget-item":
                    description = ""
                    for part in item:
                        if part.tag == "description":
                            description = _narrative(part)
                    record.budget_items.append(
                        (
                            vocabulary,
                            (item.get("code") or "").strip(),
                            description,
                            _percentage(item),
                        )
                    )
        elif tag == "humanitarian-scope":
            record.humanitarian_scopes.append(
                (
                    (child.get("type") or "").strip(),
                    (child.get("vocabulary") or "").strip(),
                    (child.get("code") or "").strip(),
                    _narrative(child),
                )
            )
        elif tag == "location":
            _location(child, record)
        elif tag == "related-activity":
            if (child.get("type") or "").strip() == "1" and not record.parent_identifier:
                record.parent_identifier = (child.get("ref") or "").strip()[:255]
        elif tag == "budget":
            _keep(bundle, lambda c=child: record.budgets.append(_budget(c, "budget", record)))
        elif tag == "planned-disbursement":
            _keep(bundle, lambda c=child: record.budgets.append(_budget(c, "planned", record)))
    seen: dict[str, int] = {}
    for child in transactions:
        try:
            transaction = _transaction(child, record)
        except _Skip as exc:
            if not bundle.schema_errors:
                raise IatiFileError(str(exc)) from exc
            bundle.skipped.append(str(exc))
            continue
        identity = transaction_identity(record.identifier, transaction)
        seen[identity] = seen.get(identity, 0) + 1
        # The same transaction twice in an activity (it happens): the second is "<id>-2".
        transaction.source_id = identity if seen[identity] == 1 else f"{identity}-{seen[identity]}"
        record.transactions.append(transaction)
    return record


def _keep(bundle: IatiBundle, read: Any) -> None:
    try:
        read()
    except _Skip as exc:
        if not bundle.schema_errors:
            raise IatiFileError(str(exc)) from exc
        bundle.skipped.append(str(exc))


def _location(element: Any, record: ActivityRecord) -> None:
    name = ""
    latitude = longitude = None
    codes: list[tuple[str, str]] = []
    for child in element:
        if child.tag == "name":
            name = _narrative(child)
        elif child.tag == "administrative":
            codes.append(
                ((child.get("vocabulary") or "").strip(), (child.get("code") or "").strip())
            )
        elif child.tag == "point":
            for pos in child:
                if pos.tag == "pos" and pos.text:
                    parts = pos.text.split()
                    if len(parts) == 2:
                        try:
                            latitude, longitude = float(parts[0]), float(parts[1])
                        except ValueError:
                            latitude = longitude = None
                    if latitude is None or longitude is None:
                        continue
                    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                        latitude = longitude = None
    record.locations.append((name[:255], latitude, longitude, codes))


def read(
    name: str,
    content: bytes,
    *,
    force: bool = False,
    held: Callable[[list[str]], dict[str, str]] | None = None,
) -> IatiBundle:
    """Parse, normalise, validate and read a file; raise (nothing written) as the module says.
    `held` gives the fingerprints held for identifiers: those activities are not read again."""
    bundle = IatiBundle(name=name, sha256=hashlib.sha256(content).hexdigest())
    root = parse(name, content)
    bundle.version = (root.get("version") or "").strip()
    bundle.tolerated = normalise(root, bundle.version)
    errors = validate(root)
    if errors and not force:
        raise IatiSchemaError(
            _(
                "%(file)s does not follow the IATI 2.03 schema; nothing was imported (import it "
                "anyway with --force):"
            )
            % {"file": name}
            + "\n"
            + "\n".join(errors)
        )
    bundle.schema_errors = errors
    problems: list[str] = []
    elements = []
    for element in root:
        if element.tag != "iati-activity":
            continue
        try:
            elements.append((element, *_identity(element)))
        except _Skip as exc:
            if not errors:
                problems.append(str(exc))
            else:
                bundle.skipped.append(str(exc))
    fingerprints = held([e[1] for e in elements]) if held is not None else {}
    last = {identifier: index for index, (_e, identifier, _s) in enumerate(elements)}
    for index, (element, identifier, sha256) in enumerate(elements):
        if last[identifier] != index:
            # The same activity twice in a file: the later one stands (as in IATI's tools).
            bundle.duplicates += 1
            continue
        if fingerprints.get(identifier) == sha256:
            types = [
                (t.get("code") or "").strip()
                for t in element.iterfind("transaction/transaction-type")
            ]
            bundle.unchanged.append((identifier, types))
            continue
        try:
            record = _activity(element, bundle, identifier, sha256)
        except _Skip as exc:
            if not errors:
                problems.append(str(exc))
            else:
                bundle.skipped.append(str(exc))
            continue
        except IatiFileError as exc:
            problems.append(exc.message)
            if len(problems) >= MAX_ERRORS:
                break
            continue
        bundle.activities.append(record)
    if problems:
        raise IatiFileError(
            _("%(file)s: nothing was imported, %(n)s problems:")
            % {"file": name, "n": len(problems)}
            + "\n"
            + "\n".join(problems)
        )
    return bundle
