"""Matching API: read through the selectors (anonymised profiles), write through the services."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.core.api.permissions import RestrictedObjectPermission
from harambee.core.security import any_user
from harambee.network.api.serializers import VersionBodySerializer
from harambee.network.api.views import CONFLICT, ServiceViewSet, documented
from harambee.privacy.choices import AccessChannel

from .. import selectors, services
from ..choices import OfferKind
from ..filtersets import MatchFilterSet, NeedFilterSet, OfferFilterSet, ProfileFilterSet
from ..models import Match, Need, Offer, Profile
from ..taxonomy import search_occupations
from .serializers import (
    IDENTITY_SHOWN,
    MatchAnswerSerializer,
    MatchSerializer,
    NeedSerializer,
    OccupationHitSerializer,
    OfferSerializer,
    ProfileSerializer,
    ReasonSerializer,
)


class IdentityLogMixin:
    """Logs the profiles whose identity an answer carried in clear (others' only; one write
    per answer whatever the number of rows, as PersonalDataViewMixin does)."""

    request: Any

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        self._serializer_context = context
        return context

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        shown = getattr(self, "_serializer_context", {}).get(IDENTITY_SHOWN, [])
        if shown and 200 <= response.status_code < 300:
            services.log_identity_shown(
                request.user, shown, channel=AccessChannel.API, request=request
            )
        return response


@any_user("A person's own profile; consenting profiles anonymised for members.")
class ProfileViewSet(IdentityLogMixin, viewsets.ReadOnlyModelViewSet):
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
        return Response(ProfileSerializer(profile, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"], url_path="me/export")
    def export(self, request: Request) -> Response:
        """Everything kept about you in matching (JSON)."""
        profile = selectors.own_profile(user=request.user)
        if profile is None:
            return Response({"detail": "No profile."}, status=404)
        return Response(
            services.export_profile(actor=request.user, profile=profile, request=request)
        )


ACTION_RESPONSES = {409: CONFLICT, 400: OpenApiResponse(description="Not possible now.")}


class NeedOfferViewSet(ServiceViewSet):
    """Shared by needs and offers: signed-in users only; reads through the selector, writes
    through the services with the rules of the pages (change: matchmakers, editors of the
    maintaining organisation, the person, the creator; others who see it get 403)."""

    permission_classes = [IsAuthenticated, RestrictedObjectPermission]
    # No delete: needs are closed and offers withdrawn, so their matches keep their history.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _respond(self, obj: Any) -> Response:
        """The record after an action, as the list shows it (not the action's body)."""
        fresh = get_object_or_404(self.get_queryset(), pk=obj.pk)
        serializer_class: Any = type(self).serializer_class
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data)

    def _body(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)


def _need_data(data: dict[str, Any]) -> dict[str, Any]:
    """The serializer's values as the need's fields (the country by its code)."""
    if "country" in data:
        country = data.pop("country")
        data["country_id"] = country.pk if country is not None else None
    return data


@any_user("Needs open to the network; restricted per user in the selector and the services.")
@documented(NeedSerializer)
@extend_schema_view(
    create=extend_schema(summary="Post a need (any signed-in user; you may then change it)"),
    update=extend_schema(summary="Change a need (send the version you read)"),
    partial_update=extend_schema(summary="Change a need (send the version you read)"),
)
class NeedViewSet(NeedOfferViewSet):
    """Needs: crisis needs, country groups' requests, job openings, entrepreneurs' needs."""

    model = Need
    selector = staticmethod(selectors.needs)
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    queryset = Need.objects.none()

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> Need:
        need = services.need_create(actor=self.request.user, data=_need_data(data))
        return get_object_or_404(self.get_queryset(), pk=need.pk)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> Need:
        services.need_update(
            actor=self.request.user, need=instance, data=_need_data(data), expected_version=version
        )
        return get_object_or_404(self.get_queryset(), pk=instance.pk)

    @extend_schema(
        summary="Close a need: unsent proposals removed, sent ones withdrawn",
        request=ReasonSerializer,
        responses={200: NeedSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def close(self, request: Request, pk: str | None = None) -> Response:
        need = self.get_object()
        body = self._body(ReasonSerializer)
        edited = services.need_close(
            actor=request.user, need=need, expected_version=body["version"], reason=body["reason"]
        )
        return self._respond(edited.obj)

    @extend_schema(
        summary="Reopen a closed need",
        request=VersionBodySerializer,
        responses={200: NeedSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=VersionBodySerializer)
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        need = self.get_object()
        body = self._body(VersionBodySerializer)
        edited = services.need_reopen(
            actor=request.user, need=need, expected_version=body["version"]
        )
        return self._respond(edited.obj)


@any_user("Offers open to the network; restricted per user in the selector and the services.")
@documented(OfferSerializer)
@extend_schema_view(
    create=extend_schema(
        summary="Offer help as an organisation or group (any signed-in user; a person "
        "offers through their profile)"
    ),
    update=extend_schema(summary="Change an offer (send the version you read)"),
    partial_update=extend_schema(summary="Change an offer (send the version you read)"),
)
class OfferViewSet(NeedOfferViewSet):
    """Offers: a person's skills and time, a thematic group's expertise, in-kind, capital."""

    model = Offer
    selector = staticmethod(selectors.offers)
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet
    queryset = Offer.objects.none()

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> Offer:
        offer = services.offer_create(actor=self.request.user, data=data, m2m=m2m or None)
        return get_object_or_404(self.get_queryset(), pk=offer.pk)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> Offer:
        if instance.kind == OfferKind.PERSON:
            # A full update repeats what comes from the profile: only changes are refused.
            data = {k: v for k, v in data.items() if getattr(instance, k) != v}
            if "countries" in m2m and set(m2m["countries"]) == set(instance.countries.all()):
                m2m = {}
        services.offer_update(
            actor=self.request.user, offer=instance, data=data, m2m=m2m or None,
            expected_version=version,
        )  # fmt: skip
        return get_object_or_404(self.get_queryset(), pk=instance.pk)

    @extend_schema(
        summary="Withdraw an offer: unsent proposals removed, sent ones withdrawn",
        request=ReasonSerializer,
        responses={200: OfferSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        offer = self.get_object()
        body = self._body(ReasonSerializer)
        edited = services.offer_withdraw(
            actor=request.user, offer=offer, expected_version=body["version"],
            reason=body["reason"],
        )  # fmt: skip
        return self._respond(edited.obj)

    @extend_schema(
        summary="Offer again what was withdrawn",
        request=VersionBodySerializer,
        responses={200: OfferSerializer, **ACTION_RESPONSES},
    )
    @action(detail=True, methods=["post"], serializer_class=VersionBodySerializer)
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        offer = self.get_object()
        body = self._body(VersionBodySerializer)
        edited = services.offer_reactivate(
            actor=request.user, offer=offer, expected_version=body["version"]
        )
        return self._respond(edited.obj)


@any_user("Each user sees only the matches they are part of (matchmakers all).")
class MatchViewSet(IdentityLogMixin, viewsets.ReadOnlyModelViewSet):
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
        return Response(MatchSerializer(match, context=self.get_serializer_context()).data)


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
