"""Network API endpoints. Reads go through the selectors (restricted to what the user may see),
writes through the services (permission-checked, versioned, audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request as HttpRequest
from rest_framework.response import Response

from harambee.privacy.serializers import INCLUDE_PERSONAL_PARAMETER, PersonalDataViewMixin

from .. import selectors, services
from ..duplicates import DuplicateSuspected, find_duplicates
from ..filtersets import (
    GroupFilterSet,
    GroupRoleFilterSet,
    MembershipFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
    RequestFilterSet,
    RequestResponseFilterSet,
    WorkplanItemFilterSet,
)
from ..models import (
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)
from .serializers import (
    ChangeRecordSerializer,
    DuplicateCandidateSerializer,
    DuplicateConflictSerializer,
    DuplicateQuerySerializer,
    GroupRoleSerializer,
    GroupSerializer,
    MembershipSerializer,
    MergeSerializer,
    OrganisationSerializer,
    PersonSerializer,
    RequestResponseSerializer,
    RequestSerializer,
    RequestStatusSerializer,
    RespondSerializer,
    VersionBodySerializer,
    WorkplanItemSerializer,
)

VERSION_PARAMETER = OpenApiParameter(
    "version",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description="The version you read (required); a stale one is refused with 409.",
)
CONFLICT = OpenApiResponse(description="Stale version (code stale_version).")


def split_m2m(model: type[models.Model], values: dict[str, Any]) -> tuple[dict, dict]:
    """Validated data as (fields, many-to-many values), the shape the services take."""
    many = {field.name for field in model._meta.many_to_many}
    data = {k: v for k, v in values.items() if k not in many and k != "version"}
    m2m = {k: v for k, v in values.items() if k in many}
    return data, m2m


def _version_from_query(request: HttpRequest) -> int:
    """The version a DELETE says it read (?version=): required, so nothing is deleted blind."""
    raw = request.query_params.get("version")
    if raw in (None, ""):
        raise serializers.ValidationError(
            {
                "version": [
                    _("This parameter is required: send ?version= with the version you read.")
                ]
            }
        )
    try:
        version = int(raw)
    except ValueError as exc:
        raise serializers.ValidationError({"version": [_("A whole number is required.")]}) from exc
    if version < 1:
        raise serializers.ValidationError({"version": [_("A whole number is required.")]})
    return version


def documented(serializer: type[serializers.Serializer]) -> Callable[[type], type]:
    """Say in the schema that updates and deletes answer 409 to a stale version."""
    return extend_schema_view(
        update=extend_schema(responses={200: serializer, 409: CONFLICT}),
        partial_update=extend_schema(responses={200: serializer, 409: CONFLICT}),
        destroy=extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, 409: CONFLICT}),
    )


class ServiceViewSet(viewsets.ModelViewSet):
    """A model's endpoint: selector for reads, services for writes, history for each object."""

    model: ClassVar[type[models.Model]]
    selector: ClassVar[Callable[..., Any]]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return type(self).selector(user=self.request.user)

    # Subclasses implement these three with their services.
    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        raise NotImplementedError

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        raise NotImplementedError

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data, m2m = split_m2m(self.model, dict(serializer.validated_data))
        serializer.instance = self.create_with_service(data, m2m)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        values = dict(serializer.validated_data)
        version = values.pop("version")
        data, m2m = split_m2m(self.model, values)
        serializer.instance = self.update_with_service(serializer.instance, data, m2m, version)

    def perform_destroy(self, instance: Any) -> None:
        self.delete_with_service(instance, _version_from_query(self.request))

    @extend_schema(
        summary="Change history",
        responses=ChangeRecordSerializer(many=True),
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY),
            OpenApiParameter("page_size", OpenApiTypes.INT, OpenApiParameter.QUERY),
        ],
        filters=False,
    )
    @action(
        detail=True, methods=["get"], filter_backends=[], serializer_class=ChangeRecordSerializer
    )
    def history(self, request: HttpRequest, pk: Any = None) -> Response:
        obj = self.get_object()
        records = selectors.history_for(user=request.user, obj=obj)
        page = self.paginate_queryset(records)
        context = {
            **self.get_serializer_context(),
            "show_names": selectors.shows_editor_names(request.user),
        }
        return self.get_paginated_response(
            ChangeRecordSerializer(page, many=True, context=context).data
        )


