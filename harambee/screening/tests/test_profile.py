"""The compliance profile: sections, board, screening practice from the record, documents."""

from __future__ import annotations

import datetime

import pytest

from harambee.core.errors import PermissionDeniedError, ServiceError, StaleVersionError
from harambee.core.tests.factories import UserFactory
from harambee.screening.dd import profile as p
from harambee.screening.models import ProfileDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_sections_follow_the_cbddq_and_content_is_plain(ngo, editor):
    profile = p.profile_for(ngo)
    keys = [key for key, _title, _fields in p.SECTIONS]
    assert keys == [
        "legal",
        "governance",
        "ownership",
        "where",
        "policy",
        "screening",
        "training",
        "audits",
        "funding",
        "banks",
    ]
    profile = p.update_profile(
        actor=editor,
        profile=profile,
        data={
            "legal_name": "Kakuma Relief Association",
            "board": p.parse_board("Amina Yusuf; Chair; 1970; Kenya\nJohn Okello; Treasurer"),
            "last_audit_on": datetime.date(2026, 3, 31),
        },
        expected_version=profile.version,
    )
    content = p.profile_content(profile)
    assert content["legal"]["legal_name"] == "Kakuma Relief Association"
    assert content["governance"]["board"][0] == {
        "name": "Amina Yusuf",
        "role": "Chair",
        "date_of_birth": "1970",
        "nationality": "Kenya",
    }
    assert content["audits"]["last_audit_on"] == "2026-03-31"
    with pytest.raises(StaleVersionError):
        p.update_profile(actor=editor, profile=profile, data={"auditor": "X"}, expected_version=1)


def test_board_lines_are_checked():
    with pytest.raises(ServiceError):
        p.parse_board("; Chair")
    with pytest.raises(ServiceError):
        p.parse_board("Amina; Chair; 12/01/1970")
    assert p.board_text(p.parse_board("Amina; Chair")) == "Amina; Chair"


def test_only_editors_of_the_organisation_change_it(ngo, editor):
    profile = p.profile_for(ngo)
    viewer = UserFactory(organisation=ngo)
    with pytest.raises(PermissionDeniedError):
        p.update_profile(actor=viewer, profile=profile, data={"auditor": "X"}, expected_version=1)


def test_screening_practice_comes_from_the_record(un_small, ngo, editor):
    from harambee.screening.dd.decisions import decide_query_hit
    from harambee.screening.matching.engine import Query

    decide_query_hit(
        actor=editor,
        query=Query(name="Abdul Latif Mansoor"),
        list_code="un",
        ref="TAi.001",
        outcome="escalated",
        reason="",
    )
    practice = p.screening_practice(ngo)
    assert [entry["list"] for entry in practice["lists"]] == ["un"]
    assert practice["lists"][0]["file_sha256"] == un_small.file_sha256
    assert practice["decisions"] == 1 and practice["decisions_by_outcome"]["escalated"] == 1
    assert practice["last_continuous_run"] is not None


def test_documents_with_expiry_limited_in_size_and_type(ngo, editor, settings):
    profile = p.profile_for(ngo)
    doc = p.document_add(
        actor=editor,
        profile=profile,
        kind="registration",
        title="Certificate",
        file_name="cert.pdf",
        content=PDF,
        expires_on=datetime.date(2020, 1, 1),
    )
    assert doc.expired and doc.size == len(PDF) and doc.content_type == "application/pdf"
    assert doc.file.read() == PDF
    with pytest.raises(p.DocumentError, match="not a PDF, PNG or JPEG"):
        p.document_add(
            actor=editor,
            profile=profile,
            kind="other",
            title="x",
            file_name="evil.exe",
            content=b"MZ\x90",
        )
    with pytest.raises(p.DocumentError, match="not a PDF"):
        # a PDF name on something that is not a PDF
        p.document_add(
            actor=editor, profile=profile, kind="other", title="x", file_name="a.pdf", content=b"hi"
        )
    settings.SCREENING_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(p.DocumentError, match="at most"):
        p.document_add(
            actor=editor, profile=profile, kind="other", title="x", file_name="b.pdf", content=PDF
        )
    assert ProfileDocument.objects.count() == 1
    assert p.profile_content(profile)["documents"][0]["expired"] is True
    p.document_remove(actor=editor, document=doc)
    assert not ProfileDocument.objects.exists()
