"""Page forms for activities. They validate input; activity_services.py does the writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from harambee.core.forms import LinesField
from harambee.network.forms import DATE_WIDGET, ServiceModelForm, visible_organisations
from harambee.places.models import AdminArea

from .filtersets import query_code
from .models import Activity, Sector


class ActivityForm(ServiceModelForm):
    places = LinesField(
        label=_("Places (P-codes)"),
        required=False,
        help_text=_("One P-code per line, e.g. AF0101. Leave empty for the whole country."),
    )

    class Meta:
        model = Activity
        fields = [
            "country",
            "implementing_organisation",
            "sector",
            "title",
            "description",
            "status",
            "start_date",
            "end_date",
            "emergency",
            "population_groups",
            "people_in_need",
            "people_targeted",
            "people_reached",
            "visibility",
            "shared_with",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "population_groups": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["implementing_organisation"].queryset = visible_organisations(self.user)  # type: ignore[attr-defined]
        self.fields["sector"].queryset = Sector.objects.select_related("country")  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            self.initial.setdefault(
                "places",
                [p.admin_area.pcode for p in self.instance.places.all() if p.admin_area_id],
            )

    def clean_places(self) -> list[AdminArea]:
        codes = self.cleaned_data.get("places") or []
        if not codes:
            return []
        # P-codes are written as the COD has them; people type them in any case.
        # A code that cannot be one (a NUL, which PostgreSQL refuses) is simply unknown.
        condition = Q(pk__in=[])
        for code in codes:
            if query_code(code):
                condition |= Q(pcode__iexact=code)
        found = {a.pcode.upper(): a for a in AdminArea.objects.filter(condition)}
        missing = [c for c in codes if c.upper() not in found]
        if missing:
            shown = ", ".join(c.replace("\x00", "") for c in missing)
            raise forms.ValidationError(_("Unknown P-codes: %(codes)s.") % {"codes": shown})
        return list({c.upper(): found[c.upper()] for c in codes}.values())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        country = cleaned.get("country")
        areas = cleaned.get("places") or []
        if country is not None and any(a.country_id != country.pk for a in areas):
            self.add_error("places", _("Every place must be in the activity's country."))
        return cleaned

    def place_data(self) -> list[dict[str, Any]] | None:
        """The places for the service; None when the activity keeps the places it has and the
        form did not list them (an activity imported with unmatched places keeps those)."""
        areas = self.cleaned_data.get("places") or []
        if self.instance.pk is not None and not self.has_changed_places():
            return None
        return [{"admin_area": a, "source_pcode": a.pcode} for a in areas]

    def has_changed_places(self) -> bool:
        return "places" in self.changed_data
