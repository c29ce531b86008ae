"""The API fuzzed from the committed OpenAPI schema (schemathesis): no 500s, and every answer
matches its documented schema. Run as a platform admin (token), so writes reach the services.

Kept fast: a few examples per operation (SCHEMATHESIS_EXAMPLES, default 3); raise it locally
for a deeper run: SCHEMATHESIS_EXAMPLES=50 pytest harambee/core/tests/test_api_fuzz.py
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from harambee.core.tests.factories import UserFactory

SCHEMA_PATH = django_settings.PROJECT_DIR / "docs" / "api" / "openapi.yaml"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))

# Examples and random fuzzing only: the "coverage" phase tries every boundary of every
# parameter (hundreds of cases an operation) and is left to deeper runs.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES},
    }
)
schema = schemathesis.openapi.from_path(str(SCHEMA_PATH), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture
def admin_token(db):
    admin = UserFactory(username="fuzz-admin", is_superuser=True, is_staff=True)
    return Token.objects.create(user=admin).key


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_without_errors_and_as_documented(case, admin_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"},
        checks=[response_schema_conformance],
    )
