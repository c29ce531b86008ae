"""API representations: countries by ISO3, admin areas by P-code, emergencies by id."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import AdminArea, Country, Emergency

VERSION_HELP = _(
    "The version you read. If someone changed the record since, the update is refused with 409."
)


class VersionRequiredMixin(serializers.Serializer):
    """Updates, partial ones too, must say which version they change."""

    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        return super().validate(attrs)


class CountryField(serializers.PrimaryKeyRelatedField):
    """A country by its ISO3 code, in any case."""

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class CountrySerializer(serializers.ModelSerializer):
    admin_area_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Country
        fields = ["iso3", "iso2", "numeric", "name", "official_name", "admin_area_count"]


class AdminAreaSerializer(serializers.ModelSerializer):
    """An admin area without its boundary, which can be megabytes."""

    country = CountryField(queryset=Country.objects.all())
    parent = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="pcode",
        queryset=AdminArea.objects.only("id", "pcode", "level", "country_id"),
        allow_null=True,
        required=False,
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = AdminArea
        fields = [
            "pcode",
            "name",
            "other_names",
            "level",
            "country",
            "parent",
            "valid_from",
            "latitude",
            "longitude",
            "version",
            "created_at",
            "updated_at",
        ]


class AdminAreaDetailSerializer(AdminAreaSerializer):
    boundary = serializers.JSONField(
        required=False, allow_null=True, help_text=_("GeoJSON geometry (WGS84).")
    )

    class Meta(AdminAreaSerializer.Meta):
        fields = [*AdminAreaSerializer.Meta.fields, "boundary"]

    def validate_boundary(self, value: Any) -> Any:
        from ..boundaries import geometry_problem

        if value is not None and (problem := geometry_problem(value)):
            raise serializers.ValidationError(problem)
        return value


class AdminAreaUpdateSerializer(VersionRequiredMixin, AdminAreaDetailSerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class EmergencySerializer(serializers.ModelSerializer):
    countries = CountryField(
        many=True, queryset=Country.objects.all(), help_text=_("ISO3 codes of the countries.")
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Emergency
        fields = [
            "id",
            "name",
            "glide",
            "emergency_type",
            "countries",
            "start_date",
            "end_date",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]

    def validate_countries(self, value: list[Country]) -> list[Country]:
        if not value:
            raise serializers.ValidationError(_("Choose at least one country."))
        return value


class EmergencyUpdateSerializer(VersionRequiredMixin, EmergencySerializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
