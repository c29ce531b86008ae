"""Countries (read-only), admin areas (written by platform admins) and emergencies."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from harambee.core.choices import Permission

from ..filtersets import AdminAreaFilterSet, CountryFilterSet, EmergencyFilterSet
from ..models import AdminArea, Country, Emergency
from ..services import (
    admin_area_create,
    admin_area_delete,
    admin_area_update,
    emergency_create,
    emergency_delete,
    emergency_update,
)
from .serializers import (
    AdminAreaDetailSerializer,
    AdminAreaSerializer,
    AdminAreaUpdateSerializer,
    CountrySerializer,
    EmergencySerializer,
    EmergencyUpdateSerializer,
)

INCLUDE_BOUNDARY = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    enum=["boundary"],
    description="`boundary` adds each area's GeoJSON boundary to the list (heavy).",
)
DELETE_VERSION = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    required=True,
    description="The version you read (required); a stale one gives 409 instead of deleting.",
)


def _version_param(request: Any) -> int:
    """The version a DELETE says it read (?version=): required, so nothing is deleted blind."""
    raw = request.query_params.get("version")
    if raw in (None, ""):
        raise serializers.ValidationError(
            {
                "version": [
                    _("This parameter is required: send ?version= with the version you read.")
                ]
            }
        )
    try:
        version = int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({"version": [_("A whole number is required.")]}) from exc
    if version < 1:
        raise serializers.ValidationError({"version": [_("A whole number is required.")]})
    return version


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166 countries, keyed by ISO3 code, with their number of admin areas."""

    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    queryset = Country.objects.all()
    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"

    def get_queryset(self) -> QuerySet[Country]:
        return (
            Country.objects.restrict(self.request.user, Permission.VIEW)
            .annotate(admin_area_count=Count("admin_areas"))
            .order_by("name")
        )

    def get_object(self) -> Country:
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].upper()
        return super().get_object()


@extend_schema_view(list=extend_schema(parameters=[INCLUDE_BOUNDARY]))
class AdminAreaViewSet(viewsets.ModelViewSet):
    """Admin areas by P-code. Everyone reads; platform admins write (or load files)."""

    filterset_class = AdminAreaFilterSet
    queryset = AdminArea.objects.all()
    lookup_field = "pcode"
    lookup_value_regex = "[^/]+"

    def _with_boundary(self) -> bool:
        return self.action != "list" or self.request.query_params.get("include") == "boundary"

    def get_queryset(self) -> QuerySet[AdminArea]:
        queryset = (
            AdminArea.objects.restrict(self.request.user, Permission.VIEW)
            .select_related("parent")
            .defer("parent__boundary")
        )
        return queryset if self._with_boundary() else queryset.defer("boundary")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in {"update", "partial_update"}:
            return AdminAreaUpdateSerializer
        return AdminAreaDetailSerializer if self._with_boundary() else AdminAreaSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = admin_area_create(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = admin_area_update(
            actor=self.request.user,
            area=cast(AdminArea, serializer.instance),
            data=data,
            expected_version=version,
        )

    @extend_schema(parameters=[DELETE_VERSION])
    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: AdminArea) -> None:
        admin_area_delete(
            actor=self.request.user, area=instance, expected_version=_version_param(self.request)
        )


class EmergencyViewSet(viewsets.ModelViewSet):
    """Emergencies (GLIDE). Editors anywhere in the network add and update them."""

    filterset_class = EmergencyFilterSet
    queryset = Emergency.objects.all()

    def get_queryset(self) -> QuerySet[Emergency]:
        return Emergency.objects.restrict(self.request.user, Permission.VIEW).prefetch_related(
            "countries"
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in {"update", "partial_update"}:
            return EmergencyUpdateSerializer
        return EmergencySerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        countries = data.pop("countries")
        serializer.instance = emergency_create(
            actor=self.request.user, data=data, m2m={"countries": countries}
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version")
        countries = data.pop("countries", None)
        serializer.instance = emergency_update(
            actor=self.request.user,
            emergency=cast(Emergency, serializer.instance),
            data=data,
            expected_version=version,
            m2m={"countries": countries} if countries is not None else None,
        )

    @extend_schema(parameters=[DELETE_VERSION])
    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: Emergency) -> None:
        emergency_delete(
            actor=self.request.user,
            emergency=instance,
            expected_version=_version_param(self.request),
        )
