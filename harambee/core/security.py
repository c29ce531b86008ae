"""Platform-wide safeguards every app reuses.

- `public(reason)`: marks a page or endpoint that anyone may open (the URL-map test requires
  every other route to refuse anonymous users and users without rights).
- `rate_limit(rate)`: a fixed-window limit per client address for public forms (POST only by
  default), answering 429.
- `IntakeRateThrottle`: DRF throttle for intake endpoints (scope "intake", per user or address).
- `UploadValidator` / `validate_upload`: size and type limits for every uploaded file.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

# --- public routes ----------------------------------------------------------------------------


def public(reason: str) -> Callable[[Any], Any]:
    """Declare a view (function, class or DRF viewset) open to anyone, and why."""

    def mark(view: Any) -> Any:
        view.public_reason = reason
        return view

    return mark


def any_user(reason: str) -> Callable[[Any], Any]:
    """Declare a view that any logged-in user may open, whatever their rights (their own
    profile, their own imports), and why. Anonymous users must still be refused."""

    def mark(view: Any) -> Any:
        view.any_user_reason = reason
        return view

    return mark


def _marked(callback: Any, attribute: str) -> str | None:
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
        getattr(callback, "__wrapped__", None),
    ):
        reason = getattr(candidate, attribute, None)
        if reason:
            return str(reason)
    return None


def public_reason(callback: Any) -> str | None:
    """The reason a resolved view is public, if it says so (function, view_class, viewset)."""
    return _marked(callback, "public_reason")


def any_user_reason(callback: Any) -> str | None:
    return _marked(callback, "any_user_reason")


# --- rate limits ------------------------------------------------------------------------------

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/minute" -> (10, 60)."""
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def client_address(request: HttpRequest) -> str:
    """The client's address (behind a proxy, the first X-Forwarded-For when configured)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def hit(key: str, rate: str) -> bool:
    """Count one request against `key`; False once the rate is exceeded in this window."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def too_many(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        _("Too many attempts from your address. Wait a minute and try again."),
        status=429,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": "60"},
    )


def rate_limit(
    rate: str | None = None,
    *,
    setting: str = "PUBLIC_FORM_RATE",
    scope: str = "",
    methods: Iterable[str] = ("POST",),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view per client address: `@rate_limit()` (the rate in settings.PUBLIC_FORM_RATE,
    read at each request) or `@rate_limit("10/minute")`. Only the given methods count (POST:
    showing the form stays free)."""
    counted = {m.upper() for m in methods}

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        name = scope or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in counted and not hit(
                f"{name}:{client_address(request)}", rate or getattr(settings, setting)
            ):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class IntakeRateThrottle(SimpleRateThrottle):
    """For intake endpoints (SMS gateways, chatbots, public forms posting to the API):
    `throttle_classes = [IntakeRateThrottle]`; rate in REST_FRAMEWORK's "intake"."""

    scope = "intake"

    def get_cache_key(self, request: Any, view: Any) -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- uploads ----------------------------------------------------------------------------------

SPREADSHEET_TYPES = (".csv", ".xlsx", ".json", ".xml", ".txt")


@deconstructible
class UploadValidator:
    """Refuses files over `max_size` bytes (UPLOAD_MAX_SIZE by default) or of another type
    (by extension, and for .xlsx by its zip signature; `extensions=()` checks the size only).
    Use on model and form FileFields and on DRF FileFields."""

    def __init__(
        self, extensions: Iterable[str] = SPREADSHEET_TYPES, max_size: int | None = None
    ) -> None:
        self.extensions = tuple(sorted(e.lower() for e in extensions))
        self.max_size = max_size

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UploadValidator)
            and self.extensions == other.extensions
            and self.max_size == other.max_size
        )

    def __call__(self, file: Any) -> None:
        limit = self.max_size or settings.UPLOAD_MAX_SIZE
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(size / 2**20, 1), "limit": round(limit / 2**20, 1)},
                code="upload_too_large",
            )
        if not self.extensions:
            return  # size only: the caller checks the type with its own messages
        name = os.path.basename(getattr(file, "name", "") or "")
        extension = os.path.splitext(name)[1].lower()
        if extension not in self.extensions:
            raise ValidationError(
                _("Files of this type are not accepted (%(ext)s); use one of: %(allowed)s.")
                % {"ext": extension or "?", "allowed": ", ".join(self.extensions)},
                code="upload_type",
            )
        if extension == ".xlsx" and hasattr(file, "read"):
            position = file.tell() if hasattr(file, "tell") else 0
            file.seek(0)
            head = file.read(4)
            file.seek(position)
            if head[:2] != b"PK":
                raise ValidationError(
                    _("This file is not a real Excel (.xlsx) workbook."), code="upload_type"
                )


validate_upload = UploadValidator()
