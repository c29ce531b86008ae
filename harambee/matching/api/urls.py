from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Register this app's API endpoints on the project router."""
    router.register("matching/profiles", views.ProfileViewSet, basename="matching-profile")
    router.register("matching/needs", views.NeedViewSet, basename="matching-need")
    router.register("matching/offers", views.OfferViewSet, basename="matching-offer")
    router.register("matching/matches", views.MatchViewSet, basename="matching-match")
    router.register("matching/occupations", views.OccupationViewSet, basename="matching-occupation")
