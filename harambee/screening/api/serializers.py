from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harambee.network.api.serializers import VersionedSerializer
from harambee.privacy.serializers import PersonalFieldsMixin

from ..choices import Outcome, PackageKind
from ..matching.engine import SCHEMAS
from ..models import (
    DueDiligencePackage,
    ListVersion,
    PackageAccess,
    PackageShare,
    Payee,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningDecision,
    ScreeningResult,
)


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


# --- decisions and packages ---------------------------------------------------------------


class DecisionSerializer(PersonalFieldsMixin, serializers.ModelSerializer):
    """The query, where it was screened (`subject`) and the explanation (it quotes the query)
    are personal: returned only with ?include_personal=true (and logged)."""

    list_version: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    list_file_sha256 = serializers.CharField(source="list_version.file_sha256", read_only=True)

    class Meta:
        model = ScreeningDecision
        fields = [
            "id",
            "decided_at",
            "decided_by_name",
            "outcome",
            "reason",
            "query",
            "subject",
            "list_code",
            "list_version",
            "list_file_sha256",
            "entry_ref",
            "entry_fingerprint",
            "listed_name",
            "matched_name",
            "score",
            "explanation",
        ]
        read_only_fields = fields


class QuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    schema = serializers.ChoiceField(choices=[(s, s) for s in SCHEMAS], required=False)
    date_of_birth = serializers.RegexField(r"^\d{4}(-\d{2}(-\d{2})?)?$", required=False)
    nationality = serializers.CharField(max_length=100, required=False)
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )


class DecisionRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    list = serializers.CharField(help_text="The hit's list: un, ofac-sdn, ofac-nonsdn, eu, uk.")
    ref = serializers.CharField(help_text="The hit's list reference.")
    result = serializers.IntegerField(
        required=False, help_text="A batch result (the hit of a batch)."
    )
    alert = serializers.IntegerField(required=False, help_text="An alert of continuous screening.")
    query = QuerySerializer(
        required=False, help_text="A single screening: the query is screened again."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [k for k in ("result", "alert", "query") if attrs.get(k) is not None]
        if len(given) != 1:
            raise serializers.ValidationError("Give exactly one of result, alert or query.")
        return attrs


# --- payees and alerts --------------------------------------------------------------------


class PayeeSerializer(PersonalFieldsMixin, VersionedSerializer):
    """Name, date of birth, nationality, identifiers and notes are personal: returned only
    with ?include_personal=true (and logged). The organisation is the author's own."""

    organisation: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    date_of_birth = serializers.RegexField(
        r"^\d{4}(-\d{2}(-\d{2})?)?$",
        required=False,
        allow_blank=True,
        help_text="YYYY or YYYY-MM-DD.",
    )
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=20,
        help_text="Passport or registration numbers.",
    )

    class Meta:
        model = Payee
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "name",
            "schema",
            "date_of_birth",
            "nationality",
            "identifiers",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class AlertSerializer(PersonalFieldsMixin, serializers.ModelSerializer):
    """The name screened (`subject_name`, `query`, `hit`) is personal: returned only with
    ?include_personal=true (and logged)."""

    organisation: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    list_version: Any = serializers.PrimaryKeyRelatedField(read_only=True)
    decision: Any = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    decision_outcome = serializers.SerializerMethodField(
        help_text="The outcome of the decision that closed the alert, if any."
    )
    query = serializers.JSONField(read_only=True)
    hit = serializers.JSONField(read_only=True)

    class Meta:
        model = ScreeningAlert
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "subject_kind",
            "subject_id",
            "subject_name",
            "query",
            "list_version",
            "list_code",
            "entry_ref",
            "entry_fingerprint",
            "score",
            "hit",
            "status",
            "decision",
            "decision_outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_decision_outcome(self, alert: ScreeningAlert) -> str | None:
        return alert.decision.outcome if alert.decision is not None else None


class AlertDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to clear a hit (why it is a false positive).",
    )


class PackageSerializer(serializers.ModelSerializer):
    organisation: Any = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.IntegerField(read_only=True)
    created_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = DueDiligencePackage
        fields = [
            "id",
            "reference",
            "organisation",
            "organisation_id",
            "kind",
            "title",
            "purpose",
            "sha256",
            "key_id",
            "signed_at",
            "expires_at",
            "expired",
            "created_by",
        ]
        read_only_fields = fields


class AmountSerializer(serializers.Serializer):
    amount = serializers.CharField(max_length=32)
    currency = serializers.CharField(min_length=3, max_length=3)


class PackageCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=PackageKind.choices)
    purpose = serializers.CharField()
    amounts = AmountSerializer(many=True, required=False)
    places = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    payees = serializers.ListField(child=serializers.IntegerField(), required=False)
    valid_days = serializers.IntegerField(min_value=1, max_value=365, default=90)


class ShareRequestSerializer(serializers.Serializer):
    recipient = serializers.IntegerField(help_text="The id of a user of a bank.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PackageShareSerializer(serializers.ModelSerializer):
    recipient: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)
    shared_by: Any = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PackageShare
        fields = ["id", "recipient", "shared_by", "forwarded_from", "note", "created_at"]
        read_only_fields = fields


class PackageAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = PackageAccess
        fields = ["time", "user_name", "organisation_name", "action", "detail"]
        read_only_fields = fields


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    sha256 = serializers.CharField()
    signer = serializers.JSONField()
    signed_at = serializers.CharField()
    expires_at = serializers.CharField()
    expired = serializers.BooleanField()
    key_matches = serializers.BooleanField(
        help_text="The key in the file is the one Harambee holds for the signer."
    )
    summary = serializers.ListField(child=serializers.CharField())


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A package file (.json).")
