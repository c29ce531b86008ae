"""Personal fields in the API: left out unless the user may see them and asks.

Add `PersonalFieldsMixin` first in a serializer's bases, and `PersonalDataViewMixin` to its
viewset: personal fields (EncryptedTextField, or named in the model's `personal_fields`) are
then returned only with `?include_personal=true`, only to a logged-in user (the rows are
already restricted to those they may see), and each record so returned is logged.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from harambee.core.fields import personal_fields

from .access import log_access
from .choices import AccessAction, AccessChannel

INCLUDE_PERSONAL = "include_personal"

INCLUDE_PERSONAL_PARAMETER = OpenApiParameter(
    INCLUDE_PERSONAL,
    OpenApiTypes.BOOL,
    description="Include personal fields (name, email, phone...): logged-in users, logged.",
)


def wants_personal(request: Any) -> bool:
    if request is None or not getattr(request.user, "is_authenticated", False):
        return False
    value = (
        request.query_params.get(INCLUDE_PERSONAL, "") if hasattr(request, "query_params") else ""
    )
    return str(value).strip().lower() in {"1", "true", "yes"}


class PersonalFieldsMixin:
    """Drops the model's personal fields from the output unless `include_personal` applies."""

    context: dict[str, Any]

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        model = getattr(getattr(self, "Meta", None), "model", None)
        if model is None:
            return data
        names = [f.name for f in personal_fields(model)]
        if wants_personal(self.context.get("request")):
            self.context.setdefault("_personal_seen", []).append(instance)
            return data
        for name in names:
            data.pop(name, None)
        return data


class PersonalDataViewMixin:
    """Logs the records whose personal fields a response carried (one write per response)."""

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        context = getattr(self, "_serializer_context", None)
        seen: list[models.Model] = (context or {}).get("_personal_seen", [])
        if seen and 200 <= response.status_code < 300:
            log_access(
                request.user,
                seen,
                action=AccessAction.VIEW,
                channel=AccessChannel.API,
                request=request,
            )
        return response

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        self._serializer_context = context
        return context
