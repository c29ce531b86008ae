from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("commitments", views.CommitmentViewSet, basename="commitment")
    router.register("results-frameworks", views.FrameworkViewSet, basename="results-framework")
    router.register("indicators", views.IndicatorViewSet, basename="indicator")
    router.register("milestones", views.MilestoneViewSet, basename="milestone")
    router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")
