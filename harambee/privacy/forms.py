from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from harambee.core.fields import EncryptedJSONField

from .registry import PersonalData

KIND_CHOICES = [("name", _("Name")), ("email", _("Email")), ("phone", _("Phone"))]


class FindForm(forms.Form):
    kind = forms.ChoiceField(label=_("Search by"), choices=KIND_CHOICES)
    value = forms.CharField(
        label=_("Exact value"),
        max_length=255,
        help_text=_(
            "Found by keyed hash: the exact name, email or phone (case and spacing ignored)."
        ),
    )


def _is_json(field: Any) -> bool:
    return isinstance(field, EncryptedJSONField | models.JSONField)


class CorrectForm(forms.Form):
    """One input per personal field of the record's kind: text, or JSON for structured values
    (a list of identifiers), so that a value nobody touched is not rewritten as its text."""

    def __init__(
        self, *args: Any, entry: PersonalData, initial_values: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._json: set[str] = set()
        for f in entry.fields:
            if _is_json(f):
                self._json.add(f.name)
                self.fields[f.name] = forms.JSONField(
                    label=f.verbose_name,
                    required=False,
                    initial=initial_values.get(f.name) or [],
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                continue
            self.fields[f.name] = forms.CharField(
                label=f.verbose_name,
                required=not f.blank,
                initial=initial_values.get(f.name) or "",
                max_length=getattr(f, "max_length", None),
            )

    def changed(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.changed_data}
        for name in self._json & set(values):
            if values[name] is None:
                values[name] = []  # emptied: stored as empty, as erasure leaves it
        return values


class AccessLogFilterForm(forms.Form):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    kind = forms.CharField(label=_("Kind of record"), required=False, max_length=100)
    record = forms.CharField(label=_("Record id"), required=False, max_length=64)
