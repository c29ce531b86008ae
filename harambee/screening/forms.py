"""Forms of the screening pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harambee.core.forms import VersionErrorOnTop, VersionField
from harambee.places.models import Country

from .choices import DocumentKind, Outcome, PackageKind
from .dd.profile import board_text, parse_board
from .matching.engine import SCHEMAS
from .models import ComplianceProfile, Payee

SCHEMA_CHOICES = [("", _("Any")), *((s, s) for s in SCHEMAS)]
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class ScreenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=500)
    schema = forms.ChoiceField(label=_("Type"), choices=SCHEMA_CHOICES, required=False)
    date_of_birth = forms.RegexField(
        label=_("Date of birth"),
        regex=DATE_PATTERN,
        required=False,
        help_text=_("YYYY or YYYY-MM-DD."),
        error_messages={"invalid": _("Write the date as YYYY or YYYY-MM-DD.")},
    )
    nationality = forms.CharField(
        label=_("Nationality"), max_length=100, required=False, help_text=_("Code or name.")
    )
    identifiers = forms.CharField(
        label=_("Identifiers"),
        max_length=500,
        required=False,
        help_text=_("Passport or registration numbers, separated by commas."),
    )

    def identifier_list(self) -> list[str]:
        return [i.strip() for i in self.cleaned_data.get("identifiers", "").split(",") if i.strip()]


class BatchForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV with columns id, name, schema, date_of_birth, nationality (name required)."
        ),
    )
    threshold = forms.FloatField(
        label=_("Threshold"), min_value=0.0, max_value=1.0, required=False, initial=0.8
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)]


class ListLoadForm(forms.Form):
    source = forms.ChoiceField(
        label=_("List"), choices=[("un", "UN"), ("ofac", "OFAC"), ("eu", "EU"), ("uk", "UK")]
    )
    list_files = MultipleFileField(
        label=_("File"),
        help_text=_(
            "UN, EU: the XML file; UK: the CSV; OFAC: sdn.csv, alt.csv and add.csv (or "
            "cons_prim.csv, cons_alt.csv and cons_add.csv) together."
        ),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to clear a hit: why is it not the listed party?"),
    )
    list_code = forms.CharField(widget=forms.HiddenInput)
    ref = forms.CharField(widget=forms.HiddenInput)
    result = forms.IntegerField(widget=forms.HiddenInput, required=False)
    alert = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(widget=forms.HiddenInput, required=False)
    schema = forms.CharField(widget=forms.HiddenInput, required=False)
    date_of_birth = forms.CharField(widget=forms.HiddenInput, required=False)
    nationality = forms.CharField(widget=forms.HiddenInput, required=False)
    identifiers = forms.CharField(widget=forms.HiddenInput, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class ProfileForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField()
    board_lines = forms.CharField(
        label=_("Board members and directors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name; role; date of birth (YYYY or YYYY-MM-DD); nationality."),
    )

    class Meta:
        model = ComplianceProfile
        fields = [
            "legal_name",
            "legal_form",
            "registration_number",
            "registration_authority",
            "registration_country",
            "registered_on",
            "registered_address",
            "tax_number",
            "governance",
            "ownership_control",
            "operating_areas",
            "high_risk_countries",
            "sanctions_policy",
            "ctf_policy",
            "policy_approved_on",
            "screening_frequency",
            "training",
            "last_training_on",
            "audits",
            "last_audit_on",
            "auditor",
            "funding_sources",
            "bank_relationships",
        ]
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}),
            "policy_approved_on": forms.DateInput(attrs={"type": "date"}),
            "last_training_on": forms.DateInput(attrs={"type": "date"}),
            "last_audit_on": forms.DateInput(attrs={"type": "date"}),
            "registered_address": forms.Textarea(attrs={"rows": 2}),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "governance",
                    "ownership_control",
                    "operating_areas",
                    "sanctions_policy",
                    "ctf_policy",
                    "training",
                    "audits",
                    "funding_sources",
                    "bank_relationships",
                )
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = Country.objects.order_by("name")
        self.fields["registration_country"].queryset = countries  # type: ignore[attr-defined]
        self.fields["high_risk_countries"].queryset = countries  # type: ignore[attr-defined]
        self.fields["high_risk_countries"].widget.attrs["size"] = 6
        if self.instance and self.instance.pk:
            self.fields["board_lines"].initial = board_text(self.instance.board)
            self.fields["version"].initial = self.instance.version

    def clean_board_lines(self) -> list[dict[str, str]]:
        from harambee.core.errors import ServiceError

        try:
            return parse_board(self.cleaned_data.get("board_lines", ""))
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, at most 5 MB."))
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FocalPointForm(forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class PayeeForm(forms.ModelForm):
    identifier_text = forms.CharField(
        label=_("Identifiers"),
        required=False,
        help_text=_("Passport or registration numbers, separated by commas."),
    )
    date_of_birth = forms.RegexField(
        label=_("Date of birth"),
        regex=DATE_PATTERN,
        required=False,
        help_text=_("YYYY or YYYY-MM-DD."),
        error_messages={"invalid": _("Write the date as YYYY or YYYY-MM-DD.")},
    )

    class Meta:
        model = Payee
        fields = ["name", "schema", "date_of_birth", "nationality", "notes"]
        # Encrypted fields are text fields: one-line inputs where one line is meant.
        widgets = {
            "name": forms.TextInput(),
            "nationality": forms.TextInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        data["identifiers"] = [
            i.strip() for i in self.cleaned_data.get("identifier_text", "").split(",") if i.strip()
        ]
        return data


class PackageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    kind = forms.ChoiceField(label=_("For"), choices=PackageKind.choices)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    amounts = forms.CharField(
        label=_("Amounts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: amount and currency, e.g. 25000 USD."),
    )
    places = forms.CharField(
        label=_("Places"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: where the money goes or the work happens."),
    )
    payees: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Payees"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=365, initial=90
    )

    def __init__(self, *args: Any, payees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["payees"]
        field.queryset = payees  # type: ignore[attr-defined]
        # Names are encrypted (and a payee's str() is its reference): listed by name, sorted
        # here. `listed` is what the page shows, for the access log.
        self.listed = sorted(payees, key=lambda p: ((p.name or "").casefold(), p.pk))
        field.choices = [(p.pk, p.name) for p in self.listed]  # type: ignore[attr-defined]
        field.widget.attrs["size"] = 6

    def clean_amounts(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data.get("amounts", "").splitlines():
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(_("Write each amount as: 25000 USD."))
            rows.append({"amount": parts[0], "currency": parts[1]})
        return rows

    def clean_places(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data.get("places", "").splitlines() if p.strip()]


class ShareForm(forms.Form):
    recipient: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Bank user"),
        queryset=None,  # type: ignore[arg-type]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = users  # type: ignore[attr-defined]
        self.fields["recipient"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.get_full_name() or u.username} — {u.organisation}"
        )


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Package file"), help_text=_("The .json file of the package."))
