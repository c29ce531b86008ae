"""Money API, read-only: imported data is changed by importing again. Reads go through the
selectors (restricted to what the user may see); totals through counting.py."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.places.models import Country

from .. import selectors
from ..filtersets import (
    AggregateFlowFilterSet,
    ExchangeRateFilterSet,
    FlowFilterSet,
    PlanFilterSet,
    PooledFundFilterSet,
)
from ..models import AggregateFlow, ExchangeRate, Flow, Plan, PooledFund
from .serializers import (
    AggregateFlowSerializer,
    ExchangeRateSerializer,
    FlowChainSerializer,
    FlowSerializer,
    FundingSummarySerializer,
    PlanSerializer,
    PooledFundSerializer,
    PooledFundStagesSerializer,
)


class FlowViewSet(viewsets.ReadOnlyModelViewSet):
    """Funding flows (FTS, IATI, entered), with their source and destination parties."""

    queryset = Flow.objects.all()
    serializer_class = FlowSerializer
    filterset_class = FlowFilterSet

    def get_queryset(self) -> QuerySet[Flow]:
        if getattr(self, "swagger_fake_view", False):
            return Flow.objects.none()
        return selectors.flows(user=self.request.user)

    @extend_schema(summary="A flow's parent chain and children", responses=FlowChainSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def chain(self, request: Request, pk: Any = None) -> Response:
        flow = self.get_object()
        chain = selectors.flow_chain(user=request.user, flow=flow)
        return Response(FlowChainSerializer(chain, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Funding to a country in a year, counted once",
        parameters=[
            OpenApiParameter("country", OpenApiTypes.STR, required=True, description="ISO3"),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses=FundingSummarySerializer,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request: Request) -> Response:
        country = str(request.query_params.get("country", "")).strip().upper()[:3]
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError as exc:
            raise serializers.ValidationError({"year": [_("A year is required.")]}) from exc
        if not Country.objects.filter(pk=country).exists():
            raise serializers.ValidationError({"country": [_("Unknown country code.")]})
        data = selectors.funding_summary(user=request.user, country=country, year=year)
        return Response(FundingSummarySerializer(data).data)


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Response and development plans with their requirements."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self) -> QuerySet[Plan]:
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return selectors.plans(user=self.request.user)


class PooledFundViewSet(viewsets.ReadOnlyModelViewSet):
    """Pooled funds; `stages` gives the money at each stage and the balances between them."""

    queryset = PooledFund.objects.all()
    serializer_class = PooledFundSerializer
    filterset_class = PooledFundFilterSet

    def get_queryset(self) -> QuerySet[PooledFund]:
        if getattr(self, "swagger_fake_view", False):
            return PooledFund.objects.none()
        return selectors.pooled_funds(user=self.request.user)

    @extend_schema(
        summary="Money at each stage, and balances", responses=PooledFundStagesSerializer
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def stages(self, request: Request, pk: Any = None) -> Response:
        stages = selectors.pooled_fund_stages(user=request.user, fund=self.get_object())
        return Response(PooledFundStagesSerializer(stages).data)


class ExchangeRateViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored exchange rates (units per US dollar), by currency, date and source."""

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        if getattr(self, "swagger_fake_view", False):
            return ExchangeRate.objects.none()
        return selectors.exchange_rates(user=self.request.user)


class AggregateFlowViewSet(viewsets.ReadOnlyModelViewSet):
    """Diaspora remittances and philanthropy by corridor and period (never in aid totals)."""

    queryset = AggregateFlow.objects.all()
    serializer_class = AggregateFlowSerializer
    filterset_class = AggregateFlowFilterSet

    def get_queryset(self) -> QuerySet[AggregateFlow]:
        if getattr(self, "swagger_fake_view", False):
            return AggregateFlow.objects.none()
        return selectors.aggregate_flows(user=self.request.user)
