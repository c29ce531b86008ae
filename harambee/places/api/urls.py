from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
