"""Inserting many rows fast: one prepared INSERT run by executemany.

Django's bulk_create compiles SQL value by value and, on SQLite, splits a wide table into
batches of a few dozen rows to stay under the variable limit; for tens of thousands of rows
that compiling is most of the time. Here the statement is built once and the values are
prepared by the model's own fields (only where a field changes the value: JSON, dates, ...).
The database still enforces every constraint. No signals are sent and no ids come back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def insert_many(
    model: type[models.Model], objects: Iterable[models.Model], *, chunk: int = 5000
) -> int:
    """INSERT the unsaved instances; returns how many rows were written."""
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields: Sequence[Any] = [
        f
        for f in meta.concrete_fields
        if not (f.primary_key and type(f) in {models.AutoField, models.BigAutoField})
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    now = timezone.now()
    # created_at/updated_at: the same moment for every row, prepared once.
    stamps = {
        f.attname: f.get_db_prep_save(now, connection)
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    prepared = [(f.attname, f, _needs_preparing(f)) for f in fields]
    written = 0
    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
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
            rows.append(row)
            if len(rows) >= chunk:
                cursor.executemany(sql, rows)
                written += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            written += len(rows)
    return written
