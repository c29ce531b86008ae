"""Page forms for the network. They validate input; the services in services.py do the writes."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from harambee.core.access import access_for
from harambee.core.choices import Permission, Role, Visibility
from harambee.core.errors import VERSION_MISSING
from harambee.core.forms import LinesField, VersionErrorOnTop, VersionField
from harambee.privacy.choices import ConsentMethod

from .choices import REQUEST_TRANSITIONS, RequestStatus
from .models import Group, GroupRole, Membership, Organisation, Person, Request, WorkplanItem
from .selectors import nameable_users

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def visible_organisations(user: Any) -> models.QuerySet[Organisation]:
    return Organisation.objects.restrict(user, Permission.VIEW).only("pk", "name", "acronym")


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        return f"{name} ({obj.organisation})" if obj.organisation_id else name


class ServiceModelForm(VersionErrorOnTop, forms.ModelForm):
    """A model form whose data goes to a service rather than to `save()`.

    The instance is copied so that validating a rejected edit never changes the object the page
    still shows. `version` carries the version the user read (optimistic locking): required
    when editing, unused when adding.
    """

    version = VersionField(required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            kwargs["instance"] = copy.copy(instance)
            kwargs.setdefault("initial", {}).setdefault("version", instance.version)
        super().__init__(*args, **kwargs)
        self.fields["version"].required = instance is not None and instance.pk is not None
        self.user = user
        if "shared_with" in self.fields:
            field = self.fields["shared_with"]
            self.fields["shared_with"] = UserChoiceField(
                queryset=nameable_users(user),
                required=False,
                label=field.label,
                help_text=_(
                    "Only used when the visibility is 'named people'. You are added yourself."
                ),
                widget=forms.SelectMultiple(attrs={"size": 6}),
            )
            if instance is not None and instance.pk:
                self.initial["shared_with"] = list(
                    instance.shared_with.values_list("pk", flat=True)
                )

    def save(self, commit: bool = True) -> Any:
        raise NotImplementedError("Pages write through services: use service_data().")

    def service_data(self) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """Cleaned values split into plain fields and many-to-many fields."""
        data: dict[str, Any] = {}
        m2m: dict[str, list[Any]] = {}
        meta = self._meta.model._meta
        for name in self._meta.fields or []:
            if name not in self.cleaned_data:
                continue
            field = meta.get_field(name)
            if field.many_to_many:
                m2m[name] = list(self.cleaned_data[name])
            else:
                data[name] = self.cleaned_data[name]
        return data, m2m

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


class OrganisationForm(ServiceModelForm):
    other_names = LinesField(
        label=_("Other names"),
        required=False,
        help_text=_("One per line: former names, names in other languages."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    allow_duplicate = forms.BooleanField(
        label=_("This is a different organisation, create it anyway"), required=False
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "org_type",
            "visibility",
            "hq_country",
            "countries",
            "origin_country",
            "residence_countries",
            "other_names",
            "description",
            "iati_ref",
            "registration_number",
            "website",
            "verified",
            "shared_with",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, show_duplicate_choice: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not access_for(self.user).is_admin:
            # Only platform admins vouch that an organisation is real.
            del self.fields["verified"]
        if not show_duplicate_choice:
            del self.fields["allow_duplicate"]
        self.fields["iati_ref"].required = False

    def clean_iati_ref(self) -> str | None:
        # Blank means "none": stored as NULL so the unique constraint ignores it.
        return self.cleaned_data.get("iati_ref") or None

    @property
    def duplicate_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("allow_duplicate"))


class PersonForm(ServiceModelForm):
    consent = forms.ChoiceField(
        label=_("How the person agreed to be listed"),
        choices=[("", "—"), *ConsentMethod.choices],
        help_text=_(
            "Contact details are kept only to coordinate with their organisation, under the "
            "privacy notice in force; the person can ask for them to be corrected or erased."
        ),
    )

    class Meta:
        model = Person
        fields = ["name", "role", "email", "phone", "visibility", "shared_with"]
        widgets = {
            "name": forms.TextInput(),
            "email": forms.EmailInput(),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["consent"]  # asked once, when the person is added
        # Contact details are personal data: their own organisation, or named people only.
        visibility = self.fields["visibility"]
        visibility.choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in Visibility.choices
            if value in (Visibility.ORGANISATION, Visibility.NAMED)
        ]
        visibility.required = False
        if self.instance.pk is None:
            self.initial.setdefault("visibility", Visibility.ORGANISATION)

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.ORGANISATION


class GroupForm(ServiceModelForm):
    class Meta:
        model = Group
        fields = ["name", "kind", "country", "visibility", "shared_with", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}


class MembershipForm(ServiceModelForm):
    class Meta:
        model = Membership
        fields = ["organisation", "role", "since", "until"]
        widgets = {"since": DATE_WIDGET, "until": DATE_WIDGET}

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["organisation"].queryset = visible_organisations(self.user)  # type: ignore[attr-defined]


class WorkplanItemForm(ServiceModelForm):
    class Meta:
        model = WorkplanItem
        fields = ["challenge", "objective", "owner", "due_date", "status"]
        widgets = {"due_date": DATE_WIDGET, "objective": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.group = group
        self.fields["owner"].queryset = visible_organisations(self.user)  # type: ignore[attr-defined]


class GroupRoleForm(VersionErrorOnTop, forms.Form):
    """Give a user a role in a group, or change it. Changing a role the user already holds
    carries the version of that role the coordinator saw (each row of the roles table does)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    version = VersionField(required=False)

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.existing: GroupRole | None = None

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no user with this username."))
        return user

    def clean(self) -> dict[str, Any]:
        user = self.cleaned_data.get("username")
        if user is not None:
            self.existing = GroupRole.objects.filter(group=self.group, user=user).first()
            missing = self.cleaned_data.get("version") is None and "version" not in self._errors
            if self.existing is not None and missing:
                self.add_error(
                    "username",
                    _("%(user)s already has a role in this group: change it in the table.")
                    % {"user": user.get_username()},
                )
        return super().clean()

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version") if self.existing is not None else None


