"""API permissions: the same rules as the pages, read from the models' permission filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import permissions

from harambee.core.access import access_for
from harambee.core.choices import Permission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RestrictedObjectPermission(permissions.BasePermission):
    """Reads: anyone, then the queryset is restricted. Writes: the model's own rules.

    Object-level change/delete permission is checked by the services, which raise
    PermissionDeniedError (turned into 403 by the exception handler).
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "action", None) == "create":
            model = getattr(getattr(view, "queryset", None), "model", None)
            if model is not None and hasattr(model, "can_create"):
                return bool(model.can_create(access_for(request.user)))
        return True

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        action = Permission.DELETE if request.method == "DELETE" else Permission.CHANGE
        return type(obj).objects.restrict(request.user, action).filter(pk=obj.pk).exists()
