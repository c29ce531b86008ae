"""Shapes of the network API. Serializers check the shape; the services make the changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from harambee.core.models import ChangeRecord
from harambee.places.models import Country
from harambee.privacy.choices import ConsentMethod
from harambee.privacy.serializers import PersonalFieldsMixin

from ..choices import RequestStatus
from ..models import (
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)
from ..selectors import hide_editor, nameable_users

User = get_user_model()


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A link by id to a record the requesting user may see; others are 'does not exist'."""

    def get_queryset(self) -> Any:
        queryset: Any = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(getattr(request, "user", None))


class NameableUsersField(serializers.PrimaryKeyRelatedField):
    """Users named on a record: only those the requesting user may name (as on the pages)."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return nameable_users(getattr(request, "user", None))


def shared_with_field() -> Any:
    return NameableUsersField(
        many=True,
        required=False,
        queryset=User.objects.none(),  # replaced per request by get_queryset
        help_text=_(
            "Users who may see it when the visibility is 'named': your colleagues and "
            "people you share a group with."
        ),
    )


def organisation_visible(serializer: serializers.Serializer, instance: Any, field: str) -> bool:
    """Whether the requesting user may see the organisation in `field` of `instance`.

    Read from the selector's annotation (`<field>_visible`) when there is one, so a list costs
    no extra query; asked of the database for a record just written."""
    flag = getattr(instance, f"{field}_visible", None)
    if flag is not None:
        return bool(flag)
    organisation_id = getattr(instance, f"{field}_id", None)
    if organisation_id is None:
        return False
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return Organisation.objects.restrict(user).filter(pk=organisation_id).exists()


class HidesOrganisations(serializers.ModelSerializer):
    """Links to organisations the requesting user may not see come out as null."""

    hidden_organisation_fields: tuple[str, ...] = ()

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        for field in self.hidden_organisation_fields:
            if data.get(field) is not None and not organisation_visible(self, instance, field):
                data[field] = None
        return data


class CountryField(serializers.SlugRelatedField):
    """A country by ISO3 code (case-insensitive on input)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs["slug_field"] = "iso3"
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)


class VersionedSerializer(serializers.ModelSerializer):
    """`version` comes back in every response and must be sent back on every update."""

    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_(
            "The version you read. Required when updating: a stale one is refused (409), "
            "so you never overwrite someone else's change. Ignored when creating."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if self.instance is not None and attrs.get("version") is None:
            raise serializers.ValidationError({"version": [_("This field is required.")]})
        return attrs


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "org_type"]
        read_only_fields = fields


class OrganisationSerializer(VersionedSerializer):
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list
    )
    hq_country = CountryField(required=False, allow_null=True)
    origin_country = CountryField(required=False, allow_null=True)
    countries = CountryField(many=True, required=False)
    residence_countries = CountryField(many=True, required=False)
    owner_organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    shared_with = shared_with_field()
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Create it even though similar organisations exist (otherwise 409)."),
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "other_names",
            "org_type",
            "description",
            "hq_country",
            "countries",
            "origin_country",
            "residence_countries",
            "iati_ref",
            "registration_number",
            "website",
            "verified",
            "visibility",
            "owner_organisation",
            "shared_with",
            "allow_duplicate",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of iati_ref is checked by the service against every organisation.
        extra_kwargs: dict[str, Any] = {"iati_ref": {"validators": []}}

    def validate_iati_ref(self, value: str | None) -> str | None:
        return value or None


class PersonSerializer(PersonalFieldsMixin, VersionedSerializer):
    """Name, email and phone are personal: returned only with ?include_personal=true."""

    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    shared_with = shared_with_field()
    consent = serializers.ChoiceField(
        choices=ConsentMethod.choices,
        write_only=True,
        required=False,
        help_text=_("On creation: how the person agreed to be listed (recorded with the notice)."),
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "organisation",
            "name",
            "role",
            "email",
            "phone",
            "consent",
            "visibility",
            "shared_with",
            "owner_organisation",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner_organisation", "created_at", "updated_at"]


class GroupSerializer(VersionedSerializer):
    country = CountryField(required=False, allow_null=True)
    owner_organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    shared_with = shared_with_field()
    lead_organisations = serializers.SerializerMethodField(
        help_text=_("Current lead organisations (those you may see).")
    )
    member_count = serializers.SerializerMethodField(
        help_text=_("Current member organisations (those you may see).")
    )

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "purpose",
            "visibility",
            "owner_organisation",
            "shared_with",
            "lead_organisations",
            "member_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OrganisationBriefSerializer(many=True))
    def get_lead_organisations(self, group: Group) -> list[dict[str, Any]]:
        leads = getattr(group, "lead_memberships", None)
        if leads is None:  # a group just written, not read through the selector
            return []
        return list(OrganisationBriefSerializer([m.organisation for m in leads], many=True).data)

    def get_member_count(self, group: Group) -> int:
        return int(getattr(group, "member_count", 0) or 0)


class MembershipSerializer(VersionedSerializer):
    group = VisibleRelatedField(queryset=Group.objects.all())
    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    confirmed = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Confirmed by the member organisation. Added by someone else, a membership is an "
            "invitation until an editor of the organisation confirms it "
            "(POST memberships/{id}/confirm/)."
        ),
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "group",
            "group_name",
            "organisation",
            "organisation_name",
            "role",
            "since",
            "until",
            "confirmed",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["confirmed", "created_at", "updated_at"]
        validators: list[Any] = []  # one membership per group: the service says so in words


