from __future__ import annotations

from typing import Any

from rest_framework import permissions

from harambee.core.access import access_for


class IsMember(permissions.BasePermission):
    """Screening is for logged-in members of the network (it reveals nothing, but costs)."""

    message = "Only logged-in members of the network can screen names."

    def has_permission(self, request: Any, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and access_for(request.user).is_member
        )
