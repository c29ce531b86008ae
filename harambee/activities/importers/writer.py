"""Writing an analysed 3W file: organisations, country sectors, then activities in bulk.

Runs inside the caller's transaction (services.import_commit): any failure undoes everything.
Organisations go through network.services (each is audited); activities are written with one
prepared INSERT each (core.bulk.insert_values) or bulk_update, and summarised in one change
record for the whole import.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from harambee.core.access import access_for
from harambee.core.bulk import insert_values
from harambee.core.services import update_object
from harambee.network.duplicates import normalise_name
from harambee.network.models import Organisation
from harambee.network.services import organisations_create_many

from ..models import (
    Activity,
    ActivityFigure,
    ActivityOrganisation,
    ActivityPlace,
    ImportBatch,
    Sector,
)
from .engine import TOTAL_FIELDS, Analyser, Planned

BATCH_SIZE = 1000


def _organisations(analyser: Analyser, actor: Any) -> tuple[dict[str, int], int]:
    """Create the new organisations and note the file's names on the chosen ones."""
    items = analyser.analysis.organisations.items
    decisions = analyser.decisions
    resolved: dict[str, int] = {}
    created = 0
    countries = sorted(analyser.analysis.countries)
    followers: dict[str, list[str]] = defaultdict(list)
    extra_names: dict[int, list[str]] = defaultdict(list)
    to_create: list[tuple[str, Any]] = []
    for key, item in sorted(items.items(), key=lambda kv: (-kv[1].rows, kv[0])):
        decision = decisions.get(key)
        action = decision.get("action") if decision else None
        if action in {"accept", "pick"} and decision and decision.get("organisation"):
            resolved[key] = int(decision["organisation"])
            extra_names[resolved[key]].append(item.name)
        elif action is None and item.organisation is not None:
            resolved[key] = item.organisation[0]
        elif action is None and item.same_as:
            followers[item.same_as].append(key)
        elif action == "create" or (action is None and item.status == "new"):
            to_create.append((key, item))
    # All new organisations at once, each with its change record (audited like one by one).
    made = organisations_create_many(
        actor=actor,
        items=[
            (
                {"name": item.name[:255], "acronym": item.acronym[:64], "org_type": item.org_type},
                {"countries": countries},
            )
            for _key, item in to_create
        ],
    )
    for (key, _item), organisation in zip(to_create, made, strict=True):
        resolved[key] = organisation.pk
    created = len(made)
    for leader, keys in followers.items():
        for key in keys:
            resolved[key] = resolved[leader]
            extra_names[resolved[leader]].append(items[key].name)
    for organisation in Organisation._base_manager.filter(pk__in=list(extra_names)):
        known = {normalise_name(n) for n in [organisation.name, *organisation.other_names]}
        added = []
        for name in extra_names[organisation.pk]:
            if normalise_name(name) not in known:
                known.add(normalise_name(name))
                added.append(name)
        if added:
            # The file's spelling becomes one of its other names: next time it matches outright.
            update_object(
                organisation,
                actor=actor,
                data={"other_names": [*organisation.other_names, *added]},
                expected_version=None,
                check_permission=False,
                note="3W import",
            )
    return resolved, created


def _sectors(analyser: Analyser) -> tuple[dict[tuple[str, str], int], int]:
    ids: dict[tuple[str, str], int] = {}
    new: list[Sector] = []
    for country, resolver in analyser.analysis.sectors.items():
        for match in resolver.new.values():
            new.append(
                Sector(country_id=country, code=match.code, name=match.name, aliases=[match.name])
            )
    used = {(p.country, p.record.sector.code) for p in analyser.analysis.planned.values()}
    new = [s for s in new if (s.country_id, s.code) in used]
    for sector in Sector.objects.bulk_create(new):
        ids[(str(sector.country_id), sector.code)] = sector.pk
    # bulk_create gives ids on PostgreSQL and SQLite; read them back for other databases.
    missing = [s for s in new if s.pk is None]
    for sector in missing:
        ids[(str(sector.country_id), sector.code)] = Sector.objects.get(
            country_id=sector.country_id, code=sector.code
        ).pk
    return ids, len(new)


def _org_id(ref: str) -> int:
    return int(ref.split(":", 1)[1])


def _activity_values(plan: Planned, sector_id: int, present: set[str]) -> dict[str, Any]:
    state = plan.state
    values: dict[str, Any] = {
        "implementing_organisation_id": _org_id(state["implementing_organisation"]),
        "sector_id": sector_id,
    }
    for name in ("title", "description", "status", "start_date", "end_date"):
        if name in present or plan.existing_id is None:
            values[name] = state[name]
    if "crisis" in present:
        values["emergency_id"] = state["emergency_id"]
    if "figure" in present:
        for name in TOTAL_FIELDS.values():
            values[name] = state[name]
    return values


