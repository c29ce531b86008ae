from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("feedback-items", views.FeedbackItemViewSet, basename="feedback-item")


urlpatterns = [
    path("feedback-intake/", views.MessageIntakeView.as_view(), name="feedback-intake"),
]
