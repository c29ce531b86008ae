from rest_framework.routers import DefaultRouter

from . import imports, views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("activities", views.ActivityViewSet, basename="activity")
    router.register("sectors", views.SectorViewSet, basename="sector")
    router.register("population-groups", views.PopulationGroupViewSet, basename="population-group")
    router.register("import-batches", imports.ImportBatchViewSet, basename="import-batch")
