"""Every write to the network: organisations, people, groups, memberships, roles, work plans,
requests. Keyword-only, atomic, permission-checked and audited (actor=None is the system)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from harambee.core.access import access_for, forget_access
from harambee.core.audit import change_record, record_change, snapshot
from harambee.core.bulk import insert_many, insert_values
from harambee.core.choices import Action, Permission, Role
from harambee.core.errors import (
    VERSION_MISSING,
    ErrorCode,
    PermissionDeniedError,
    ServiceError,
    StaleVersionError,
)
from harambee.core.models import ChangeRecord
from harambee.core.services import (
    create_object,
    delete_object,
    require,
    require_create,
    update_object,
)
from harambee.privacy.services import record_consent

from .choices import REQUEST_TRANSITIONS, RequestStatus
from .duplicates import DuplicateCandidate, DuplicateSuspected, clear_index, find_duplicates
from .models import (
    SET_STATUS,
    Group,
    GroupRole,
    Membership,
    Organisation,
    Person,
    Request,
    RequestResponse,
    WorkplanItem,
)

__all__ = [
    "DuplicateCandidate",
    "DuplicateSuspected",
    "InvalidTransition",
    "group_create",
    "group_delete",
    "group_role_remove",
    "group_role_set",
    "group_update",
    "membership_confirm",
    "membership_create",
    "membership_decline",
    "membership_delete",
    "membership_update",
    "organisation_create",
    "organisation_delete",
    "organisation_merge",
    "organisation_references",
    "organisation_update",
    "person_create",
    "person_delete",
    "person_update",
    "request_create",
    "request_delete",
    "request_respond",
    "request_response_delete",
    "request_response_update",
    "request_set_status",
    "request_update",
    "speaks_for",
    "workplan_item_create",
    "workplan_item_delete",
    "workplan_item_update",
]

Data = Mapping[str, Any]
M2M = Mapping[str, Iterable[Any]] | None


class InvalidTransition(ServiceError):
    code = "invalid_transition"


class ProtectedObject(ServiceError):
    code = "protected"


class LastCoordinator(ServiceError):
    code = "last_coordinator"


# --- shared rules -----------------------------------------------------------------------------


def _is_admin(actor: Any) -> bool:
    return actor is None or access_for(actor).is_admin


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


_UNSET = object()


def _check_owner(actor: Any, data: Data, current: Any = _UNSET) -> None:
    """Only platform admins may say that another organisation maintains a record, or that
    none does (a record nobody maintains could no longer be changed by anyone but them).

    `current` is the owner of the record being changed; left out when creating, where no
    owner means the default (the actor's organisation).
    """
    if _is_admin(actor):
        return
    key = next((k for k in ("owner_organisation", "owner_organisation_id") if k in data), None)
    if key is None:
        return
    owner = _id(data[key])
    creating = current is _UNSET
    if owner is None and creating:
        return
    if not creating and owner == current:
        return
    if owner is not None and owner == access_for(actor).organisation_id:
        return
    raise ValidationError(
        {
            "owner_organisation": _(
                "Only platform admins may assign a record to another organisation or to none."
            )
        }
    )


def _with_default_owner(actor: Any, data: Data) -> dict[str, Any]:
    values = dict(data)
    if values.get("owner_organisation") is None and values.get("owner_organisation_id") is None:
        values.pop("owner_organisation", None)
        organisation_id = access_for(actor).organisation_id if actor is not None else None
        if organisation_id is not None:
            values["owner_organisation_id"] = organisation_id
    return values


def _require_visible(actor: Any, field: str, model: type[models.Model], value: Any) -> None:
    """Linking to a record the actor cannot see would reveal it exists: treat it as missing."""
    if value is None or actor is None:
        return
    if not model.objects.restrict(actor, Permission.VIEW).filter(pk=_id(value)).exists():  # type: ignore[attr-defined]
        raise ValidationError(
            {field: _("No such %(model)s.") % {"model": model._meta.verbose_name}}
        )


def _delete(instance: models.Model, *, actor: Any, expected_version: int | None) -> None:
    try:
        delete_object(instance, actor=actor, expected_version=expected_version)
    except ProtectedError as exc:
        raise ProtectedObject(
            _("This %(model)s is still referred to by other records; remove those first.")
            % {"model": instance._meta.verbose_name}
        ) from exc


def _fixed_field(instance: models.Model, data: Data, name: str) -> None:
    if name in data and _id(data[name]) != getattr(instance, f"{name}_id"):
        raise ValidationError({name: _("This cannot be changed; create a new record instead.")})


# --- organisations ----------------------------------------------------------------------------


def _organisation_data(
    actor: Any, data: Data, current: Organisation | None = None
) -> dict[str, Any]:
    values = dict(data)
    if values.get("iati_ref") == "":
        values["iati_ref"] = None  # unique when given; blank means none
    was_verified = current.verified if current is not None else False
    if "verified" in values and bool(values["verified"]) != was_verified and not _is_admin(actor):
        raise PermissionDeniedError(_("Only platform admins verify organisations."))
    return values


@transaction.atomic
def organisation_create(
    *, actor: Any, data: Data, m2m: M2M = None, allow_duplicate: bool = False
) -> Organisation:
    """Create an organisation; refuse with DuplicateSuspected when it looks already registered.

    The record is maintained by the actor's organisation unless told otherwise; an organisation
    created by the system (importers, demo) maintains its own record.
    """
    require_create(actor, Organisation)
    _check_owner(actor, data)
    data = _organisation_data(actor, data)
    if not allow_duplicate:
        visible = None if actor is None else Organisation.objects.restrict(actor, Permission.VIEW)
        candidates = find_duplicates(
            str(data.get("name", "")), str(data.get("acronym", "") or ""), queryset=visible
        )
        if candidates:
            raise DuplicateSuspected(candidates)
    values = _with_default_owner(actor, data)
    instance = Organisation(**values)
    instance.full_clean()
    instance.save()
    if instance.owner_organisation_id is None:
        instance.owner_organisation = instance
        instance.save(update_fields=["owner_organisation"])
    for name, items in (m2m or {}).items():
        getattr(instance, name).set(list(items))
    record_change(
        actor=actor, action=Action.CREATE, instance=instance, before=None, after=snapshot(instance)
    )
    return instance


@transaction.atomic
def organisations_create_many(*, actor: Any, items: list[tuple[Data, M2M]]) -> list[Organisation]:
    """Create many organisations at once (an import's new ones): the checks and the change
    record of organisation_create(allow_duplicate=True) for each, in a handful of queries.

    The caller has already decided they are not duplicates (the import's review list).
    """
    require_create(actor, Organisation)
    instances: list[Organisation] = []
    for data, _m2m in items:
        _check_owner(actor, data)
        instance = Organisation(**_with_default_owner(actor, _organisation_data(actor, data)))
        instance.full_clean()
        instances.append(instance)
    if not instances:
        return []
    Organisation.objects.bulk_create(instances)  # sets the ids on SQLite and PostgreSQL
    own = [i for i in instances if i.owner_organisation_id is None]
    for instance in own:
        instance.owner_organisation_id = instance.pk
    # Maintained by themselves: one UPDATE (bulk_update would write a CASE per row).
    Organisation.objects.filter(pk__in=[i.pk for i in own]).update(owner_organisation_id=F("pk"))
    names = [f.name for f in Organisation._meta.local_many_to_many]
    links: dict[str, list[dict[str, Any]]] = {}
    related: list[dict[str, list[Any]]] = []
    for instance, (_data, m2m) in zip(instances, items, strict=True):
        keys: dict[str, list[Any]] = {name: [] for name in names}
        for name, values in (m2m or {}).items():
            field = Organisation._meta.get_field(name)
            source = f"{field.m2m_field_name()}_id"  # type: ignore[union-attr]
            target = f"{field.m2m_reverse_field_name()}_id"  # type: ignore[union-attr]
            keys[name] = [getattr(v, "pk", v) for v in values]
            links.setdefault(name, []).extend(
                {source: instance.pk, target: key} for key in keys[name]
            )
        related.append(keys)
    for name, rows in links.items():
        insert_values(Organisation._meta.get_field(name).remote_field.through, rows)  # type: ignore[union-attr]
    # The snapshots come from what was just written: reading it all back (with prefetched
    # many-to-many) cost more than the inserts.
    insert_many(
        ChangeRecord,
        [
            change_record(
                actor=actor,
                action=Action.CREATE,
                instance=instance,
                before=None,
                after=snapshot(instance, related=keys),
            )
            for instance, keys in zip(instances, related, strict=True)
        ],
    )
    clear_index()  # bulk_create sends no signals: the duplicate index must not miss them
    return instances


def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    data: Data,
    expected_version: int | None,
    m2m: M2M = None,
) -> Organisation:
    _check_owner(actor, data, current=organisation.owner_organisation_id)
    return update_object(
        organisation,
        actor=actor,
        data=_organisation_data(actor, data, current=organisation),
        expected_version=expected_version,
        m2m=m2m,
    )


def organisation_delete(
    *, actor: Any, organisation: Organisation, expected_version: int | None = None
) -> None:
    _delete(organisation, actor=actor, expected_version=expected_version)


def organisation_references() -> list[models.ForeignKey]:
    """Every foreign key to Organisation in every installed app, including many-to-many
    through tables and relations hidden with related_name='+' (RestrictedModel.owner_organisation)."""
    found: list[models.ForeignKey] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for fk in model._meta.concrete_fields:
            remote = fk.remote_field if fk.is_relation else None
            if isinstance(fk, models.ForeignKey) and remote and remote.model is Organisation:
                found.append(fk)
    return found


def _unique_sets(model: type[models.Model], fk: models.ForeignKey) -> list[list[str]]:
    """Attribute names of each uniqueness rule on `model` that includes `fk`."""
    meta = model._meta
    sets: list[tuple[str, ...]] = [tuple(group) for group in meta.unique_together]
    sets += [tuple(c.fields) for c in meta.total_unique_constraints]
    if fk.unique:
        sets.append((fk.name,))
    return [
        [getattr(meta.get_field(n), "attname", n) for n in names]
        for names in sets
        if fk.name in names
    ]


def _move_references(keep: Organisation, duplicate: Organisation) -> dict[str, list[int]]:
    """Point every reference to `duplicate` at `keep`. Returns {label: [moved, dropped]}.

    Where a uniqueness rule would be broken (the duplicate's membership of a group `keep`
    already belongs to, a country both list), `keep`'s row stays and the duplicate's goes.
    """
    summary: dict[str, list[int]] = {}
    for fk in organisation_references():
        model = fk.model
        manager = model._base_manager
        rows = manager.filter(**{fk.attname: duplicate.pk})
        unique_sets = _unique_sets(model, fk)
        has_version = any(f.name == "version" for f in model._meta.concrete_fields)
        bump = {"version": F("version") + 1} if has_version else {}
        moved = dropped = 0
        if not unique_sets:
            moved = rows.update(**{fk.attname: keep.pk}, **bump)
        else:
            for row in rows:
                clash = any(
                    manager.filter(
                        **{
                            name: (keep.pk if name == fk.attname else getattr(row, name))
                            for name in names
                        }
                    )
                    .exclude(pk=row.pk)
                    .exists()
                    for names in unique_sets
                )
                if clash:
                    if model._meta.auto_created:
                        manager.filter(pk=row.pk).delete()
                    else:
                        row.delete()  # through the ORM, so its own dependents follow
                    dropped += 1
                else:
                    manager.filter(pk=row.pk).update(**{fk.attname: keep.pk}, **bump)
                    moved += 1
        if moved or dropped:
            summary[f"{model._meta.label}.{fk.name}"] = [moved, dropped]
    return summary


# Fields of the duplicate that fill blanks in the organisation kept.
_FILL_BLANKS = (
    "description",
    "hq_country_id",
    "origin_country_id",
    "iati_ref",
    "registration_number",
    "website",
)


@transaction.atomic
def organisation_merge(
    *,
    actor: Any,
    keep: Organisation,
    duplicate: Organisation,
    keep_version: int | None = None,
    duplicate_version: int | None = None,
) -> Organisation:
    """Fold `duplicate` into `keep`: everything that pointed at it now points at `keep`, its
    names become other names of `keep`, and it is deleted. Both changes are audited.

    `keep_version` and `duplicate_version` are the versions the caller read (None: the system,
    no check): a merge based on a stale view of either is refused.
    """
    if keep.pk == duplicate.pk:
        raise ServiceError(
            _("An organisation cannot be merged into itself."), code=ErrorCode.MERGE_INVALID
        )
    # Platform admins, or whoever may change both records.
    require(actor, Permission.CHANGE, keep)
    require(actor, Permission.CHANGE, duplicate)
    locked = Organisation._base_manager.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
    rows = {org.pk: org for org in locked}
    if len(rows) != 2:
        raise ServiceError(
            _("One of the organisations no longer exists."), code=ErrorCode.NOT_FOUND
        )
    keep, duplicate = rows[keep.pk], rows[duplicate.pk]
    for organisation, version in ((keep, keep_version), (duplicate, duplicate_version)):
        if version is not None and organisation.version != version:
            raise StaleVersionError(
                _(
                    "Someone else changed “%(organisation)s” since you opened it. "
                    "Reload the page, check the merge again, then confirm it."
                )
                % {"organisation": organisation}
            )
    before_keep, before_duplicate = snapshot(keep), snapshot(duplicate)

    summary = _move_references(keep, duplicate)

    names = [*keep.other_names]
    for name in [duplicate.name, duplicate.acronym, *duplicate.other_names]:
        name = str(name).strip()
        if name and name not in names and name not in (keep.name, keep.acronym):
            names.append(name)
    keep.refresh_from_db()
    keep.other_names = names
    keep.verified = keep.verified or duplicate.verified
    blanks = {f: getattr(duplicate, f) for f in _FILL_BLANKS if not getattr(keep, f)}
    if keep.org_type != duplicate.org_type:
        blanks.pop("origin_country_id", None)

    duplicate_pk, duplicate_repr = duplicate.pk, str(duplicate)
    Organisation._base_manager.filter(pk=duplicate_pk).delete()
    for name, value in blanks.items():
        setattr(keep, name, value)  # after the delete: iati_ref is unique
    keep.version += 1
    keep.full_clean()
    keep.save()

    moved = ", ".join(
        f"{label}: {n} moved, {d} dropped" for label, (n, d) in sorted(summary.items())
    )
    record_change(
        actor=actor,
        action=Action.MERGE,
        instance=keep,
        before=before_keep,
        after={**snapshot(keep), "merged": {"id": duplicate_pk, "before": before_duplicate}},
        note=_("Merged %(duplicate)s (#%(pk)s) into this organisation. %(moved)s")
        % {"duplicate": duplicate_repr, "pk": duplicate_pk, "moved": moved},
    )
    record_change(
        actor=actor,
        action=Action.DELETE,
        instance=duplicate,
        before=before_duplicate,
        after=None,
        object_id=duplicate_pk,
        note=_("Merged into %(keep)s (#%(pk)s).") % {"keep": str(keep), "pk": keep.pk},
    )
    return keep


# --- people -----------------------------------------------------------------------------------


def _require_person_organisation(actor: Any, organisation: Any) -> None:
    """Contacts are added by their own organisation (or whoever maintains its record)."""
    if _is_admin(actor):
        return
    org_id = _id(organisation)
    if org_id is not None and org_id == access_for(actor).organisation_id:
        return
    target = organisation if isinstance(organisation, Organisation) else None
    if target is None:
        target = Organisation.objects.filter(pk=org_id).first()
    if target is None:
        raise ValidationError({"organisation": _("Choose an organisation.")})
    require(actor, Permission.CHANGE, target)


CONTACT_PURPOSE = "coordination_contact"


@transaction.atomic
def person_create(*, actor: Any, data: Data, m2m: M2M = None, consent: str = "") -> Person:
    """Add a contact; `consent` says how the person agreed to be listed (recorded with the
    privacy notice version in force)."""
    require_create(actor, Person)
    _require_person_organisation(actor, data.get("organisation") or data.get("organisation_id"))
    person = create_object(Person, actor=actor, data=data, m2m=m2m, check_permission=False)
    if consent:
        record_consent(subject=person, purpose=CONTACT_PURPOSE, actor=actor, method=consent)
    return person


def person_update(
    *, actor: Any, person: Person, data: Data, expected_version: int | None, m2m: M2M = None
) -> Person:
    if "organisation" in data and _id(data["organisation"]) != person.organisation_id:
        _require_person_organisation(actor, data["organisation"])
    return update_object(person, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def person_delete(*, actor: Any, person: Person, expected_version: int | None = None) -> None:
    _delete(person, actor=actor, expected_version=expected_version)


# --- groups and roles -------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: Any, data: Data, m2m: M2M = None) -> Group:
    """Create a group; the user who creates it becomes its coordinator."""
    require_create(actor, Group)
    _check_owner(actor, data)
    group = create_object(
        Group, actor=actor, data=_with_default_owner(actor, data), m2m=m2m, check_permission=False
    )
    if actor is not None and getattr(actor, "is_authenticated", False):
        create_object(
            GroupRole,
            actor=actor,
            data={"group": group, "user": actor, "role": Role.COORDINATOR},
            check_permission=False,
        )
        forget_access(actor)
    return group


def group_update(
    *, actor: Any, group: Group, data: Data, expected_version: int | None, m2m: M2M = None
) -> Group:
    _check_owner(actor, data, current=group.owner_organisation_id)
    return update_object(group, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def group_delete(*, actor: Any, group: Group, expected_version: int | None = None) -> None:
    _delete(group, actor=actor, expected_version=expected_version)


def _require_coordinator(actor: Any, group: Group) -> None:
    if _is_admin(actor):
        return
    if group.pk not in access_for(actor).groups_with(Role.COORDINATOR):
        raise PermissionDeniedError(_("Only the group's coordinators can manage its roles."))


def _coordinators_left(group: Group, without: GroupRole) -> bool:
    return (
        GroupRole.objects.filter(group=group, role=Role.COORDINATOR).exclude(pk=without.pk).exists()
    )


@transaction.atomic
def group_role_set(
    *, actor: Any, group: Group, user: Any, role: str, expected_version: int | None = None
) -> GroupRole:
    """Give a user a role in a group, or change it. Only the group's coordinators may."""
    _require_coordinator(actor, group)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose viewer, editor or coordinator.")})
    existing = GroupRole.objects.filter(group=group, user=user).first()
    if existing is not None and expected_version is None and actor is not None:
        # Changing a role someone may have just changed: say which version you saw.
        raise ValidationError({"version": VERSION_MISSING})
    if existing is None:
        result = create_object(
            GroupRole,
            actor=actor,
            data={"group": group, "user": user, "role": role},
            check_permission=False,
        )
    else:
        if (
            existing.role == Role.COORDINATOR
            and role != Role.COORDINATOR
            and not _is_admin(actor)
            and not _coordinators_left(group, existing)
        ):
            raise LastCoordinator(_("A group needs at least one coordinator."))
        result = update_object(
            existing,
            actor=actor,
            data={"role": role},
            expected_version=expected_version,
            check_permission=False,
        )
    forget_access(user)
    return result


def group_role_remove(
    *, actor: Any, group_role: GroupRole, expected_version: int | None = None
) -> None:
    _require_coordinator(actor, group_role.group)
    if (
        group_role.role == Role.COORDINATOR
        and not _is_admin(actor)
        and not _coordinators_left(group_role.group, group_role)
    ):
        raise LastCoordinator(_("A group needs at least one coordinator."))
    delete_object(
        group_role, actor=actor, expected_version=expected_version, check_permission=False
    )
    forget_access(group_role.user)


# --- memberships and work plans ---------------------------------------------------------------


def speaks_for(actor: Any, organisation_id: Any) -> bool:
    """Whether the actor may answer for the organisation: the system, a platform admin, or an
    editor (in any group) who belongs to it."""
    if _is_admin(actor):
        return True
    access = access_for(actor)
    return access.organisation_id == organisation_id and access.has_role_anywhere(Role.EDITOR)


def _already_member() -> ValidationError:
    return ValidationError(
        {"organisation": _("This organisation is already a member (or invited).")}
    )


def membership_create(*, actor: Any, group: Group, data: Data) -> Membership:
    """Add an organisation to a group; the group's editors may.

    The membership is confirmed at once when the system, a platform admin or someone of the
    member organisation adds it. Otherwise it is an invitation, which the member organisation
    confirms (membership_confirm) or declines: belonging to a group shows its coordinators the
    organisation's contacts, which needs the organisation's consent.
    """
    require(actor, Permission.CHANGE, group)
    organisation = data.get("organisation")
    _require_visible(actor, "organisation", Organisation, organisation)
    values = {k: v for k, v in data.items() if k != "confirmed"}
    values["group"] = group
    org_id = _id(organisation)
    values["confirmed"] = _is_admin(actor) or (
        org_id is not None and org_id == access_for(actor).organisation_id
    )
    if Membership.objects.filter(group=group, organisation=org_id).exists():
        raise _already_member()
    try:
        # A savepoint: a concurrent add of the same organisation loses cleanly.
        with transaction.atomic():
            return create_object(Membership, actor=actor, data=values, check_permission=False)
    except IntegrityError as exc:
        if Membership.objects.filter(group=group, organisation=org_id).exists():
            raise _already_member() from exc
        raise


def membership_update(
    *, actor: Any, membership: Membership, data: Data, expected_version: int | None
) -> Membership:
    _fixed_field(membership, data, "group")
    _fixed_field(membership, data, "organisation")
    if "confirmed" in data and bool(data["confirmed"]) != membership.confirmed:
        raise ValidationError(
            {"confirmed": _("Only the member organisation confirms or declines a membership.")}
        )
    return update_object(membership, actor=actor, data=data, expected_version=expected_version)


def membership_delete(
    *, actor: Any, membership: Membership, expected_version: int | None = None
) -> None:
    _delete(membership, actor=actor, expected_version=expected_version)


def _require_member_organisation(actor: Any, membership: Membership) -> None:
    if not speaks_for(actor, membership.organisation_id):
        raise PermissionDeniedError(
            _("Only editors of the member organisation confirm or decline its memberships.")
        )


def membership_confirm(
    *, actor: Any, membership: Membership, expected_version: int | None
) -> Membership:
    """The member organisation accepts an invitation to a group."""
    _require_member_organisation(actor, membership)
    if membership.confirmed:
        raise ServiceError(_("This membership is already confirmed."), code="already_confirmed")
    return update_object(
        membership,
        actor=actor,
        data={"confirmed": True},
        expected_version=expected_version,
        check_permission=False,
        note=_("Confirmed by the member organisation."),
    )


def membership_decline(*, actor: Any, membership: Membership, expected_version: int | None) -> None:
    """The member organisation turns down an invitation (or leaves the group)."""
    _require_member_organisation(actor, membership)
    note = (
        _("The member organisation left the group.")
        if membership.confirmed
        else _("Invitation declined by the organisation.")
    )
    delete_object(
        membership,
        actor=actor,
        expected_version=expected_version,
        check_permission=False,
        note=note,
    )


def workplan_item_create(*, actor: Any, group: Group, data: Data) -> WorkplanItem:
    """Add a challenge to a group's work plan; the group's editors may."""
    require(actor, Permission.CHANGE, group)
    _require_visible(actor, "owner", Organisation, data.get("owner"))
    return create_object(
        WorkplanItem, actor=actor, data={**data, "group": group}, check_permission=False
    )


def workplan_item_update(
    *, actor: Any, workplan_item: WorkplanItem, data: Data, expected_version: int | None
) -> WorkplanItem:
    _fixed_field(workplan_item, data, "group")
    if "owner" in data and _id(data["owner"]) != workplan_item.owner_id:
        _require_visible(actor, "owner", Organisation, data["owner"])
    return update_object(workplan_item, actor=actor, data=data, expected_version=expected_version)


def workplan_item_delete(
    *, actor: Any, workplan_item: WorkplanItem, expected_version: int | None = None
) -> None:
    _delete(workplan_item, actor=actor, expected_version=expected_version)


# --- requests ---------------------------------------------------------------------------------


def _check_transition(current: str, new: str) -> None:
    if new not in RequestStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if new != current and new not in REQUEST_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A request cannot go from %(current)s to %(new)s.")
            % {"current": RequestStatus(current).label, "new": RequestStatus(new).label}
        )


def request_create(*, actor: Any, data: Data, m2m: M2M = None) -> Request:
    """A group asks another group or an organisation; editors of the asking group may."""
    require_create(actor, Request)
    _check_owner(actor, data)
    from_group = data.get("from_group")
    if from_group is not None and not isinstance(from_group, Group):
        from_group = Group.objects.filter(pk=from_group).first()
    if from_group is None:
        raise ValidationError({"from_group": _("Choose the group that asks.")})
    require(actor, Permission.CHANGE, from_group)
    _require_visible(actor, "to_group", Group, data.get("to_group"))
    _require_visible(actor, "to_organisation", Organisation, data.get("to_organisation"))
    values = _with_default_owner(actor, data)
    values["from_group"] = from_group
    values.setdefault("status", RequestStatus.OPEN)
    if values["status"] != RequestStatus.OPEN:
        raise ValidationError({"status": _("A new request is open.")})
    return create_object(Request, actor=actor, data=values, m2m=m2m, check_permission=False)


def request_update(
    *, actor: Any, request: Request, data: Data, expected_version: int | None, m2m: M2M = None
) -> Request:
    _check_owner(actor, data, current=request.owner_organisation_id)
    _fixed_field(request, data, "from_group")
    if "to_group" in data and _id(data["to_group"]) != request.to_group_id:
        _require_visible(actor, "to_group", Group, data["to_group"])
    if "to_organisation" in data and _id(data["to_organisation"]) != request.to_organisation_id:
        _require_visible(actor, "to_organisation", Organisation, data["to_organisation"])
    if "status" in data:
        _check_transition(request.status, data["status"])
    return update_object(
        request, actor=actor, data=data, expected_version=expected_version, m2m=m2m
    )


def request_delete(*, actor: Any, request: Request, expected_version: int | None = None) -> None:
    _delete(request, actor=actor, expected_version=expected_version)


def request_set_status(
    *, actor: Any, request: Request, status: str, expected_version: int | None
) -> Request:
    """Move a request along (open -> accepted -> in progress -> done, or declined). Editors
    of the asking side, and of the group or organisation asked, may."""
    require(actor, SET_STATUS, request)
    _check_transition(request.status, status)
    return update_object(
        request,
        actor=actor,
        data={"status": status},
        expected_version=expected_version,
        check_permission=False,
    )


def request_respond(
    *, actor: Any, request: Request, organisation: Organisation, offer: str
) -> RequestResponse:
    """An organisation offers something in answer to a request. Its own editors may."""
    require(actor, Permission.VIEW, request)
    require_create(actor, RequestResponse)
    if not _is_admin(actor) and organisation.pk != access_for(actor).organisation_id:
        raise PermissionDeniedError(_("You can only answer on behalf of your own organisation."))
    if request.status in (RequestStatus.DONE, RequestStatus.DECLINED):
        raise ServiceError(
            _("This request is closed; it no longer takes offers."), code="request_closed"
        )
    offered_by = actor if getattr(actor, "is_authenticated", False) else None
    return create_object(
        RequestResponse,
        actor=actor,
        data={
            "request": request,
            "organisation": organisation,
            "offer": offer,
            "offered_by": offered_by,
        },
        check_permission=False,
    )


def request_response_update(
    *, actor: Any, response: RequestResponse, data: Data, expected_version: int | None
) -> RequestResponse:
    _fixed_field(response, data, "request")
    _fixed_field(response, data, "organisation")
    return update_object(response, actor=actor, data=data, expected_version=expected_version)


def request_response_delete(
    *, actor: Any, response: RequestResponse, expected_version: int | None = None
) -> None:
    _delete(response, actor=actor, expected_version=expected_version)
