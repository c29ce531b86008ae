"""Encrypted personal fields: stored as Fernet tokens, read back in clear by the model."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: str, secret: str) -> MultiFernet:
    """FIELD_ENCRYPTION_KEY may list several keys, newest first, so keys can rotate."""
    raw = [k.strip() for k in keys.split(",") if k.strip()]
    if not raw:
        # Development: derive a key from SECRET_KEY (production requires its own key).
        raw = [
            base64.urlsafe_b64encode(
                hashlib.sha256(b"harambee-fields:" + secret.encode()).digest()
            ).decode()
        ]
    return MultiFernet([Fernet(k.encode()) for k in raw])


def cipher() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


class EncryptedTextField(models.TextField):
    """Personal data at rest: unreadable in the database, its backups and its dumps.

    It cannot be searched or sorted in SQL; that is the point.
    """

    personal = True

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        try:
            return cipher().decrypt(value.encode()).decode()
        except InvalidToken:
            return value  # written before encryption was turned on

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return cipher().encrypt(str(value).encode()).decode()
