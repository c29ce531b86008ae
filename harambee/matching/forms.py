"""Forms of the matching pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from harambee.core.forms import VersionedForm, VersionErrorOnTop, VersionField
from harambee.network.models import Group

from .choices import (
    CapBy,
    CapitalType,
    Cefr,
    ConsentPurpose,
    Mode,
    NeedKind,
    OfferKind,
    ProfileKind,
)
from .languages import language_choices, normalise_language, parse_level
from .models import Offer


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

    # The same form when a matchmaker edits someone's profile, worded about the person.
    STAFF_LABELS = {
        "kind": _("Kind"),
        "country": _("Country where they are (ISO3)"),
        "remote": _("Can work remotely"),
    }

    def __init__(
        self, *args: Any, creating: bool = False, for_staff: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields.pop("version")
        if for_staff:
            for name, label in self.STAFF_LABELS.items():
                self.fields[name].label = label

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


DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def split_list(text: str) -> list[str]:
    """ "a; b;;c" -> ["a", "b", "c"]."""
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def join_list(values: Any) -> str:
    return "; ".join(str(v) for v in values or [])


def parse_languages(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """ "kri:B2;en:B1" -> [{"code": "kri", "level": 4}, ...] and the items that are not a
    language code with a CEFR level."""
    languages, errors = [], []
    for item in split_list(text):
        code, _sep, level = item.partition(":")
        lang, lvl = normalise_language(code), parse_level(level)
        if lang is None or lvl is None:
            errors.append(
                _("“%(item)s” is not a language code with a CEFR level.") % {"item": item}
            )
        else:
            languages.append({"code": lang, "level": lvl})
    return languages, errors


def format_languages(languages: Any) -> str:
    return "; ".join(f"{x['code']}:{Cefr(int(x['level'])).label}" for x in languages or [])


class NeedOfferForm(VersionErrorOnTop, forms.Form):
    """Shared by the new and edit pages: when editing, the hidden version the user read is
    required (optimistic locking), and the fields start from the stored values."""

    version = VersionField(required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs["initial"] = {**self.initial_from(instance), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is None:
            self.fields.pop("version")
        else:
            self.fields["version"].required = True

    def initial_from(self, instance: Any) -> dict[str, Any]:
        """The form's starting values from a stored record: NeedForm and OfferForm each say
        how their record fills their fields (there is no generic answer)."""
        raise NotImplementedError

    def clean_languages(self) -> list[dict[str, Any]]:
        languages, errors = parse_languages(self.cleaned_data.get("languages", ""))
        if errors:
            raise forms.ValidationError(errors)
        return languages

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


class NeedForm(NeedOfferForm):
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
    start = forms.DateField(label=_("Start"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("End"), required=False, widget=DATE_WIDGET)
    posts = forms.IntegerField(label=_("Posts"), min_value=1, max_value=32767, initial=1)
    visa_sponsorship = forms.BooleanField(label=_("Visa sponsorship"), required=False)
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)

    def initial_from(self, need: Any) -> dict[str, Any]:
        return {
            "kind": need.kind, "title": need.title, "description": need.description,
            "occupations": join_list(need.occupations),
            "skills_required": join_list(need.skills_required),
            "skills_optional": join_list(need.skills_optional),
            "languages": format_languages(need.languages), "country": need.country_id or "",
            "remote_ok": need.remote_ok, "start": need.start, "end": need.end,
            "posts": need.posts, "visa_sponsorship": need.visa_sponsorship,
            "sector": need.sector, "version": need.version,
        }  # fmt: skip

    def service_data(self) -> dict[str, Any]:
        """The cleaned values as the need's fields (for need_create and need_update)."""
        c = self.cleaned_data
        return {
            "kind": c["kind"], "title": c["title"], "description": c["description"],
            "occupations": split_list(c["occupations"]),
            "skills_required": split_list(c["skills_required"]),
            "skills_optional": split_list(c["skills_optional"]),
            "languages": c["languages"], "country_id": (c["country"] or "").strip().upper() or None,
            "remote_ok": c["remote_ok"], "start": c["start"], "end": c["end"],
            "posts": c["posts"], "visa_sponsorship": c["visa_sponsorship"], "sector": c["sector"],
        }  # fmt: skip


class OfferForm(NeedOfferForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in OfferKind.choices if c[0] != OfferKind.PERSON]
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occupations = forms.CharField(label=_("Occupation codes (;-separated)"), required=False)
    skills = forms.CharField(label=_("Skills (;-separated)"), required=False)
    languages = forms.CharField(label=_("Languages with level (e.g. kri:B2;en:C1)"), required=False)
    countries = forms.CharField(label=_("Countries (ISO3, ;-separated)"), required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=32767, initial=1)
    remote = forms.BooleanField(label=_("Remote"), required=False)
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DATE_WIDGET)
    available_to = forms.DateField(label=_("Available until"), required=False, widget=DATE_WIDGET)
    capital_type = forms.ChoiceField(
        label=_("Capital type"), choices=[("", "—"), *CapitalType.choices], required=False
    )
    amount_min = forms.DecimalField(
        label=_("Minimum amount"), max_digits=14, decimal_places=2, required=False
    )
    amount_max = forms.DecimalField(
        label=_("Maximum amount"), max_digits=14, decimal_places=2, required=False
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    sectors = forms.CharField(label=_("Sectors (;-separated)"), required=False)

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and instance.kind == OfferKind.PERSON:
            # Occupations, skills, languages, place and dates come from the person's profile.
            for name in list(self.fields):
                if name not in (*Offer.PERSON_FIELDS, "version"):
                    self.fields.pop(name)

    def initial_from(self, offer: Any) -> dict[str, Any]:
        return {
            "kind": offer.kind, "title": offer.title, "description": offer.description,
            "occupations": join_list(offer.occupations), "skills": join_list(offer.skills),
            "languages": format_languages(offer.languages),
            "countries": join_list(offer.countries.values_list("iso3", flat=True)),
            "capacity": offer.capacity, "remote": offer.remote,
            "available_from": offer.available_from, "available_to": offer.available_to,
            "capital_type": offer.capital_type, "amount_min": offer.amount_min,
            "amount_max": offer.amount_max, "currency": offer.currency,
            "sectors": join_list(offer.sectors), "version": offer.version,
        }  # fmt: skip

    def clean_countries(self) -> list[str]:
        from harambee.places.models import Country

        codes = [code.upper() for code in split_list(self.cleaned_data.get("countries", ""))]
        known = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(dict.fromkeys(codes))

    def service_data(self) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """The cleaned values as the offer's fields, and its countries (many-to-many)."""
        c = self.cleaned_data
        converters = {
            "occupations": split_list, "skills": split_list, "sectors": split_list,
            "currency": lambda v: (v or "").strip().upper(),
        }  # fmt: skip
        data = {
            name: converters.get(name, lambda v: v)(value)
            for name, value in c.items()
            if name not in ("version", "countries")
        }
        m2m = {"countries": c["countries"]} if "countries" in c else {}
        return data, m2m


class StatusForm(VersionErrorOnTop, forms.Form):
    """Close or withdraw (with an optional reason), reopen: from the version the user saw."""

    version = VersionField()
    reason = forms.CharField(
        label=_("Why (optional, kept in the history)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


PURPOSES = ConsentPurpose
