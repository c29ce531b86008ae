"""Forms of the import pages. They check input; the import services do the work."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from harambee.core.forms import VersionedForm
from harambee.core.security import UploadValidator
from harambee.network.models import Organisation
from harambee.places.models import Country

from .choices import MatchDecision
from .importers.reading import ImportFileError, find_layout, read_table
from .importers.tags import normalise_tag, suggest_tag, tag_text
from .models import ImportBatch

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SOURCES_OFFERED = 50

# The HXL tags the importer reads (importers/tags.py), offered for files that carry none.
HXL_TAG_CHOICES: list[tuple[str, Any]] = [
    ("#org+name", _("Implementing organisation: name")),
    ("#org+acronym", _("Implementing organisation: acronym")),
    ("#org+type", _("Implementing organisation: type")),
    ("#org+funding+name", _("Funding organisation: name")),
    ("#org+funding+acronym", _("Funding organisation: acronym")),
    ("#org+reporting+name", _("Reporting organisation: name")),
    ("#org+partner+name", _("Partner organisation: name")),
    ("#sector+name", _("Sector or cluster: name")),
    ("#sector+code", _("Sector or cluster: code")),
    ("#activity+name", _("Activity")),
    ("#activity+description", _("Activity description")),
    ("#activity+code", _("Activity or project code")),
    ("#status", _("Status")),
    ("#date+start", _("Start date")),
    ("#date+end", _("End date")),
    ("#country+name", _("Country")),
    ("#country+code", _("Country code")),
    ("#adm1+name", _("Admin level 1: name")),
    ("#adm1+code", _("Admin level 1: P-code")),
    ("#adm2+name", _("Admin level 2: name")),
    ("#adm2+code", _("Admin level 2: P-code")),
    ("#adm3+name", _("Admin level 3: name")),
    ("#adm3+code", _("Admin level 3: P-code")),
    ("#adm4+name", _("Admin level 4: name")),
    ("#adm4+code", _("Admin level 4: P-code")),
    ("#geo+lat", _("Latitude")),
    ("#geo+lon", _("Longitude")),
    ("#crisis+code", _("Emergency (GLIDE number)")),
    ("#population+type", _("Population group")),
    ("#inneed", _("People in need")),
    ("#targeted", _("People targeted")),
    ("#targeted+f", _("People targeted: women and girls")),
    ("#targeted+m", _("People targeted: men and boys")),
    ("#reached", _("People reached")),
    ("#reached+f", _("People reached: women and girls")),
    ("#reached+m", _("People reached: men and boys")),
    ("#meta+key", _("Row key (stable identifier)")),
]


_CANONICAL_CHOICES = {
    tag_text(parsed): value
    for value, _label in HXL_TAG_CHOICES
    if (parsed := normalise_tag(value)) is not None
}


def _offered(tag: str) -> str:
    """The offered choice for a tag however it is written ('#org+acronym+funding' too)."""
    if not tag:
        return ""
    parsed = normalise_tag(tag)
    canonical = tag_text(parsed) if parsed is not None else tag
    return _CANONICAL_CHOICES.get(canonical, "")


def check_readable(file_name: str, content: bytes) -> None:
    """Refuse a file the importer cannot read before anything is stored.

    The background task would only find out later and leave a failed batch behind; the person
    uploading should see why at once, on the form.
    """
    try:
        find_layout(read_table(file_name, content))
    except ImportFileError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def visible_sources(user: Any) -> list[str]:
    """Sources of earlier imports the user may see, for the source field's suggestions."""
    return list(
        ImportBatch.objects.restrict(user)
        .exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()[:SOURCES_OFFERED]
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A 3W/4W/5W table as CSV or Excel (.xlsx), with HXL tags if it has them."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
        validators=[UploadValidator(extensions=())],  # size; the type is checked below
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.only("iso3", "name"),
        required=False,
        empty_label=_("Read it from the file"),
        help_text=_("Choose it when the file does not say which country each row is in."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_(
            "Who sends this file, e.g. 'OCHA Afghanistan 3W'. Column mappings are kept per source."
        ),
        widget=forms.TextInput(attrs={"list": "import-sources", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = visible_sources(user)
        self.content = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise ValidationError(_("Upload a CSV or an Excel (.xlsx) file."), code="extension")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("This file is too large: the limit is %(limit)s.")
                % {"limit": filesizeformat(MAX_UPLOAD_BYTES)},
                code="size",
            )
        self.content = upload.read()
        check_readable(upload.name, self.content)
        return upload


class BatchActionForm(VersionedForm):
    """A button that acts on the batch (commit, cancel): only the version the user saw."""

    def clean_version(self) -> int:
        version = self.cleaned_data.get("version")
        if version is None:
            raise ValidationError(_("The page is out of date: reload it and try again."))
        return version


class MappingForm(BatchActionForm):
    """One select per column of a file without HXL tags: which tag the column holds."""

    def __init__(self, *args: Any, columns: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [("", _("Do not import")), *HXL_TAG_CHOICES]
        for column in columns:
            header = str(column.get("header") or "")
            self.fields[self.field_name(column)] = forms.ChoiceField(
                label=header or _("Column %(n)s") % {"n": column["index"] + 1},
                choices=choices,
                required=False,
                # The file's tag if any, else a guess from the header: a suggestion to check.
                initial=_offered(column.get("tag") or suggest_tag(header) or ""),
            )

    @staticmethod
    def field_name(column: dict[str, Any]) -> str:
        return f"column_{column['index']}"

    def column_fields(self) -> list[forms.BoundField]:
        return [self[self.field_name(column)] for column in self.columns]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = [cleaned.get(self.field_name(c)) for c in self.columns]
        if not any(chosen):
            raise ValidationError(_("Choose what at least one column holds."))
        return cleaned

    def mapping(self) -> dict[str, str]:
        """Header → HXL tag, for the columns given a tag."""
        return {
            str(column.get("header") or ""): self.cleaned_data[self.field_name(column)]
            for column in self.columns
            if self.cleaned_data.get(self.field_name(column))
        }


class DecisionForm(BatchActionForm):
    """What to do with one organisation name from the file."""

    key = forms.CharField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        label=_("Decision"), choices=MatchDecision.choices, widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        item: dict[str, Any] | None = None,
        organisations: QuerySet[Organisation],
        extra: list[Organisation] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations  # type: ignore[attr-defined]
        if item is not None:
            # The select offers the importer's candidates, then whatever the user searched for.
            seen: set[int] = set()
            options: list[tuple[Any, Any]] = [("", _("Choose an organisation"))]
            for candidate in item.get("candidates") or []:
                if candidate["id"] not in seen:
                    seen.add(candidate["id"])
                    label = candidate["name"]
                    if candidate.get("acronym") and candidate["acronym"] not in label:
                        label = f"{label} ({candidate['acronym']})"
                    options.append((candidate["id"], label))
            for organisation in extra:
                if organisation.pk not in seen:
                    seen.add(organisation.pk)
                    options.append((organisation.pk, str(organisation)))
            field.widget.choices = options  # type: ignore[attr-defined]
            decision = item.get("decision") or {}
            self.initial.setdefault("key", item["key"])
            self.initial.setdefault("action", decision.get("action") or MatchDecision.ACCEPT)
            self.initial.setdefault("organisation", decision.get("organisation"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == MatchDecision.PICK and not cleaned.get("organisation"):
            self.add_error("organisation", _("Choose the organisation this name stands for."))
        return cleaned

    @property
    def organisation_id(self) -> int | None:
        if self.cleaned_data.get("action") != MatchDecision.PICK:
            return None
        return self.cleaned_data["organisation"].pk
