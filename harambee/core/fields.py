"""Personal data fields.

- `EncryptedTextField`: stored as a Fernet token (key from FIELD_ENCRYPTION_KEY, several keys
  for rotation, newest first), read back in clear by the model. Not searchable in SQL.
- `EncryptedJSONField`: the same for a JSON value (a list or a dict).
- `HashField`: a keyed hash (HMAC-SHA256, key from FIELD_HASH_KEY) of another field, kept
  beside it so exact search and duplicate checks work without decrypting anything.
- `personal_fields(model)`: every field that holds personal data, whatever its class: encrypted
  fields, and the names a model lists in `personal_fields` (a class attribute).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def _derived_key(secret: str, purpose: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(purpose + secret.encode()).digest()).decode()


def encryption_keys(keys: str | None = None) -> list[str]:
    """The configured keys, newest first (development: one derived from SECRET_KEY)."""
    keys = settings.FIELD_ENCRYPTION_KEY if keys is None else keys
    raw = [k.strip() for k in keys.split(",") if k.strip()]
    # Development: derive a key from SECRET_KEY (production requires its own key).
    return raw or [_derived_key(settings.SECRET_KEY, b"harambee-fields:")]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=4)
def _primary(key: str) -> Fernet:
    return Fernet(key.encode())


def cipher() -> MultiFernet:
    """Encrypts with the first key; decrypts with any of them."""
    return _fernet(tuple(encryption_keys()))


def primary_cipher() -> Fernet:
    return _primary(encryption_keys()[0])


def is_current_token(raw: str) -> bool:
    """Whether a stored value is a token under the newest key (nothing to rotate)."""
    try:
        primary_cipher().decrypt(raw.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def decrypt_raw(raw: str) -> str:
    """The clear text of a stored value (a value stored before encryption comes back as is)."""
    try:
        return cipher().decrypt(raw.encode()).decode()
    except (InvalidToken, ValueError):
        return raw


class EncryptedTextField(models.TextField):
    """Personal data at rest: unreadable in the database, its backups and its dumps.

    It cannot be searched or sorted in SQL; that is the point (add a HashField beside it for
    exact search). Filtering on "" (empty) still works: empty values are stored as they are.
    """

    personal = True

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_raw(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return cipher().encrypt(str(value).encode()).decode()


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (a list or a dict) kept as one Fernet token: personal data in structured form
    (the rows of an uploaded file, match explanations quoting a name).

    Empty values (None, "", [], {}) are stored as "" so erasure and "not erased" checks work
    as for text; an empty value reads back as an empty list. Not searchable in SQL.
    """

    # For django-stubs: the value is any JSON value, not text.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        if value == "":
            return []
        return json.loads(decrypt_raw(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if value == "":
                return []
            try:
                return json.loads(decrypt_raw(value))
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if value == "" or value == [] or value == {}:
            return ""
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        return cipher().encrypt(text.encode()).decode()

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)


# --- keyed hashes (blind indexes) -------------------------------------------------------------


def hash_key() -> bytes:
    key = getattr(settings, "FIELD_HASH_KEY", "") or _derived_key(
        settings.SECRET_KEY, b"harambee-hash:"
    )
    return key.encode()


def normalise_text(value: str) -> str:
    """Case, accents and spacing do not matter: "  Amina  OKELLO" = "amina okello"."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def normalise_email(value: str) -> str:
    return value.strip().casefold()


def normalise_phone(value: str) -> str:
    """Digits only, a leading + kept, and a leading 00 read as +: "+256 (700) 000-000"."""
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    return digits


def normalise_contact(value: str) -> str:
    """A phone number or an email in one field (feedback contacts): an email if it has "@"."""
    return normalise_email(value) if "@" in value else normalise_phone(value)


NORMALISERS: dict[str, Callable[[str], str]] = {
    "text": normalise_text,
    "email": normalise_email,
    "phone": normalise_phone,
    "contact": normalise_contact,
}


def keyed_hash(value: Any, kind: str = "text") -> str:
    """HMAC-SHA256 (hex) of the normalised value; "" for an empty value."""
    if value is None:
        return ""
    normalised = NORMALISERS[kind](str(value))
    if not normalised:
        return ""
    return hmac.new(hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


class HashField(models.CharField):
    """A keyed hash of another field of the same model, refreshed on every save.

    `source` names the field; `kind` chooses the normalisation (text, email, phone). Search
    with `Model.objects.filter(email_hash=keyed_hash(query, "email"))`.
    """

    def __init__(self, *args: Any, source: str = "", kind: str = "text", **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        self._db_index_wanted = bool(kwargs["db_index"])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        for key, value in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(key) == value:
                del kwargs[key]
        if kwargs.get("db_index") is True:
            del kwargs["db_index"]
        elif not self._db_index_wanted:
            kwargs["db_index"] = False  # indexed by default here, unlike a plain field
        if kwargs.get("default") == "":
            del kwargs["default"]
        return name, path, args, kwargs

    def hash_for(self, model_instance: models.Model) -> str:
        """The hash the row should hold (on save, and when `rotate-keys --hashes` recomputes
        every hash after FIELD_HASH_KEY changed). A subclass may hash another kind of value."""
        return keyed_hash(getattr(model_instance, self.source), self.kind)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.hash_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value


# --- which fields are personal ----------------------------------------------------------------


def is_personal(model: type[models.Model], field: Any) -> bool:
    return bool(getattr(field, "personal", False)) or field.name in getattr(
        model, "personal_fields", ()
    )


def personal_fields(model: type[models.Model]) -> list[Any]:
    """Concrete fields of `model` holding personal data (encrypted or listed by the model)."""
    return [f for f in model._meta.concrete_fields if is_personal(model, f)]


def hash_fields(model: type[models.Model]) -> list[HashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, HashField)]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
