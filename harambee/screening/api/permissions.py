from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
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


class UsesScreening(permissions.BasePermission):
    """As the screening pages: logged-in members of the network, and platform admins.

    Which rows they see, and what they may change, is the models' rules (selectors, services).
    """

    message = _("Only members of the network use sanctions screening.")

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        access = access_for(request.user)
        return access.is_member or access.is_admin