@extend_schema_view(
    create=extend_schema(
        responses={
            201: OrganisationSerializer,
            409: OpenApiResponse(
                DuplicateConflictSerializer,
                description="Likely duplicates exist (code duplicate_suspected); send "
                "allow_duplicate=true to create it anyway.",
            ),
        }
    )
)
@documented(OrganisationSerializer)
class OrganisationViewSet(ServiceViewSet):
    """Organisations: who is who in the network. Creating one that looks registered already answers 409."""

    model = Organisation
    selector = staticmethod(selectors.organisations)
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet

    def create(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().create(request, *args, **kwargs)
        except DuplicateSuspected as exc:
            body = {
                "code": exc.code,
                "detail": exc.message,
                "candidates": DuplicateCandidateSerializer(exc.candidates, many=True).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        allow = bool(data.pop("allow_duplicate", False))
        return services.organisation_create(
            actor=self.request.user, data=data, m2m=m2m, allow_duplicate=allow
        )

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        data.pop("allow_duplicate", None)
        return services.organisation_update(
            actor=self.request.user,
            organisation=instance,
            data=data,
            expected_version=version,
            m2m=m2m,
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.organisation_delete(
            actor=self.request.user, organisation=instance, expected_version=version
        )

    @extend_schema(
        summary="Merge a duplicate into this organisation",
        request=MergeSerializer,
        responses={200: OrganisationSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], serializer_class=MergeSerializer)
    def merge(self, request: HttpRequest, pk: Any = None) -> Response:
        keep = self.get_object()
        body = MergeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        kept = services.organisation_merge(
            actor=request.user,
            keep=keep,
            duplicate=body.validated_data["duplicate"],
            keep_version=body.validated_data["keep_version"],
            duplicate_version=body.validated_data["duplicate_version"],
        )
        result = selectors.organisation_get(user=request.user, pk=kept.pk)
        return Response(OrganisationSerializer(result, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Organisations similar to a name and acronym",
        parameters=[DuplicateQuerySerializer],
        responses=DuplicateCandidateSerializer(many=True),
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=DuplicateCandidateSerializer,
    )
    def duplicates(self, request: HttpRequest) -> Response:
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        candidates = find_duplicates(
            query.validated_data["name"],
            query.validated_data["acronym"],
            exclude_pk=query.validated_data.get("exclude"),
            limit=query.validated_data["limit"],
            queryset=Organisation.objects.restrict(request.user),
        )
        return Response(DuplicateCandidateSerializer(candidates, many=True).data)


@documented(PersonSerializer)
@extend_schema_view(
    list=extend_schema(parameters=[INCLUDE_PERSONAL_PARAMETER]),
    retrieve=extend_schema(parameters=[INCLUDE_PERSONAL_PARAMETER]),
)
class PersonViewSet(PersonalDataViewMixin, ServiceViewSet):
    """Contact people. Personal data: seen by their organisation and by coordinators of its groups."""

    model = Person
    selector = staticmethod(selectors.people)
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        consent = data.pop("consent", "")
        return services.person_create(actor=self.request.user, data=data, m2m=m2m, consent=consent)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        data.pop("consent", None)  # asked once, on creation
        return services.person_update(
            actor=self.request.user, person=instance, data=data, expected_version=version, m2m=m2m
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.person_delete(actor=self.request.user, person=instance, expected_version=version)


@documented(GroupSerializer)
class GroupViewSet(ServiceViewSet):
    """Country, thematic and other groups. Whoever creates a group becomes its coordinator."""

    model = Group
    selector = staticmethod(selectors.groups)
    serializer_class = GroupSerializer
    filterset_class = GroupFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        group = services.group_create(actor=self.request.user, data=data, m2m=m2m)
        return selectors.group_get(user=self.request.user, pk=group.pk)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        services.group_update(
            actor=self.request.user, group=instance, data=data, expected_version=version, m2m=m2m
        )
        return selectors.group_get(user=self.request.user, pk=instance.pk)

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.group_delete(actor=self.request.user, group=instance, expected_version=version)


@documented(MembershipSerializer)
class MembershipViewSet(ServiceViewSet):
    """Which organisations belong to which group, and as lead, member or observer."""

    model = Membership
    selector = staticmethod(selectors.memberships)
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        group = data.pop("group")
        return services.membership_create(actor=self.request.user, group=group, data=data)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        return services.membership_update(
            actor=self.request.user, membership=instance, data=data, expected_version=version
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.membership_delete(
            actor=self.request.user, membership=instance, expected_version=version
        )

    def _invitation(self, request: HttpRequest, pk: Any) -> tuple[Membership, int]:
        # Not get_object(), which asks for change rights on the group: the member organisation
        # answers, and the service checks that the user speaks for it.
        membership = get_object_or_404(self.get_queryset(), pk=pk)
        body = VersionBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return membership, body.validated_data["version"]

    @extend_schema(
        summary="Confirm a membership (the member organisation accepts the invitation)",
        request=VersionBodySerializer,
        responses={200: MembershipSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], serializer_class=VersionBodySerializer)
    def confirm(self, request: HttpRequest, pk: Any = None) -> Response:
        membership, version = self._invitation(request, pk)
        services.membership_confirm(
            actor=request.user, membership=membership, expected_version=version
        )
        result = get_object_or_404(self.get_queryset(), pk=membership.pk)
        return Response(MembershipSerializer(result, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Decline a membership (the member organisation turns the invitation down)",
        request=VersionBodySerializer,
        responses={204: None, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], serializer_class=VersionBodySerializer)
    def decline(self, request: HttpRequest, pk: Any = None) -> Response:
        membership, version = self._invitation(request, pk)
        services.membership_decline(
            actor=request.user, membership=membership, expected_version=version
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@documented(GroupRoleSerializer)
class GroupRoleViewSet(ServiceViewSet):
    """Who holds which role in which group. Setting a role a user already has changes it, and
    then needs the `version` of that role you read."""

    model = GroupRole
    selector = staticmethod(selectors.group_roles)
    serializer_class = GroupRoleSerializer
    filterset_class = GroupRoleFilterSet

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        # Setting a role the user already holds changes it: that needs the version read.
        data = serializer.validated_data
        serializer.instance = services.group_role_set(
            actor=self.request.user,
            group=data["group"],
            user=data["user"],
            role=data["role"],
            expected_version=data.get("version"),
        )

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        for name in ("group", "user"):
            if name in data and data[name].pk != getattr(instance, f"{name}_id"):
                raise serializers.ValidationError(
                    {name: ["This cannot be changed; give the role anew instead."]}
                )
        return services.group_role_set(
            actor=self.request.user,
            group=instance.group,
            user=instance.user,
            role=data.get("role", instance.role),
            expected_version=version,
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.group_role_remove(
            actor=self.request.user, group_role=instance, expected_version=version
        )


@documented(WorkplanItemSerializer)
class WorkplanItemViewSet(ServiceViewSet):
    """The challenges in each group's work plan."""

    model = WorkplanItem
    selector = staticmethod(selectors.workplan_items)
    serializer_class = WorkplanItemSerializer
    filterset_class = WorkplanItemFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        group = data.pop("group")
        return services.workplan_item_create(actor=self.request.user, group=group, data=data)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        return services.workplan_item_update(
            actor=self.request.user, workplan_item=instance, data=data, expected_version=version
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.workplan_item_delete(
            actor=self.request.user, workplan_item=instance, expected_version=version
        )


@documented(RequestSerializer)
class RequestViewSet(ServiceViewSet):
    """Requests from one group to another group or to an organisation, and their status."""

    model = Request
    selector = staticmethod(selectors.requests)
    serializer_class = RequestSerializer
    filterset_class = RequestFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        return services.request_create(actor=self.request.user, data=data, m2m=m2m)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        return services.request_update(
            actor=self.request.user, request=instance, data=data, expected_version=version, m2m=m2m
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.request_delete(actor=self.request.user, request=instance, expected_version=version)

    @extend_schema(
        summary="Move a request to another status",
        request=RequestStatusSerializer,
        responses={200: RequestSerializer, 409: CONFLICT},
    )
    @action(
        detail=True, methods=["post"], url_path="status", serializer_class=RequestStatusSerializer
    )
    def set_status(self, request: HttpRequest, pk: Any = None) -> Response:
        # Not get_object(), which asks for change rights: those asked may move the status too,
        # and the service checks who may.
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        body = RequestStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.request_set_status(
            actor=request.user,
            request=obj,
            status=body.validated_data["status"],
            expected_version=body.validated_data["version"],
        )
        result = selectors.request_get(user=request.user, pk=obj.pk)
        return Response(RequestSerializer(result, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Offer something in answer to a request",
        request=RespondSerializer,
        responses={201: RequestResponseSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=RespondSerializer)
    def respond(self, request: HttpRequest, pk: Any = None) -> Response:
        # Anyone who sees the request may answer it: not get_object(), which asks for change rights.
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        body = RespondSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        response = services.request_respond(
            actor=request.user,
            request=obj,
            organisation=body.validated_data["organisation"],
            offer=body.validated_data["offer"],
        )
        data = RequestResponseSerializer(response, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


@documented(RequestResponseSerializer)
class RequestResponseViewSet(ServiceViewSet):
    """Offers made in answer to requests. Creating one here is the same as requests/{id}/respond/."""

    model = RequestResponse
    selector = staticmethod(selectors.request_responses)
    serializer_class = RequestResponseSerializer
    filterset_class = RequestResponseFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> models.Model:
        return services.request_respond(
            actor=self.request.user,
            request=data["request"],
            organisation=data["organisation"],
            offer=data["offer"],
        )

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> models.Model:
        return services.request_response_update(
            actor=self.request.user, response=instance, data=data, expected_version=version
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        services.request_response_delete(
            actor=self.request.user, response=instance, expected_version=version
        )
