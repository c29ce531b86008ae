"""Django admin: the decision record and the package log, read-only (as the change log)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PackageAccess, ScreeningDecision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScreeningDecision)
class ScreeningDecisionAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "decided_by_name", "outcome", "list_code", "entry_ref", "score")
    list_filter = ("outcome", "list_code")
    search_fields = ("decided_by_name", "entry_ref", "listed_name", "reason")
    date_hierarchy = "decided_at"


@admin.register(PackageAccess)
class PackageAccessAdmin(ReadOnlyAdmin):
    list_display = ("time", "user_name", "organisation_name", "action", "package")
    list_filter = ("action",)
