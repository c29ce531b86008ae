"""Consent given for a purpose, who looked at whose personal data, and retention runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AccessAction, AccessChannel, ConsentMethod


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Log entries cannot be edited.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Log entries cannot be deleted.")


class Consent(models.Model):
    """A person's consent to one purpose, under one version of the privacy notice.

    Points at the record that holds the person's data (any model: a contact person, a feedback
    item...). Withdrawing keeps the record and sets `withdrawn_at`.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(_("record"), max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=64)
    policy_version = models.CharField(_("privacy notice version"), max_length=32)
    method = models.CharField(
        _("how it was given"),
        max_length=16,
        choices=ConsentMethod.choices,
        default=ConsentMethod.VERBAL,
    )
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="consent_subject_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.policy_version})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class AccessLog(models.Model):
    """Who saw (or searched, exported, corrected, erased) whose personal data, when, how.

    Holds no personal data itself: the record's type and id, the field names, never values;
    the request path without its query string.
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=AccessChannel.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    path = models.CharField(_("page or endpoint"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="access_subject_idx"),
            models.Index(fields=["user", "-time"], name="access_user_idx"),
        ]
        permissions = [
            (
                "manage_personal_data",
                _("Can find, export, correct and erase a person's data (data protection)"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} {self.action} {self.content_type_id}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Log entries cannot be edited.")
        super().save(*args, **kwargs)


class RetentionRun(models.Model):
    """One pass of the retention rules: how many records each rule erased (counts only)."""

    time = models.DateTimeField(_("time"), auto_now_add=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    counts = models.JSONField(_("counts"), default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {sum(self.counts.values())}"
