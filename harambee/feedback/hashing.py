"""The keyed hash of a person's contact (phone or email), kept beside the encrypted value so the
same person can be found again (duplicates, "other feedback from this person", the data
protection officer's search) without the database ever holding the contact in clear.

One mechanism for the whole platform: `harambee.core.fields.keyed_hash` with the "contact" kind
(an email if the value has "@", else a phone number), key FIELD_HASH_KEY. The model's
`contact_hash` is a `HashField(source="contact", kind="contact")`, so a phone searched with
`keyed_hash(value, "phone")` or an email with `keyed_hash(value, "email")` gives the same hash.
"""

from __future__ import annotations

from harambee.core.fields import keyed_hash, normalise_contact

__all__ = ["contact_hash", "normalise_contact"]


def contact_hash(value: str) -> str:
    return keyed_hash(value or "", "contact")
