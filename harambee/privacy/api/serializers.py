from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import AccessLog
from ..services import Match


class FindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["name", "email", "phone"])
    value = serializers.CharField(max_length=255)


class RecordSerializer(serializers.Serializer):
    kind = serializers.CharField(source="label", help_text="app.model of the record.")
    id = serializers.CharField(source="record.pk")
    personal_data = serializers.DictField(
        source="personal", child=serializers.CharField(allow_null=True, allow_blank=True)
    )

    def to_representation(self, instance: Match) -> dict[str, Any]:
        return {
            "kind": instance.label,
            "id": str(instance.record.pk),
            "personal_data": instance.personal(),
        }


class CorrectionSerializer(serializers.Serializer):
    personal_data = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="Personal fields to change, by name (others are refused).",
    )


class ExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    records = serializers.ListField(child=serializers.DictField())


class AccessLogSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "time",
            "user_name",
            "action",
            "channel",
            "kind",
            "object_id",
            "fields",
            "path",
            "note",
        ]

    @extend_schema_field(str)
    def get_kind(self, obj: AccessLog) -> str:
        ct = obj.content_type
        return f"{ct.app_label}.{ct.model}" if ct else ""
