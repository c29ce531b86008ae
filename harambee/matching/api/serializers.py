"""Matching API serializers. Profiles are anonymised on the server (services.profile_view)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import services
from ..models import Match, Need, Offer


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    spoken = serializers.CharField()
    written = serializers.CharField()


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    years = serializers.IntegerField()


class CredentialSerializer(serializers.Serializer):
    title = serializers.CharField()
    status = serializers.CharField()
    verified_by = serializers.CharField(allow_null=True)
    verified_on = serializers.DateField(allow_null=True)
    document_number = serializers.CharField(
        required=False, help_text="Only when the identity is shown."
    )


class ProfileSerializer(serializers.Serializer):
    """A profile as this user may see it: without name, birth date, phone, email, nationality
    and document numbers unless the person agreed to show them (or the user is a matchmaker
    or the person)."""

    public_id = serializers.CharField()
    kind = serializers.CharField()
    identity_shown = serializers.BooleanField()
    country = serializers.CharField(allow_null=True)
    place = serializers.CharField()
    remote = serializers.BooleanField()
    time_zone = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    available_to = serializers.DateField(allow_null=True)
    hours_per_week = serializers.IntegerField(allow_null=True)
    capacity = serializers.IntegerField()
    occupations = OccupationSerializer(many=True)
    skills = serializers.ListField(child=serializers.CharField())
    languages = LanguageSerializer(many=True)
    credentials = CredentialSerializer(many=True)
    name = serializers.CharField(required=False)
    birth_date = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    nationality = serializers.CharField(required=False, allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        user = self.context["request"].user
        return super().to_representation(services.profile_view(user, instance))


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = [
            "id", "kind", "title", "description", "group", "request", "employer", "occupations",
            "skills_required", "skills_optional", "languages", "country", "place", "remote_ok",
            "start", "end", "posts", "visa_sponsorship", "sector", "stage", "amount", "status",
            "cohort", "created_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id", "kind", "title", "description", "profile", "organisation", "group", "capacity",
            "occupations", "skills", "languages", "countries", "remote", "available_from",
            "available_to", "capital_type", "amount_min", "amount_max", "currency", "sectors",
            "stages", "active", "cohort", "version",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_profile(self, offer: Offer) -> str | None:
        """The person's public id (never their name)."""
        return offer.profile.public_id if offer.profile else None


class PartSerializer(serializers.Serializer):
    part = serializers.CharField()
    points = serializers.FloatField()
    max = serializers.FloatField()
    detail = serializers.CharField()


class PassedOverSerializer(serializers.Serializer):
    offer = serializers.CharField()
    offer_label = serializers.CharField(required=False)
    score = serializers.FloatField()
    reason = serializers.CharField()
    lowest_accepted = serializers.FloatField(allow_null=True)


class MatchSerializer(serializers.ModelSerializer):
    parts = PartSerializer(many=True, read_only=True)
    passed_over = PassedOverSerializer(many=True, read_only=True)
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id", "run", "need", "offer", "profile", "status", "score", "parts", "passed_over",
            "need_answer", "offer_answer", "decline_reason", "identity_revealed",
            "contacted_at", "accepted_at", "started_at", "completed_at", "version",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProfileSerializer(allow_null=True))
    def get_profile(self, match: Match) -> dict[str, Any] | None:
        if match.offer.profile is None:
            return None
        return ProfileSerializer(match.offer.profile, context=self.context).data


class MatchAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    reveal = serializers.BooleanField(required=False, default=False)


class OccupationHitSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    score = serializers.FloatField()
