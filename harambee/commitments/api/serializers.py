"""Shapes of the commitments API. Serializers check the shape; the services make the changes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harambee.activities.models import PopulationGroup, Sector
from harambee.network.api.serializers import CountryField, VersionedSerializer, VisibleRelatedField
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea

from ..choices import IndicatorStatus
from ..models import (
    Commitment,
    CommitmentOrganisation,
    CommitmentTarget,
    Indicator,
    IndicatorTarget,
    Milestone,
    ProgressReport,
    ResultsFramework,
    ScheduleLine,
)
from ..validation import report_problems


class ShareSerializer(serializers.ModelSerializer):
    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = CommitmentOrganisation
        fields = ["organisation", "organisation_name", "role", "share"]


class CommitmentTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentTarget
        fields = ["date", "value", "description"]


class ScheduleLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduleLine
        fields = ["year", "currency", "amount"]
        # The (commitment, year, currency) uniqueness is checked by the service.
        validators: list[Any] = []


class CommitmentSerializer(VersionedSerializer):
    shares = ShareSerializer(many=True, required=False)
    targets = CommitmentTargetSerializer(many=True, required=False)
    schedule = ScheduleLineSerializer(many=True, required=False)
    countries = CountryField(many=True, required=False)
    admin_areas = serializers.SlugRelatedField(
        many=True, required=False, slug_field="pcode", queryset=AdminArea.objects.all()
    )
    population_groups = serializers.SlugRelatedField(
        many=True, required=False, slug_field="code", queryset=PopulationGroup.objects.all()
    )
    sectors = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Sector.objects.all()
    )
    indicators = VisibleRelatedField(many=True, required=False, queryset=Indicator.objects.all())
    group = VisibleRelatedField(required=False, allow_null=True, queryset=Group.objects.all())
    enabled_by: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    smart_missing = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=IndicatorStatus.choices, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "code",
            "title",
            "description",
            "type",
            "forum",
            "made_on",
            "due_date",
            "group",
            "shares",
            "countries",
            "admin_areas",
            "population_groups",
            "sectors",
            "indicators",
            "baseline_value",
            "baseline_date",
            "targets",
            "schedule",
            "enabled_by",
            "smart_missing",
            "smart_missing_count",
            "status",
            "visibility",
            "version",
        ]
        read_only_fields = ["smart_missing_count", "status"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_smart_missing(self, obj: Commitment) -> list[str]:
        return obj.missing_elements


class IndicatorTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorTarget
        fields = ["date", "value"]


class IndicatorSerializer(serializers.ModelSerializer):
    targets = IndicatorTargetSerializer(many=True, read_only=True)
    framework_code = serializers.CharField(source="framework.code", read_only=True)
    disaggregations = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "framework",
            "framework_code",
            "outcome",
            "code",
            "title",
            "unit",
            "time_aggregation",
            "place_aggregation",
            "direction",
            "disaggregations",
            "baseline_value",
            "baseline_date",
            "frequency",
            "targets",
        ]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultsFramework
        fields = [
            "id",
            "code",
            "title",
            "description",
            "group",
            "forum",
            "on_track_at",
            "at_risk_at",
            "grace_days",
            "visibility",
            "version",
        ]
        read_only_fields = fields


class FrameworkLoadSerializer(serializers.Serializer):
    """The framework file's shape (as in FRAMEWORK.yaml), as JSON."""

    code = serializers.CharField()
    title = serializers.CharField()
    group = serializers.CharField(required=False, allow_blank=True)
    indicators = serializers.ListField(child=serializers.DictField())
    outcomes = serializers.ListField(child=serializers.DictField(), required=False)
    thresholds = serializers.DictField(required=False)


class ResultSerializer(serializers.Serializer):
    actual = serializers.FloatField(allow_null=True)
    expected = serializers.FloatField()
    baseline = serializers.FloatField()
    target = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=IndicatorStatus.choices)


class SummarySerializer(serializers.Serializer):
    indicators = serializers.DictField(child=ResultSerializer())


