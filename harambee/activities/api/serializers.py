"""Shapes of the activities API. Serializers check the shape; the services make the changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from harambee.network.api.serializers import (
    CountryField,
    VersionedSerializer,
    VisibleRelatedField,
)
from harambee.network.models import Organisation
from harambee.places.models import AdminArea, Emergency

from ..models import (
    Activity,
    ActivityFigure,
    ActivityOrganisation,
    ActivityPlace,
    PopulationGroup,
    Sector,
)

User = get_user_model()


class PopulationGroupSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = PopulationGroup
        fields = ["code", "name"]
        read_only_fields = fields


class SectorSerializer(serializers.ModelSerializer):
    country = CountryField(
        required=False,
        allow_null=True,
        help_text=_(
            "ISO3 code of the country that defines this sector; empty for a global cluster."
        ),
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    display_name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Sector
        fields = ["id", "code", "name", "display_name", "country", "aliases", "version"]
        read_only_fields = ["version"]
        validators: list[Any] = []  # uniqueness per country: the model's check says it in words


class ActivityPlaceSerializer(serializers.ModelSerializer):
    admin_area = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=AdminArea.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("P-code of the matched admin area."),
    )
    admin_area_name = serializers.CharField(source="admin_area.name", read_only=True, default="")
    admin_level = serializers.IntegerField(source="admin_area.level", read_only=True, default=None)
    source_names = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list
    )

    class Meta:
        model = ActivityPlace
        fields = [
            "admin_area",
            "admin_area_name",
            "admin_level",
            "source_pcode",
            "source_names",
            "latitude",
            "longitude",
        ]


class ActivityOrganisationSerializer(serializers.ModelSerializer):
    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = ActivityOrganisation
        fields = ["organisation", "organisation_name", "role"]
        validators: list[Any] = []


class ActivityFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityFigure
        fields = ["kind", "sex", "age_group", "value"]
        validators: list[Any] = []


class ActivitySerializer(VersionedSerializer):
    country = CountryField()
    implementing_organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    implementing_organisation_name = serializers.CharField(
        source="implementing_organisation.name", read_only=True
    )
    sector = serializers.PrimaryKeyRelatedField(queryset=Sector.objects.all())
    sector_code = serializers.CharField(source="sector.code", read_only=True)
    emergency = serializers.PrimaryKeyRelatedField(
        queryset=Emergency.objects.all(), required=False, allow_null=True
    )
    population_groups = serializers.PrimaryKeyRelatedField(
        queryset=PopulationGroup.objects.all(), many=True, required=False
    )
    places = ActivityPlaceSerializer(
        many=True,
        required=False,
        help_text=_("When sent, replaces the activity's places."),
    )
    other_organisations = ActivityOrganisationSerializer(
        many=True,
        required=False,
        help_text=_("Funding, reporting and partner organisations; when sent, replaces them."),
    )
    figures = ActivityFigureSerializer(
        many=True,
        required=False,
        help_text=_("People figures by sex and age; when sent, replaces them."),
    )
    owner_organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    shared_with = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "country",
            "implementing_organisation",
            "implementing_organisation_name",
            "sector",
            "sector_code",
            "title",
            "description",
            "status",
            "start_date",
            "end_date",
            "emergency",
            "population_groups",
            "people_in_need",
            "people_targeted",
            "people_reached",
            "places",
            "other_organisations",
            "figures",
            "import_batch",
            "source_file",
            "source_row",
            "visibility",
            "owner_organisation",
            "shared_with",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "import_batch",
            "source_file",
            "source_row",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        country = attrs.get("country") or getattr(self.instance, "country", None)
        for place in attrs.get("places") or []:
            area = place.get("admin_area")
            if area is not None and country is not None and area.country_id != country.pk:
                raise serializers.ValidationError(
                    {"places": [_("Every place must be in the activity's country.")]}
                )
        return attrs
