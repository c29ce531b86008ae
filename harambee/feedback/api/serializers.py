"""Feedback API serializers. Personal fields (contact, the words as given, the answer) are left
out unless the caller asks (?personal=true) and handles the item."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harambee.activities.models import PopulationGroup, Sector
from harambee.network.models import Group, Organisation

from ..choices import AnswerChannel, Channel, Priority, Satisfaction
from ..framework import FeedbackType
from ..models import FeedbackEvent, FeedbackItem
from ..sla import sla_state

PERSONAL_FIELDS = ("contact", "contact_name", "original_text", "answer")


class FeedbackItemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    admin_area: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="pcode", read_only=True
    )
    sector: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    population_group: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    sla = serializers.SerializerMethodField()
    contact = serializers.CharField(read_only=True, required=False)
    contact_name = serializers.CharField(read_only=True, required=False)
    original_text = serializers.CharField(read_only=True, required=False)
    answer = serializers.CharField(read_only=True, required=False)

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "reference",
            "group",
            "country",
            "channel",
            "received_at",
            "language",
            "admin_area",
            "population_group",
            "wants_answer",
            "answer_channel",
            "consent_given",
            "consent_policy_version",
            "summary",
            "feedback_type",
            "category",
            "code",
            "sensitive",
            "sector",
            "priority",
            "concerned_organisation",
            "concerned_activity",
            "status",
            "assigned_organisation",
            "referred_at",
            "acknowledge_due",
            "resolve_due",
            "escalate_at",
            "acknowledged_at",
            "escalated_at",
            "answered_via",
            "answered_at",
            "satisfaction",
            "closed_at",
            "cluster",
            "sla",
            "version",
            *PERSONAL_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_sla(self, obj: FeedbackItem) -> str:
        return sla_state(obj)

    def to_representation(self, instance: FeedbackItem) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.pk not in self.context.get("personal_pks", ()):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


class FeedbackEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackEvent
        fields = ["id", "kind", "time", "actor", "organisation", "note", "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, obj: FeedbackEvent) -> str:
        return obj.actor.username if obj.actor else ""


class StaffIntakeSerializer(serializers.Serializer):
    """Feedback taken in by staff (hotline, meeting, face to face)."""

    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices)
    original_text = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    summary = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    received_at = serializers.DateTimeField(required=False)
    language = serializers.CharField(max_length=16, allow_blank=True, required=False)
    admin_area = serializers.CharField(
        max_length=32, allow_blank=True, required=False, help_text="P-code of an admin area."
    )
    population_group = serializers.SlugRelatedField(
        slug_field="code", queryset=PopulationGroup.objects.all(), required=False, allow_null=True
    )
    feedback_type = serializers.ChoiceField(
        choices=FeedbackType.choices, required=False, allow_blank=True
    )
    category = serializers.CharField(max_length=32, allow_blank=True, required=False)
    code = serializers.CharField(max_length=48, allow_blank=True, required=False)
    sector = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Sector.objects.filter(country__isnull=True),
        required=False,
        allow_null=True,
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    concerned_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    sensitive = serializers.BooleanField(required=False, default=False)
    contact = serializers.CharField(max_length=255, allow_blank=True, required=False)
    contact_name = serializers.CharField(max_length=255, allow_blank=True, required=False)
    wants_answer = serializers.BooleanField(required=False, default=False)
    answer_channel = serializers.ChoiceField(
        choices=AnswerChannel.choices, required=False, allow_blank=True
    )
    consent_given = serializers.BooleanField(required=False, allow_null=True, default=None)


class IntakeResultSerializer(serializers.Serializer):
    reference = serializers.CharField()
    raw_intake = serializers.IntegerField()
    status = serializers.CharField()
    sensitive = serializers.BooleanField()


class IntakeErrorSerializer(serializers.Serializer):
    """Either a refused intake (field and the raw intake kept for review) or a request that
    did not validate at all (the API's usual `fields` errors)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)  # type: ignore[assignment]
    raw_intake = serializers.IntegerField(required=False, allow_null=True)
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class MessageIntakeSerializer(serializers.Serializer):
    """One message from an SMS gateway or chatbot. Nothing is validated here beyond the shape:
    the service checks the content, so that bad messages are kept for review, not refused."""

    message = serializers.CharField(
        allow_blank=True, required=False, default="", trim_whitespace=False
    )
    sender = serializers.CharField(allow_blank=True, required=False, default="", max_length=255)
    channel = serializers.CharField(
        max_length=64, help_text="sms, chatbot, hotline, social_media..."
    )
    language = serializers.CharField(max_length=16, allow_blank=True, required=False, default="")
    place = serializers.CharField(
        max_length=32, allow_blank=True, required=False, default="", help_text="P-code."
    )
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    external_id = serializers.CharField(
        max_length=128,
        allow_blank=True,
        required=False,
        default="",
        help_text="The gateway's message id: a message sent twice is stored once.",
    )
    consent = serializers.BooleanField(required=False, allow_null=True, default=None)
    sensitive = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The sender says it is about sexual exploitation or abuse, other abuse, fraud "
        "or corruption, or a threat to safety: only the named focal points see it (even when "
        "it cannot be taken in and waits for review).",
    )
    category = serializers.CharField(
        max_length=32, allow_blank=True, required=False, default="", help_text="Category key."
    )
    code = serializers.CharField(
        max_length=48, allow_blank=True, required=False, default="", help_text="Code key."
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class ReferSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    note = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)
    via = serializers.ChoiceField(choices=AnswerChannel.choices)
    answered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, default=Satisfaction.NOT_ASKED
    )
    close = serializers.BooleanField(default=True)


class CountSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
