"""Named error codes, shared by services, pages and the API."""

from django.core.exceptions import ValidationError


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
    "ErrorCode",
    "PermissionDeniedError",
    "ServiceError",
    "StaleVersionError",
    "ValidationError",
]