def _children(
    plan: Planned, activity_id: int, present: set[str], parts: dict[str, list[Any]]
) -> None:
    """Add the activity's places, figures, other organisations and groups to parts (places and
    figures as plain rows for insert_values: thousands of model instances cost more than the
    INSERT)."""
    state = plan.state
    if state["place"]:
        parts["places"].append({"activity_id": activity_id, **state["place"]})
    if "figure" in present or plan.existing_id is None:
        for (kind, sex, age), value in state["figures"].items():
            parts["figures"].append(
                {
                    "activity_id": activity_id,
                    "kind": kind,
                    "sex": sex,
                    "age_group": age,
                    "value": value,
                }
            )
    if "other_org" in present or plan.existing_id is None:
        for role, ref in state["others"]:
            parts["others"].append(
                ActivityOrganisation(
                    activity_id=activity_id, organisation_id=_org_id(ref), role=role
                )
            )
    if "population_group" in present or plan.existing_id is None:
        through = Activity.population_groups.through
        for code in state["population_groups"]:
            parts["groups"].append(through(activity_id=activity_id, populationgroup_id=code))


def write_plan(analyser: Analyser, batch: ImportBatch, actor: Any) -> dict[str, int]:
    """Write everything; returns the counts for report['committed']."""
    resolved, organisations_created = _organisations(analyser, actor)
    analyser.replan(resolved)
    sector_ids, sectors_created = _sectors(analyser)
    present = analyser.analysis.present
    owner = access_for(actor).organisation_id if actor is not None else None
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    creates: list[tuple[Planned, dict[str, Any]]] = []
    updates: list[tuple[Planned, dict[str, Any]]] = []
    now = timezone.now()
    for plan in analyser.analysis.planned.values():
        sector_id = (
            plan.record.sector.sector_id or sector_ids[(plan.country, plan.record.sector.code)]
        )
        if plan.action == "unchanged":
            counts["unchanged"] += 1
            continue
        values = _activity_values(plan, sector_id, present)
        if plan.action == "create":
            values.update(
                country_id=plan.country,
                owner_organisation_id=owner,
                import_batch_id=batch.pk,
                source_file=batch.file_name[:255],
                source_row=plan.rows[0],
                source_key=plan.key,
            )
            creates.append((plan, values))
        else:
            updates.append((plan, values))
    insert_values(Activity, (values for _p, values in creates))
    created_ids: dict[str, int] = {}
    if creates:
        # executemany gives no ids back: read them by the keys just written (one query).
        created_ids = dict(
            Activity.objects.filter(import_batch=batch, source_key__isnull=False)
            .order_by()
            .values_list("source_key", "pk")
        )
    counts["created"] = len(creates)
    if updates:
        objects = []
        names: set[str] = {"import_batch", "source_file", "source_row", "version", "updated_at"}
        for plan, values in updates:
            assert plan.existing_id is not None
            activity = Activity(pk=plan.existing_id, **values)
            activity.import_batch = batch
            activity.source_file = batch.file_name[:255]
            activity.source_row = plan.rows[0]
            activity.version = plan.existing_version + 1
            activity.updated_at = now
            names |= set(values)
            objects.append(activity)
        Activity.objects.bulk_update(objects, sorted(names), batch_size=BATCH_SIZE)
        ids = [o.pk for o in objects]
        ActivityPlace.objects.filter(activity_id__in=ids).delete()
        if "figure" in present:
            ActivityFigure.objects.filter(activity_id__in=ids).delete()
        if "other_org" in present:
            ActivityOrganisation.objects.filter(activity_id__in=ids).delete()
        if "population_group" in present:
            Activity.population_groups.through.objects.filter(activity_id__in=ids).delete()
        counts["updated"] = len(updates)
    children: dict[str, list[Any]] = {"places": [], "figures": [], "others": [], "groups": []}
    for plan, _values in creates:
        _children(plan, created_ids[plan.key], present, children)
    for plan, _values in updates:
        assert plan.existing_id is not None
        _children(plan, plan.existing_id, present, children)
    insert_values(ActivityPlace, children["places"])
    insert_values(ActivityFigure, children["figures"])
    ActivityOrganisation.objects.bulk_create(
        children["others"], batch_size=BATCH_SIZE, ignore_conflicts=True
    )
    Activity.population_groups.through.objects.bulk_create(
        children["groups"], batch_size=BATCH_SIZE, ignore_conflicts=True
    )
    counts["organisations_created"] = organisations_created
    counts["sectors_created"] = sectors_created
    return counts
