"""Feedback API: items through the same selector as the pages (sensitive ones only for their
focal points), staff intake, the steps of an item, counts; and the token-authenticated intake
endpoint for SMS gateways and chatbots."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from harambee.core.choices import Permission
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessChannel
from harambee.privacy.serializers import INCLUDE_PERSONAL

from .. import selectors, services
from ..choices import IntakeSource, RawStatus
from ..clustering import week_of
from ..filtersets import FeedbackItemFilterSet
from ..framework import FeedbackType
from ..models import FeedbackItem, IntakeToken, RawIntake
from .serializers import (
    AnswerSerializer,
    CountSerializer,
    FeedbackEventSerializer,
    FeedbackItemSerializer,
    IntakeErrorSerializer,
    IntakeResultSerializer,
    MessageIntakeSerializer,
    NoteSerializer,
    ReferSerializer,
    StaffIntakeSerializer,
)

COUNT_DIMENSIONS = {
    "feedback_type": "feedback_type",
    "sector": "sector__code",
    "admin_area": "admin_area__pcode",
    "status": "status",
    "channel": "channel",
    "week": "received_on",
}


def _error(exc: services.IntakeError, raw: RawIntake | None) -> Response:
    return Response(
        {
            "code": exc.code,
            "detail": exc.message,
            "field": exc.field,
            "raw_intake": raw.pk if raw else None,
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _result(raw: RawIntake, item: FeedbackItem, code: int = status.HTTP_201_CREATED) -> Response:
    return Response(
        {
            "reference": item.reference,
            "raw_intake": raw.pk,
            "status": raw.status,
            "sensitive": item.sensitive,
        },
        status=code,
    )


class FeedbackItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feedback items the user may see. Sensitive items (sexual exploitation and abuse, other
    abuse, fraud or corruption, safety threats) appear only to the named focal points of the
    organisation concerned and the group's PSEA coordinators. Personal fields only with
    `?personal=true`, for items you handle."""

    queryset = FeedbackItem.objects.all()
    serializer_class = FeedbackItemSerializer
    filterset_class = FeedbackItemFilterSet

    def get_queryset(self) -> QuerySet[FeedbackItem]:
        if getattr(self, "swagger_fake_view", False):
            return FeedbackItem.objects.none()
        return selectors.items(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["personal_pks"] = self._personal = self._personal_pks()
        return context

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer = super().get_serializer(*args, **kwargs)
        # Items sent with their personal fields in clear (?personal=true): logged.
        shown = args[0] if args else None
        if shown is not None and getattr(self, "_personal", None):
            items = shown if isinstance(shown, list | tuple) else [shown]
            items = [i for i in items if isinstance(i, FeedbackItem) and i.pk in self._personal]
            if items:
                # The personal fields carried: the registry's list (serializers.PERSONAL_FIELDS).
                log_access(
                    self.request.user, items, channel=AccessChannel.API, request=self.request
                )
        return serializer

    def _personal_pks(self) -> set[int]:
        request = getattr(self, "request", None)
        # `include_personal` is the platform's name for the switch (privacy.serializers);
        # `personal` is kept for the gateways and scripts written against it first.
        asked = (
            request.query_params.get(INCLUDE_PERSONAL) or request.query_params.get("personal")
            if request is not None
            else None
        )
        if request is None or asked not in ("1", "true"):
            return set()
        if not request.user.is_authenticated:
            return set()
        changeable = FeedbackItem.objects.restrict(request.user, Permission.CHANGE)
        return set(changeable.values_list("pk", flat=True)[:10_000])

    def get_permissions(self) -> list[Any]:
        return [permissions.IsAuthenticated()]

    @extend_schema(
        parameters=[
            OpenApiParameter(INCLUDE_PERSONAL, OpenApiTypes.BOOL, OpenApiParameter.QUERY),
            OpenApiParameter("personal", OpenApiTypes.BOOL, OpenApiParameter.QUERY),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=StaffIntakeSerializer,
        responses={201: IntakeResultSerializer, 400: IntakeErrorSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = StaffIntakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        group = data.pop("group")
        if not selectors.feedback_groups(user=request.user).filter(pk=group.pk).exists():
            raise exceptions.PermissionDenied("You do not take feedback in for this group.")
        try:
            raw, item = services.take_in(
                actor=request.user,
                group=group,
                data=data,
                source=IntakeSource.STAFF,
                payload=request.data,
            )
        except services.IntakeError as exc:
            return _error(exc, exc.raw)
        return _result(raw, item)

    @extend_schema(summary="Timeline", responses=FeedbackEventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        events = list(selectors.timeline(user=request.user, item=item))
        if any(event.note for event in events):
            # Notes may quote the person: logged on the item, as on its page.
            log_access(
                request.user,
                [item],
                channel=AccessChannel.API,
                fields=[selectors.EVENT_NOTES],
                request=request,
            )
        return Response(FeedbackEventSerializer(events, many=True).data)

    def _done(self, item: FeedbackItem) -> Response:
        visible = selectors.items(user=self.request.user).filter(pk=item.pk).first()
        if visible is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(visible).data)

    @extend_schema(request=NoteSerializer, responses={200: FeedbackItemSerializer}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.acknowledge(actor=request.user, item=item, **body.validated_data)
        )

    @extend_schema(request=ReferSerializer, responses={200: FeedbackItemSerializer}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def refer(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        body = ReferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(services.refer(actor=request.user, item=item, **body.validated_data))

    @extend_schema(request=AnswerSerializer, responses={200: FeedbackItemSerializer}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def answer(self, request: Request, pk: Any = None) -> Response:
        item = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._done(
            services.give_answer(actor=request.user, item=item, **body.validated_data)
        )

    @extend_schema(
        summary="Counts",
        parameters=[
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=sorted(COUNT_DIMENSIONS),
                description="What to count by (week: by the Monday of each week).",
            )
        ],
        responses=CountSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request: Request) -> Response:
        """Counts of the items you may see (the same selector and filters as the list)."""
        by = request.query_params.get("by", "feedback_type")
        if by not in COUNT_DIMENSIONS:
            raise exceptions.ValidationError({"by": [f"One of: {', '.join(COUNT_DIMENSIONS)}."]})
        queryset = self.filter_queryset(self.get_queryset())
        counts = selectors.count_by(queryset, COUNT_DIMENSIONS[by])
        if by == "week":
            weekly: dict[Any, int] = {}
            for day, n in counts.items():
                weekly[week_of(day)] = weekly.get(week_of(day), 0) + n
            counts = weekly
        labels = dict(FeedbackType.choices) if by == "feedback_type" else {}
        rows = [
            {
                "key": None if k is None else str(k),
                "label": str(labels.get(k, k or "—")),
                "count": n,
            }
            for k, n in sorted(counts.items(), key=lambda kv: str(kv[0]))
        ]
        return Response(CountSerializer(rows, many=True).data)


# --- intake from SMS gateways and chatbots ----------------------------------------------------


class IntakeTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Intake <key>`: the key of an organisation's SMS gateway or chatbot."""

    keyword = "Intake"

    def authenticate(self, request: Request) -> tuple[Any, IntakeToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the key after 'Intake '.")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid key.") from exc
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked key.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IntakeTokenScheme(OpenApiAuthenticationExtension):
    target_class = "harambee.feedback.api.views.IntakeTokenAuthentication"
    name = "intakeToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Intake <key>`: an organisation's intake key.",
        }


class HasIntakeToken(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, IntakeToken)


class IntakeThrottle(SimpleRateThrottle):
    """Per key, at settings.FEEDBACK_INTAKE_RATE."""

    scope = "feedback_intake"

    def get_rate(self) -> str:
        return str(settings.FEEDBACK_INTAKE_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        ident = token.pk if isinstance(token, IntakeToken) else self.get_ident(request)
        return f"throttle_feedback_intake_{ident}"


class MessageIntakeView(APIView):
    """Take in one message from an SMS gateway or chatbot.

    Whatever arrives is kept (raw intake) before it is read: a message that cannot become an
    item (no text, unknown channel, a place outside the country) is answered with 400, a named
    `code`, and the id of the raw intake kept for review. A message with an `external_id` seen
    before is answered with the item made the first time (200), never stored twice. A message
    marked `sensitive` (or with a sensitive `category` or `code`) is seen only by the named
    focal points; if it cannot be taken in, only the group's PSEA coordinators review it.
    """

    authentication_classes = [IntakeTokenAuthentication]
    permission_classes = [HasIntakeToken]
    throttle_classes = [IntakeThrottle]

    @extend_schema(
        request=MessageIntakeSerializer,
        responses={
            201: IntakeResultSerializer,
            200: OpenApiResponse(IntakeResultSerializer, description="Seen before (external_id)."),
            400: IntakeErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        token = cast(IntakeToken, request.auth)
        body = MessageIntakeSerializer(data=request.data)
        if not body.is_valid():
            raw = services.record_raw(
                source=IntakeSource.API,
                group=token.group,
                payload=request.data
                if isinstance(request.data, dict)
                else {"body": str(request.data)},
                token=token,
            )
            first = next(iter(body.errors.items()))
            exc = services.IntakeError(
                " ".join(str(e) for e in first[1]), code="invalid", field=first[0]
            )
            services.reject_raw(raw, exc)
            return _error(exc, raw)
        values = body.validated_data
        external_id = values["external_id"].strip()
        if external_id:
            seen = (
                RawIntake.objects.filter(
                    token=token, external_id=external_id, status=RawStatus.ACCEPTED
                )
                .prefetch_related("items")
                .first()
            )
            if seen is not None and seen.items.exists():
                return _result(seen, seen.items.all()[0], status.HTTP_200_OK)
        data = {
            "original_text": values["message"],
            "contact": values["sender"],
            "channel": values["channel"],
            "language": values["language"],
            "admin_area": values["place"],
            "received_at": values["received_at"],
            "wants_answer": bool(values["sender"]),
            "consent_given": values["consent"],
            "external_id": external_id,
            "sensitive": values["sensitive"],
            "category": values["category"].strip(),
            "code": values["code"].strip(),
        }
        try:
            raw, item = services.take_in(
                actor=None,
                group=token.group,
                data=data,
                source=IntakeSource.API,
                token=token,
                payload=dict(request.data),
            )
        except services.IntakeError as exc:
            return _error(exc, exc.raw)
        return _result(raw, item)
