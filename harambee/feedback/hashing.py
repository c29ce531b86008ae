"""A keyed hash (HMAC-SHA256) of a person's contact, kept beside the encrypted value so the
same person can be found again (duplicates, "other feedback from this person") without the
database ever holding the contact in clear. The key comes from FEEDBACK_CONTACT_HASH_KEY."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

_NOT_DIGITS = re.compile(r"[^\d]")


def normalise_contact(value: str) -> str:
    """Emails in lower case; phone numbers as digits only, without a leading 00 or 0."""
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        return value.lower()
    digits = _NOT_DIGITS.sub("", value)
    if digits.startswith("00"):
        digits = digits[2:]
    return digits.lstrip("0") or value.lower()


def _key() -> bytes:
    key = getattr(settings, "FEEDBACK_CONTACT_HASH_KEY", "")
    if key:
        return key.encode()
    # Derived from the field encryption key (or, in development, SECRET_KEY); see settings.
    base = settings.FIELD_ENCRYPTION_KEY.split(",")[0].strip() or settings.SECRET_KEY
    return hashlib.sha256(b"harambee-contact-hash:" + base.encode()).digest()


def contact_hash(value: str) -> str:
    normalised = normalise_contact(value)
    if not normalised:
        return ""
    return hmac.new(_key(), normalised.encode(), hashlib.sha256).hexdigest()
