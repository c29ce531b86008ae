"""What one user may do, worked out once per request and reused by every selector.

Roles are held per group (viewer < editor < coordinator); platform admins are superusers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import ROLE_RANK, Role


@dataclass
class Access:
    user_id: int | None
    is_authenticated: bool
    is_admin: bool
    organisation_id: int | None
    group_roles: dict[int, str] = field(default_factory=dict)

    @property
    def is_member(self) -> bool:
        """A member of the network: belongs to an organisation or holds a role in a group."""
        return self.is_authenticated and (
            self.organisation_id is not None or bool(self.group_roles)
        )

    @property
    def max_rank(self) -> int:
        return max((ROLE_RANK[Role(r)] for r in self.group_roles.values()), default=0)

    def has_role_anywhere(self, role: str) -> bool:
        return self.max_rank >= ROLE_RANK[Role(role)]

    def groups_with(self, role: str) -> set[int]:
        rank = ROLE_RANK[Role(role)]
        return {gid for gid, r in self.group_roles.items() if ROLE_RANK[Role(r)] >= rank}

    def role_in(self, group_id: int | None) -> str | None:
        if group_id is None:
            return None
        return self.group_roles.get(group_id)

    @cached_property
    def coordinated_organisations(self) -> QuerySet[Any] | None:
        """Organisations that are confirmed, current members of a group this user coordinates.

        An invitation does not count: adding an organisation to a group must not, by itself,
        show the group's coordinators that organisation's contacts.
        """
        groups = self.groups_with(Role.COORDINATOR)
        if not groups:
            return None
        membership = apps.get_model("network", "Membership")
        today = timezone.localdate()
        return (
            membership.objects.filter(group_id__in=groups, confirmed=True)
            .filter(Q(until__isnull=True) | Q(until__gte=today))
            .values("organisation_id")
        )


ANONYMOUS = Access(user_id=None, is_authenticated=False, is_admin=False, organisation_id=None)


def access_for(user: Any) -> Access:
    """The user's access, cached on the user object so a request computes it once."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_harambee_access", None)
    if cached is not None:
        return cached
    group_role = apps.get_model("network", "GroupRole")
    roles = dict(group_role.objects.filter(user_id=user.pk).values_list("group_id", "role"))
    access = Access(
        user_id=user.pk,
        is_authenticated=True,
        is_admin=bool(user.is_superuser),
        organisation_id=user.organisation_id,
        group_roles=roles,
    )
    user._harambee_access = access
    return access


def forget_access(user: Any) -> None:
    """Drop the cached access after the user's roles change."""
    if user is not None and hasattr(user, "_harambee_access"):
        del user._harambee_access