class ProgressReportSerializer(VersionedSerializer):
    indicator = VisibleRelatedField(queryset=Indicator.objects.all())
    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    place = serializers.CharField(
        source="place_code",
        help_text=_("P-code of the admin area, or ISO3 of the country."),
    )
    category = serializers.CharField(read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "indicator",
            "organisation",
            "place",
            "period_start",
            "period_end",
            "sex",
            "age",
            "population_group",
            "category",
            "value",
            "numerator",
            "denominator",
            "evidence_url",
            "narrative",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "version",
        ]
        read_only_fields = ["status", "submitted_at", "reviewed_at", "review_note"]
        # One report per cell and period: the service says so with a clear code.
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        code = str(attrs.pop("place_code", "") or "").strip().upper()
        if code or self.instance is None:
            area = AdminArea.objects.filter(pcode=code).first()
            if area is not None:
                attrs["admin_area"], attrs["country"] = area, area.country
            else:
                from harambee.places.models import Country

                country = Country.objects.filter(iso3=code).first()
                if country is None:
                    raise serializers.ValidationError(
                        {"place": [_("Neither a P-code nor an ISO3 country code.")]}
                    )
                attrs["admin_area"], attrs["country"] = None, country
        instance = self.instance
        problems = report_problems(
            indicator=attrs.get("indicator", getattr(instance, "indicator", None)),
            period_start=attrs.get("period_start", getattr(instance, "period_start", None)),
            period_end=attrs.get("period_end", getattr(instance, "period_end", None)),
            value=attrs.get("value", getattr(instance, "value", None)),
            numerator=attrs.get("numerator", getattr(instance, "numerator", None)),
            denominator=attrs.get("denominator", getattr(instance, "denominator", None)),
            categories={
                k: attrs.get(k, getattr(instance, k, "")) or ""
                for k in ("sex", "age", "population_group")
            },
        )
        if problems:
            raise serializers.ValidationError({k: [v] for k, v in problems.items()})
        return attrs


class ReviewSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MilestoneSerializer(VersionedSerializer):
    """A step on a framework's shared timeline. `planned_date` is the first due date, kept
    when the due date moves; `slippage_days` is measured from it."""

    framework = VisibleRelatedField(queryset=ResultsFramework.objects.all())
    commitment = VisibleRelatedField(
        required=False, allow_null=True, queryset=Commitment.objects.all()
    )
    organisation = VisibleRelatedField(
        required=False, allow_null=True, queryset=Organisation.objects.all()
    )
    depends_on = VisibleRelatedField(many=True, required=False, queryset=Milestone.objects.all())
    slippage_days = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "framework",
            "commitment",
            "title",
            "organisation",
            "start_date",
            "planned_date",
            "due_date",
            "done_on",
            "depends_on",
            "slippage_days",
            "version",
        ]
        read_only_fields = ["planned_date"]

    @extend_schema_field(serializers.IntegerField())
    def get_slippage_days(self, obj: Milestone) -> int:
        return obj.slippage_days()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = self.instance
        if instance is not None and attrs.get("framework", instance.framework) != (
            instance.framework
        ):
            raise serializers.ValidationError(
                {"framework": [_("A milestone stays on its framework's timeline.")]}
            )
        return attrs


class FlowLinkSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("The schedule line's id (see /money/)."))
    flow = serializers.IntegerField(help_text=_("The funding flow's id."))


class MoneyFiguresSerializer(serializers.Serializer):
    committed_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    paid_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    recorded_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    flows = serializers.IntegerField()


class LineMoneySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    year = serializers.IntegerField(source="line.year")
    currency = serializers.CharField(source="line.currency")
    pledged = serializers.DecimalField(source="line.amount", max_digits=18, decimal_places=2)
    pledged_usd = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    figures = MoneyFiguresSerializer()
    flows = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_flows(self, obj: Any) -> list[int]:
        return [flow.pk for flow in obj.flows]


class CommitmentMoneySerializer(serializers.Serializer):
    """Pledged vs committed vs paid: from the linked flows you may see, via funding.counting."""

    rows = LineMoneySerializer(many=True)
    totals = MoneyFiguresSerializer()
    pledged_usd = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
