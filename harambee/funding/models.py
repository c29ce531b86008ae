"""Money: funding flows from pledge to spending, plans and their requirements, pooled funds,
exchange rates, and diaspora money kept beside aid.

A flow is an edge between typed parties (FTS's model): several parties per side, each linked to
what Harambee holds (organisation, country, sector, ...) where it was reconciled, always with
the source's own id and name beside. Every total goes through `counting.py`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from harambee.core.access import Access
from harambee.core.choices import Permission
from harambee.core.models import BaseModel, RestrictedManager, RestrictedModel

from .choices import (
    AggregateKind,
    Behavior,
    Boundary,
    Channel,
    ContributionType,
    CountingReason,
    FlowStatus,
    FlowType,
    FundStage,
    FundType,
    OnBoundary,
    PartyKind,
    PlanKind,
    Side,
    SourceSystem,
)


class ExchangeRate(BaseModel):
    """Units of `currency` per US dollar on `date`, as `source` published it."""

    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    rate = models.DecimalField(_("units per US dollar"), max_digits=30, decimal_places=12)
    source = models.CharField(_("source"), max_length=100)
    frequency = models.CharField(
        _("frequency"), max_length=1, blank=True, help_text=_("M monthly, D daily, A annual.")
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date", "source"], name="exchangerate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} / USD ({self.date}, {self.source})"


class Plan(BaseModel):
    """A response or development plan: humanitarian or refugee response plan, national
    development plan, compact. Requirements by sector and place in PlanRequirement."""

    name = models.CharField(_("name"), max_length=500)
    code = models.CharField(_("code"), max_length=64, blank=True, help_text=_("e.g. HJOR20"))
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    kind_original = models.CharField(_("kind as the source says"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    countries = models.ManyToManyField(
        "places.Country", verbose_name=_("countries"), blank=True, related_name="funding_plans"
    )
    emergency = models.ForeignKey(
        "places.Emergency",
        verbose_name=_("emergency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    original_requirements_usd = models.DecimalField(
        _("original requirements (USD)"),
        null=True,
        blank=True,
        max_digits=20,
        decimal_places=2,
    )
    requirements_usd = models.DecimalField(
        _("requirements (USD)"),
        null=True,
        blank=True,
        help_text=_("Revised requirements when the plan was revised."),
        max_digits=20,
        decimal_places=2,
    )
    reported_funding_usd = models.DecimalField(
        _("funding as the source reports it (USD)"),
        null=True,
        blank=True,
        help_text=_("Kept for comparison; Harambee's own total comes from the flows."),
        max_digits=20,
        decimal_places=2,
    )
    source_system = models.CharField(
        _("source system"), max_length=8, choices=SourceSystem.choices, default=SourceSystem.MANUAL
    )
    source_id = models.CharField(_("id in the source"), max_length=64, blank=True)
    source_version = models.CharField(_("version in the source"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~Q(source_id=""),
                name="plan_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:plan-detail", args=[self.pk])


class PlanRequirement(BaseModel):
    """What a plan asks for in one sector and/or place (either may be empty: the whole plan)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="requirements"
    )
    sector = models.ForeignKey(
        "activities.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_requirements",
    )
    sector_name = models.CharField(_("sector as the source names it"), max_length=255, blank=True)
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_requirements",
    )
    admin_area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("admin area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_requirements",
    )
    place_name = models.CharField(_("place as the source names it"), max_length=255, blank=True)
    amount_usd = models.DecimalField(_("requirements (USD)"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("plan requirement")
        verbose_name_plural = _("plan requirements")
        ordering = ["plan", "sector_name", "place_name"]

    def __str__(self) -> str:
        where = " / ".join(x for x in (self.sector_name, self.place_name) if x)
        return f"{self.plan}: {where or _('whole plan')}"


class PooledFund(BaseModel):
    """A multi-donor fund (country-based pooled fund, CERF, a trust fund)."""

    name = models.CharField(_("name"), max_length=500)
    code = models.CharField(_("code"), max_length=64, blank=True)
    fund_type = models.CharField(
        _("type"), max_length=16, choices=FundType.choices, default=FundType.OTHER
    )
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pooled_funds",
        help_text=_("Empty for a global fund."),
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation in the network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pooled_funds",
    )
    currency = models.CharField(_("currency of account"), max_length=3, default="USD")
    source_system = models.CharField(
        _("source system"), max_length=8, choices=SourceSystem.choices, default=SourceSystem.MANUAL
    )
    source_id = models.CharField(_("id in the source"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("pooled fund")
        verbose_name_plural = _("pooled funds")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~Q(source_id=""),
                name="pooledfund_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:pooled-fund-detail", args=[self.pk])


class PooledFundEntry(RestrictedModel):
    """One movement of a pooled fund at one stage: a donor's commitment or deposit, a transfer to
    a participating organisation, or that organisation's expenditure."""

    fund = models.ForeignKey(
        PooledFund, verbose_name=_("pooled fund"), on_delete=models.CASCADE, related_name="entries"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=FundStage.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("donor or participating organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pooled_fund_entries",
    )
    organisation_name = models.CharField(
        _("organisation as the source names it"), max_length=500, blank=True
    )
    date = models.DateField(_("date"))
    original_amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    original_currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(
        _("exchange rate (units per USD)"),
        null=True,
        blank=True,
        max_digits=30,
        decimal_places=12,
    )
    exchange_rate_date = models.DateField(_("rate date"), null=True, blank=True)
    exchange_rate_source = models.CharField(_("rate source"), max_length=100, blank=True)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2)
    flow = models.ForeignKey(
        "Flow",
        verbose_name=_("flow"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pooled_fund_entries",
        help_text=_("The flow that records this movement, when there is one."),
    )
    source_system = models.CharField(
        _("source system"), max_length=8, choices=SourceSystem.choices, default=SourceSystem.MANUAL
    )
    source_id = models.CharField(_("id in the source"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("pooled fund entry")
        verbose_name_plural = _("pooled fund entries")
        ordering = ["fund", "date", "pk"]
        indexes = [models.Index(fields=["fund", "stage"], name="fundentry_fund_stage")]

    def __str__(self) -> str:
        return f"{self.fund} — {self.get_stage_display()} {self.amount_usd} USD"


class FundingImport(BaseModel):
    """One run of an import: which files, what it did. Flows point to the run that last wrote them."""

    source_system = models.CharField(_("source system"), max_length=8, choices=SourceSystem.choices)
    kind = models.CharField(_("kind of file"), max_length=32)
    files = models.JSONField(_("files"), default=list, help_text=_("Name and SHA-256 of each."))
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("money import")
        verbose_name_plural = _("money imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        names = ", ".join(f.get("name", "") for f in self.files[:3])
        return f"{self.get_source_system_display()}: {names}"


class Flow(RestrictedModel):
    """Money moving from source parties to destination parties at one stage.

    Counted in totals only as `counting.py` says. `boundary` and `on_boundary` are as the
    source reported them for the place and year of the report (FTS computes them per search).
    """

    # Where the record came from: the system, its id there and its version there.
    source_system = models.CharField(_("source system"), max_length=8, choices=SourceSystem.choices)
    source_id = models.CharField(_("id in the source"), max_length=128, blank=True)
    source_version = models.PositiveIntegerField(_("version in the source"), default=1)
    import_run = models.ForeignKey(
        FundingImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flows",
    )
    reporting_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_flows",
    )
    reporting_organisation_name = models.CharField(
        _("reported by (as the source names it)"), max_length=500, blank=True
    )
    report_details = models.JSONField(_("report details"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    ref_code = models.CharField(_("reference code"), max_length=255, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=FlowStatus.choices)
    status_original = models.CharField(
        _("status as the source says"),
        max_length=64,
        blank=True,
        help_text=_("e.g. FTS 'paid', IATI transaction type '3' (disbursement)."),
    )
    iati_transaction_type = models.CharField(_("IATI transaction type"), max_length=4, blank=True)
    boundary = models.CharField(_("boundary"), max_length=16, choices=Boundary.choices)
    on_boundary = models.CharField(
        _("on the boundary"), max_length=8, choices=OnBoundary.choices, default=OnBoundary.SINGLE
    )
    flow_type = models.CharField(
        _("flow type"), max_length=16, choices=FlowType.choices, default=FlowType.STANDARD
    )
    contribution_type = models.CharField(
        _("contribution type"),
        max_length=16,
        choices=ContributionType.choices,
        default=ContributionType.FINANCIAL,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    budget_classification_code = models.CharField(
        _("budget classification code"),
        max_length=64,
        blank=True,
        help_text=_("The host government's budget line, when the money is on budget."),
    )
    budget_vocabulary = models.CharField(
        _("budget classification vocabulary"), max_length=8, blank=True
    )
    new_money = models.BooleanField(_("new money"), default=True)
    is_humanitarian = models.BooleanField(_("humanitarian"), null=True, blank=True)

    # Dates.
    date = models.DateField(_("date"), null=True, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    first_reported_date = models.DateField(_("first reported"), null=True, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    budget_year = models.PositiveSmallIntegerField(_("budget year"), null=True, blank=True)

    # Amounts: as given, the rate used (units per USD) with its date and source, and USD.
    original_amount = models.DecimalField(
        _("original amount"),
        null=True,
        blank=True,
        max_digits=20,
        decimal_places=2,
    )
    original_currency = models.CharField(
        _("original currency"),
        max_length=3,
        blank=True,
        help_text=_("Empty when the source gives the amount in US dollars only."),
    )
    exchange_rate = models.DecimalField(
        _("exchange rate (units per USD)"),
        null=True,
        blank=True,
        max_digits=30,
        decimal_places=12,
    )
    exchange_rate_date = models.DateField(_("rate date"), null=True, blank=True)
    exchange_rate_source = models.CharField(_("rate source"), max_length=100, blank=True)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2)

    # Parent and children, by the source's ids so a parent that arrives later links up.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent flow"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    parent_source_id = models.CharField(_("parent's id in the source"), max_length=128, blank=True)
    parent_missing = models.BooleanField(
        _("parent not held"),
        default=False,
        help_text=_("The source names a parent flow Harambee does not hold (yet)."),
    )
    child_source_ids = models.JSONField(_("children's ids in the source"), default=list, blank=True)
    repeats_parent = models.BooleanField(
        _("repeats its parent's money"),
        default=False,
        help_text=_(
            "The parent flow already carries this money (an implementer reporting funds received "
            "that the donor reports as a disbursement). FTS parent and child flows never do."
        ),
    )
    counted_upstream = models.BooleanField(
        _("counted upstream"),
        default=False,
        editable=False,
        help_text=_("Derived: an ancestor this flow repeats is counted, so this one is not."),
    )

    # IATI traceability.
    provider_activity_id = models.CharField(_("provider activity id"), max_length=255, blank=True)
    receiver_activity_id = models.CharField(_("receiver activity id"), max_length=255, blank=True)
    iati_activity = models.ForeignKey(
        "IatiActivity",
        verbose_name=_("IATI activity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flows",
        help_text=_("The IATI activity whose transaction this flow is."),
    )
    extra = models.JSONField(
        _("other source fields"),
        default=dict,
        blank=True,
        help_text=_("Fields the source gives that have no column (keywords, method, earmarking)."),
    )

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "report_details")

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["boundary", "status", "on_boundary"], name="flow_counting"),
            models.Index(fields=["source_system", "parent_source_id"], name="flow_parent_source"),
            models.Index(fields=["provider_activity_id"], name="flow_provider_activity"),
            models.Index(fields=["channel"], name="flow_channel"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id"],
                condition=~Q(source_id=""),
                name="flow_source_unique",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="flow_not_own_parent"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_source_system_display()} {self.source_id or self.pk}: {self.amount_usd} USD"
        )

    def get_absolute_url(self) -> str:
        return reverse("funding:flow-detail", args=[self.pk])


class FlowPart(BaseModel):
    """Part of a flow: seen by whoever may see the flow, changed with it."""

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        needed = Permission.VIEW if action == Permission.VIEW else Permission.CHANGE
        return Q(flow__in=Flow.objects.restrict_access(access, needed))


class FlowParty(FlowPart):
    """One end of a flow (a flow has several on each side, as in FTS): what it is, the source's
    own id and name, and what Harambee holds for it when reconciled."""

    flow = models.ForeignKey(
        Flow, verbose_name=_("flow"), on_delete=models.CASCADE, related_name="parties"
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    behavior = models.CharField(
        _("behaviour"), max_length=8, choices=Behavior.choices, default=Behavior.SINGLE
    )
    # The source's own words.
    source_type = models.CharField(_("type in the source"), max_length=64, blank=True)
    source_id = models.CharField(_("id in the source"), max_length=128, blank=True)
    name = models.CharField(_("name in the source"), max_length=500, blank=True)
    code = models.CharField(
        _("code"),
        max_length=128,
        blank=True,
        help_text=_("Project code, budget line code, plan code, IATI activity id."),
    )
    vocabulary = models.CharField(_("code vocabulary"), max_length=16, blank=True)
    organisation_types = models.JSONField(_("organisation types"), default=list, blank=True)
    # What Harambee holds (one of these, by kind), when reconciled.
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    pooled_fund = models.ForeignKey(
        PooledFund,
        verbose_name=_("pooled fund"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    admin_area = models.ForeignKey(
        "places.AdminArea",
        verbose_name=_("admin area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    emergency = models.ForeignKey(
        "places.Emergency",
        verbose_name=_("emergency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    sector = models.ForeignKey(
        "activities.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_parties",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    # Grouping identity and label, kept current by the services: the linked object when
    # reconciled ("sector:12"), else the source's ("fts:GlobalCluster:4").
    key = models.CharField(_("grouping key"), max_length=200, editable=False)
    source_key = models.CharField(
        _("identity in the source"),
        max_length=200,
        editable=False,
        help_text=_("Two parties of a kind with different source identities make a flow shared."),
    )
    label = models.CharField(_("label"), max_length=500, editable=False, blank=True)

    class Meta:
        verbose_name = _("flow party")
        verbose_name_plural = _("flow parties")
        ordering = ["flow", "side", "kind", "pk"]
        indexes = [
            models.Index(fields=["kind", "side", "flow"], name="flowparty_kind_side"),
            models.Index(fields=["country", "kind"], name="flowparty_country"),
            models.Index(fields=["kind", "year"], name="flowparty_year"),
            models.Index(fields=["kind", "source_id"], name="flowparty_source"),
            # Covering: the flows of a country, or of a usage year, read from the index alone.
            models.Index(fields=["kind", "country", "flow"], name="flowparty_kind_country"),
            models.Index(fields=["kind", "year", "flow"], name="flowparty_kind_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.get_kind_display()}: {self.label or self.name}"

    LINKS: ClassVar[dict[str, str]] = {
        PartyKind.ORGANISATION: "organisation",
        PartyKind.POOLED_FUND: "pooled_fund",
        PartyKind.PLAN: "plan",
        PartyKind.LOCATION: "country",
        PartyKind.EMERGENCY: "emergency",
        PartyKind.SECTOR: "sector",
        PartyKind.CLUSTER: "sector",
        PartyKind.PROJECT: "activity",
    }

    def refresh_key(self) -> None:
        """Set `key` and `label` from the linked object, else from the source's id and name."""
        ident = self.source_id or self.code or self.name
        self.source_key = f"{self.source_type or self.kind}:{ident}"[:200]
        if self.kind == PartyKind.USAGE_YEAR and self.year:
            self.key, self.label = f"year:{self.year}", str(self.year)
            return
        if self.kind == PartyKind.LOCATION and self.admin_area_id:
            self.key, self.label = f"area:{self.admin_area_id}", self.name
            return
        link = self.LINKS.get(self.kind)
        linked_id = getattr(self, f"{link}_id") if link else None
        if link and linked_id is not None:
            self.key = f"{link}:{linked_id}"
        else:
            self.key = self.source_key
        self.label = self.name or self.code or self.source_id


class AggregateFlow(RestrictedModel):
    """Diaspora remittances or philanthropy in aggregate (a corridor over a period), shown
    beside aid and never added to aid totals."""

    kind = models.CharField(_("kind"), max_length=16, choices=AggregateKind.choices)
    origin_country = models.ForeignKey(
        "places.Country",
        verbose_name=_("from country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_name = models.CharField(_("from (as the source says)"), max_length=255, blank=True)
    destination_country = models.ForeignKey(
        "places.Country",
        verbose_name=_("to country"),
        on_delete=models.PROTECT,
        related_name="aggregate_flows_in",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    original_amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    original_currency = models.CharField(_("currency"), max_length=3, default="USD")
    exchange_rate = models.DecimalField(
        _("exchange rate (units per USD)"),
        null=True,
        blank=True,
        max_digits=30,
        decimal_places=12,
    )
    exchange_rate_date = models.DateField(_("rate date"), null=True, blank=True)
    exchange_rate_source = models.CharField(_("rate source"), max_length=100, blank=True)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2)
    source = models.CharField(_("source"), max_length=500, help_text=_("e.g. World Bank KNOMAD"))
    source_url = models.URLField(_("source address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("aggregate diaspora flow")
        verbose_name_plural = _("aggregate diaspora flows")
        ordering = ["destination_country_id", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="aggregateflow_period_order",
            ),
        ]

    def __str__(self) -> str:
        origin = self.origin_name or (self.origin_country_id or "?")
        return f"{self.get_kind_display()} {origin} → {self.destination_country_id}"


# --- IATI -----------------------------------------------------------------------------------------


class IatiActivity(RestrictedModel):
    """An IATI activity as published (identified by its iati-identifier), with its transactions
    as flows (Flow.iati_activity), its participating organisations, classifications, budgets and
    planned disbursements. Linked to the who-does-what-where activity it feeds, when one could
    be made (a single recipient country, an implementing organisation, a sector)."""

    iati_identifier = models.CharField(_("IATI identifier"), max_length=255, unique=True)
    hierarchy = models.PositiveSmallIntegerField(_("hierarchy"), null=True, blank=True)
    parent_identifier = models.CharField(
        _("parent activity"), max_length=255, blank=True, help_text=_("related-activity type 1")
    )
    reporting_org_ref = models.CharField(
        _("reporting organisation ref"), max_length=255, blank=True
    )
    reporting_org_name = models.CharField(_("reporting organisation"), max_length=500, blank=True)
    reporting_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("reporting organisation in the network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_activities_reported",
    )
    title = models.CharField(_("title"), max_length=1000, blank=True)
    description = models.TextField(_("description"), blank=True)
    status_code = models.CharField(_("IATI activity status"), max_length=4, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    default_currency = models.CharField(_("default currency"), max_length=3, blank=True)
    humanitarian = models.BooleanField(_("humanitarian"), null=True, blank=True)
    recipient_countries = models.JSONField(_("recipient countries"), default=list, blank=True)
    recipient_regions = models.JSONField(_("recipient regions"), default=list, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    country = models.ForeignKey(
        "places.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_activities",
        help_text=_("The recipient country, when the activity has exactly one."),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("who-does-what-where activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_activities",
    )
    file_version = models.CharField(_("IATI version of the file"), max_length=8, blank=True)
    last_updated = models.DateTimeField(_("last updated (publisher)"), null=True, blank=True)
    content_sha256 = models.CharField(_("fingerprint of the published record"), max_length=64)
    import_run = models.ForeignKey(
        FundingImport,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_activities",
    )
    extra = models.JSONField(_("other fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("IATI activity")
        verbose_name_plural = _("IATI activities")
        ordering = ["iati_identifier"]

    def __str__(self) -> str:
        return f"{self.iati_identifier}: {self.title}"[:255]


class IatiPart(BaseModel):
    """Part of an IATI activity: seen by whoever may see the activity."""

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        needed = Permission.VIEW if action == Permission.VIEW else Permission.CHANGE
        return Q(iati_activity__in=IatiActivity.objects.restrict_access(access, needed))


class IatiParticipant(IatiPart):
    """A participating organisation of an IATI activity (role 1 funding, 2 accountable,
    3 extending, 4 implementing), reconciled with the network when sure."""

    iati_activity = models.ForeignKey(
        IatiActivity,
        verbose_name=_("IATI activity"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    role = models.CharField(_("role"), max_length=4)
    ref = models.CharField(_("organisation ref"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=500, blank=True)
    org_type = models.CharField(_("IATI organisation type"), max_length=4, blank=True)
    activity_ref = models.CharField(_("its own activity"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation in the network"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="iati_participations",
    )
    match = models.CharField(
        _("reconciliation"),
        max_length=16,
        blank=True,
        help_text=_("matched, created, uncertain (left for review) or unnamed."),
    )

    class Meta:
        verbose_name = _("IATI participating organisation")
        verbose_name_plural = _("IATI participating organisations")
        ordering = ["iati_activity", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.name or self.ref} ({self.role})"


class IatiClassification(IatiPart):
    """What an IATI activity says about all its transactions (recipient countries, sectors,
    country budget items, humanitarian scope, the activity itself): the destination parties each
    of its flows gets, unless a transaction says otherwise. Same columns as FlowParty."""

    iati_activity = models.ForeignKey(
        IatiActivity,
        verbose_name=_("IATI activity"),
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    behavior = models.CharField(
        _("behaviour"), max_length=8, choices=Behavior.choices, default=Behavior.SINGLE
    )
    source_type = models.CharField(_("type in the source"), max_length=64, blank=True)
    source_id = models.CharField(_("id in the source"), max_length=128, blank=True)
    name = models.CharField(_("name in the source"), max_length=500, blank=True)
    code = models.CharField(_("code"), max_length=128, blank=True)
    vocabulary = models.CharField(_("code vocabulary"), max_length=16, blank=True)
    percentage = models.DecimalField(
        _("percentage"), null=True, blank=True, max_digits=7, decimal_places=4
    )
    organisation = models.ForeignKey(
        "network.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    country = models.ForeignKey(
        "places.Country", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    admin_area = models.ForeignKey(
        "places.AdminArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    emergency = models.ForeignKey(
        "places.Emergency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sector = models.ForeignKey(
        "activities.Sector", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(_("grouping key"), max_length=200)
    source_key = models.CharField(_("identity in the source"), max_length=200)
    label = models.CharField(_("label"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("IATI classification")
        verbose_name_plural = _("IATI classifications")
        ordering = ["iati_activity", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}"


class IatiBudget(IatiPart):
    """A budget or planned disbursement of an IATI activity, in its currency and in USD."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        PLANNED_DISBURSEMENT = "planned", _("Planned disbursement")

    iati_activity = models.ForeignKey(
        IatiActivity,
        verbose_name=_("IATI activity"),
        on_delete=models.CASCADE,
        related_name="budgets",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    type_code = models.CharField(
        _("type"), max_length=4, blank=True, help_text=_("1 original, 2 revised")
    )
    status_code = models.CharField(
        _("status"), max_length=4, blank=True, help_text=_("1 indicative, 2 committed")
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    original_amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    original_currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    exchange_rate = models.DecimalField(
        _("exchange rate (units per USD)"), max_digits=30, decimal_places=12
    )
    exchange_rate_date = models.DateField(_("rate date"))
    exchange_rate_source = models.CharField(_("rate source"), max_length=100)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2)
    provider_ref = models.CharField(_("provider ref"), max_length=255, blank=True)
    provider_name = models.CharField(_("provider"), max_length=500, blank=True)
    receiver_ref = models.CharField(_("receiver ref"), max_length=255, blank=True)
    receiver_name = models.CharField(_("receiver"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("IATI budget")
        verbose_name_plural = _("IATI budgets")
        ordering = ["iati_activity", "kind", "period_start", "pk"]

    def __str__(self) -> str:
        return f"{self.iati_activity_id} {self.kind} {self.period_start}: {self.amount_usd} USD"


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition, on a related model's fields (`visibility` -> `flow__visibility`)."""
    result = Q()
    result.connector = condition.connector
    result.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(_prefixed(child, prefix))
        else:
            lookup, value = child  # type: ignore[misc]
            result.children.append((f"{prefix}{lookup}", value))
    return result


class FlowFact(models.Model):
    """What the counting rule makes of one flow, kept current on every write (see
    `counting.refresh_facts`): why it is counted or not, and its group in each dimension of
    the money pages. A derived summary: never edited, rebuilt from the flow and its parties.
    The pages' totals are sums over these rows; tests prove they equal counting.py's totals
    computed from the flows themselves."""

    flow = models.OneToOneField(
        Flow,
        verbose_name=_("flow"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="fact",
    )
    flow_version = models.PositiveIntegerField(_("flow version"))
    counted_upstream = models.BooleanField(_("counted upstream"))
    reason = models.CharField(
        _("counted or why not"), max_length=12, choices=CountingReason.choices
    )
    status = models.CharField(_("status"), max_length=16)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=20, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    on_budget = models.BooleanField(_("on budget"))
    sector_key = models.CharField(_("sector group"), max_length=200)
    sector_label = models.CharField(_("sector"), max_length=500, blank=True)
    donor_key = models.CharField(_("donor group"), max_length=200)
    donor_label = models.CharField(_("donor"), max_length=500, blank=True)
    year_key = models.CharField(_("usage year group"), max_length=200)
    year_label = models.CharField(_("usage year"), max_length=500, blank=True)
    reporter_key = models.CharField(_("reporter group"), max_length=200)
    reporter_label = models.CharField(_("reported by"), max_length=500, blank=True)

    objects: ClassVar[RestrictedManager] = RestrictedManager()

    class Meta:
        verbose_name = _("counting fact")
        verbose_name_plural = _("counting facts")

    def __str__(self) -> str:
        return f"{self.flow_id}: {self.reason} {self.amount_usd}"  # type: ignore[attr-defined]

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Seen by whoever may see the flow; the flow's rule on a join, not a subquery over
        every flow (this table is read for totals over hundreds of thousands of flows)."""
        condition = Flow.permission_filter(access, action)
        return None if condition is None else _prefixed(condition, "flow__")
