"""The keyed hash of a screening query, kept beside the query on decisions and alerts."""

from __future__ import annotations

from typing import Any

from django.db import models

from harambee.core.fields import HashField


class QueryKeyField(HashField):
    """`query_key`: the keyed hash (HMAC-SHA256, key FIELD_HASH_KEY) of the JSON query held in
    `source` (name, type, date of birth, nationality, identifiers, normalised: see
    `harambee.screening.dd.decisions.query_key`). It matches a decision and the alerts to the
    same query; without the key nobody can recover a name from it by trying candidates.

    A HashField, so it is refreshed on every save, recomputed by `rotate-keys --hashes` when the
    hash key changes, and blanked when the row's personal data is erased. An empty (erased)
    query has no key ("").
    """

    def __init__(self, *args: Any, source: str = "query", kind: str = "query", **kwargs: Any):
        super().__init__(*args, source=source, kind=kind, **kwargs)

    def hash_for(self, model_instance: models.Model) -> str:
        from .dd.decisions import query_key

        query = getattr(model_instance, self.source)
        return query_key(query) if query else ""
