"""Named error codes, shared by services, pages and the API."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Said when a form or API call that changes a record does not say which version it read.
VERSION_MISSING = _("Reload the page: this form is missing the version you read.")


class ErrorCode:
    STALE_VERSION = "stale_version"
    PERMISSION_DENIED = "permission_denied"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    DUPLICATE_SUSPECTED = "duplicate_suspected"
    MERGE_INVALID = "merge_invalid"
    IMPORT_INVALID = "import_invalid"


class ServiceError(Exception):
    code = ErrorCode.INVALID

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class StaleVersionError(ServiceError):
    """The record changed since the caller read it: a save would overwrite someone's edit."""

    code = ErrorCode.STALE_VERSION


class PermissionDeniedError(ServiceError):
    code = ErrorCode.PERMISSION_DENIED


__all__ = [
    "VERSION_MISSING",
    "ErrorCode",
    "PermissionDeniedError",
    "ServiceError",
    "StaleVersionError",
    "ValidationError",
]
