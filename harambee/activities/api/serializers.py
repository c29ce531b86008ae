"""Shapes of the activities API. Serializers check the shape; the services make the changes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from harambee.core.choices import Permission
from harambee.network.api.serializers import (
    CountryField,
    HidesOrganisations,
    VersionedSerializer,
    VisibleRelatedField,
    shared_with_field,
)
from harambee.network.models import Organisation
from harambee.places.models import AdminArea, Emergency

from ..models import (
    Activity,
    ActivityFigure,
    ActivityOrganisation,
    ActivityPlace,
    ImportBatch,
    PopulationGroup,
    Sector,
)


class RefusesNul:
    """A related field that refuses a value holding a NUL character before it reaches the
    database: PostgreSQL refuses such strings outright (a 500 instead of "does not exist")."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(gettext("Null characters are not allowed."))
        return super().to_internal_value(data)  # type: ignore[misc]


class CodeCountryField(RefusesNul, CountryField):
    pass


class CodeRelatedField(RefusesNul, serializers.SlugRelatedField):
    pass


class CodePrimaryKeyField(RefusesNul, serializers.PrimaryKeyRelatedField):
    pass


class PopulationGroupSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = PopulationGroup
        fields = ["code", "name"]
        read_only_fields = fields


class SectorSerializer(serializers.ModelSerializer):
    country = CodeCountryField(
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
    admin_area = CodeRelatedField(
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


class ActivitySerializer(HidesOrganisations, VersionedSerializer):
    """An activity. The activities listed are those whose implementing organisation you may
    see; other organisations you may not see are left out, and a maintaining organisation you
    may not see comes out as null, as does an import you may not see. `version` comes back
    in every response and must be sent back on every update."""

    hidden_organisation_fields = ("owner_organisation",)

    country = CodeCountryField()
    implementing_organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    implementing_organisation_name = serializers.CharField(
        source="implementing_organisation.name", read_only=True
    )
    sector = serializers.PrimaryKeyRelatedField(queryset=Sector.objects.all())
    sector_code = serializers.CharField(source="sector.code", read_only=True)
    emergency = serializers.PrimaryKeyRelatedField(
        queryset=Emergency.objects.all(), required=False, allow_null=True
    )
    population_groups = CodePrimaryKeyField(
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
    shared_with = shared_with_field()

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

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if data.get("import_batch") is not None and not self._import_batch_visible(instance):
            data["import_batch"] = None
        return data

    def _import_batch_visible(self, instance: Any) -> bool:
        """From the selector's annotation; asked of the database for a record just written."""
        flag = getattr(instance, "import_batch_visible", None)
        if flag is not None:
            return bool(flag)
        request = self.context.get("request")
        batches = ImportBatch.objects.restrict(getattr(request, "user", None), Permission.VIEW)
        return batches.filter(pk=instance.import_batch_id).exists()

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
