"""What every app declares about the personal data it keeps: one line per model.

    from harambee.privacy.registry import personal_data
    personal_data.register(Person, retention_days=1095, date_field="updated_at",
                           search={"name": "name_hash", "email": "email_hash"})

Which fields are personal comes from the model (EncryptedTextField, or names in the model's
`personal_fields`); the registry adds how long they are kept, from which date, and which keyed
hashes find a person. Settings override the retention: PRIVACY_RETENTION_DAYS = {"app.model": n}
(None: kept until erased by hand).

A record that repeats another's personal data without a foreign key to it (an alert naming a
payee) says so with `erased_with={"app.model": rows_of}`: whenever records of that kind are
erased (retention or the data protection officer), `rows_of(their ids)` (a Q over this model)
picks the rows erased with them, in the same transaction.

A record that still waits on another's personal data (an open alert naming a contact person)
holds it back from retention with `kept_while={"app.model": rows_of}`: a record of that kind is
not erased by retention while `rows_of([its id])` (a Q over this model) matches a row. The
officer's erasure is not held back (a deliberate act); the record page says what is pending.
`rows_of` must compare the ids with `__in` (it is also given a subquery's outer reference).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet

from harambee.core.fields import hash_fields, personal_fields

SEARCH_KINDS = ("name", "email", "phone")


@dataclass(frozen=True)
class PersonalData:
    model: type[models.Model]
    retention_days: int | None
    date_field: str
    search: Mapping[str, str] = field(default_factory=dict)
    # Narrows what retention may erase (e.g. open cases kept): queryset -> queryset.
    retainable: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    # Erased with records of another kind: "app.model" -> (their ids -> Q over this model).
    erased_with: Mapping[str, Callable[[list[Any]], Q]] = field(default_factory=dict)
    # Keeps records of another kind from retention while a row is pending: "app.model" ->
    # (their ids -> Q over this model: the pending rows).
    kept_while: Mapping[str, Callable[[list[Any]], Q]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def days(self) -> int | None:
        """The retention period in force: the setting if it names this model, else the default."""
        overrides = getattr(settings, "PRIVACY_RETENTION_DAYS", {}) or {}
        if self.label in overrides:
            value = overrides[self.label]
            return None if value is None else int(value)
        return self.retention_days

    @property
    def date_label(self) -> str:
        """The date the period runs from, as people read it ("item › closed" across relations)."""
        model: Any = self.model
        names = []
        for part in self.date_field.split("__"):
            f = model._meta.get_field(part)
            names.append(str(getattr(f, "verbose_name", part)))
            model = getattr(f, "related_model", None) or model
        return " › ".join(names)

    @property
    def fields(self) -> list[Any]:
        return personal_fields(self.model)

    @property
    def hashes(self) -> list[Any]:
        return hash_fields(self.model)

    def not_erased(self) -> Q:
        """Rows with at least one personal field still filled in."""
        condition = Q(pk__in=[])
        for f in self.fields:
            filled = ~Q(**{f.name: ""})
            if f.null:
                filled &= Q(**{f"{f.name}__isnull": False})
            condition |= filled
        return condition


class Registry:
    def __init__(self) -> None:
        self._entries: dict[str, PersonalData] = {}

    def register(
        self,
        model: type[models.Model],
        *,
        retention_days: int | None,
        date_field: str = "updated_at",
        search: Mapping[str, str] | None = None,
        retainable: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
        erased_with: Mapping[str, Callable[[list[Any]], Q]] | None = None,
        kept_while: Mapping[str, Callable[[list[Any]], Q]] | None = None,
    ) -> PersonalData:
        if not personal_fields(model):
            raise ValueError(f"{model._meta.label} has no personal fields to register.")
        for kind, name in (search or {}).items():
            if kind not in SEARCH_KINDS:
                raise ValueError(f"Unknown search kind {kind!r}: use one of {SEARCH_KINDS}.")
            model._meta.get_field(name)  # fails early on a typo
        entry = PersonalData(
            model,
            retention_days,
            date_field,
            dict(search or {}),
            retainable,
            {label.lower(): rows_of for label, rows_of in (erased_with or {}).items()},
            {label.lower(): rows_of for label, rows_of in (kept_while or {}).items()},
        )
        self._entries[entry.label] = entry
        return entry

    def dependents(
        self, entry: PersonalData
    ) -> list[tuple[PersonalData, Callable[[list[Any]], Q]]]:
        """The kinds of record erased with `entry`'s records, each with its `rows_of`."""
        return [(e, e.erased_with[entry.label]) for e in self if entry.label in e.erased_with]

    def holders(self, entry: PersonalData) -> list[tuple[PersonalData, Callable[[list[Any]], Q]]]:
        """The kinds of record that keep `entry`'s records from retention while pending, each
        with its `rows_of`."""
        return [(e, e.kept_while[entry.label]) for e in self if entry.label in e.kept_while]

    def __iter__(self) -> Iterator[PersonalData]:
        return iter(sorted(self._entries.values(), key=lambda e: e.label))

    def get(self, label: str) -> PersonalData | None:
        return self._entries.get(label.lower())

    def __contains__(self, model: type[models.Model]) -> bool:
        return model._meta.label_lower in self._entries


personal_data = Registry()