class GroupRoleSerializer(VersionedSerializer):
    group = VisibleRelatedField(queryset=Group.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = GroupRole
        fields = ["id", "group", "user", "username", "role", "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators: list[Any] = []  # setting a role twice updates it


class WorkplanItemSerializer(HidesOrganisations, VersionedSerializer):
    group = VisibleRelatedField(queryset=Group.objects.all())
    owner = VisibleRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The owner organisation; null also when you may not see it."),
    )
    hidden_organisation_fields = ("owner",)

    class Meta:
        model = WorkplanItem
        fields = [
            "id",
            "group",
            "challenge",
            "objective",
            "owner",
            "due_date",
            "status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class RequestSerializer(HidesOrganisations, VersionedSerializer):
    from_group = VisibleRelatedField(queryset=Group.objects.all())
    to_group = VisibleRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)
    to_organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The organisation asked; null also when you may not see it."),
    )
    hidden_organisation_fields = ("to_organisation",)
    owner_organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    shared_with = shared_with_field()
    response_count = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "from_group",
            "to_group",
            "to_organisation",
            "title",
            "rationale",
            "needed_by",
            "status",
            "visibility",
            "owner_organisation",
            "shared_with",
            "response_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def get_response_count(self, request: Request) -> int:
        count = getattr(request, "response_count", None)
        return int(count) if count is not None else request.responses.count()


class RequestResponseSerializer(VersionedSerializer):
    request = VisibleRelatedField(queryset=Request.objects.all())
    organisation = VisibleRelatedField(queryset=Organisation.objects.all())
    offered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = RequestResponse
        fields = [
            "id",
            "request",
            "organisation",
            "offer",
            "offered_by",
            "offered_by_name",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["offered_by", "created_at", "updated_at"]

    def get_offered_by_name(self, response: RequestResponse) -> str:
        return str(response.offered_by) if response.offered_by_id else ""


class ChangeRecordSerializer(serializers.ModelSerializer):
    """A change. Who made it (`user`, `user_name`) is shown to members of the network only;
    others see `user` null and `user_name` "a Harambee user" (or "system")."""

    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    def to_representation(self, instance: ChangeRecord) -> Any:
        if not self.context.get("show_names", False):
            hide_editor(instance)
        return super().to_representation(instance)

    class Meta:
        model = ChangeRecord
        fields = [
            "id",
            "time",
            "user",
            "user_name",
            "action",
            "object_id",
            "object_repr",
            "before",
            "after",
            "note",
        ]
        read_only_fields = fields


# --- bodies and answers of the extra actions --------------------------------------------------


class DuplicateCandidateSerializer(serializers.Serializer):
    organisation = OrganisationBriefSerializer()
    score = serializers.FloatField(help_text=_("0-100: how alike the names are."))
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True)


class DuplicateQuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    acronym = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    exclude = serializers.IntegerField(required=False, help_text=_("Leave this organisation out."))
    limit = serializers.IntegerField(required=False, default=5, min_value=1, max_value=50)


class MergeSerializer(serializers.Serializer):
    duplicate = VisibleRelatedField(
        queryset=Organisation.objects.all(),
        help_text=_("The organisation folded into this one and then deleted."),
    )
    keep_version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you read of the organisation kept; a stale one gives 409."),
    )
    duplicate_version = serializers.IntegerField(
        min_value=1,
        help_text=_("The version you read of the duplicate; a stale one gives 409."),
    )


class VersionBodySerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; a stale one is refused with 409.")
    )


class RequestStatusSerializer(serializers.Serializer):
    # A plain string in the schema: the one enum of request statuses is on Request.status.
    status = serializers.CharField(
        help_text=_("The new status: %(statuses)s.") % {"statuses": ", ".join(RequestStatus.values)}
    )
    version = serializers.IntegerField(min_value=1)

    def validate_status(self, value: str) -> str:
        if value not in RequestStatus.values:
            raise serializers.ValidationError(_("Unknown status."))
        return value


class RespondSerializer(serializers.Serializer):
    organisation = VisibleRelatedField(
        queryset=Organisation.objects.all(), help_text=_("Who offers: your organisation.")
    )
    offer = serializers.CharField()
