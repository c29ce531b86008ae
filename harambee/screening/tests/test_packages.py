"""Due-diligence packages: canonical JSON, SHA-256, Ed25519; shared, forwarded, logged,
expiring; tampering of any kind fails verification; offline verification command."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from harambee.core.errors import PermissionDeniedError
from harambee.core.tests.factories import UserFactory
from harambee.screening.choices import AccessAction
from harambee.screening.dd import packages as pk
from harambee.screening.dd.canonical import (
    FORMAT,
    PackageFileError,
    canonical,
    sign_content,
    verify_document,
)
from harambee.screening.dd.decisions import decide_query_hit
from harambee.screening.matching.engine import Query
from harambee.screening.models import DueDiligencePackage, Payee, SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(un_small, ngo, editor):
    payee = Payee.objects.create(
        organisation=ngo, owner_organisation=ngo, name="Abdul Latif Mansoor", schema="person"
    )
    decide_query_hit(
        actor=editor,
        query=Query(name="Abdul Latif Mansoor", schema="person"),
        list_code="un",
        ref="TAi.001",
        outcome="cleared",
        reason="Different father's name and ID.",
    )
    return pk.create_package(
        actor=editor,
        title="Cash grants Kakuma",
        kind="transaction",
        purpose="Cash grants for 300 households",
        amounts=[{"amount": "25000", "currency": "usd"}],
        places=["Kakuma, Kenya"],
        payees=[payee],
    )


def test_canonical_json():
    assert canonical({"b": 1, "a": [1, "é"], "c": {"z": None, "y": True}}) == (
        '{"a":[1,"é"],"b":1,"c":{"y":true,"z":null}}'.encode()
    )


def test_package_content_signature_and_key(package, ngo):
    key = SigningKey.objects.get(organisation=ngo)
    result = verify_document(package.document)
    assert result.valid, result.problems
    content = result.content["package"]
    assert content["amounts"] == [{"amount": "25000.00", "currency": "USD"}]
    assert content["places"] == ["Kakuma, Kenya"]
    [payee] = content["payees"]
    assert payee["hits"][0]["ref"] == "TAi.001"
    assert payee["decisions"][0]["outcome"] == "cleared"
    assert payee["decisions"][0]["list_version"] == content["list_versions"][0]["id"]
    assert set(content["profile"]) >= {"legal", "governance", "policy", "banks", "documents"}
    assert content["screening_practice"]["decisions"] == 1
    assert result.signer["key_id"] == key.key_id == package.key_id
    assert result.signer["organisation"]["name"] == ngo.name
    assert package.document.encode() == canonical(json.loads(package.document))
    # the private key is stored encrypted
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM screening_signingkey WHERE id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert stored != key.private_key and len(base64.b64decode(key.private_key)) == 32


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc.replace("25000.00", "95000.00"),  # an amount
        lambda doc: doc.replace("Different father", "Different mother"),  # a decision
        lambda doc: doc.replace('"sha256":"', '"sha256":"0', 1),  # the hash
        lambda doc: doc + "\n",  # a trailing newline: not canonical any more
        lambda doc: doc.replace('{"content"', '{ "content"', 1),  # whitespace
    ],
)
def test_any_change_fails_verification(package, tamper):
    changed = tamper(package.document)
    assert changed != package.document
    result = verify_document(changed)
    assert not result.valid and result.problems


def test_re_signed_with_another_key_is_caught_online(package):
    from harambee.screening.dd.canonical import key_id, new_key

    data = json.loads(package.document)
    content = data["content"]
    private, public = new_key()
    content["package"]["amounts"][0]["amount"] = "95000.00"
    content["signer"] |= {"public_key": public, "key_id": key_id(public)}
    forged = sign_content(content, private)
    offline = verify_document(forged)
    assert offline.valid  # a valid signature, by someone else's key...
    _result, known = pk.verify_file(forged)
    assert not known["key_matches"] and known["registered_key_id"] == package.key_id


def test_unreadable_package_files():
    for data in (b"\xff\xfe garbage", b"[1, 2]", b'{"format": "other"}'):
        with pytest.raises(PackageFileError):
            verify_document(data)
    with pytest.raises(pk.PackageError, match="cannot be read"):
        pk.verify_file(b"not json")


def test_share_forward_log_and_expiry(package, editor, banker, correspondent):
    # the NGO shares with a named bank user; not with someone who is not a bank user
    with pytest.raises(pk.PackageError):
        pk.share_package(actor=editor, package=package, recipient=UserFactory(organisation=None))
    outsider = UserFactory(organisation=None)
    assert not pk.packages(user=banker).exists()
    pk.share_package(actor=editor, package=package, recipient=banker, note="For account review")
    assert list(pk.packages(user=banker)) == [package]
    assert not pk.packages(user=outsider).exists()
    # the bank user reads, verifies and forwards it to a correspondent bank user
    pk.open_package(actor=banker, package=package, action=AccessAction.VIEWED)
    assert pk.verify_package(actor=banker, package=package).valid
    forward = pk.share_package(actor=banker, package=package, recipient=correspondent)
    assert forward.forwarded_from.recipient == banker
    pk.open_package(actor=correspondent, package=package, action=AccessAction.DOWNLOADED)
    # somebody it was not shared with cannot open or forward it
    with pytest.raises(PermissionDeniedError):
        pk.open_package(actor=outsider, package=package, action=AccessAction.VIEWED)
    with pytest.raises(PermissionDeniedError):
        pk.share_package(actor=outsider, package=package, recipient=banker)
    log = [(a.user_name, a.action) for a in package.accesses.order_by("time", "pk")]
    assert log == [
        ("edna", "created"),
        ("edna", "shared"),
        ("bea", "viewed"),
        ("bea", "verified"),
        ("bea", "forwarded"),
        ("cora", "downloaded"),
    ]
    # expired: recipients are refused (and that is logged); the NGO still sees it
    DueDiligencePackage.objects.filter(pk=package.pk)  # (records cannot be updated)
    package.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    with pytest.raises(pk.PackageExpiredError):
        pk.open_package(actor=banker, package=package, action=AccessAction.VIEWED)
    assert package.accesses.filter(action="refused", user=banker).exists()
    pk.open_package(actor=editor, package=package, action=AccessAction.VIEWED)
    with pytest.raises(pk.PackageExpiredError):
        pk.share_package(actor=editor, package=package, recipient=correspondent)


def test_packages_are_never_changed(package):
    package.title = "other"
    with pytest.raises(PermissionError):
        package.save()
    with pytest.raises(PermissionError):
        DueDiligencePackage.objects.filter(pk=package.pk).update(title="x")


def test_only_editors_make_packages(un_small, ngo):
    with pytest.raises(PermissionDeniedError):
        pk.create_package(
            actor=UserFactory(organisation=ngo), title="t", kind="transaction", purpose="p"
        )


def test_verify_command_offline(package, tmp_path, capsys):
    path = tmp_path / "package.json"
    path.write_text(package.document, encoding="utf-8")
    call_command("dd-package", "verify", str(path))
    out = capsys.readouterr().out
    assert out.startswith("VALID")
    assert "Signed by: Kakuma Relief" in out and package.key_id in out
    assert "Cash grants Kakuma" in out and package.sha256 in out
    path.write_text(package.document.replace("25000.00", "25001.00"), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("dd-package", "verify", str(path))
    assert exit_info.value.code == 1
    assert capsys.readouterr().out.startswith("INVALID")
    path.write_bytes(b"garbage")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unreadable"):
        call_command("dd-package", "verify", str(path))
    assert json.loads(package.document)["format"] == FORMAT
