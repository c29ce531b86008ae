from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("screening/list-versions", views.ListVersionViewSet, basename="list-version")
    router.register("screening/batches", views.ScreeningBatchViewSet, basename="screening-batch")
    router.register("screening/decisions", views.DecisionViewSet, basename="screening-decision")
    router.register("screening/packages", views.PackageViewSet, basename="dd-package")
    router.register("screening/payees", views.PayeeViewSet, basename="screening-payee")
    router.register("screening/alerts", views.AlertViewSet, basename="screening-alert")


urlpatterns = [
    path("screening/screen/", views.ScreenView.as_view(), name="screening-screen"),
    path(
        "screening/packages/verify-file/",
        views.PackageVerifyView.as_view(),
        name="dd-package-verify-file",
    ),
]
