"""Shapes of the money API (read-only: flows come from imports; totals from counting.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import counting
from ..models import (
    AggregateFlow,
    ExchangeRate,
    Flow,
    FlowParty,
    Plan,
    PlanRequirement,
    PooledFund,
)


class FlowPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = FlowParty
        fields = [
            "side",
            "kind",
            "behavior",
            "source_type",
            "source_id",
            "name",
            "code",
            "vocabulary",
            "organisation",
            "pooled_fund",
            "plan",
            "country",
            "admin_area",
            "emergency",
            "sector",
            "activity",
            "year",
        ]
        read_only_fields = fields


class FlowSerializer(serializers.ModelSerializer):
    """A flow with its parties. `counted` says whether totals count it (docs/funding.md)."""

    parties = FlowPartySerializer(many=True, read_only=True)
    counted = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_counted(self, flow: Flow) -> bool:
        return counting.is_counted(flow)

    class Meta:
        model = Flow
        fields = [
            "id",
            "source_system",
            "source_id",
            "source_version",
            "status",
            "status_original",
            "iati_transaction_type",
            "boundary",
            "on_boundary",
            "flow_type",
            "contribution_type",
            "channel",
            "budget_classification_code",
            "budget_vocabulary",
            "new_money",
            "is_humanitarian",
            "date",
            "decision_date",
            "first_reported_date",
            "value_date",
            "budget_year",
            "original_amount",
            "original_currency",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
            "amount_usd",
            "parent",
            "parent_source_id",
            "parent_missing",
            "child_source_ids",
            "repeats_parent",
            "counted_upstream",
            "counted",
            "provider_activity_id",
            "receiver_activity_id",
            "reporting_organisation",
            "reporting_organisation_name",
            "description",
            "ref_code",
            "extra",
            "parties",
            "version",
        ]
        read_only_fields = fields


class FlowChainSerializer(serializers.Serializer):
    ancestors = FlowSerializer(many=True, read_only=True, help_text="Nearest parent first.")
    children = FlowSerializer(many=True, read_only=True)


class FundingSummarySerializer(serializers.Serializer):
    country = serializers.CharField()
    year = serializers.IntegerField()
    currency = serializers.CharField()
    funding_total_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    pledge_total_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    flows_total = serializers.IntegerField()
    flows_counted = serializers.IntegerField()
    flows_pledged = serializers.IntegerField()
    flows_parent_missing = serializers.IntegerField()
    by_sector = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=2),
        help_text='Sector -> funding, with "not specified" and "shared" rows.',
    )
    by_channel = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=2)
    )


class PlanRequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanRequirement
        fields = ["sector", "sector_name", "country", "admin_area", "place_name", "amount_usd"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    countries: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    requirements = PlanRequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "kind_original",
            "year",
            "countries",
            "emergency",
            "start_date",
            "end_date",
            "original_requirements_usd",
            "requirements_usd",
            "reported_funding_usd",
            "requirements",
            "source_system",
            "source_id",
            "source_version",
            "version",
        ]
        read_only_fields = fields


class PooledFundSerializer(serializers.ModelSerializer):
    class Meta:
        model = PooledFund
        fields = [
            "id",
            "name",
            "code",
            "fund_type",
            "country",
            "organisation",
            "currency",
            "source_system",
            "source_id",
            "version",
        ]
        read_only_fields = fields


class PooledFundStagesSerializer(serializers.Serializer):
    commitment = serializers.DecimalField(max_digits=20, decimal_places=2)
    deposit = serializers.DecimalField(max_digits=20, decimal_places=2)
    transfer = serializers.DecimalField(max_digits=20, decimal_places=2)
    expenditure = serializers.DecimalField(max_digits=20, decimal_places=2)
    awaiting_deposit = serializers.DecimalField(max_digits=20, decimal_places=2)
    in_fund = serializers.DecimalField(max_digits=20, decimal_places=2)
    unspent_with_partners = serializers.DecimalField(max_digits=20, decimal_places=2)


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "rate", "source", "frequency"]
        read_only_fields = fields


class AggregateFlowSerializer(serializers.ModelSerializer):
    class Meta:
        model = AggregateFlow
        fields = [
            "id",
            "kind",
            "origin_country",
            "origin_name",
            "destination_country",
            "period_start",
            "period_end",
            "original_amount",
            "original_currency",
            "exchange_rate",
            "exchange_rate_date",
            "exchange_rate_source",
            "amount_usd",
            "source",
            "source_url",
            "notes",
            "version",
        ]
        read_only_fields = fields
