"""Inserting many rows fast: one prepared INSERT run by executemany.

Django's bulk_create compiles SQL value by value and, on SQLite, splits a wide table into
batches of a few dozen rows to stay under the variable limit; for tens of thousands of rows
that compiling is most of the time. Here the statement is built once and the values are
prepared by the model's own fields (only where a field changes the value: JSON, dates, ...).
The database still enforces every constraint. No signals are sent and no ids come back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

# Field classes whose Python value is already what the database driver takes (exact classes:
# a subclass such as an encrypted field converts its value and is prepared as usual).
_PLAIN = frozenset(
    {
        models.AutoField,
        models.BigAutoField,
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
        models.BooleanField,
        models.FloatField,
    }
)


def _needs_preparing(field: Any) -> bool:
    if isinstance(field, models.ForeignKey):
        return _needs_preparing(field.target_field)
    return type(field) not in _PLAIN


def _insert_fields(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and type(f) in {models.AutoField, models.BigAutoField})
    ]


def _insert_sql(model: type[models.Model], fields: Sequence[Any], connection: Any) -> str:
    quote = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )


def _execute(connection: Any, sql: str, rows: Iterable[list[Any]], chunk: int) -> int:
    written = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def insert_many(
    model: type[models.Model], objects: Iterable[models.Model], *, chunk: int = 5000
) -> int:
    """INSERT the unsaved instances; returns how many rows were written."""
    connection = connections[router.db_for_write(model)]
    fields = _insert_fields(model)
    now = timezone.now()
    # created_at/updated_at: the same moment for every row, prepared once.
    stamps = {
        f.attname: f.get_db_prep_save(now, connection)
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    prepared = [(f.attname, f, _needs_preparing(f)) for f in fields]

    def rows() -> Iterator[list[Any]]:
        for obj in objects:
            row = []
            for name, field, slow in prepared:
                if name in stamps:
                    setattr(obj, name, now)
                    row.append(stamps[name])
                elif slow:
                    row.append(field.get_db_prep_save(getattr(obj, name), connection))
                else:
                    row.append(getattr(obj, name))
            yield row

    return _execute(connection, _insert_sql(model, fields, connection), rows(), chunk)


_SCALARS = frozenset({str, int, float, bool, type(None), datetime.date, datetime.datetime})


def _memo_key(value: Any) -> Any:
    """A hashable stand-in for a value whose prepared form can be reused, else None. The type
    is part of the key: 1, 1.0 and True are equal in Python but not in JSON; a list's repr
    tells them apart too."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if kind is list and all(type(v) in _SCALARS for v in value):
        return (list, repr(value))
    return None


def insert_values(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, chunk: int = 5000
) -> int:
    """INSERT rows given as {attname: value} (no model instances: for tens of thousands of rows
    building instances costs more than the INSERT). A field missing from a row takes its
    default, evaluated once per call (so only constant defaults suit), or created_at/updated_at
    the moment of the call."""
    connection = connections[router.db_for_write(model)]
    fields = _insert_fields(model)
    now = timezone.now()
    constants: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[f.attname] = f.get_db_prep_save(now, connection)
        else:  # the default, or "" / None as Django would give an unsaved instance
            constants[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    prepared = [(f.attname, f, _needs_preparing(f)) for f in fields]
    missing = object()
    # Imports repeat the same few hundred place names and dates across thousands of rows:
    # each distinct value is prepared (JSON-encoded, converted) once.
    memo: dict[tuple[str, Any], Any] = {}

    def prepare(name: str, field: Any, value: Any) -> Any:
        key = _memo_key(value)
        if key is None:
            return field.get_db_prep_save(value, connection)
        try:
            return memo[name, key]
        except KeyError:
            prepared_value = memo[name, key] = field.get_db_prep_save(value, connection)
            return prepared_value

    def values() -> Iterator[list[Any]]:
        for given in rows:
            row = []
            for name, field, slow in prepared:
                value = given.get(name, missing)
                if value is missing:
                    row.append(constants[name])
                elif slow:
                    row.append(prepare(name, field, value))
                else:
                    row.append(value)
            yield row

    return _execute(connection, _insert_sql(model, fields, connection), values(), chunk)
