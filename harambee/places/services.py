"""Writes to places: emergencies, admin areas one by one, and whole imports in bulk.

Single-object writes use the generic core services (permission, full_clean, version check,
change record). Imports write thousands of rows at once, so they use bulk inserts and updates
inside one transaction and leave ONE change record summarising the import instead of one per
row: see docs/places.md, "What gets recorded".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from harambee.core.audit import record_change
from harambee.core.choices import Action
from harambee.core.errors import ServiceError, StaleVersionError
from harambee.core.services import create_object, delete_object, require_create, update_object

from .models import AdminArea, Country, Emergency

if TYPE_CHECKING:
    from .importers import ImportPlan, ImportResult

BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 500
# Boundaries can be megabytes each; small batches keep each UPDATE statement reasonable.
BOUNDARY_BATCH_SIZE = 20
CHUNK = 500
IMPORT_UPDATE_FIELDS = [
    "name",
    "other_names",
    "parent",
    "valid_from",
    "latitude",
    "longitude",
    "version",
    "updated_at",
]


# Emergencies ---------------------------------------------------------------------------


def _require_countries(m2m: Mapping[str, Iterable[Any]] | None, *, creating: bool) -> None:
    if m2m is None:
        if creating:
            raise ValidationError({"countries": _("Choose at least one country.")})
        return
    if "countries" in m2m and not list(m2m["countries"]):
        raise ValidationError({"countries": _("Choose at least one country.")})


def emergency_create(
    *, actor: Any, data: Mapping[str, Any], m2m: Mapping[str, Iterable[Any]] | None = None
) -> Emergency:
    m2m = {k: list(v) for k, v in m2m.items()} if m2m is not None else None
    _require_countries(m2m, creating=True)
    return create_object(Emergency, actor=actor, data=data, m2m=m2m)


def emergency_update(
    *,
    actor: Any,
    emergency: Emergency,
    data: Mapping[str, Any],
    expected_version: int | None,
    m2m: Mapping[str, Iterable[Any]] | None = None,
) -> Emergency:
    m2m = {k: list(v) for k, v in m2m.items()} if m2m is not None else None
    _require_countries(m2m, creating=False)
    return update_object(
        emergency, actor=actor, data=data, expected_version=expected_version, m2m=m2m
    )


def emergency_delete(
    *, actor: Any, emergency: Emergency, expected_version: int | None = None
) -> None:
    delete_object(emergency, actor=actor, expected_version=expected_version)


# Admin areas, one at a time (platform admins, through the API) -------------------------


def admin_area_create(*, actor: Any, data: Mapping[str, Any]) -> AdminArea:
    return create_object(AdminArea, actor=actor, data=data)


def admin_area_update(
    *, actor: Any, area: AdminArea, data: Mapping[str, Any], expected_version: int | None
) -> AdminArea:
    return update_object(area, actor=actor, data=data, expected_version=expected_version)


def admin_area_delete(*, actor: Any, area: AdminArea, expected_version: int | None = None) -> None:
    if area.children.exists():
        raise ServiceError(_("This area has areas below it; delete or move those first."))
    try:
        delete_object(area, actor=actor, expected_version=expected_version)
    except ProtectedError as exc:
        raise ServiceError(_("Other records refer to this area; it cannot be deleted.")) from exc


# Imports -------------------------------------------------------------------------------


def _ids_for(pcodes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(pcodes)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(
            AdminArea.objects.filter(pcode__in=chunk).order_by().values_list("pcode", "id")
        )
    return found


def _insert_areas(rows: list[dict[str, Any]], parent_ids: dict[str, int], now: Any) -> None:
    """INSERT many areas with one prepared statement.

    bulk_create spends most of its time compiling SQL value by value (about 6 s for OCHA's
    32,767 areas); executemany with values prepared by the model's own fields takes a fraction
    of that. The database still enforces every constraint (levels, parents, coordinates).
    """
    meta = AdminArea._meta
    columns = [
        "created_at",
        "updated_at",
        "version",
        "pcode",
        "country_id",
        "level",
        "parent_id",
        "name",
        "other_names",
        "valid_from",
        "latitude",
        "longitude",
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(cast(models.Field, meta.get_field(c)).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    stamp = meta.get_field("created_at").get_db_prep_save(now, connection)
    json_field = meta.get_field("other_names")
    date_field = meta.get_field("valid_from")
    no_names = json_field.get_db_prep_save([], connection)
    params = [
        (
            stamp,
            stamp,
            1,
            row["pcode"],
            row["country_id"],
            row["level"],
            parent_ids[row["parent"]] if row["parent"] else None,
            row["name"],
            json_field.get_db_prep_save(row["other_names"], connection)
            if row["other_names"]
            else no_names,
            date_field.get_db_prep_save(row["valid_from"], connection),
            row["latitude"],
            row["longitude"],
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH_SIZE):
            cursor.executemany(sql, params[start : start + BATCH_SIZE])


def _check_versions(updates: list[dict[str, Any]]) -> None:
    """Refuse the import if an area changed between reading the file and writing it."""
    expected = {u["id"]: u["version"] for u in updates}
    ids = sorted(expected)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for pk, version in AdminArea.objects.filter(pk__in=chunk).values_list("id", "version"):
            if expected[pk] != version:
                raise StaleVersionError(
                    _("Admin areas changed while the file was being checked; run it again.")
                )


def _audit_subject(countries: list[str], source: str) -> tuple[models.Model, str | None]:
    """The object an import's change record is filed under (see docs/places.md)."""
    if len(countries) == 1:
        country = Country.objects.filter(iso3=countries[0]).first()
        if country is not None:
            return country, None
    # Several countries: filed under the admin-area type with the object id "import".
    stand_in = AdminArea(pcode="import", name=_("Admin areas from %(source)s") % {"source": source})
    return stand_in, "import"


