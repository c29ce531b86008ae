"""Optional two-factor log-in (TOTP, django-otp) for anyone, meant for admins and focal points.

A user turns it on from the profile page (an authenticator app reads the secret); from then on
log-in asks for the six-digit code after the password, and the admin site refuses a session
that did not give it. Log-in is also rate-limited per address (on top of django-axes).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .security import any_user, public, rate_limit


class TwoFactorAuthenticationForm(AuthenticationForm):
    """Username and password, and the code from the authenticator app when the user has one."""

    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("Only if you turned on two-factor log-in."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is not None and user_has_device(user, confirmed=True):
            token = (cleaned.get("otp_token") or "").strip()
            device = match_token(user, token) if token else None
            if device is None:
                raise forms.ValidationError(
                    _("Enter the current code from your authenticator app."), code="otp_required"
                )
            self.otp_device = device
        return cleaned


@method_decorator(rate_limit(setting="LOGIN_RATE", scope="login"), name="dispatch")
@public("Log-in page: anyone must reach it.")
class TwoFactorLoginView(auth_views.LoginView):
    form_class = TwoFactorAuthenticationForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


@public("Log-out: only ends the caller's own session.")
class LogoutView(auth_views.LogoutView):
    pass


def admin_has_permission(request: HttpRequest) -> bool:
    """The admin site: staff, and verified by a code when they turned two-factor on."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user_has_device(user, confirmed=True):
        return bool(getattr(user, "is_verified", lambda: False)())
    return True


def install_admin_guard() -> None:
    admin.site.has_permission = admin_has_permission  # type: ignore[method-assign]


def two_factor_context(user: Any) -> dict[str, Any]:
    devices = list(devices_for_user(user, confirmed=None))
    pending = next((d for d in devices if isinstance(d, TOTPDevice) and not d.confirmed), None)
    return {
        "two_factor_on": any(d.confirmed for d in devices),
        "two_factor_pending": pending,
    }


@any_user("The user's own two-factor device.")
@login_required
@require_POST
def two_factor(request: HttpRequest) -> HttpResponse:
    """Start (new secret), confirm (first code) or turn off (a current code) two-factor log-in."""
    user = request.user
    action = request.POST.get("action")
    token = (request.POST.get("token") or "").strip()
    if action == "start":
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    elif action == "confirm":
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is not None and token and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor log-in is on."))
        else:
            messages.error(request, _("That code is not right. Try the current one."))
    elif action == "remove":
        device = match_token(cast(Any, user), token) if token else None
        if device is None:
            messages.error(request, _("Give a current code to turn two-factor log-in off."))
        else:
            TOTPDevice.objects.filter(user=user).delete()
            messages.success(request, _("Two-factor log-in is off."))
    return redirect(f"{_profile_url()}#two-factor-heading")


def _profile_url() -> str:
    from django.urls import reverse

    return reverse("profile")
