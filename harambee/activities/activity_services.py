"""Writing activities by hand (pages and API). Imports go through services.py instead.

Named, keyword-only wrappers around the core services: permission-checked, validated, audited,
versioned. Places, other organisations and figures are parts of the activity: when given they
replace the activity's current ones in the same transaction, and the change record notes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from harambee.core.access import access_for
from harambee.core.audit import record_change, snapshot
from harambee.core.choices import Action, Permission
from harambee.core.errors import PermissionDeniedError
from harambee.core.services import create_object, delete_object, require_create, update_object
from harambee.network.models import Organisation
from harambee.places.models import AdminArea

from .models import Activity, ActivityFigure, ActivityOrganisation, ActivityPlace, Sector

Data = Mapping[str, Any]
M2M = Mapping[str, Iterable[Any]] | None
Parts = Iterable[Mapping[str, Any]] | None


def _id(value: Any) -> Any:
    return getattr(value, "pk", value)


def _check_owner(actor: Any, data: Data, current: Any = None) -> None:
    """Only platform admins may say that another organisation maintains a record."""
    if actor is None or access_for(actor).is_admin or "owner_organisation" not in data:
        return
    owner = _id(data["owner_organisation"])
    if owner is None or owner == current or owner == access_for(actor).organisation_id:
        return
    raise PermissionDeniedError(
        _("Only platform admins may assign a record to another organisation.")
    )


def _require_visible_organisation(actor: Any, field: str, value: Any) -> None:
    """Naming an organisation the actor cannot see would reveal it exists: treat it as missing."""
    if value is None or actor is None:
        return
    visible = Organisation.objects.restrict(actor, Permission.VIEW)
    if not visible.filter(pk=_id(value)).exists():
        raise ValidationError({field: _("No such organisation.")})


def _prepare(actor: Any, data: Data, *, creating: bool) -> dict[str, Any]:
    values = dict(data)
    if "implementing_organisation" in values:
        _require_visible_organisation(
            actor, "implementing_organisation", values["implementing_organisation"]
        )
    if creating and values.get("owner_organisation") is None:
        values.pop("owner_organisation", None)
        organisation_id = access_for(actor).organisation_id if actor is not None else None
        if organisation_id is not None:
            values["owner_organisation_id"] = organisation_id
    return values


def _replace_parts(
    actor: Any, activity: Activity, *, places: Parts, others: Parts, figures: Parts
) -> list[str]:
    """Replace the parts given (None: leave them); returns notes for the change record."""
    notes: list[str] = []
    if places is not None:
        rows = [ActivityPlace(activity=activity, **dict(p)) for p in places]
        areas = {_id(r.admin_area) for r in rows if r.admin_area_id}
        known = AdminArea.objects.filter(pk__in=areas)
        if known.exclude(country_id=activity.country_id).exists():
            raise ValidationError({"places": _("A place is in another country than the activity.")})
        activity.places.all().delete()
        for row in rows:
            row.full_clean(exclude=["activity"])
        ActivityPlace.objects.bulk_create(rows)
        notes.append(_("places: %(places)s") % {"places": ", ".join(str(r) for r in rows) or "—"})
    if others is not None:
        rows_o = [ActivityOrganisation(activity=activity, **dict(o)) for o in others]
        for other in rows_o:
            _require_visible_organisation(actor, "other_organisations", other.organisation_id)
            other.full_clean(exclude=["activity"], validate_unique=False)
        current = activity.other_organisations.all()
        if actor is not None:
            # Only what the actor sees is replaced: a partner hidden from them stays.
            current = current.filter(
                organisation__in=Organisation.objects.restrict(actor, Permission.VIEW)
            )
        current.delete()
        ActivityOrganisation.objects.bulk_create(rows_o, ignore_conflicts=True)
        # By id, as change records give every link: whoever reads the history may not see
        # every organisation the editor named.
        listed = ", ".join(f"{r.organisation_id} ({r.get_role_display()})" for r in rows_o)
        notes.append(_("other organisations: %(orgs)s") % {"orgs": listed or "—"})
    if figures is not None:
        rows_f = [ActivityFigure(activity=activity, **dict(f)) for f in figures]
        for figure in rows_f:
            figure.full_clean(exclude=["activity"], validate_unique=False)
        activity.figures.all().delete()
        ActivityFigure.objects.bulk_create(rows_f, ignore_conflicts=True)
        notes.append(_("people figures: %(n)s") % {"n": len(rows_f)})
    return notes


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    data: Data,
    m2m: M2M = None,
    places: Parts = None,
    other_organisations: Parts = None,
    figures: Parts = None,
) -> Activity:
    """Create an activity, maintained by the actor's organisation unless an admin says otherwise."""
    require_create(actor, Activity)
    _check_owner(actor, data)
    activity = create_object(
        Activity,
        actor=actor,
        data=_prepare(actor, data, creating=True),
        m2m=m2m,
        check_permission=False,
    )
    notes = _replace_parts(
        actor, activity, places=places, others=other_organisations, figures=figures
    )
    _note_parts(actor, activity, notes)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: Any,
    activity: Activity,
    data: Data,
    expected_version: int | None,
    m2m: M2M = None,
    places: Parts = None,
    other_organisations: Parts = None,
    figures: Parts = None,
) -> Activity:
    """Change an activity if it is still at `expected_version` (StaleVersionError if not)."""
    _check_owner(actor, data, current=activity.owner_organisation_id)
    values = _prepare(actor, data, creating=False)
    updated = update_object(
        activity, actor=actor, data=values, expected_version=expected_version, m2m=m2m
    )
    notes = _replace_parts(
        actor, updated, places=places, others=other_organisations, figures=figures
    )
    _note_parts(actor, updated, notes)
    return updated


def _note_parts(actor: Any, activity: Activity, notes: list[str]) -> None:
    """The parts are rows of their own: say on the activity's history what they became."""
    if not notes:
        return
    state = snapshot(activity)
    record_change(
        actor=actor,
        action=Action.UPDATE,
        instance=activity,
        before=state,
        after=state,
        note="; ".join(notes),
    )


@transaction.atomic
def activity_delete(*, actor: Any, activity: Activity, expected_version: int | None = None) -> None:
    """Delete an activity with its places, other organisations and figures."""
    delete_object(activity, actor=actor, expected_version=expected_version)


def sector_create(*, actor: Any, data: Data) -> Sector:
    """Add a country's own sector (editors), or a global cluster (platform admins only)."""
    require_create(actor, Sector)
    if data.get("country") is None and actor is not None and not access_for(actor).is_admin:
        raise PermissionDeniedError(_("Only platform admins add global clusters."))
    return create_object(Sector, actor=actor, data=data, check_permission=False)
