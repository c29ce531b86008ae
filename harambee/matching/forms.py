"""Forms of the matching pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harambee.core.forms import VersionedForm
from harambee.network.models import Group

from .choices import CapBy, Cefr, ConsentPurpose, Mode, NeedKind, OfferKind, ProfileKind
from .languages import language_choices, normalise_language


class ProfileForm(VersionedForm):
    kind = forms.ChoiceField(label=_("I am a"), choices=ProfileKind.choices)
    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=64, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    country = forms.CharField(label=_("Country where you are (ISO3)"), max_length=3, required=False)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    remote = forms.BooleanField(label=_("I can work remotely"), required=False)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, required=False, help_text=_("e.g. Africa/Freetown")
    )
    available_from = forms.DateField(
        label=_("Available from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    available_to = forms.DateField(
        label=_("Available until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hours_per_week = forms.IntegerField(
        label=_("Hours per week"), min_value=1, max_value=80, required=False
    )
    capacity = forms.IntegerField(
        label=_("How many people at once"), min_value=1, max_value=50, initial=1
    )

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields.pop("version")

    def clean_country(self) -> str | None:
        value = (self.cleaned_data.get("country") or "").strip().upper()
        return value or None

    def as_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["country_id"] = data.pop("country")
        data["birth_date"] = data["birth_date"].isoformat() if data.get("birth_date") else ""
        data["hours_per_week"] = data.get("hours_per_week")
        return data


class OccupationForm(forms.Form):
    code = forms.CharField(
        label=_("Occupation (ISCO or ESCO code, or search below)"), max_length=32
    )
    years = forms.IntegerField(label=_("Years of experience"), min_value=0, max_value=60, initial=0)


class LanguageForm(forms.Form):
    code = forms.ChoiceField(label=_("Language"))
    spoken = forms.TypedChoiceField(label=_("Spoken"), choices=Cefr.choices, coerce=int)
    written = forms.TypedChoiceField(label=_("Written"), choices=Cefr.choices, coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = language_choices()  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code = normalise_language(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("Unknown language."))
        return code


class SkillForm(forms.Form):
    text = forms.CharField(label=_("A skill, in your words"), max_length=255)


class CredentialForm(forms.Form):
    title = forms.CharField(label=_("Diploma, licence or certificate"), max_length=255)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)


class ConsentForm(forms.Form):
    match = forms.BooleanField(label=_("Match me with needs and offers"), required=False)
    contact = forms.MultipleChoiceField(
        label=_("Kinds of organisation that may contact me through Harambee"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reveal = forms.BooleanField(
        label=_("Show my name and contact details to organisations after we both accept a match"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from harambee.network.choices import OrganisationType

        self.fields["contact"].choices = OrganisationType.choices  # type: ignore[attr-defined]


class CohortForm(forms.Form):
    cohort = forms.CharField(label=_("Cohort name"), max_length=100)
    group = forms.ModelChoiceField(
        label=_("Country group"), queryset=Group.objects.none(), required=False
    )
    offers = forms.FileField(label=_("OFFERS.csv"))
    needs = forms.FileField(label=_("NEEDS.csv"))

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class RunForm(forms.Form):
    cohort = forms.CharField(label=_("Cohort (empty: all)"), max_length=100, required=False)
    group = forms.ModelChoiceField(
        label=_("Country group"), queryset=Group.objects.none(), required=False
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    cap_by = forms.ChoiceField(label=_("Cap matches per"), choices=CapBy.choices, required=False)
    cap = forms.IntegerField(label=_("Cap"), min_value=1, required=False)

    def __init__(self, *args: Any, groups: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class SendForm(forms.Form):
    message = forms.CharField(
        label=_("Message to both sides"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("Accept")), ("no", _("Decline"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why (if you decline)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reveal = forms.BooleanField(
        label=_("Show my name and contact details once both accept"), required=False
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NeedKind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occupations = forms.CharField(label=_("Occupation codes (;-separated)"), required=False)
    skills_required = forms.CharField(label=_("Required skills (;-separated)"), required=False)
    skills_optional = forms.CharField(label=_("Optional skills (;-separated)"), required=False)
    languages = forms.CharField(
        label=_("Languages with minimum level (e.g. kri:B2;en:B1)"), required=False
    )
    country = forms.CharField(label=_("Country (ISO3)"), max_length=3, required=False)
    remote_ok = forms.BooleanField(label=_("Remote possible"), required=False)
    start = forms.DateField(
        label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    posts = forms.IntegerField(label=_("Posts"), min_value=1, initial=1)
    visa_sponsorship = forms.BooleanField(label=_("Visa sponsorship"), required=False)
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)


class OfferForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in OfferKind.choices if c[0] != OfferKind.PERSON]
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occupations = forms.CharField(label=_("Occupation codes (;-separated)"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=1)
    remote = forms.BooleanField(label=_("Remote"), required=False)
    amount_min = forms.DecimalField(label=_("Minimum amount"), required=False)
    amount_max = forms.DecimalField(label=_("Maximum amount"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    sectors = forms.CharField(label=_("Sectors (;-separated)"), required=False)


PURPOSES = ConsentPurpose
