"""Every route of the URL map has a permission test: this one, generated from the map.

Each route (pages, API, admin, every pattern the resolver knows) is requested anonymously and
as a logged-in user with no organisation, no role and no staff status. A route must refuse
them (redirect to a log-in page, 401, 403, 404 or 405) unless it is declared public, with a
reason: `@public("...")` on the view (harambee.core.security), or in THIRD_PARTY below for views
the project does not own. API endpoints whose permission is RestrictedObjectPermission are
readable by anyone (the rows are restricted per user by the selectors) and must refuse writes.
Nothing may answer 500. A new route without a decision fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from harambee.core.api.permissions import RestrictedObjectPermission
from harambee.core.security import any_user_reason, public_reason
from harambee.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Views the project does not own, by route name, and why anyone may open them.
THIRD_PARTY = {
    "set_language": "Django's language switch: sets a cookie, nothing else.",
    "schema": "OpenAPI schema: describes the API, holds no data.",
    "api-docs": "Swagger UI for the schema: no data.",
    "api-token": "Token log-in: answers only to a right username and password.",
    "api-root": "DRF's list of endpoints: no data.",
    "javascript-catalog": "Translations for scripts: no data.",
    "admin:logout": "Ends the caller's own admin session; others are sent to the admin index.",
}
# Routes without a name (Django's own redirects and static files).
UNNAMED_PUBLIC = {
    "admin/login/": "Redirects to the site's log-in page.",
    "static/": "Static files (development only).",
}

REFUSED = {301, 302, 401, 403, 404, 405}
WRITE_REFUSED = {401, 403, 404, 405}
SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


@dataclass
class Route:
    path: str
    name: str
    callback: Any

    @property
    def reason(self) -> str | None:
        return (
            public_reason(self.callback)
            or THIRD_PARTY.get(self.name)
            or next((r for p, r in UNNAMED_PUBLIC.items() if self.path.startswith(p)), None)
        )

    @property
    def any_user(self) -> str | None:
        return any_user_reason(self.callback)

    @property
    def restricted_api(self) -> bool:
        cls = getattr(self.callback, "cls", None)
        classes = getattr(cls, "permission_classes", ()) or ()
        return any(c is RestrictedObjectPermission for c in classes)


def _sample(part: str) -> str:
    """A concrete path piece for a route pattern (converters and regex groups filled in)."""
    part = re.sub(r"\(\?P<format>[^)]*\)", "json", part)
    part = re.sub(r"\(\?P<\w+>[^)]*\)", "1", part)
    part = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), part)
    part = part.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return part.replace("\\", "")


def walk(patterns: Any = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        piece = _sample(str(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + piece, ns)
        elif isinstance(entry, URLPattern):
            yield Route("/" + prefix + piece, f"{namespace}{entry.name or ''}", entry.callback)


ROUTES = sorted({r.path: r for r in walk()}.values(), key=lambda r: r.path)


def _is_login_redirect(response: Any) -> bool:
    return response.status_code in (301, 302) and "login" in response.get("Location", "")


def _check(client: APIClient, route: Route, who: str) -> list[str]:
    problems = []
    reason = route.reason
    for method in ("get", "post"):
        response = getattr(client, method)(route.path)
        status = response.status_code
        if status >= 500:
            problems.append(f"{who} {method.upper()} {route.path} answered {status}")
            continue
        if reason or (who != "anonymous" and route.any_user):
            continue
        if method == "get" and route.restricted_api:
            continue  # readable by anyone, restricted per row
        allowed = REFUSED
        if method == "post" and route.restricted_api:
            # An empty write: refused by permission, or (where any user may create, as a
            # group) by validation; either way nothing is written.
            allowed = WRITE_REFUSED | ({400} if who != "anonymous" else set())
        if status not in allowed or (status in (301, 302) and not _is_login_redirect(response)):
            problems.append(
                f"{who} {method.upper()} {route.path} ({route.name or 'unnamed'}) answered "
                f"{status}: refuse, or mark the view @public(reason)"
            )
    return problems


def test_the_url_map_is_walked():
    names = {r.name for r in ROUTES}
    assert len(ROUTES) > 100
    assert {"login", "privacy:home", "privacy-find", "admin:index"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=[r.path for r in ROUTES])
def test_route_refuses_anonymous_and_users_without_rights(route):
    anonymous = APIClient()
    nobody = APIClient()
    nobody.force_login(UserFactory(username="nobody-in-particular"))
    problems = _check(anonymous, route, "anonymous") + _check(nobody, route, "user without rights")
    assert not problems, "\n".join(problems)
