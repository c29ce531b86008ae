from rest_framework.routers import DefaultRouter

from .views import AdminAreaViewSet, CountryViewSet, EmergencyViewSet


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("countries", CountryViewSet, basename="country")
    router.register("admin-areas", AdminAreaViewSet, basename="admin-area")
    router.register("emergencies", EmergencyViewSet, basename="emergency")
