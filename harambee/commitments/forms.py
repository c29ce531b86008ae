"""Forms for the commitments pages. They check shapes; the services decide."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from harambee.activities.models import PopulationGroup, Sector
from harambee.core.choices import Visibility
from harambee.core.forms import VersionErrorOnTop, VersionField
from harambee.network.models import Group, Organisation
from harambee.places.models import AdminArea, Country

from .choices import Dimension, ShareRole, SmartElement
from .loading import match_organisation
from .models import (
    Commitment,
    Forum,
    Indicator,
    Milestone,
    Outcome,
    ProgressReport,
    ResultsFramework,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CommitmentForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)
    organisations_text = forms.CharField(
        label=_("Made by"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One organisation a line, by name or acronym, with its share after a colon: "
            "'UNHCR: 60'. The first is the lead. Empty: your organisation."
        ),
    )
    admin_areas_text = forms.CharField(
        label=_("Admin areas"), required=False, help_text=_("P-codes, separated by spaces.")
    )
    targets_text = forms.CharField(
        label=_("Dated targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: 'YYYY-MM-DD value what', e.g. '2026-12-31 500 classrooms'."),
    )
    schedule_text = forms.CharField(
        label=_("Financial schedule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Financial pledges: one a line, 'year currency amount', e.g. '2026 USD 250000'."
        ),
    )

    class Meta:
        model = Commitment
        fields = [
            "code",
            "title",
            "description",
            "type",
            "forum",
            "made_on",
            "due_date",
            "group",
            "countries",
            "population_groups",
            "sectors",
            "indicators",
            "baseline_value",
            "baseline_date",
            "visibility",
        ]
        widgets = {
            "made_on": DATE,
            "due_date": DATE,
            "baseline_date": DATE,
            "population_groups": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(Any, self.fields["group"]).queryset = Group.objects.restrict(user)
        cast(Any, self.fields["forum"]).queryset = Forum.objects.all()
        cast(Any, self.fields["countries"]).queryset = Country.objects.all()
        cast(Any, self.fields["population_groups"]).queryset = PopulationGroup.objects.all()
        cast(Any, self.fields["sectors"]).queryset = Sector.objects.filter(country__isnull=True)
        cast(Any, self.fields["indicators"]).queryset = Indicator.objects.restrict(
            user
        ).select_related("framework")
        self.fields["indicators"].label_from_instance = (  # type: ignore[attr-defined]
            lambda i: f"{i.framework.code}/{i.code} — {i.title}"
        )
        self.fields["visibility"].initial = Visibility.PUBLIC
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["version"] = self.instance.version
            self.initial["organisations_text"] = "\n".join(
                f"{s.organisation.acronym or s.organisation.name}"
                + (f": {s.share.normalize():f}" if s.share is not None else "")
                for s in self.instance.shares.select_related("organisation")
            )
            self.initial["admin_areas_text"] = " ".join(
                self.instance.admin_areas.values_list("pcode", flat=True)
            )
            self.initial["targets_text"] = "\n".join(
                f"{t.date} {'' if t.value is None else f'{t.value:g}'} {t.description}".strip()
                for t in self.instance.targets.all()
            )
            self.initial["schedule_text"] = "\n".join(
                f"{s.year} {s.currency} {s.amount.normalize():f}"
                for s in self.instance.schedule.all()
            )

    def clean_organisations_text(self) -> list[dict[str, Any]]:
        shares = []
        for position, line in enumerate(_lines(self.cleaned_data["organisations_text"])):
            name, _colon, share = line.rpartition(":") if ":" in line else (line, "", "")
            pk, _candidates = match_organisation(name.strip())
            visible = Organisation.objects.restrict(self.user)
            if pk is None or not visible.filter(pk=pk).exists():
                raise ValidationError(
                    _("“%(name)s” is not one organisation of the network.") % {"name": name.strip()}
                )
            try:
                amount = Decimal(share.strip().rstrip("%")) if share.strip() else None
            except InvalidOperation as exc:
                raise ValidationError(_("“%(share)s” is not a share.") % {"share": share}) from exc
            shares.append(
                {
                    "organisation": visible.get(pk=pk),
                    "share": amount,
                    "role": ShareRole.LEAD if position == 0 else ShareRole.PARTNER,
                }
            )
        if not shares and getattr(self.user, "organisation_id", None):
            shares = [
                {"organisation": self.user.organisation, "share": None, "role": ShareRole.LEAD}
            ]
        return shares

    def clean_admin_areas_text(self) -> list[AdminArea]:
        codes = [c.upper() for c in (self.cleaned_data["admin_areas_text"] or "").split()]
        found = {a.pcode: a for a in AdminArea.objects.filter(pcode__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                _("Unknown P-code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in codes]

    def clean_targets_text(self) -> list[dict[str, Any]]:
        targets = []
        for line in _lines(self.cleaned_data["targets_text"]):
            day, _s, rest = line.partition(" ")
            value, _s2, description = rest.strip().partition(" ")
            try:
                targets.append(
                    {
                        "date": datetime.date.fromisoformat(day),
                        "value": float(value) if value else None,
                        "description": description.strip(),
                    }
                )
            except ValueError as exc:
                raise ValidationError(
                    _("“%(line)s”: write 'YYYY-MM-DD value what'.") % {"line": line}
                ) from exc
        return targets

    def clean_schedule_text(self) -> list[dict[str, Any]]:
        lines = []
        for line in _lines(self.cleaned_data["schedule_text"]):
            try:
                year, currency, amount = line.split()
                lines.append(
                    {
                        "year": int(year),
                        "currency": currency.upper(),
                        "amount": Decimal(amount.replace(",", "")),
                    }
                )
            except (ValueError, InvalidOperation) as exc:
                raise ValidationError(
                    _("“%(line)s”: write 'year currency amount'.") % {"line": line}
                ) from exc
        return lines

    def service_kwargs(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in {"countries", "population_groups", "sectors", "indicators"}
            and not self.fields[name].disabled
        }
        m2m = {
            name: self.cleaned_data[name]
            for name in ("countries", "population_groups", "sectors", "indicators")
        }
        m2m["admin_areas"] = self.cleaned_data["admin_areas_text"]
        return {
            "data": data,
            "m2m": m2m,
            "shares": self.cleaned_data["organisations_text"],
            "targets": self.cleaned_data["targets_text"],
            "schedule": self.cleaned_data["schedule_text"],
        }


class ReportForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)
    place = forms.CharField(label=_("Place"), help_text=_("P-code of the admin area, or ISO3."))
    evidence_url = forms.URLField(
        label=_("evidence link"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = ProgressReport
        fields = [
            "indicator",
            "organisation",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "sex",
            "age",
            "population_group",
            "evidence_url",
            "evidence_file",
            "narrative",
        ]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(Any, self.fields["indicator"]).queryset = Indicator.objects.restrict(
            user
        ).select_related("framework")
        self.fields["indicator"].label_from_instance = (  # type: ignore[attr-defined]
            lambda i: f"{i.framework.code}/{i.code} — {i.title}"
        )
        organisations = Organisation.objects.restrict(user)
        if user is not None and not getattr(user, "is_superuser", False):
            organisations = organisations.filter(pk=getattr(user, "organisation_id", None))
        cast(Any, self.fields["organisation"]).queryset = organisations
        if getattr(user, "organisation_id", None):
            self.fields["organisation"].initial = user.organisation_id
        if self.instance.pk:
            self.initial["version"] = self.instance.version
            self.initial["place"] = self.instance.place_code
            self.fields["indicator"].disabled = True
            self.fields["organisation"].disabled = True

    def clean_place(self) -> Any:
        code = self.cleaned_data["place"].strip().upper()
        area = AdminArea.objects.filter(pcode=code).first()
        if area is not None:
            return area
        country = Country.objects.filter(iso3=code).first()
        if country is None:
            raise ValidationError(_("Neither a P-code nor an ISO3 country code."))
        return country

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        from .validation import report_problems

        indicator = cleaned.get("indicator") or (
            self.instance.indicator if self.instance.pk else None
        )
        problems = report_problems(
            indicator=indicator,
            period_start=cleaned.get("period_start"),
            period_end=cleaned.get("period_end"),
            value=cleaned.get("value"),
            numerator=cleaned.get("numerator"),
            denominator=cleaned.get("denominator"),
            categories={k: cleaned.get(k) or "" for k in ("sex", "age", "population_group")},
        )
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def _post_clean(self) -> None:
        pass  # the service runs the model's checks

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data.get(name)
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }
        for name in ("sex", "age", "population_group", "evidence_url", "narrative"):
            if name in data:
                data[name] = (data[name] or "").strip()
        if data.get("evidence_file") in (None, False):
            data.pop("evidence_file", None)
        place = self.cleaned_data["place"]
        if isinstance(place, AdminArea):
            data["admin_area"], data["country"] = place, place.country
        else:
            data["admin_area"], data["country"] = None, place
        return data


class ReviewForm(forms.Form):
    version = VersionField()
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RulesForm(forms.Form):
    required = forms.MultipleChoiceField(
        label=_("Required of every commitment"),
        choices=SmartElement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class LinkForm(forms.Form):
    enabling = forms.ModelChoiceField(label=_("Pledge"), queryset=Commitment.objects.none())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["enabling"]).queryset = Commitment.objects.restrict(user)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)


class FlowLinkForm(forms.Form):
    """Link a funding flow to (or unlink it from) one line of a pledge's schedule."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    flow = forms.IntegerField(
        label=_("Flow number"), min_value=1, help_text=_("The flow's number in Harambee.")
    )


class FrameworkForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = ResultsFramework
        fields = [
            "code",
            "title",
            "description",
            "group",
            "forum",
            "on_track_at",
            "at_risk_at",
            "grace_days",
            "visibility",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from harambee.core.access import access_for
        from harambee.core.choices import Role

        access = access_for(user)
        groups = Group.objects.restrict(user)
        if not access.is_admin:
            groups = groups.filter(pk__in=access.groups_with(Role.EDITOR))
        if self.instance.pk and self.instance.group_id:
            groups = groups | Group.objects.filter(pk=self.instance.group_id)
        cast(Any, self.fields["group"]).queryset = groups.distinct()
        self.fields["group"].help_text = _("Only the groups you are an editor of.")
        self.fields["visibility"].initial = Visibility.PUBLIC
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        pass  # the service runs the model's checks

    def service_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }


class OutcomeForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Outcome
        fields = ["code", "title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class IndicatorForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregated by"),
        choices=Dimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    targets_text = forms.CharField(
        label=_("Dated targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: 'YYYY-MM-DD value', after the baseline date."),
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "title",
            "outcome",
            "unit",
            "time_aggregation",
            "place_aggregation",
            "direction",
            "disaggregations",
            "baseline_value",
            "baseline_date",
            "frequency",
        ]
        widgets = {"baseline_date": DATE}

    def __init__(self, *args: Any, framework: ResultsFramework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        cast(Any, self.fields["outcome"]).queryset = framework.outcomes.all()
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.initial["version"] = self.instance.version
            self.initial["targets_text"] = "\n".join(
                f"{t.date} {t.value:g}" for t in self.instance.targets.all()
            )

    def clean_targets_text(self) -> list[dict[str, Any]]:
        targets = []
        for line in _lines(self.cleaned_data["targets_text"]):
            try:
                day, value = line.split()
                targets.append({"date": datetime.date.fromisoformat(day), "value": float(value)})
            except ValueError as exc:
                raise ValidationError(
                    _("“%(line)s”: write 'YYYY-MM-DD value'.") % {"line": line}
                ) from exc
        baseline = self.cleaned_data.get("baseline_date")
        for target in targets:
            if baseline and target["date"] <= baseline:
                raise ValidationError(
                    _("A target must come after the baseline date (%(date)s).") % {"date": baseline}
                )
        return targets

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        if (
            not self.instance.pk
            and Indicator.objects.filter(framework=self.framework, code=code).exists()
        ):
            raise ValidationError(
                _("This framework already has an indicator %(code)s.") % {"code": code}
            )
        return code

    def _post_clean(self) -> None:
        pass

    def service_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if not self.fields[name].disabled
        }


class MilestoneForm(VersionErrorOnTop, forms.ModelForm):
    version = VersionField(required=False)

    class Meta:
        model = Milestone
        fields = [
            "title",
            "organisation",
            "commitment",
            "start_date",
            "due_date",
            "done_on",
            "depends_on",
        ]
        widgets = {
            "start_date": DATE,
            "due_date": DATE,
            "done_on": DATE,
            "depends_on": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, user: Any = None, framework: ResultsFramework, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        cast(Any, self.fields["organisation"]).queryset = Organisation.objects.restrict(user)
        cast(Any, self.fields["commitment"]).queryset = Commitment.objects.restrict(user)
        others = Milestone.objects.filter(framework=framework).order_by("due_date", "pk")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial["version"] = self.instance.version
            self.fields["due_date"].help_text = _(
                "First planned for %(date)s: moving it shows as slippage."
            ) % {"date": self.instance.planned_date}
        cast(Any, self.fields["depends_on"]).queryset = others

    def _post_clean(self) -> None:
        pass

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "depends_on"}
        return {"data": data, "m2m": {"depends_on": list(self.cleaned_data["depends_on"])}}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or Excel (.xlsx), the columns of the export.")
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


__all__ = ["ResultsFramework"]
