"""Screening over the API: one name (answer at once), batches (in the background), lists."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction, AccessChannel

from .. import selectors, services
from ..matching.scorer import DEFAULT_THRESHOLD
from ..models import ListVersion, ScreeningBatch
from .permissions import IsMember
from .serializers import (
    BatchUploadSerializer,
    ListVersionDetailSerializer,
    ListVersionSerializer,
    ScreeningBatchSerializer,
    ScreeningResultSerializer,
    ScreenRequestSerializer,
    ScreenResponseSerializer,
)


class ScreenView(APIView):
    """Screen one name against the active version of every list."""

    permission_classes = [IsMember]

    @extend_schema(
        summary="Screen one name",
        request=ScreenRequestSerializer,
        responses={200: ScreenResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        body = ScreenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        threshold = data.get("threshold", DEFAULT_THRESHOLD)
        index = selectors.active_index()
        hits = services.screen_name(
            name=data["name"],
            schema=data.get("schema", ""),
            date_of_birth=data.get("date_of_birth", ""),
            nationality=data.get("nationality", ""),
            identifiers=data.get("identifiers", []),
            threshold=threshold,
            index=index,
        )
        return Response(
            {
                "name": data["name"],
                "threshold": threshold,
                "list_versions": list(index.version_ids),
                "hits": hits,
            }
        )


@extend_schema_view(
    list=extend_schema(summary="Versions of the sanctions lists, newest first per list"),
    retrieve=extend_schema(summary="One list version with the references it changed"),
)
class ListVersionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMember]
    queryset = ListVersion.objects.all()
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[ListVersion]:
        return selectors.list_versions(user=self.request.user)

    def get_serializer_class(self) -> type[ListVersionSerializer]:
        return ListVersionDetailSerializer if self.action == "retrieve" else ListVersionSerializer


@extend_schema_view(
    list=extend_schema(summary="Screening batches you may see, newest first"),
    retrieve=extend_schema(summary="One batch: status and progress"),
)
class ScreeningBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMember]
    queryset = ScreeningBatch.objects.all()
    serializer_class = ScreeningBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ScreeningBatch]:
        return selectors.batches(user=self.request.user)

    @extend_schema(
        summary="Upload a CSV of names to screen in the background",
        request={"multipart/form-data": BatchUploadSerializer},
        responses={202: ScreeningBatchSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BatchUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        batch = services.start_batch(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            threshold=body.validated_data.get("threshold"),
        )
        return Response(
            ScreeningBatchSerializer(batch, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="The batch's results, one per query", responses=ScreeningResultSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        page = self.paginate_queryset(batch.results.order_by("row"))
        serializer = ScreeningResultSerializer(page, many=True)
        # Names and dates of birth of the people screened, in clear: logged.
        log_access(request.user, page or [], channel=AccessChannel.API, request=request)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="The batch's results as CSV (one line per hit)",
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
    )
    @action(detail=True, methods=["get"], url_path="csv")
    def download(self, request: Request, pk: Any = None) -> HttpResponse:
        batch = self.get_object()
        response = HttpResponse(services.batch_csv(batch), content_type="text/csv; charset=utf-8")
        log_access(
            request.user,
            [batch],
            action=AccessAction.EXPORT,
            channel=AccessChannel.EXPORT,
            request=request,
        )
        response["Content-Disposition"] = f'attachment; filename="screening-{batch.pk}.csv"'
        return response
