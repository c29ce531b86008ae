"""Data protection API: the same services as the pages, for data protection officers only."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from harambee.core.errors import ServiceError

from .. import services
from ..access import is_data_protection_officer
from ..models import AccessLog
from .serializers import (
    AccessLogSerializer,
    CorrectionSerializer,
    ExportSerializer,
    FindSerializer,
    RecordSerializer,
)


class IsDataProtectionOfficer(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_data_protection_officer(request.user)


class DpoView(APIView):
    permission_classes = [IsDataProtectionOfficer]

    def match(self, request: Request, label: str, pk: str) -> services.Match:
        try:
            return services.get_record(actor=request.user, label=label, pk=pk, request=request)
        except ServiceError as exc:
            raise Http404(exc.message) from exc


class FindView(DpoView):
    @extend_schema(
        summary="Find a person's records by exact name, email or phone (keyed hash)",
        request=FindSerializer,
        responses=RecordSerializer(many=True),
    )
    def post(self, request: Request) -> Response:
        query = FindSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        matches = services.find_person(actor=request.user, request=request, **query.validated_data)
        return Response(RecordSerializer(matches, many=True).data)


class ExportView(DpoView):
    @extend_schema(
        summary="Export everything held about a person (JSON)",
        request=FindSerializer,
        responses=ExportSerializer,
    )
    def post(self, request: Request) -> Response:
        query = FindSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        matches = services.find_person(actor=request.user, request=request, **query.validated_data)
        return Response(
            services.export_person(actor=request.user, matches=matches, request=request)
        )


class RecordView(DpoView):
    @extend_schema(summary="A record's personal data", responses=RecordSerializer)
    def get(self, request: Request, label: str, pk: str) -> Response:
        return Response(RecordSerializer(self.match(request, label, pk)).data)

    @extend_schema(
        summary="Correct a record's personal data",
        request=CorrectionSerializer,
        responses=RecordSerializer,
    )
    def patch(self, request: Request, label: str, pk: str) -> Response:
        body = CorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        match = self.match(request, label, pk)
        services.correct_record(
            actor=request.user,
            match=match,
            data=body.validated_data["personal_data"],
            request=request,
        )
        match.record.refresh_from_db()
        return Response(RecordSerializer(match).data)


class EraseView(DpoView):
    @extend_schema(
        summary="Erase a record's personal data", request=None, responses=RecordSerializer
    )
    def post(self, request: Request, label: str, pk: str) -> Response:
        match = self.match(request, label, pk)
        services.erase_record(actor=request.user, match=match, request=request)
        match.record.refresh_from_db()
        return Response(RecordSerializer(match).data, status=status.HTTP_200_OK)


class AccessLogView(generics.ListAPIView):
    """Who looked at whose personal data."""

    permission_classes = [IsDataProtectionOfficer]
    serializer_class = AccessLogSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return AccessLog.objects.select_related("content_type")
