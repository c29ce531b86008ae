from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..matching.engine import SCHEMAS
from ..models import ListVersion, ScreeningBatch, ScreeningResult


class ListVersionSerializer(serializers.ModelSerializer):
    source: Any = serializers.CharField(source="source.code", read_only=True)
    publisher = serializers.CharField(source="source.kind", read_only=True)
    counts = serializers.JSONField(read_only=True)
    diff = serializers.SerializerMethodField(help_text="Counts of added, removed, changed entries.")

    class Meta:
        model = ListVersion
        fields = [
            "id",
            "source",
            "publisher",
            "file_name",
            "file_sha256",
            "published_on",
            "status",
            "entry_count",
            "name_count",
            "counts",
            "diff",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_diff(self, version: ListVersion) -> dict[str, Any]:
        return {k: version.diff.get(k) for k in ("previous", "added", "removed", "changed")}


class ListVersionDetailSerializer(ListVersionSerializer):
    diff = serializers.JSONField(read_only=True)  # type: ignore[assignment]


class ScreenRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    schema = serializers.ChoiceField(choices=[(s, s) for s in SCHEMAS], required=False)
    date_of_birth = serializers.RegexField(
        r"^\d{4}(-\d{2}(-\d{2})?)?$", required=False, help_text="YYYY or YYYY-MM-DD."
    )
    nationality = serializers.CharField(
        max_length=100, required=False, help_text="ISO alpha-2 code or country name."
    )
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)


class HitSerializer(serializers.Serializer):
    source: Any = serializers.CharField(help_text="un, ofac, eu or uk.")
    list = serializers.CharField(help_text="The list: un, ofac-sdn, ofac-nonsdn, eu, uk.")
    ref = serializers.CharField(help_text="The list's own reference.")
    name = serializers.CharField(help_text="The entry's primary name.")
    entity_type = serializers.CharField()
    matched_name = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.JSONField()


class ScreenResponseSerializer(serializers.Serializer):
    name = serializers.CharField()
    threshold = serializers.FloatField()
    list_versions = serializers.ListField(child=serializers.IntegerField())
    hits = HitSerializer(many=True)


class BatchUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with columns id, name, schema, date_of_birth, nationality (name required)."
    )
    threshold = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)


class ScreeningBatchSerializer(serializers.ModelSerializer):
    created_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScreeningBatch
        fields = [
            "id",
            "file_name",
            "threshold",
            "status",
            "rows_total",
            "rows_done",
            "hit_rows",
            "progress",
            "error",
            "created_by",
            "created_at",
            "finished_at",
            "list_versions",
        ]
        read_only_fields = fields


class ScreeningResultSerializer(serializers.ModelSerializer):
    hits = HitSerializer(many=True, read_only=True)

    class Meta:
        model = ScreeningResult
        fields = [
            "row",
            "query_id",
            "name",
            "schema",
            "date_of_birth",
            "nationality",
            "hit_count",
            "top_score",
            "hits",
        ]
        read_only_fields = fields
