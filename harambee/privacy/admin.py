from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLog, Consent, RetentionRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["time", "user_name", "action", "channel", "content_type", "object_id"]
    list_filter = ["action", "channel", "content_type"]
    search_fields = ["user_name", "object_id"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = [
        "given_at",
        "purpose",
        "policy_version",
        "method",
        "content_type",
        "object_id",
        "withdrawn_at",
    ]
    list_filter = ["purpose", "policy_version", "method"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["time", "dry_run", "counts"]
