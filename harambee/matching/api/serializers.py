"""Matching API serializers. Profiles are anonymised on the server (services.profile_view)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harambee.network.api.serializers import CountryField, VersionedSerializer

from .. import services
from ..choices import Stage
from ..languages import normalise_language
from ..models import Match, Need, Offer

# Serializer context key: the profiles whose identity an answer carries in clear.
IDENTITY_SHOWN = "_identity_shown"


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
        view = services.profile_view(user, instance)
        if view["identity_shown"]:
            # Gathered for the access log, written once per answer (api.views.IdentityLogMixin).
            self.context.setdefault(IDENTITY_SHOWN, []).append(instance)
        return super().to_representation(view)


class NeedLanguageSerializer(serializers.Serializer):
    """A language a need asks for, with the minimum CEFR level (1 = A1 … 6 = C2)."""

    code = serializers.CharField(
        max_length=8, help_text=_("ISO 639-1 or 639-3 code; stored as 639-3.")
    )
    level = serializers.IntegerField(min_value=1, max_value=6)
    written = serializers.BooleanField(
        required=False, help_text=_("The written level must be met too.")
    )

    def validate_code(self, value: str) -> str:
        code = normalise_language(value)
        if code is None:
            raise serializers.ValidationError(_("Unknown language."))
        return code

    def to_internal_value(self, data: Any) -> Any:
        # Stored as the pages store it: {"code", "level"}, "written" only when asked.
        values = dict(super().to_internal_value(data))
        if not values.get("written"):
            values.pop("written", None)
        return values


class OfferLanguageSerializer(NeedLanguageSerializer):
    """A language on offer, with its CEFR level (1 = A1 … 6 = C2)."""

    written = None  # type: ignore[assignment]


def codes(max_length: int = 32, help_text: Any = "") -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=max_length),
        required=False,
        max_length=200,
        help_text=help_text,
    )


OCCUPATIONS_HELP = _("ISCO-08 or ESCO occupation codes, optionally with years (2221:8).")
SKILLS_HELP = _("ESCO skill URIs or labels (other labels are kept as free text).")


class NeedSerializer(VersionedSerializer):
    """A need. Written through the services: `version` on every update (409 when stale);
    close and reopen are actions. The status follows the posts and the matches."""

    occupations = codes(help_text=OCCUPATIONS_HELP)
    skills_required = codes(255, SKILLS_HELP)
    skills_optional = codes(255, SKILLS_HELP)
    languages = NeedLanguageSerializer(many=True, required=False)
    country = CountryField(required=False, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id", "kind", "title", "description", "group", "request", "employer", "occupations",
            "skills_required", "skills_optional", "languages", "country", "place", "remote_ok",
            "start", "end", "posts", "visa_sponsorship", "sector", "stage", "amount", "status",
            "cohort", "created_at", "version",
        ]  # fmt: skip
        read_only_fields = [
            "id", "group", "request", "employer", "place", "status", "cohort", "created_at",
        ]  # fmt: skip


class OfferSerializer(VersionedSerializer):
    """An offer. Written through the services: `version` on every update (409 when stale);
    withdraw and reactivate are actions. A person's offer changes its title, description and
    capacity only (the rest is the person's profile); a person offers through their profile."""

    profile = serializers.SerializerMethodField()
    occupations = codes(40, OCCUPATIONS_HELP)
    skills = codes(255, SKILLS_HELP)
    languages = OfferLanguageSerializer(many=True, required=False)
    countries = CountryField(many=True, required=False)
    sectors = codes(100)
    stages = serializers.ListField(
        child=serializers.ChoiceField(choices=Stage.choices), required=False, max_length=10
    )

    class Meta:
        model = Offer
        fields = [
            "id", "kind", "title", "description", "profile", "organisation", "group", "capacity",
            "occupations", "skills", "languages", "countries", "remote", "available_from",
            "available_to", "capital_type", "amount_min", "amount_max", "currency", "sectors",
            "stages", "active", "cohort", "version",
        ]  # fmt: skip
        read_only_fields = ["id", "organisation", "group", "active", "cohort"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_profile(self, offer: Offer) -> str | None:
        """The person's public id (never their name)."""
        return offer.profile.public_id if offer.profile else None

    def validate_currency(self, value: str) -> str:
        return (value or "").strip().upper()


class ReasonSerializer(serializers.Serializer):
    """Close a need or withdraw an offer from the version you read, with an optional reason."""

    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; a stale one is refused with 409.")
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text=_("Kept in the history and told to both sides of withdrawn proposals."),
    )


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
