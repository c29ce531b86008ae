"""Base models, the user, and the change log every service writes to."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .access import Access, access_for
from .choices import Action, Permission, Role, Visibility

NOTHING = Q(pk__in=[])


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can put a user's permissions into the query (NetBox's `restrict`)."""

    def restrict(self, user: Any, action: str = Permission.VIEW) -> RestrictedQuerySet:
        """Only the rows `user` may `action` (view, change, delete); anonymous users too."""
        return self.restrict_access(access_for(user), action)

    def restrict_access(self, access: Access, action: str = Permission.VIEW) -> RestrictedQuerySet:
        condition = self.model.permission_filter(access, action)
        return self if condition is None else self.filter(condition)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


class BaseModel(models.Model):
    """Timestamps, a version for optimistic locking, and a default permission rule."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects: ClassVar[RestrictedManager] = RestrictedManager()

    # Fields left out of change records (derived or secret).
    audit_exclude: ClassVar[tuple[str, ...]] = ("created_at", "updated_at")

    class Meta:
        abstract = True

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """Reference data by default: everyone views, platform admins change."""
        if action == Permission.VIEW or access.is_admin:
            return None
        return NOTHING

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin


class RestrictedModel(BaseModel):
    """An object with a visibility, owned by the organisation responsible for the record."""

    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("maintained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The organisation responsible for this record."),
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named people"),
        blank=True,
        related_name="+",
        help_text=_("Who may see it when the visibility is 'named people'."),
    )

    class Meta:
        abstract = True

    @classmethod
    def visibility_filter(cls, access: Access) -> Q | None:
        if access.is_admin:
            return None
        condition = Q(visibility=Visibility.PUBLIC)
        if access.is_member:
            condition |= Q(visibility=Visibility.NETWORK)
        if access.organisation_id is not None:
            condition |= Q(
                visibility=Visibility.ORGANISATION, owner_organisation_id=access.organisation_id
            )
        if access.is_authenticated:
            # Auto-created through table: columns <model>_id and user_id.
            named = cls.shared_with.through._default_manager.filter(user_id=access.user_id).values(
                f"{cls._meta.model_name}_id"
            )
            condition |= Q(visibility=Visibility.NAMED, pk__in=named)
        return condition

    @classmethod
    def permission_filter(cls, access: Access, action: str) -> Q | None:
        """View by visibility; change by editors, delete by coordinators, of the owner."""
        view = cls.visibility_filter(access)
        if action == Permission.VIEW or view is None:
            return view
        needed = Role.EDITOR if action == Permission.CHANGE else Role.COORDINATOR
        if access.organisation_id is None or not access.has_role_anywhere(needed):
            return NOTHING
        return view & Q(owner_organisation_id=access.organisation_id)

    @classmethod
    def can_create(cls, access: Access) -> bool:
        return access.is_admin or (
            access.organisation_id is not None and access.has_role_anywhere(Role.EDITOR)
        )


class User(AbstractUser):
    """A person who logs in. Belongs to one organisation; holds roles per group."""

    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ChangeRecordQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Change records cannot be edited.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Change records cannot be deleted.")

    def for_object(self, instance: models.Model) -> ChangeRecordQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
        )


class ChangeRecord(models.Model):
    """Who changed what, when, with the object before and after. Written only by services."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="change_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Change records cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Change records cannot be deleted.")

    @property
    def changed_fields(self) -> list[dict[str, Any]]:
        """Field-by-field differences, for the History tab."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [
            {"field": key, "before": before.get(key), "after": after.get(key)}
            for key in keys
            if before.get(key) != after.get(key)
        ]
