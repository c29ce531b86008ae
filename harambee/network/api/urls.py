from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("organisations", views.OrganisationViewSet, basename="organisation")
    router.register("people", views.PersonViewSet, basename="person")
    router.register("groups", views.GroupViewSet, basename="group")
    router.register("memberships", views.MembershipViewSet, basename="membership")
    router.register("group-roles", views.GroupRoleViewSet, basename="group-role")
    router.register("workplan-items", views.WorkplanItemViewSet, basename="workplan-item")
    router.register("requests", views.RequestViewSet, basename="request")
    router.register("request-responses", views.RequestResponseViewSet, basename="request-response")
