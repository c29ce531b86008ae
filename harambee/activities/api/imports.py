"""Import batches over the API: upload a 3W file, read its report, decide, commit.

The same services as the pages: reading runs in the background (poll the batch for `status`
and `progress`), every decision and the commit carry the version read (409 when stale).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.core.security import UploadValidator
from harambee.places.models import Country

from .. import selectors, services
from ..choices import MatchDecision
from ..import_forms import ALLOWED_EXTENSIONS, MAX_UPLOAD_BYTES, check_readable
from ..models import ImportBatch
from .serializers import CodeRelatedField

CONFLICT = OpenApiResponse(description="Stale version (code stale_version).")


class ImportBatchSerializer(serializers.ModelSerializer):
    """A batch in a list: where it stands, without its report."""

    country: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "source",
            "country",
            "status",
            "status_display",
            "rows_total",
            "rows_done",
            "progress",
            "created_by",
            "created_at",
            "committed_at",
            "version",
        ]
        read_only_fields = fields


class ImportBatchDetailSerializer(ImportBatchSerializer):
    """One batch with its preview report, column mapping and decisions."""

    report = serializers.SerializerMethodField(
        help_text="The preview: organisations you may not see are not named (candidates left "
        "out, a match to one has a null id and name and hidden: true)."
    )
    mapping = serializers.JSONField(read_only=True)
    decisions = serializers.JSONField(read_only=True)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_report(self, batch: ImportBatch) -> dict[str, Any]:
        request = self.context.get("request")
        return selectors.import_report(user=getattr(request, "user", None), report=batch.report)

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "mapping", "decisions", "report"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV or Excel (.xlsx), HXL-tagged or not.",
        validators=[UploadValidator(extensions=())],  # size; the type is checked below
    )
    country = CodeRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        required=False,
        allow_null=True,
        help_text="ISO3 code, when the file does not say which country each row is in.",
    )
    source = serializers.CharField(  # type: ignore[assignment]  # the field is named "source"
        max_length=200, required=False, allow_blank=True, default=""
    )
    mapping = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Column header → HXL tag, for files without tags.",
    )

    def validate_file(self, upload: Any) -> Any:
        if not upload.name.lower().endswith(ALLOWED_EXTENSIONS):
            raise serializers.ValidationError("Upload a CSV or an Excel (.xlsx) file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(f"The limit is {MAX_UPLOAD_BYTES} bytes.")
        try:
            check_readable(upload.name, upload.read())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        upload.seek(0)
        return upload


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The batch version you read.")


class DecisionSerializer(VersionSerializer):
    key = serializers.CharField(help_text="The organisation item's key in report.organisations.")
    action = serializers.ChoiceField(choices=MatchDecision.choices)
    organisation = serializers.IntegerField(
        required=False, allow_null=True, help_text="The organisation picked (action 'pick')."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == MatchDecision.PICK and not attrs.get("organisation"):
            raise serializers.ValidationError({"organisation": ["Required to pick another."]})
        return attrs


class MappingSerializer(VersionSerializer):
    mapping = serializers.DictField(child=serializers.CharField(), allow_empty=False)


@extend_schema_view(
    list=extend_schema(summary="Imports you may see, newest first"),
    retrieve=extend_schema(summary="One import with its preview report"),
)
class ImportBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """3W imports: upload, then poll until `status` is `preview`, review, decide and commit."""

    queryset = ImportBatch.objects.all()  # the model, for the create permission check
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ImportBatch]:
        if getattr(self, "swagger_fake_view", False):
            return ImportBatch.objects.none()
        queryset = ImportBatch.objects.restrict(self.request.user).select_related("created_by")
        if self.action == "list":
            return queryset.defer("report", "mapping", "decisions")
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ImportBatchSerializer if self.action == "list" else ImportBatchDetailSerializer

    def _detail(self, batch: ImportBatch, code: int = status.HTTP_200_OK) -> Response:
        batch.refresh_from_db()
        data = ImportBatchDetailSerializer(batch, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        summary="Upload a 3W file",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportBatchDetailSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        country = body.validated_data.get("country")
        batch = services.import_start(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            country=country.pk if country else None,
            source=body.validated_data.get("source", "").strip(),
            mapping=body.validated_data.get("mapping") or None,
            run="background",
        )
        return self._detail(batch, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Decide about an uncertain organisation",
        request=DecisionSerializer,
        responses={200: ImportBatchDetailSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser, FormParser],
        serializer_class=DecisionSerializer,
    )
    def decide(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = services.import_decide(
            actor=request.user,
            batch=batch,
            key=body.validated_data["key"],
            action=body.validated_data["action"],
            organisation_id=body.validated_data.get("organisation"),
            expected_version=body.validated_data["version"],
        )
        return self._detail(batch)

    @extend_schema(
        summary="Say what the columns of a file without HXL tags hold",
        request=MappingSerializer,
        responses={200: ImportBatchDetailSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser],
        serializer_class=MappingSerializer,
    )
    def mapping(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        body = MappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = services.import_set_mapping(
            actor=request.user,
            batch=batch,
            mapping=body.validated_data["mapping"],
            expected_version=body.validated_data["version"],
        )
        return self._detail(batch)

    @extend_schema(
        summary="Import the previewed rows (all or nothing, in the background)",
        request=VersionSerializer,
        responses={202: ImportBatchDetailSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser, FormParser],
        serializer_class=VersionSerializer,
    )
    def commit(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        body = VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = services.import_commit(
            actor=request.user,
            batch=batch,
            expected_version=body.validated_data["version"],
            run="background",
        )
        return self._detail(batch, status.HTTP_202_ACCEPTED)
