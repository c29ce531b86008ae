"""Commitments and results: pledges made at forums, the frameworks that follow them, the
progress organisations report, and the shared timeline of milestones.

Status is never stored as declared: `status.py` computes it from approved reports. The
`status` and `smart_*` columns on Commitment are caches of those computations, refreshed by
the services whenever what they depend on changes (so lists can filter on them).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harambee.activities.models import PopulationGroup, Sector
from harambee.core.access import Access
from harambee.core.choices import Permission, Role
from harambee.core.models import NOTHING, BaseModel, RestrictedModel
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea, Country

from .choices import (
    CommitmentType,
    Direction,
    ForumKind,
    Frequency,
    IndicatorStatus,
    PlaceAggregation,
    ReportStatus,
    ShareRole,
    SmartElement,
    TimeAggregation,
    Unit,
)

# Actions beyond view/change/delete.
REVIEW = "review"  # approve or send back a progress report


def _editor_condition(access: Access, group_field: str, owner_field: str) -> Q:
    """Editors of the record's group, or editors of the organisation that maintains it."""
    condition = NOTHING
    groups = access.groups_with(Role.EDITOR)
    if groups:
        condition |= Q(**{f"{group_field}__in": groups})
    if access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR):
        condition |= Q(**{owner_field: access.organisation_id})
    return condition


class Forum(BaseModel):
    """Where pledges are made: a refugee forum, a country compact, a summit."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ForumKind.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forums",
        help_text=_("For a country compact: its country."),
    )

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["-date", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("commitments:dashboard-forum", args=[self.pk])

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW or access.is_admin:
            return None
        return None if access.has_role_anywhere(Role.EDITOR) else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class GroupRules(BaseModel):
    """What a group requires of the commitments followed in it (SMART elements)."""

    group = models.OneToOneField(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="commitment_rules"
    )
    required = models.CharField(
        _("required elements"),
        max_length=64,
        blank=True,
        help_text=_("Comma-separated: place, population, indicator, target, date."),
    )

    class Meta:
        verbose_name = _("commitment rules of a group")
        verbose_name_plural = _("commitment rules of groups")

    def __str__(self) -> str:
        return str(self.group)

    @property
    def required_elements(self) -> list[str]:
        return [e for e in self.required.split(",") if e]

    def clean(self) -> None:
        super().clean()
        unknown = set(self.required_elements) - set(SmartElement.values)
        if unknown:
            raise ValidationError({"required": _("Unknown element: %s") % ", ".join(unknown)})

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if action == Permission.VIEW or access.is_admin:
            return None
        groups = access.groups_with(Role.COORDINATOR)
        return Q(group__in=groups) if groups else NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.COORDINATOR)


class ResultsFramework(RestrictedModel):
    """Outcomes and indicators a group or a compact follows, with status thresholds."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results_frameworks",
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("compact or forum"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results_frameworks",
    )
    on_track_at = models.FloatField(
        _("on track from"),
        default=0.85,
        validators=[MinValueValidator(0)],
        help_text=_("Progress at or above this is on track."),
    )
    at_risk_at = models.FloatField(
        _("at risk from"),
        default=0.60,
        validators=[MinValueValidator(0)],
        help_text=_("Progress at or above this (and below 'on track') is at risk."),
    )
    grace_days = models.PositiveSmallIntegerField(
        _("days to report"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("A report is due this many days after its period ends."),
    )

    class Meta:
        verbose_name = _("results framework")
        verbose_name_plural = _("results frameworks")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_at__lte=models.F("on_track_at")),
                name="framework_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:framework-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if (
            self.at_risk_at is not None
            and self.on_track_at is not None
            and self.at_risk_at > self.on_track_at
        ):
            raise ValidationError(
                {"at_risk_at": _("The 'at risk' threshold cannot be above 'on track'.")}
            )

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        view = cls.visibility_filter(access)
        if view is None:
            return None
        if action == Permission.VIEW:
            return view | Q(group__in=list(access.group_roles))
        return _editor_condition(access, "group", "owner_organisation_id")

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class FrameworkPart(BaseModel):
    """Seen by whoever sees the framework, changed by whoever may change it."""

    framework_field: ClassVar[str] = "framework"

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        needed = Permission.VIEW if action == Permission.VIEW else Permission.CHANGE
        frameworks = ResultsFramework.objects.restrict_access(access, needed)
        return Q(**{f"{cls.framework_field}__in": frameworks})

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or access.has_role_anywhere(Role.EDITOR)


