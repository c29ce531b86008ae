"""The emergency form: a hidden version field carries what the editor read (optimistic lock)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Country, Emergency


class EmergencyForm(forms.ModelForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "required": _(
                "The form did not say which version it edits. "
                "Reload the page and make your change again."
            )
        },
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    class Meta:
        model = Emergency
        fields = [
            "name",
            "glide",
            "emergency_type",
            "countries",
            "start_date",
            "end_date",
            "description",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Editing must say which version it started from; adding has none.
        self.fields["version"].required = bool(self.instance.pk)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_glide(self) -> str | None:
        glide = (self.cleaned_data.get("glide") or "").strip().upper()
        return glide or None
