"""Activities API: reads through the selectors (restricted to what the user may see), writes
through the services (permission-checked, versioned, audited)."""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.http import Http404
from rest_framework import mixins, serializers, viewsets

from harambee.network.api.views import ServiceViewSet, documented, split_m2m

from .. import activity_services, selectors
from ..filtersets import ActivityFilterSet, PopulationGroupFilterSet, SectorFilterSet
from ..models import Activity, PopulationGroup, Sector
from .serializers import ActivitySerializer, PopulationGroupSerializer, SectorSerializer

PARTS = ("places", "other_organisations", "figures")


def _parts(values: dict[str, Any]) -> dict[str, Any]:
    """Take the nested parts out of validated data, as the services' keyword arguments."""
    return {name: values.pop(name) for name in PARTS if name in values}


@documented(ActivitySerializer)
class ActivityViewSet(ServiceViewSet):
    """Who does what where: an organisation's activity in a sector, its places and people.

    Filters are the same as on the activity pages. Updates need the `version` you read.
    """

    model = Activity
    queryset = Activity.objects.all()  # the model for permissions; reads use the selector
    selector = staticmethod(selectors.activities)
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        values = dict(serializer.validated_data)
        values.pop("version", None)
        parts = _parts(values)
        data, m2m = split_m2m(self.model, values)
        activity = activity_services.activity_create(
            actor=self.request.user,
            data=data,
            m2m=m2m,
            places=parts.get("places"),
            other_organisations=parts.get("other_organisations"),
            figures=parts.get("figures"),
        )
        serializer.instance = selectors.activity_get(user=self.request.user, pk=activity.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        values = dict(serializer.validated_data)
        version = values.pop("version")
        parts = _parts(values)
        data, m2m = split_m2m(self.model, values)
        activity = activity_services.activity_update(
            actor=self.request.user,
            activity=cast(Activity, serializer.instance),
            data=data,
            m2m=m2m,
            expected_version=version,
            places=parts.get("places"),
            other_organisations=parts.get("other_organisations"),
            figures=parts.get("figures"),
        )
        serializer.instance = selectors.activity_get(user=self.request.user, pk=activity.pk)

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        activity_services.activity_delete(
            actor=self.request.user, activity=instance, expected_version=version
        )


class SectorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The global clusters and the sectors countries define. Editors add their country's own."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_class = SectorFilterSet

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Sector.objects.none()
        return selectors.sectors(user=self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = activity_services.sector_create(actor=self.request.user, data=data)


class PopulationGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Refugees, asylum seekers, IDPs, returnees, stateless people, host community, migrants."""

    queryset = PopulationGroup.objects.all()
    serializer_class = PopulationGroupSerializer
    filterset_class = PopulationGroupFilterSet
    lookup_field = "code"

    def get_queryset(self) -> models.QuerySet[PopulationGroup]:
        return selectors.population_groups(user=self.request.user)

    def get_object(self) -> PopulationGroup:
        # A NUL in the code would reach PostgreSQL, which refuses it (a 500, not a 404).
        if "\x00" in str(self.kwargs.get(self.lookup_field, "")):
            raise Http404("No such population group.")
        return super().get_object()
