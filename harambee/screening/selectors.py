"""Reads: list versions, batches, and the screening index of the active versions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .choices import VersionStatus
from .matching.index import IndexedEntry, ListIndex, build_index, cached_index
from .models import (
    EntryBirthDate,
    EntryIdentifier,
    EntryName,
    EntryNationality,
    ListEntry,
    ListVersion,
    ScreeningAlert,
    ScreeningBatch,
)


def list_versions(*, user: Any = None) -> QuerySet[ListVersion]:
    return ListVersion.objects.restrict(user, "view").select_related("source", "loaded_by")


def active_versions() -> QuerySet[ListVersion]:
    return ListVersion.objects.filter(status=VersionStatus.ACTIVE).select_related("source")


def batches(*, user: Any) -> QuerySet[ScreeningBatch]:
    return ScreeningBatch.objects.restrict(user, "view").select_related("created_by")


def alerts(*, user: Any) -> QuerySet[ScreeningAlert]:
    """The alerts of continuous screening the user may see (their organisation's), newest first."""
    return ScreeningAlert.objects.restrict(user, "view").select_related(
        "organisation", "list_version", "decision"
    )


def active_index() -> ListIndex:
    """The in-memory index of the active version of every list (built once per version set)."""
    versions = list(active_versions())
    ids = tuple(sorted(v.pk for v in versions))
    return cached_index(ids, lambda: index_for(versions))


def index_for(versions: list[ListVersion]) -> ListIndex:
    """Build the index of these versions from the database."""
    ids = [v.pk for v in versions]
    by_id = {v.pk: v for v in versions}
    entries = list(
        ListEntry.objects.filter(version_id__in=ids)
        .order_by("pk")
        .values_list("pk", "version_id", "ref", "entity_type", "primary_name")
    )
    names: dict[int, list[tuple[str, str, str]]] = {}
    for entry_id, name, kind, quality in (
        EntryName.objects.filter(entry__version_id__in=ids)
        .order_by("pk")
        .values_list("entry_id", "name", "kind", "quality")
    ):
        names.setdefault(entry_id, []).append((name, kind, quality))
    dates: dict[int, list[tuple[Any, Any]]] = {}
    for entry_id, first, last in EntryBirthDate.objects.filter(
        entry__version_id__in=ids
    ).values_list("entry_id", "date_from", "date_to"):
        dates.setdefault(entry_id, []).append((first, last))
    nats: dict[int, set[str]] = {}
    for entry_id, code in EntryNationality.objects.filter(entry__version_id__in=ids).values_list(
        "entry_id", "country_code"
    ):
        if code:
            nats.setdefault(entry_id, set()).add(code)
    idents: dict[int, list[tuple[str, str, str]]] = {}
    for entry_id, kind, number, norm in EntryIdentifier.objects.filter(
        entry__version_id__in=ids
    ).values_list("entry_id", "kind", "number", "normalised"):
        idents.setdefault(entry_id, []).append((kind, number, norm))
    rows = (
        (
            IndexedEntry(
                entry_id=pk,
                version_id=version_id,
                source=by_id[version_id].source.kind,
                list_code=by_id[version_id].source.code,
                ref=ref,
                entity_type=entity_type,
                primary_name=primary,
                birth_dates=tuple(dates.get(pk, ())),
                nationalities=frozenset(nats.get(pk, ())),
                identifiers=tuple(idents.get(pk, ())),
            ),
            names.get(pk, []),
        )
        for pk, version_id, ref, entity_type, primary in entries
    )
    return build_index(rows)
