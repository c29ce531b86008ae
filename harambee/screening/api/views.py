"""Screening over the API: one name (answer at once), batches (in the background), lists,
decisions, payees, the alert inbox and due-diligence packages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from harambee.core.access import access_for
from harambee.core.api.permissions import RestrictedObjectPermission
from harambee.network.api.views import ServiceViewSet, documented
from harambee.privacy.access import log_access
from harambee.privacy.choices import AccessAction as PersonalDataAccess
from harambee.privacy.choices import AccessChannel
from harambee.privacy.serializers import INCLUDE_PERSONAL_PARAMETER, PersonalDataViewMixin

from .. import selectors, services
from ..choices import AccessAction
from ..dd import decisions, packages
from ..dd.payees import payee_add, payee_remove, payee_update, payees
from ..filtersets import PayeeFilterSet, ScreeningAlertFilterSet
from ..matching.engine import Query
from ..matching.scorer import DEFAULT_THRESHOLD
from ..models import (
    DueDiligencePackage,
    ListVersion,
    Payee,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningDecision,
    ScreeningResult,
    SigningKey,
)
from .permissions import IsMember, UsesScreening
from .serializers import (
    AlertDecisionSerializer,
    AlertSerializer,
    BatchUploadSerializer,
    DecisionRequestSerializer,
    DecisionSerializer,
    ListVersionDetailSerializer,
    ListVersionSerializer,
    PackageAccessSerializer,
    PackageCreateSerializer,
    PackageSerializer,
    PackageShareSerializer,
    PayeeSerializer,
    ScreeningBatchSerializer,
    ScreeningResultSerializer,
    ScreenRequestSerializer,
    ScreenResponseSerializer,
    ShareRequestSerializer,
    VerificationSerializer,
    VerifyUploadSerializer,
)


class ScreenView(APIView):
    """Screen one name against the active version of every list."""

    permission_classes = [IsMember]

    @extend_schema(
        summary="Screen one name",
        request=ScreenRequestSerializer,
        responses={200: ScreenResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        body = ScreenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        threshold = data.get("threshold", DEFAULT_THRESHOLD)
        index = selectors.active_index()
        hits = services.screen_name(
            name=data["name"],
            schema=data.get("schema", ""),
            date_of_birth=data.get("date_of_birth", ""),
            nationality=data.get("nationality", ""),
            identifiers=data.get("identifiers", []),
            threshold=threshold,
            index=index,
        )
        return Response(
            {
                "name": data["name"],
                "threshold": threshold,
                "list_versions": list(index.version_ids),
                "hits": hits,
            }
        )


@extend_schema_view(
    list=extend_schema(summary="Versions of the sanctions lists, newest first per list"),
    retrieve=extend_schema(summary="One list version with the references it changed"),
)
class ListVersionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMember]
    queryset = ListVersion.objects.all()
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[ListVersion]:
        return selectors.list_versions(user=self.request.user)

    def get_serializer_class(self) -> type[ListVersionSerializer]:
        return ListVersionDetailSerializer if self.action == "retrieve" else ListVersionSerializer


@extend_schema_view(
    list=extend_schema(summary="Screening batches you may see, newest first"),
    retrieve=extend_schema(summary="One batch: status and progress"),
)
class ScreeningBatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMember]
    queryset = ScreeningBatch.objects.all()
    serializer_class = ScreeningBatchSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ScreeningBatch]:
        return selectors.batches(user=self.request.user)

    @extend_schema(
        summary="Upload a CSV of names to screen in the background",
        request={"multipart/form-data": BatchUploadSerializer},
        responses={202: ScreeningBatchSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BatchUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        batch = services.start_batch(
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            threshold=body.validated_data.get("threshold"),
        )
        return Response(
            ScreeningBatchSerializer(batch, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        summary="The batch's results, one per query", responses=ScreeningResultSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: Any = None) -> Response:
        batch = self.get_object()
        page = self.paginate_queryset(batch.results.order_by("row"))
        serializer = ScreeningResultSerializer(page, many=True)
        # Names and dates of birth of the people screened, in clear: logged.
        log_access(request.user, page or [], channel=AccessChannel.API, request=request)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="The batch's results as CSV (one line per hit)",
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR)},
    )
    @action(detail=True, methods=["get"], url_path="csv")
    def download(self, request: Request, pk: Any = None) -> HttpResponse:
        batch = self.get_object()
        response = HttpResponse(services.batch_csv(batch), content_type="text/csv; charset=utf-8")
        log_access(
            request.user,
            [batch],
            action=PersonalDataAccess.EXPORT,
            channel=AccessChannel.EXPORT,
            request=request,
        )
        response["Content-Disposition"] = f'attachment; filename="screening-{batch.pk}.csv"'
        return response


# --- decisions ----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Decisions on hits of your organisation, newest first",
        parameters=[INCLUDE_PERSONAL_PARAMETER],
    ),
    retrieve=extend_schema(
        summary="One decision with the query, list version and explanation",
        parameters=[INCLUDE_PERSONAL_PARAMETER],
    ),
)
class DecisionViewSet(
    PersonalDataViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The decision record: added to, never changed or deleted (no PUT, PATCH or DELETE).
    The query, `subject` and explanation come back only with ?include_personal=true (logged);
    the export keeps them (the organisation's own record) and is logged."""

    permission_classes = [IsMember]
    queryset = ScreeningDecision.objects.all()
    serializer_class = DecisionSerializer
    filterset_fields = ["outcome", "list_code", "entry_ref"]

    def get_queryset(self) -> QuerySet[ScreeningDecision]:
        return decisions.decisions(user=self.request.user)

    @extend_schema(
        summary="Record a decision on a hit (of a batch result, an alert or a single query)",
        request=DecisionRequestSerializer,
        responses={201: DecisionSerializer},
        parameters=[INCLUDE_PERSONAL_PARAMETER],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        common = {"actor": request.user, "outcome": data["outcome"], "reason": data["reason"]}
        if data.get("result") is not None:
            result = get_object_or_404(
                ScreeningResult.objects.filter(
                    batch__in=selectors.batches(user=request.user)
                ).select_related("batch"),
                pk=data["result"],
            )
            decision = decisions.decide_result_hit(
                result=result, list_code=data["list"], ref=data["ref"], **common
            )
        elif data.get("alert") is not None:
            alert = get_object_or_404(
                ScreeningAlert.objects.restrict(request.user), pk=data["alert"]
            )
            decision = decisions.decide_alert(alert=alert, **common)
        else:
            q = data["query"]
            decision = decisions.decide_query_hit(
                query=Query(
                    name=q["name"],
                    schema=q.get("schema", ""),
                    date_of_birth=q.get("date_of_birth", ""),
                    nationality=q.get("nationality", ""),
                    identifiers=tuple(q.get("identifiers", [])),
                ),
                list_code=data["list"],
                ref=data["ref"],
                **common,
            )
        return Response(
            DecisionSerializer(decision, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Export the decision record (CSV or JSON, with the names screened; logged)",
        parameters=[
            OpenApiParameter("as", str, enum=["csv", "json"], description="csv (default) or json")
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR),
            (200, "application/json"): OpenApiResponse(response=OpenApiTypes.OBJECT),
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset()).order_by("decided_at", "pk")
        decisions.log_export(request.user, queryset, request=request)
        if request.query_params.get("as") == "json":
            response = HttpResponse(
                decisions.export_json(queryset), content_type="application/json"
            )
            name = "screening-decisions.json"
        else:
            response = HttpResponse(
                decisions.export_csv(queryset), content_type="text/csv; charset=utf-8"
            )
            name = "screening-decisions.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- payees -------------------------------------------------------------------------------


@documented(PayeeSerializer)
@extend_schema_view(
    list=extend_schema(
        summary="Payees of your organisation", parameters=[INCLUDE_PERSONAL_PARAMETER]
    ),
    retrieve=extend_schema(summary="One payee", parameters=[INCLUDE_PERSONAL_PARAMETER]),
    create=extend_schema(summary="Add a payee of your organisation (editors); it is screened"),
    update=extend_schema(summary="Change a payee (editors; send the version you read)"),
    partial_update=extend_schema(summary="Change a payee (editors; send the version you read)"),
    destroy=extend_schema(summary="Remove a payee (coordinators; ?version= you read)"),
)
class PayeeViewSet(PersonalDataViewMixin, ServiceViewSet):
    """Payees of the user's organisation, as on the payees page: screened when added or
    changed (new hits raise alerts), and again whenever a list changes. Name, date of birth,
    nationality, identifiers and notes come back only with ?include_personal=true (logged)."""

    permission_classes = [UsesScreening, RestrictedObjectPermission]
    model = Payee
    selector = staticmethod(payees)
    serializer_class = PayeeSerializer
    filterset_class = PayeeFilterSet

    def create_with_service(self, data: dict[str, Any], m2m: dict[str, Any]) -> Payee:
        return payee_add(actor=self.request.user, data=data)

    def update_with_service(
        self, instance: Any, data: dict[str, Any], m2m: dict[str, Any], version: int
    ) -> Payee:
        return payee_update(
            actor=self.request.user, payee=instance, data=data, expected_version=version
        )

    def delete_with_service(self, instance: Any, version: int | None) -> None:
        payee_remove(actor=self.request.user, payee=instance, expected_version=version)


# --- alerts -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Alerts of continuous screening for your organisation, newest first",
        parameters=[INCLUDE_PERSONAL_PARAMETER],
    ),
    retrieve=extend_schema(summary="One alert", parameters=[INCLUDE_PERSONAL_PARAMETER]),
)
class AlertViewSet(PersonalDataViewMixin, viewsets.ReadOnlyModelViewSet):
    """The alert inbox: new hits found by continuous screening, open until a decision on the
    hit answers them. The name screened comes back only with ?include_personal=true (logged)."""

    permission_classes = [UsesScreening]
    queryset = ScreeningAlert.objects.all()
    serializer_class = AlertSerializer
    filterset_class = ScreeningAlertFilterSet

    def get_queryset(self) -> QuerySet[ScreeningAlert]:
        return selectors.alerts(user=self.request.user)

    @extend_schema(
        summary="Decide on the alert's hit (editors and compliance focal points); it closes "
        "every open alert the decision answers",
        request=AlertDecisionSerializer,
        responses={201: DecisionSerializer},
        parameters=[INCLUDE_PERSONAL_PARAMETER],
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        body = AlertDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = decisions.decide_alert(
            actor=request.user,
            alert=alert,
            outcome=body.validated_data["outcome"],
            reason=body.validated_data["reason"],
        )
        return Response(
            DecisionSerializer(decision, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- packages -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Packages of your organisation and packages shared with you"),
)
class PackageViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Signed due-diligence packages: made, shared, forwarded, read and verified; never
    changed or deleted. Every read by someone else is logged."""

    permission_classes = [IsMember]
    queryset = DueDiligencePackage.objects.all()
    serializer_class = PackageSerializer

    def get_queryset(self) -> QuerySet[DueDiligencePackage]:
        return packages.packages(user=self.request.user)

    @extend_schema(summary="One package (its signed content in `document`)")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        package = self.get_object()
        packages.open_package(actor=request.user, package=package, action=AccessAction.VIEWED)
        return Response(PackageSerializer(package).data)

    @extend_schema(
        summary="Assemble and sign a package of your organisation",
        request=PackageCreateSerializer,
        responses={201: PackageSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PackageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        chosen = list(Payee.objects.restrict(request.user).filter(pk__in=data.get("payees", [])))
        if len(chosen) != len(set(data.get("payees", []))):
            return Response(
                {"code": "package_invalid", "detail": "Unknown payee."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        package = packages.create_package(
            actor=request.user,
            title=data["title"],
            kind=data["kind"],
            purpose=data["purpose"],
            amounts=data.get("amounts", []),
            places=data.get("places", []),
            payees=chosen,
            valid_days=data["valid_days"],
        )
        return Response(PackageSerializer(package).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Share with a bank user (the NGO) or forward to a correspondent (a bank user)",
        request=ShareRequestSerializer,
        responses={201: PackageShareSerializer},
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: Any = None) -> Response:
        package = self.get_object()
        body = ShareRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        recipient = get_user_model().objects.filter(pk=body.validated_data["recipient"]).first()
        if recipient is None:
            return Response(
                {"code": "package_invalid", "detail": "Unknown user."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        share = packages.share_package(
            actor=request.user,
            package=package,
            recipient=recipient,
            note=body.validated_data["note"],
        )
        return Response(PackageShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The signed package file (canonical JSON)",
        responses={(200, "application/json"): OpenApiResponse(response=OpenApiTypes.OBJECT)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: Any = None) -> HttpResponse:
        package = self.get_object()
        packages.open_package(actor=request.user, package=package, action=AccessAction.DOWNLOADED)
        response = HttpResponse(package.document.encode("utf-8"), content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="dd-package-{package.reference}.json"'
        )
        return response

    @extend_schema(
        summary="Verify the package's hash and signature",
        request=None,
        responses={200: VerificationSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        package = self.get_object()
        result = packages.verify_package(actor=request.user, package=package)
        return Response(_verification(result, package.key_id == _registered(package)))

    @extend_schema(
        summary="Who the package was shared with, and every access (the NGO only)",
        responses={200: PackageAccessSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def accesses(self, request: Request, pk: Any = None) -> Response:
        package = self.get_object()
        if access_for(request.user).organisation_id != package.organisation_id:
            return Response(
                {"code": "permission_denied", "detail": "Only the organisation sees the log."},
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(PackageAccessSerializer(package.accesses.all(), many=True).data)


def _registered(package: DueDiligencePackage) -> str | None:
    key = SigningKey.objects.filter(organisation_id=package.organisation_id).first()
    return key.key_id if key else None


def _verification(result: Any, key_matches: bool) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "problems": result.problems,
        "sha256": result.sha256,
        "signer": result.signer,
        "signed_at": result.signed_at,
        "expires_at": result.expires_at,
        "expired": result.expired,
        "key_matches": key_matches,
        "summary": result.summary(),
    }


class PackageVerifyView(APIView):
    """Verify a package file: hash, signature, and the key Harambee holds for the signer."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Verify a package file",
        request={"multipart/form-data": VerifyUploadSerializer},
        responses={200: VerificationSerializer},
    )
    def post(self, request: Request) -> Response:
        body = VerifyUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result, known = packages.verify_file(body.validated_data["file"].read())
        return Response(_verification(result, known["key_matches"]))
