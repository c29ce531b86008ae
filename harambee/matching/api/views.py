"""Matching API: read through the selectors (anonymised profiles), write through the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.core.security import any_user

from .. import selectors, services
from ..filtersets import MatchFilterSet, NeedFilterSet, OfferFilterSet, ProfileFilterSet
from ..models import Match, Need, Offer, Profile
from ..taxonomy import search_occupations
from .serializers import (
    MatchAnswerSerializer,
    MatchSerializer,
    NeedSerializer,
    OccupationHitSerializer,
    OfferSerializer,
    ProfileSerializer,
)


@any_user("A person's own profile; consenting profiles anonymised for members.")
class ProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Profiles; employers and mentors get them anonymised, by public id."""

    serializer_class = ProfileSerializer
    filterset_class = ProfileFilterSet
    permission_classes = [IsAuthenticated]
    queryset = Profile.objects.none()
    lookup_field = "public_id"

    def get_queryset(self) -> Any:
        return selectors.profiles(user=self.request.user)

    @extend_schema(responses=ProfileSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        """Your own profile, in full."""
        profile = selectors.own_profile(user=request.user)
        if profile is None:
            return Response({"detail": "No profile."}, status=404)
        return Response(ProfileSerializer(profile, context={"request": request}).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="me/export")
    def export(self, request: Request) -> Response:
        """Everything kept about you in matching (JSON)."""
        profile = selectors.own_profile(user=request.user)
        if profile is None:
            return Response({"detail": "No profile."}, status=404)
        return Response(services.export_profile(actor=request.user, profile=profile))


@any_user("Needs open to the network; restricted per user in the selector.")
class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    permission_classes = [IsAuthenticated]
    queryset = Need.objects.none()

    def get_queryset(self) -> Any:
        return selectors.needs(user=self.request.user)


@any_user("Offers open to the network; restricted per user in the selector.")
class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet
    permission_classes = [IsAuthenticated]
    queryset = Offer.objects.none()

    def get_queryset(self) -> Any:
        return selectors.offers(user=self.request.user)


@any_user("Each user sees only the matches they are part of (matchmakers all).")
class MatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Matches you are a side of (matchmakers: all), each with its reasons."""

    serializer_class = MatchSerializer
    filterset_class = MatchFilterSet
    permission_classes = [IsAuthenticated]
    queryset = Match.objects.none()

    def get_queryset(self) -> Any:
        return selectors.matches(user=self.request.user).prefetch_related(
            "offer__profile__occupations", "offer__profile__languages",
            "offer__profile__skills__skill", "offer__profile__credentials",
        )  # fmt: skip

    @extend_schema(request=MatchAnswerSerializer, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Accept or decline (with a reason) for your side."""
        match = self.get_object()
        body = MatchAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.answer(actor=request.user, match=match, **body.validated_data)
        match.refresh_from_db()
        return Response(MatchSerializer(match, context={"request": request}).data)


@any_user("The ESCO/ISCO taxonomy: reference data for any signed-in user.")
class OccupationViewSet(viewsets.ViewSet):
    """Typo-tolerant search of ESCO occupations."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses=OccupationHitSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = str(request.query_params.get("q", ""))[:100]
        hits = search_occupations(query, limit=10) if query.strip() else []
        return Response(
            [{"code": h.code, "label": h.label, "score": round(h.score, 1)} for h in hits]
        )