class GroupRoleRowForm(forms.Form):
    """One row of the roles table: change this user's role, from the version shown. Posted
    to the same page as GroupRoleForm, which reads it."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    username = forms.CharField(widget=forms.HiddenInput)
    version = VersionField()


class RequestForm(ServiceModelForm):
    class Meta:
        model = Request
        fields = [
            "from_group",
            "to_group",
            "to_organisation",
            "title",
            "rationale",
            "needed_by",
            "visibility",
            "shared_with",
        ]
        widgets = {"needed_by": DATE_WIDGET, "rationale": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        access = access_for(self.user)
        visible = Group.objects.restrict(self.user, Permission.VIEW).only("pk", "name")
        # A group asks through its editors; everyone visible may be asked.
        self.fields["from_group"].queryset = (  # type: ignore[attr-defined]
            visible if access.is_admin else visible.filter(pk__in=access.groups_with(Role.EDITOR))
        )
        self.fields["to_group"].queryset = visible  # type: ignore[attr-defined]
        self.fields["to_organisation"].queryset = visible_organisations(self.user)  # type: ignore[attr-defined]


class RequestStatusForm(VersionErrorOnTop, forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    version = VersionField()

    def __init__(self, *args: Any, request_obj: Request, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", request_obj.version)
        super().__init__(*args, **kwargs)
        allowed = REQUEST_TRANSITIONS.get(RequestStatus(request_obj.status), set())
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in RequestStatus.choices if value in allowed
        ]


class RequestResponseForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Offered by"), queryset=Organisation.objects.none()
    )
    offer = forms.CharField(
        label=_("What is offered"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        access = access_for(user)
        if access.is_admin:
            queryset = visible_organisations(user)
        else:
            queryset = Organisation.objects.filter(pk=access.organisation_id)
        self.fields["organisation"].queryset = queryset  # type: ignore[attr-defined]
        if access.organisation_id is not None:
            self.fields["organisation"].initial = access.organisation_id


class MergeForm(forms.Form):
    """Choose the duplicate, then confirm. The confirmation carries the versions of both
    organisations as the user saw them: a merge is refused if either changed since."""

    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to merge into this organisation"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "Its people, memberships, requests and other records move here; then it is deleted."
        ),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    keep_version = VersionField(required=False)
    duplicate_version = VersionField(required=False)

    def __init__(self, *args: Any, user: Any, keep: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.restrict(user, Permission.CHANGE)
            .exclude(pk=keep.pk)
            .only("pk", "name", "acronym", "version")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        errors = self.errors  # the dict being filled: full_clean is running
        if cleaned.get("confirm"):
            for name in ("keep_version", "duplicate_version"):
                if cleaned.get(name) is None and name not in errors:
                    self.add_error(name, VERSION_MISSING)
        if any(name in errors for name in ("keep_version", "duplicate_version")):
            self.add_error(None, VERSION_MISSING)
        return cleaned


class DeleteForm(VersionErrorOnTop, forms.Form):
    """Confirms a deletion; carries the version so a changed record is not deleted blind."""

    version = VersionField()


class MembershipAnswerForm(VersionErrorOnTop, forms.Form):
    """The member organisation confirms or declines a membership, from the version shown."""

    version = VersionField()
