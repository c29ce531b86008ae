"""Forms shared by every app's pages, and the bridge from service errors to form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import VERSION_MISSING, ServiceError


class VersionField(forms.IntegerField):
    """The hidden version the user read. Required: without it a save could silently overwrite
    someone else's change, which is what optimistic locking is there to prevent."""

    widget = forms.HiddenInput
    default_error_messages = {"required": VERSION_MISSING, "invalid": VERSION_MISSING}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)
        self.error_messages["min_value"] = VERSION_MISSING


class VersionErrorOnTop:
    """A hidden field's error has no place next to the field: say it above the form too."""

    _errors: Any

    def clean(self) -> Any:
        cleaned = super().clean()  # type: ignore[misc]
        if self._errors and "version" in self._errors:
            self.add_error(None, VERSION_MISSING)  # type: ignore[attr-defined]
        return cleaned


class VersionedForm(VersionErrorOnTop, forms.Form):
    """Carries the version the user read, so a save on top of someone else's edit is refused."""

    version = VersionField()


class LinesField(forms.CharField):
    """A list of short strings typed one per line (other names, aliases)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value if str(v).strip()]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def apply_error(form: forms.BaseForm, exc: Exception) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest on top."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            for message in exc.messages:
                form.add_error(None, message)
        return
    if isinstance(exc, ServiceError):
        form.add_error(None, exc.message)
        return
    raise exc


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class LanguageForm(forms.Form):
    """Posted to Django's set_language view, which remembers the choice in a cookie."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class TokenForm(forms.Form):
    ACTIONS = (("create", _("Create")), ("regenerate", _("Regenerate")), ("revoke", _("Revoke")))
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)


def attempt(form: forms.BaseForm, service: Any, /, **kwargs: Any) -> tuple[bool, Any]:
    """Call a service; on refusal put the reason on the form and return (False, None).

    Permission refusals are not form errors: they propagate and become the 403 page.
    """
    from .errors import PermissionDeniedError

    try:
        return True, service(**kwargs)
    except PermissionDeniedError:
        raise
    except (ServiceError, ValidationError) as exc:
        apply_error(form, exc)
        return False, None
