"""Fixtures shared by every app's tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockouts(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _no_api_throttling(monkeypatch):
    # The API throttles clients (settings.REST_FRAMEWORK); a test suite makes hundreds of
    # requests a minute from one address. The rates are read into the throttle class when DRF
    # loads, so they are raised there; a test of throttling itself sets its own.
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"anon": "100000/minute", "user": "100000/minute", "intake": "100000/minute"},
    )


@pytest.fixture(autouse=True)
def _no_page_rate_limits(settings):
    # Public forms and log-in are rate-limited per address (harambee.core.security); every
    # test client comes from 127.0.0.1. A test of the limits sets its own rate.
    settings.PUBLIC_FORM_RATE = "100000/minute"
    settings.LOGIN_RATE = "100000/minute"


@pytest.fixture(autouse=True)
def _english_by_default():
    # A test that renders a French page leaves French active in its thread; reset it so the
    # next test's messages are in English whatever ran before.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
