"""Commitments API: reads through the selectors, writes through the services."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.network.api.views import ServiceViewSet, documented, split_m2m

from .. import loading, money, selectors, services
from .. import status as rules
from ..filtersets import (
    CommitmentFilterSet,
    FrameworkFilterSet,
    IndicatorFilterSet,
    MilestoneFilterSet,
    ProgressReportFilterSet,
)
from ..models import (
    Commitment,
    Indicator,
    Milestone,
    ProgressReport,
    ResultsFramework,
    ScheduleLine,
)
from .serializers import (
    CommitmentMoneySerializer,
    CommitmentSerializer,
    FlowLinkSerializer,
    FrameworkLoadSerializer,
    FrameworkSerializer,
    IndicatorSerializer,
    MilestoneSerializer,
    ProgressReportSerializer,
    ReviewSerializer,
    SummarySerializer,
)

PARTS = ("shares", "targets", "schedule")
AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, description="YYYY-MM-DD (default: today)"
)


def _parts(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.pop(name) for name in PARTS if name in values}


def _as_of(request: Request) -> datetime.date:
    raw = request.query_params.get("as_of")
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise serializers.ValidationError({"as_of": ["Give a date as YYYY-MM-DD."]}) from exc


@documented(CommitmentSerializer)
class CommitmentViewSet(ServiceViewSet):
    """Commitments (pledges): who, what, where, for whom, by when, measured how. SMART gaps
    and the computed status are read-only. Updates need the `version` you read."""

    model = Commitment
    queryset = Commitment.objects.all()
    selector = staticmethod(selectors.commitments)
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        return queryset.prefetch_related(
            "admin_areas", "sectors", "indicators", "targets", "schedule", "enabled_by"
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        values = dict(serializer.validated_data)
        values.pop("version", None)
        parts = _parts(values)
        data, m2m = split_m2m(self.model, values)
        m2m.pop("organisations", None)
        commitment = services.commitment_create(
            actor=self.request.user, data=data, m2m=m2m, **parts
        )
        serializer.instance = self.get_queryset().get(pk=commitment.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        values = dict(serializer.validated_data)
        version = values.pop("version")
        parts = _parts(values)
        data, m2m = split_m2m(self.model, values)
        commitment = services.commitment_update(
            actor=self.request.user,
            commitment=cast(Commitment, serializer.instance),
            data=data,
            m2m=m2m,
            expected_version=version,
            **parts,
        )
        serializer.instance = self.get_queryset().get(pk=commitment.pk)

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.commitment_delete(
            actor=self.request.user, commitment=instance, expected_version=version
        )

    def _money(self, request: Request, commitment: Commitment) -> Response:
        figures = money.schedule_money(user=request.user, commitment=commitment)
        return Response(CommitmentMoneySerializer(figures).data)

    @extend_schema(responses=CommitmentMoneySerializer, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def money(self, request: Request, pk: Any = None) -> Response:
        """Pledged vs committed vs paid per schedule line, from the linked flows."""
        return self._money(request, self.get_object())

    def _link(self, request: Request, service: Any) -> Response:
        commitment = self.get_object()
        body = FlowLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = ScheduleLine.objects.filter(
            pk=body.validated_data["line"], commitment=commitment
        ).first()
        if line is None:
            raise serializers.ValidationError({"line": ["Not a line of this pledge's schedule."]})
        from harambee.funding.selectors import visible_flows

        flow = visible_flows(user=request.user).filter(pk=body.validated_data["flow"]).first()
        if flow is None:
            raise serializers.ValidationError({"flow": ["No such flow."]})
        service(actor=request.user, line=line, flow=flow)
        return self._money(request, commitment)

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        # Linking money is checked by its service (change permission on the commitment).
        if self.action in {"link_flow", "unlink_flow", "money"}:
            return
        super().check_object_permissions(request, obj)

    @extend_schema(request=FlowLinkSerializer, responses=CommitmentMoneySerializer)
    @action(
        detail=True, methods=["post"], url_path="link-flow", serializer_class=FlowLinkSerializer
    )
    def link_flow(self, request: Request, pk: Any = None) -> Response:
        """Record that a funding flow fulfils a line of this financial pledge."""
        return self._link(request, services.schedule_flow_link)

    @extend_schema(request=FlowLinkSerializer, responses=CommitmentMoneySerializer)
    @action(
        detail=True, methods=["post"], url_path="unlink-flow", serializer_class=FlowLinkSerializer
    )
    def unlink_flow(self, request: Request, pk: Any = None) -> Response:
        return self._link(request, services.schedule_flow_unlink)


@documented(MilestoneSerializer)
class MilestoneViewSet(ServiceViewSet):
    """Milestones on the frameworks' shared timelines: who, what, start, due date, depends on.
    The first planned date is kept; `slippage_days` is measured from it."""

    model = Milestone
    queryset = Milestone.objects.all()
    selector = staticmethod(selectors.milestone_queryset)
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> Any:
        milestone = services.milestone_create(actor=self.request.user, data=data, m2m=m2m)
        return selectors.milestone_queryset(user=self.request.user).get(pk=milestone.pk)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> Any:
        services.milestone_update(
            actor=self.request.user,
            milestone=instance,
            data=data,
            m2m=m2m or None,
            expected_version=version,
        )
        return selectors.milestone_queryset(user=self.request.user).get(pk=instance.pk)

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.milestone_delete(
            actor=self.request.user, milestone=instance, expected_version=version
        )


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Results frameworks. Load one (create or update) with POST /load/, the shape of the
    framework file; read its computed summary with /summary/?as_of=."""

    queryset = ResultsFramework.objects.all()
    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ResultsFramework.objects.none()
        return selectors.frameworks(user=self.request.user)

    @extend_schema(request=FrameworkLoadSerializer, responses=FrameworkSerializer)
    @action(detail=False, methods=["post"], serializer_class=FrameworkLoadSerializer)
    def load(self, request: Request) -> Response:
        body = FrameworkLoadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = loading.framework_load(actor=request.user, data=dict(request.data))
        return Response(FrameworkSerializer(result.framework).data)

    @extend_schema(parameters=[AS_OF], responses=SummarySerializer, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def summary(self, request: Request, pk: Any = None) -> Response:
        framework = self.get_object()
        return Response(rules.summary_json(rules.summarise(framework, _as_of(request))))


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators of the frameworks you may see, with their baselines and targets."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Indicator.objects.none()
        return selectors.indicators(user=self.request.user)


@documented(ProgressReportSerializer)
class ProgressReportViewSet(ServiceViewSet):
    """Progress reports: draft → submitted → approved or sent back. Only approved ones count.
    Create and change them for your own organisation; reviewers approve or send back."""

    model = ProgressReport
    queryset = ProgressReport.objects.all()
    selector = staticmethod(selectors.reports)
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilterSet

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        # Workflow actions are checked by their services (a reviewer may approve a report
        # it may not edit).
        if self.action in {"submit", "approve", "send_back"}:
            return
        super().check_object_permissions(request, obj)

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> Any:
        report = services.report_create(actor=self.request.user, data=data)
        return selectors.report_get(user=self.request.user, pk=report.pk)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> Any:
        services.report_update(
            actor=self.request.user, report=instance, data=data, expected_version=version
        )
        return selectors.report_get(user=self.request.user, pk=instance.pk)

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.report_delete(actor=self.request.user, report=instance, expected_version=version)

    def _move(self, request: Request, service: Any, with_note: bool) -> Response:
        report = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs: dict[str, Any] = {
            "actor": request.user,
            "report": report,
            "expected_version": body.validated_data["version"],
        }
        if with_note:
            kwargs["note"] = body.validated_data["note"]
        service(**kwargs)
        fresh = selectors.report_get(user=request.user, pk=report.pk)
        return Response(ProgressReportSerializer(fresh, context={"request": request}).data)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer)
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_submit, with_note=False)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer)
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_approve, with_note=True)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="send-back", serializer_class=ReviewSerializer)
    def send_back(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_send_back, with_note=True)


__all__ = ["mixins"]
