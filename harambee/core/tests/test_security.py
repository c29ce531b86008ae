import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIRequestFactory

from harambee.core.security import IntakeRateThrottle, UploadValidator, rate_limit
from harambee.core.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_rate_limit_on_public_forms(settings):
    settings.PUBLIC_FORM_RATE = "2/minute"
    view = rate_limit(scope="test-form")(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    assert [view(factory.post("/", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert view(factory.get("/", REMOTE_ADDR="10.0.0.1")).status_code == 200  # showing is free
    assert view(factory.post("/", REMOTE_ADDR="10.0.0.2")).status_code == 200  # per address


def test_log_in_is_rate_limited(client, settings):
    settings.LOGIN_RATE = "2/minute"
    url = reverse("login")
    codes = [client.post(url, {"username": "x", "password": "y"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_intake_throttle(monkeypatch):
    monkeypatch.setattr(IntakeRateThrottle, "THROTTLE_RATES", {"intake": "2/minute"})
    throttle_view = type("V", (), {})()
    factory = APIRequestFactory()
    results = []
    for _ in range(3):
        request = factory.post("/api/intake/", REMOTE_ADDR="10.0.0.9")
        request.user = None
        results.append(IntakeRateThrottle().allow_request(request, throttle_view))
    assert results == [True, True, False]


def test_upload_validator_limits_size_and_type(settings):
    settings.UPLOAD_MAX_SIZE = 10
    check = UploadValidator((".csv", ".xlsx"))
    check(SimpleUploadedFile("a.csv", b"a,b\n"))
    with pytest.raises(ValidationError, match="too large"):
        check(SimpleUploadedFile("a.csv", b"a" * 11))
    with pytest.raises(ValidationError, match="not accepted"):
        check(SimpleUploadedFile("a.exe", b"MZ"))
    with pytest.raises(ValidationError, match="not a real Excel"):
        check(SimpleUploadedFile("a.xlsx", b"<html>"))
    size_only = UploadValidator(extensions=())
    size_only(SimpleUploadedFile("a.exe", b"MZ"))
    with pytest.raises(ValidationError, match="too large"):
        size_only(SimpleUploadedFile("a.csv", b"a" * 11))


def test_upload_limits_in_settings(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 2**20
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 10 * 2**20


def test_two_factor_log_in(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code below would otherwise delay the next
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.post(reverse("profile-two-factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.config_url in client.get(reverse("profile")).content.decode().replace(
        "&amp;", "&"
    )
    client.post(reverse("profile-two-factor"), {"action": "confirm", "token": "000000"})
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    code = f"{totp(device.bin_key):06d}"
    client.post(reverse("profile-two-factor"), {"action": "confirm", "token": code})
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    client.logout()

    login = reverse("login")
    refused = client.post(login, {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 200 and "authenticator" in refused.content.decode()
    # The admin's own log-in form is not a way round: it sends to the site's log-in.
    assert client.get("/admin/login/")["Location"].startswith(login)
    client.force_login(user)  # a session without the code
    assert client.get("/admin/").status_code == 302
    client.logout()
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    ok = client.post(
        login,
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_token": f"{totp(device.bin_key):06d}",
        },
    )
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200
