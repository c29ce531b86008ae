"""Canonical JSON and Ed25519 signatures of due-diligence packages (no database needed).

Canonical JSON (what is hashed and signed, and how the whole file is written):
- UTF-8, no byte order mark; characters outside ASCII written as themselves, not escaped;
- object keys sorted by their Unicode code points; no whitespace between tokens;
- only strings, integers, booleans, null, arrays and objects, plus the scores of hits as
  JSON numbers written the shortest way that reads back the same (Python's `repr` of a float,
  which is also what ECMAScript and RFC 8785 write for these values); amounts are strings;
- no trailing newline.
In Python: `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
.encode("utf-8")`.

The file (format `harambee-dd-package/1`) is one canonical JSON object:

    {"content": {...}, "format": "harambee-dd-package/1", "sha256": "<hex>",
     "signature": "<base64 Ed25519 signature>"}

where `sha256` is the SHA-256 of canonical(content) and `signature` the Ed25519 signature of
the same bytes. `content.signer` names the organisation and holds its public key (base64, 32
bytes raw) and key fingerprint (first 16 hex digits of the SHA-256 of the raw key);
`content.signed_at` and `content.expires_at` are ISO 8601 times in UTC; `content.package` is
what the NGO says. Verification re-reads the file, checks the file is exactly its own canonical
form (so that any change to any byte fails), recomputes the hash and checks the signature with
the key in the file. That proves the file was signed with that key and not changed since; that
the key is the organisation's is checked against the key published on its Harambee page (the
fingerprint is printed for that).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "harambee-dd-package/1"


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of `value`."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_key() -> tuple[str, str]:
    """A new Ed25519 key pair: (private, public), each the raw 32 bytes in base64."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes_raw()
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def key_id(public_key: str) -> str:
    """The key's fingerprint: the first 16 hex digits of the SHA-256 of the raw public key."""
    return sha256_hex(base64.b64decode(public_key))[:16]


def sign_content(content: dict[str, Any], private_key: str) -> str:
    """The package file (canonical JSON text) for `content`, signed with `private_key`."""
    body = canonical(content)
    signer = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    signature = base64.b64encode(signer.sign(body)).decode()
    document = {
        "content": content,
        "format": FORMAT,
        "sha256": sha256_hex(body),
        "signature": signature,
    }
    return canonical(document).decode("utf-8")


class PackageFileError(ValueError):
    """The file cannot be read as a due-diligence package."""


@dataclass
class Verification:
    """What verification found; `valid` only when the hash and signature both hold."""

    valid: bool
    problems: list[str] = field(default_factory=list)
    sha256: str = ""
    signer: dict[str, Any] = field(default_factory=dict)
    signed_at: str = ""
    expires_at: str = ""
    expired: bool = False
    content: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> list[str]:
        """Lines saying who signed what, when (or why it fails)."""
        lines = []
        org = self.signer.get("organisation", {}) if self.signer else {}
        package = self.content.get("package", {}) if self.content else {}
        if self.valid:
            lines.append("VALID: the signature and the hash hold; the file is as it was signed.")
        else:
            lines.append("INVALID: " + " ".join(self.problems))
        if org:
            lines.append(
                f"Signed by: {org.get('name', '?')} (Harambee organisation {org.get('id', '?')}), "
                f"key {self.signer.get('key_id', '?')}"
            )
        if self.signed_at:
            lines.append(f"Signed at: {self.signed_at} (UTC)")
        if package:
            lines.append(
                f"What: {package.get('title', '')} — {package.get('kind', '')}; "
                f"purpose: {package.get('purpose', '')}"
            )
            lines.append(
                f"Holds: the compliance profile, {len(package.get('payees', []))} payee(s), "
                f"{len(package.get('list_versions', []))} list version(s), "
                f"{sum(len(p.get('decisions', [])) for p in package.get('payees', []))} "
                "decision(s)."
            )
        if self.sha256:
            lines.append(f"SHA-256: {self.sha256}")
        if self.expires_at:
            state = "EXPIRED" if self.expired else "valid until"
            lines.append(f"Expiry: {state} {self.expires_at} (UTC)")
        if self.valid:
            lines.append(
                "Check that the key fingerprint is the one published on the organisation's "
                "Harambee page."
            )
        return lines


def verify_document(data: bytes | str, *, now: datetime.datetime | None = None) -> Verification:
    """Check a package file: canonical form, hash and signature. Raises PackageFileError when
    the file is not a package at all; returns an invalid Verification when it was changed."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageFileError(f"not a package file: it is not UTF-8 JSON ({exc}).") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PackageFileError(f"not a package file: its format is not {FORMAT}.")
    content = document.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("signer"), dict):
        raise PackageFileError("not a package file: it has no content or no signer.")
    signer = content["signer"]
    result = Verification(
        valid=False,
        sha256=str(document.get("sha256", "")),
        signer=signer,
        signed_at=str(content.get("signed_at", "")),
        expires_at=str(content.get("expires_at", "")),
        content=content,
    )
    problems = result.problems
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer.get("public_key", "")))
    except (ValueError, TypeError):
        problems.append("The public key in the file is not an Ed25519 key.")
        return result
    if key_id(signer["public_key"]) != signer.get("key_id"):
        problems.append("The key fingerprint does not match the public key.")
    if canonical(document) != raw:
        problems.append("The file is not in canonical form: it was changed after signing.")
    body = canonical(content)
    if sha256_hex(body) != document.get("sha256"):
        problems.append("The SHA-256 of the content differs from the one recorded: changed.")
    try:
        public.verify(base64.b64decode(str(document.get("signature", ""))), body)
    except (InvalidSignature, ValueError):
        problems.append("The signature does not match the content and key.")
    result.valid = not problems
    try:
        expires = datetime.datetime.fromisoformat(result.expires_at)
        moment = now or datetime.datetime.now(datetime.UTC)
        result.expired = expires <= moment
    except ValueError:
        problems.append("The expiry time cannot be read.")
        result.valid = False
    return result
