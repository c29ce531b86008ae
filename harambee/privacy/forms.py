from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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


class CorrectForm(forms.Form):
    """One text input per personal field of the record's kind."""

    def __init__(
        self, *args: Any, entry: PersonalData, initial_values: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for f in entry.fields:
            self.fields[f.name] = forms.CharField(
                label=f.verbose_name,
                required=not f.blank,
                initial=initial_values.get(f.name) or "",
                max_length=getattr(f, "max_length", None),
            )

    def changed(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class AccessLogFilterForm(forms.Form):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    kind = forms.CharField(label=_("Kind of record"), required=False, max_length=100)
    record = forms.CharField(label=_("Record id"), required=False, max_length=64)