class Outcome(FrameworkPart):
    framework = models.ForeignKey(
        ResultsFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    code = models.CharField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="outcome_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Indicator(FrameworkPart):
    """What is measured, and how reports of it add up (the rules in status.py)."""

    framework = models.ForeignKey(
        ResultsFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.NUMBER)
    time_aggregation = models.CharField(
        _("over time"),
        max_length=8,
        choices=TimeAggregation.choices,
        default=TimeAggregation.SUM,
        help_text=_("Counts of events add up (sum); stocks take the latest period (latest)."),
    )
    place_aggregation = models.CharField(
        _("over places and organisations"),
        max_length=8,
        choices=PlaceAggregation.choices,
        default=PlaceAggregation.SUM,
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    disaggregations = models.JSONField(
        _("disaggregated by"),
        default=list,
        blank=True,
        help_text=_("Any of: sex, age, population_group."),
    )
    baseline_value = models.FloatField(_("baseline"), default=0)
    baseline_date = models.DateField(_("baseline date"))
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=16,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:indicator-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        from .choices import Dimension

        if not isinstance(self.disaggregations, list) or not set(self.disaggregations) <= set(
            Dimension.values
        ):
            raise ValidationError(
                {"disaggregations": _("Give a list of: sex, age, population_group.")}
            )
        if self.outcome is not None and self.outcome.framework_id != self.framework_id:
            raise ValidationError({"outcome": _("This outcome belongs to another framework.")})


class IndicatorTarget(FrameworkPart):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    date = models.DateField(_("date"))
    value = models.FloatField(_("value"))

    framework_field: ClassVar[str] = "indicator__framework"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="indicatortarget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value:g} by {self.date}"

    def clean(self) -> None:
        super().clean()
        if self.indicator_id and self.date and self.date <= self.indicator.baseline_date:
            raise ValidationError(
                {
                    "date": _("A target must come after the baseline date (%(date)s).")
                    % {"date": self.indicator.baseline_date}
                }
            )


class Milestone(FrameworkPart):
    """A step on the shared timeline: who does what by when, after which other steps."""

    framework = models.ForeignKey(
        ResultsFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    commitment = models.ForeignKey(
        "Commitment",
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    title = models.CharField(_("what"), max_length=255)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    planned_date = models.DateField(_("first planned for"))
    due_date = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        blank=True,
        related_name="needed_by",
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["framework", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                name="milestone_due_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError({"due_date": _("The due date cannot be before the start.")})

    def slippage_days(self, today: datetime.date | None = None) -> int:
        """Days later than first planned: done late, due later, or overdue now."""
        day = today or timezone.localdate()
        end = self.done_on or max(self.due_date, day)
        return max(0, (end - self.planned_date).days)


class Commitment(RestrictedModel):
    """A pledge: who, what, where, for whom, by when, measured how."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=16, choices=CommitmentType.choices)
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    made_on = models.DateField(_("made on"), null=True, blank=True)
    due_date = models.DateField(_("to be met by"), null=True, blank=True)
    group = models.ForeignKey(
        Group,
        verbose_name=_("followed by group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text=_("The group whose rules apply and whose dashboard shows it."),
    )
    organisations: models.ManyToManyField[Organisation, CommitmentOrganisation] = (
        models.ManyToManyField(
            Organisation,
            through="CommitmentOrganisation",
            verbose_name=_("made by"),
            related_name="commitments",
        )
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), blank=True, related_name="commitments"
    )
    admin_areas = models.ManyToManyField(
        AdminArea, verbose_name=_("admin areas"), blank=True, related_name="commitments"
    )
    population_groups = models.ManyToManyField(
        PopulationGroup, verbose_name=_("for whom"), blank=True, related_name="commitments"
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="commitments"
    )
    outcomes = models.ManyToManyField(
        Outcome, verbose_name=_("outcomes"), blank=True, related_name="commitments"
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), blank=True, related_name="commitments"
    )
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    enabled_by = models.ManyToManyField(
        "self",
        verbose_name=_("made possible by"),
        symmetrical=False,
        blank=True,
        related_name="enables",
        help_text=_("For a policy pledge: the financial or technical pledges it needs."),
    )
    # Caches, written by the services (see the module docstring).
    smart_missing = models.CharField(_("missing SMART elements"), max_length=64, blank=True)
    smart_missing_count = models.PositiveSmallIntegerField(_("missing SMART elements"), default=0)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IndicatorStatus.choices,
        default=IndicatorStatus.NO_DATA,
        editable=False,
    )

    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at", "status")

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["type", "status"], name="commitment_type_status"),
            models.Index(fields=["forum", "status"], name="commitment_forum_status"),
            models.Index(fields=["group", "status"], name="commitment_group_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:commitment-detail", args=[self.pk])

    @property
    def missing_elements(self) -> list[str]:
        return [e for e in self.smart_missing.split(",") if e]

    @property
    def is_smart(self) -> bool:
        return self.smart_missing_count == 0

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        view = cls.visibility_filter(access)
        if view is None:
            return None
        if action == Permission.VIEW:
            return view
        return view & _editor_condition(access, "group", "owner_organisation_id")


class CommitmentPart(BaseModel):
    """Seen and changed by whoever may see and change the commitment."""

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        if access.is_admin:
            return None
        needed = Permission.VIEW if action == Permission.VIEW else Permission.CHANGE
        return Q(commitment__in=Commitment.objects.restrict_access(access, needed))


class CommitmentOrganisation(CommitmentPart):
    """One of the organisations making a (joint) commitment, with its share."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="shares"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="commitment_shares",
    )
    role = models.CharField(
        _("role"), max_length=8, choices=ShareRole.choices, default=ShareRole.PARTNER
    )
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        verbose_name = _("organisation's share")
        verbose_name_plural = _("organisations' shares")
        ordering = ["commitment", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "organisation"], name="commitmentorganisation_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation} ({self.share}%)"
            if self.share is not None
            else str(self.organisation)
        )


class CommitmentTarget(CommitmentPart):
    """A dated target of the commitment itself (its indicators have their own)."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("commitment"), on_delete=models.CASCADE, related_name="targets"
    )
    date = models.DateField(_("date"))
    value = models.FloatField(_("value"), null=True, blank=True)
    description = models.CharField(_("what"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("commitment target")
        verbose_name_plural = _("commitment targets")
        ordering = ["commitment", "date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.description or self.value}"


class ScheduleLine(CommitmentPart):
    """What a financial pledge promises in one year and currency, and the money flows
    (funding.Flow) recorded as fulfilling it. Committed and paid amounts are never stored:
    `harambee.commitments.money` computes them from the linked flows through funding.counting.
    A flow fulfils at most one line (the link service refuses a second).
    """

    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        related_name="schedule",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    flows = models.ManyToManyField(
        "funding.Flow",
        verbose_name=_("flows fulfilling it"),
        blank=True,
        related_name="pledge_lines",
    )

    class Meta:
        verbose_name = _("financial schedule line")
        verbose_name_plural = _("financial schedule")
        ordering = ["commitment", "year", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "year", "currency"], name="scheduleline_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="scheduleline_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} {self.currency}"

    def clean(self) -> None:
        super().clean()
        self.currency = (self.currency or "").strip().upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Give a three-letter currency code (ISO 4217).")})


class ProgressReport(BaseModel):
    """A value reported by an organisation for an indicator, period, place and category.

    Only approved reports count. A row with no category (sex, age, population group all
    empty) is the total of its cell for the period.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="reports"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    admin_area = models.ForeignKey(
        AdminArea,
        verbose_name=_("admin area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_code = models.CharField(
        _("place"), max_length=32, help_text=_("P-code of the admin area, or ISO3 of the country.")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    sex = models.CharField(_("sex"), max_length=16, blank=True)
    age = models.CharField(_("age"), max_length=16, blank=True)
    population_group = models.CharField(_("population group"), max_length=32, blank=True)
    is_total = models.BooleanField(_("total of the cell"), default=True, editable=False)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["indicator", "-period_end", "organisation__name", "place_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "organisation",
                    "place_code",
                    "period_start",
                    "period_end",
                    "sex",
                    "age",
                    "population_group",
                ],
                name="progressreport_one_per_cell_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="progressreport_end_after_start",
            ),
        ]
        indexes = [
            # The summary's GROUP BY reads this index alone, in its order (see status.py).
            models.Index(
                fields=[
                    "status",
                    "indicator",
                    "organisation",
                    "place_code",
                    "period_end",
                    "period_start",
                    "is_total",
                    "value",
                    "numerator",
                    "denominator",
                ],
                name="progressreport_summary",
            ),
            models.Index(fields=["organisation", "status"], name="progressreport_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.organisation} {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:report-detail", args=[self.pk])

    @property
    def category(self) -> str:
        return " · ".join(p for p in (self.sex, self.age, self.population_group) if p)

    @property
    def counts(self) -> bool:
        return self.status == ReportStatus.APPROVED

    def save(self, *args: object, **kwargs: object) -> None:
        self.is_total = not (self.sex or self.age or self.population_group)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        from .validation import report_problems

        problems = report_problems(
            indicator=self.indicator if self.indicator_id else None,
            period_start=self.period_start,
            period_end=self.period_end,
            value=self.value,
            numerator=self.numerator,
            denominator=self.denominator,
            categories={
                "sex": self.sex,
                "age": self.age,
                "population_group": self.population_group,
            },
        )
        if problems:
            raise ValidationError(problems)

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Approved reports are seen by whoever sees the framework; drafts and reports under
        review by the reporting organisation and the framework's reviewers. Changed (edited,
        submitted) by the reporting organisation's editors; reviewed by the framework's."""
        if access.is_admin:
            return None
        own = (
            Q(organisation_id=access.organisation_id)
            if access.organisation_id is not None
            else NOTHING
        )
        reviewable = ResultsFramework.objects.restrict_access(access, Permission.CHANGE)
        if action == Permission.VIEW:
            visible = ResultsFramework.objects.restrict_access(access, Permission.VIEW)
            return Q(indicator__framework__in=visible) & (
                Q(status=ReportStatus.APPROVED) | own | Q(indicator__framework__in=reviewable)
            )
        if action == REVIEW:
            return Q(indicator__framework__in=reviewable)
        if access.organisation_id is None or not access.has_role_anywhere(Role.EDITOR):
            return NOTHING
        return own

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR)
        )


__all__ = [
    "REVIEW",
    "Commitment",
    "CommitmentOrganisation",
    "CommitmentTarget",
    "Direction",
    "Forum",
    "GroupRules",
    "Indicator",
    "IndicatorTarget",
    "Milestone",
    "Outcome",
    "PlaceAggregation",
    "ProgressReport",
    "ResultsFramework",
    "ScheduleLine",
    "TimeAggregation",
    "Unit",
]
