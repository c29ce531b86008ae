"""Forms for the feedback pages: intake (public and staff), the steps of an item, import."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from harambee.activities.models import PopulationGroup, Sector
from harambee.core.forms import VersionedForm
from harambee.network.forms import ServiceModelForm
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea

from .choices import AnswerChannel, Channel, FocalPointKind, ImportTarget, Priority, Satisfaction
from .framework import FeedbackType, category_choices, code_choices
from .models import ServiceLevel

SIGNER_SALT = "harambee.feedback.form"
MAX_FORM_AGE = 24 * 3600

PUBLIC_TYPES: list[tuple[str, Any]] = [
    (FeedbackType.QUESTION, _("A question")),
    (FeedbackType.REQUEST, _("A request or a suggestion")),
    (FeedbackType.COMPLAINT, _("A complaint or a problem to report")),
    (FeedbackType.PRAISE, _("Thanks or praise")),
    (FeedbackType.OBSERVATION, _("Something people are saying (a rumour, a worry)")),
]


def _areas(group: Group) -> list[tuple[str, Any]]:
    areas = AdminArea.objects.filter(country_id=group.country_id, level__lte=2).order_by(
        "level", "name"
    )
    return [("", _("Not given")), *((a.pcode, str(a)) for a in areas.only("pcode", "name")[:2000])]


def _population_groups() -> list[tuple[str, Any]]:
    return [("", _("Not given")), *((g.code, str(g)) for g in PopulationGroup.objects.all())]


class IntakeForm(forms.Form):
    """The public form: anyone, no account. Anti-spam: a hidden field people leave empty, and
    a signed start time (too fast is a robot); the view also limits submissions per address."""

    feedback_type = forms.ChoiceField(label=_("What is it?"), choices=PUBLIC_TYPES)
    original_text = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    sensitive = forms.BooleanField(
        label=_(
            "It is about sexual exploitation or abuse, other abuse, fraud or corruption, or a "
            "threat to someone's safety"
        ),
        help_text=_("Only the named specialists who handle such cases will see it."),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the message"),
        choices=[
            ("", _("Not given")),
            ("ar", "العربية"),
            ("en", "English"),
            ("fr", "Français"),
            ("fa", "دری / فارسی"),
            ("ps", "پښتو"),
            ("so", "Soomaali"),
            ("sw", "Kiswahili"),
            ("uk", "Українська"),
            ("es", "Español"),
        ],
        required=False,
    )
    admin_area = forms.ChoiceField(label=_("Where"), required=False)
    population_group = forms.ChoiceField(label=_("You are"), required=False)
    wants_answer = forms.BooleanField(label=_("I would like an answer"), required=False)
    answer_channel = forms.ChoiceField(
        label=_("How should we answer?"),
        choices=[c for c in AnswerChannel.choices if c[0] != AnswerChannel.NONE],
        required=False,
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=200)
    contact = forms.CharField(
        label=_("Phone number or email (optional)"), required=False, max_length=200
    )
    consent_given = forms.BooleanField(
        label=_("I agree that my contact details are kept to answer me and to improve assistance."),
        required=False,
    )
    # Anti-spam: people do not see this field (hidden by CSS and aria); robots fill it.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["admin_area"].choices = _areas(group)  # type: ignore[attr-defined]
        self.fields["population_group"].choices = _population_groups()  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["started"] = signing.TimestampSigner(salt=SIGNER_SALT).sign(
                str(int(time.time()))
            )

    @property
    def is_spam(self) -> bool:
        """Filled the hidden field, or came back sooner than a person can write."""
        if self.data.get("website"):
            return True
        try:
            signing.TimestampSigner(salt=SIGNER_SALT).unsign(
                self.data.get("started", ""), max_age=MAX_FORM_AGE
            )
            started = int(signing.TimestampSigner(salt=SIGNER_SALT).unsign(self.data["started"]))
        except (signing.BadSignature, ValueError, KeyError):
            return True
        return time.time() - started < settings.FEEDBACK_FORM_MIN_SECONDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("contact") or cleaned.get("contact_name")) and not cleaned.get(
            "consent_given"
        ):
            self.add_error(
                "consent_given",
                _("To keep your contact details we need your agreement; or leave them empty."),
            )
        in_person = (AnswerChannel.IN_PERSON, AnswerChannel.COMMUNITY_MEETING)
        if (
            cleaned.get("wants_answer")
            and not cleaned.get("contact")
            and cleaned.get("answer_channel") not in in_person
        ):
            self.add_error("contact", _("To answer you we need a phone number or an email."))
        return cleaned

    def intake_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("website", "started")}
        data["channel"] = Channel.WEB_FORM
        if not data.get("contact") and not data.get("contact_name"):
            data["consent_given"] = None
        return data


class StaffIntakeForm(IntakeForm):
    """Staff taking feedback in (hotline, meeting, face to face): channel, date and coding."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In a few words, without naming anyone."),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    code = forms.ChoiceField(label=_("Code"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.filter(country__isnull=True), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    concerned_organisation = forms.ModelChoiceField(
        label=_("Organisation concerned"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, group: Group, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, group=group, **kwargs)
        self.fields["feedback_type"].choices = FeedbackType.choices  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Not coded yet")), *category_choices()]  # type: ignore[attr-defined]
        self.fields["code"].choices = [("", _("Not coded yet")), *code_choices()]  # type: ignore[attr-defined]
        if organisations is not None:
            self.fields["concerned_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields.pop("website")
        self.fields.pop("started")

    @property
    def is_spam(self) -> bool:
        return False

    def intake_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("contact") and not data.get("contact_name"):
            data["consent_given"] = None
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given to the person"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    via = forms.ChoiceField(
        label=_("How"), choices=[c for c in AnswerChannel.choices if c[0] != AnswerChannel.NONE]
    )
    answered_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    satisfaction = forms.ChoiceField(
        label=_("Was the person satisfied?"), choices=Satisfaction.choices
    )
    close = forms.BooleanField(label=_("Close the item"), required=False, initial=True)


class RecodeForm(forms.Form):
    feedback_type = forms.ChoiceField(label=_("Type"), choices=FeedbackType.choices)
    category = forms.ChoiceField(label=_("Category"), required=False)
    code = forms.ChoiceField(label=_("Code"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.filter(country__isnull=True), required=False
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_not_sensitive = forms.BooleanField(
        label=_("I confirm this item is not sensitive"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Not coded yet")), *category_choices()]  # type: ignore[attr-defined]
        self.fields["code"].choices = [("", _("Not coded yet")), *code_choices()]  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX, e.g. a KoboToolbox export)"))
    default_channel = forms.ChoiceField(
        label=_("Channel when the file does not say"),
        choices=Channel.choices,
        initial=Channel.FACE_TO_FACE,
    )
    mapping = forms.CharField(
        label=_("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: column = target (targets: %(targets)s). Columns Harambee knows are "
            "mapped for you."
        )
        % {"targets": ", ".join(ImportTarget.values)},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Give a .csv or .xlsx file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data.get("mapping", "").splitlines(), start=1):
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(
                    _("Line %(n)s: write “column = target”.") % {"n": number}
                )
            column, target = (part.strip() for part in line.rsplit("=", 1))
            if target not in ImportTarget.values:
                raise forms.ValidationError(
                    _("Line %(n)s: unknown target “%(target)s”.") % {"n": number, "target": target}
                )
            mapping[column] = target
        return mapping


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    group = forms.ModelChoiceField(label=_("Country group"), queryset=Group.objects.none())

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class FocalPointForm(forms.Form):
    user: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Colleague"), queryset=None)  # type: ignore[arg-type]
    kind = forms.ChoiceField(label=_("Kind"), choices=FocalPointKind.choices)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users  # type: ignore[attr-defined]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.organisation})" if obj.organisation_id else name


class PseaCoordinatorForm(forms.Form):
    """Name a PSEA coordinator of the group, among the group's people."""

    user = PersonChoiceField(label=_("Person"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]


class PseaCoordinatorChangeForm(VersionedForm):
    """One row of the PSEA coordinators table: hand the role to someone else, from the
    version shown."""

    user = PersonChoiceField(label=_("Hand over to"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]


class PseaCoordinatorRemoveForm(VersionedForm):
    """Remove a PSEA coordinator, from the version shown."""


class ServiceLevelForm(ServiceModelForm):
    class Meta:
        model = ServiceLevel
        fields = [
            "feedback_type",
            "sensitive",
            "hours_to_acknowledge",
            "hours_to_resolve",
            "hours_to_escalate",
        ]
        help_texts = {
            "feedback_type": _("“Any type”: for the types without a level of their own."),
            "sensitive": _("For sensitive feedback (PSEA, abuse, fraud, safety)."),
            "hours_to_escalate": _(
                "Still open after this many hours: escalated (priority raised, coordinators told)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["feedback_type"]
        field.choices = [("", _("Any type")), *FeedbackType.choices]  # type: ignore[attr-defined]
        for name in ("hours_to_acknowledge", "hours_to_resolve", "hours_to_escalate"):
            self.fields[name].widget.attrs["min"] = 1
