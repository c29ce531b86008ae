from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("screening/list-versions", views.ListVersionViewSet, basename="list-version")
    router.register("screening/batches", views.ScreeningBatchViewSet, basename="screening-batch")


urlpatterns = [path("screening/screen/", views.ScreenView.as_view(), name="screening-screen")]