def record_import(
    *,
    actor: Any,
    countries: list[str],
    source: str,
    summary: dict[str, Any],
    note: str,
    updated: bool,
) -> None:
    subject, object_id = _audit_subject(countries, source)
    record_change(
        actor=actor,
        action=Action.UPDATE if updated else Action.CREATE,
        instance=subject,
        before=None,
        after={"source": source, "countries": countries, **summary},
        note=note,
        object_id=object_id,
    )


@transaction.atomic
def admin_areas_import(
    *, actor: Any, plan: ImportPlan, source: str, result: ImportResult | None = None
) -> tuple[int, int]:
    """Write an import plan: new areas level by level, then changed ones. (created, updated)."""
    require_create(actor, AdminArea)
    now = timezone.now()
    creating = {row["pcode"] for row in plan.create}
    parents = {row["parent"] for row in [*plan.create, *plan.update] if row["parent"]}
    ids = _ids_for(parents - creating)
    _check_versions(plan.update)
    for level in sorted({row["level"] for row in plan.create}):
        rows = [row for row in plan.create if row["level"] == level]
        _insert_areas(rows, ids, now)
        if level < max(row["level"] for row in plan.create):
            # The next level's parents: one query for the level just written.
            wanted = {row["pcode"] for row in rows}
            countries = {row["country_id"] for row in rows}
            ids.update(
                (pcode, pk)
                for pcode, pk in AdminArea.objects.filter(level=level, country_id__in=countries)
                .order_by()
                .values_list("pcode", "id")
                if pcode in wanted
            )
    AdminArea.objects.bulk_update(
        [
            AdminArea(
                pk=row["id"],
                name=row["name"],
                other_names=row["other_names"],
                parent_id=ids[row["parent"]] if row["parent"] else None,
                valid_from=row["valid_from"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                version=row["version"] + 1,
                updated_at=now,
            )
            for row in plan.update
        ],
        IMPORT_UPDATE_FIELDS,
        batch_size=UPDATE_BATCH_SIZE,
    )
    created, updated = len(plan.create), len(plan.update)
    if created or updated:
        skipped = len(result.skipped_rows) if result is not None else 0
        summary = {
            "format": result.format if result is not None else "",
            "created": created,
            "updated": updated,
            "unchanged": plan.unchanged,
            "skipped_rows": skipped,
        }
        note = _(
            "Imported admin areas from %(source)s: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(skipped)s rows skipped."
        ) % {"source": source, "skipped": skipped, **summary}
        record_import(
            actor=actor,
            countries=sorted(plan.countries),
            source=source,
            summary=summary,
            note=note,
            updated=bool(updated),
        )
    return created, updated


@transaction.atomic
def admin_area_boundaries_set(
    *, actor: Any, boundaries: Mapping[str, dict[str, Any]], source: str
) -> tuple[int, int]:
    """Store GeoJSON geometries on the areas with these P-codes. (updated, unchanged)."""
    require_create(actor, AdminArea)
    now = timezone.now()
    changed: list[AdminArea] = []
    unchanged = 0
    countries: set[str] = set()
    pcodes = sorted(boundaries)
    for start in range(0, len(pcodes), CHUNK):
        chunk = pcodes[start : start + CHUNK]
        rows = AdminArea.objects.filter(pcode__in=chunk).order_by()
        for pk, pcode, country, version, boundary in rows.values_list(
            "id", "pcode", "country_id", "version", "boundary"
        ):
            if boundary == boundaries[pcode]:
                unchanged += 1
                continue
            countries.add(country)
            changed.append(
                AdminArea(pk=pk, boundary=boundaries[pcode], version=version + 1, updated_at=now)
            )
    AdminArea.objects.bulk_update(
        changed, ["boundary", "version", "updated_at"], batch_size=BOUNDARY_BATCH_SIZE
    )
    if changed:
        record_import(
            actor=actor,
            countries=sorted(countries),
            source=source,
            summary={"format": "geojson", "boundaries": len(changed), "unchanged": unchanged},
            note=_("Stored %(n)s boundaries from %(source)s (%(same)s unchanged).")
            % {"n": len(changed), "source": source, "same": unchanged},
            updated=True,
        )
    return len(changed), unchanged
