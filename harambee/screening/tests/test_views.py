"""The screening pages: permission on every page, single and batch screening with review,
the decision record, lists (bad files keep the previous version), profile, packages, alerts."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harambee.core.tests.factories import UserFactory
from harambee.screening.choices import VersionStatus
from harambee.screening.dd.canonical import verify_document
from harambee.screening.models import (
    DueDiligencePackage,
    ListVersion,
    Payee,
    ScreeningAlert,
    ScreeningBatch,
    ScreeningDecision,
)

from .conftest import SMALL_UN

pytestmark = pytest.mark.django_db

PAGES = [
    "screening:index",
    "screening:list-versions",
    "screening:batch-list",
    "screening:batch-new",
    "screening:decision-list",
    "screening:alert-inbox",
    "screening:profile",
    "screening:payee-list",
    "screening:package-list",
    "screening:package-new",
    "screening:package-verify-upload",
]


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("name", PAGES)
def test_every_page_needs_a_logged_in_member(client, name, editor):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(organisation=None))
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_nav_link(client, editor):
    client.force_login(editor)
    assert reverse("screening:index").encode() in client.get(reverse("home")).content


def test_single_screening_answers_fast_with_explanation_and_review(client, un_small, editor):
    client.force_login(editor)
    url = reverse("screening:index")
    client.get(url, {"name": "warm up"})
    started = time.perf_counter()
    response = client.get(
        url, {"name": "Abdul Latif Mansoor", "schema": "person"}, HTTP_HX_REQUEST="true"
    )
    assert time.perf_counter() - started < 1.0
    html = response.content.decode()
    assert "ABDUL LATIF MANSUR" in html and "TAi.001" in html and "Why" in html
    assert "<html" not in html  # htmx gets the results only
    assert 'name="outcome" value="cleared"' in html
    # clear it from the page, then the page says it is cleared
    response = client.post(
        reverse("screening:decide"),
        {
            "outcome": "cleared",
            "reason": "Not him: different date of birth",
            "list_code": "un",
            "ref": "TAi.001",
            "name": "Abdul Latif Mansoor",
            "schema": "person",
            "next": f"{url}?name=Abdul+Latif+Mansoor&schema=person",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(url)
    decision = ScreeningDecision.objects.get()
    assert decision.reason == "Not him: different date of birth"
    html = client.get(url, {"name": "Abdul Latif Mansoor", "schema": "person"}).content.decode()
    assert "Cleared" in html and 'name="outcome" value="cleared"' not in html
    # a clearance without a reason is refused with a message
    response = client.post(
        reverse("screening:decide"),
        {"outcome": "cleared", "reason": "", "list_code": "un", "ref": "TAi.001", "name": "x"},
        follow=True,
    )
    assert ScreeningDecision.objects.count() == 1


def test_batch_upload_progress_results_review_and_csv(client, un_small, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile(
        "payees.csv", b"id,name,date_of_birth\np1,Abdul Latif Mansoor,1968\np2,Jane Doe,\n"
    )
    response = client.post(reverse("screening:batch-new"), {"file": upload})
    batch = ScreeningBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "screening:batch-detail", args=[batch.pk]
    )
    progress = client.get(reverse("screening:batch-progress", args=[batch.pk]))
    assert b"100%" in progress.content and progress["HX-Refresh"] == "true"
    html = client.get(response["Location"]).content.decode()
    assert "Abdul Latif Mansoor" in html and "TAi.001" in html and "Jane Doe" not in html
    assert "Jane Doe" in client.get(response["Location"] + "?show=all").content.decode()
    result = batch.results.get(query_id="p1")
    client.post(
        reverse("screening:decide"),
        {
            "outcome": "escalated",
            "reason": "",
            "list_code": "un",
            "ref": "TAi.001",
            "result": result.pk,
            "next": response["Location"],
        },
    )
    assert ScreeningDecision.objects.get().subject.startswith(f"batch {batch.pk}")
    csv_text = client.get(reverse("screening:batch-csv", args=[batch.pk])).content.decode()
    assert csv_text.startswith("row,id,name") and "TAi.001" in csv_text
    # other organisations do not see it
    client.force_login(
        UserFactory(
            organisation=UserFactory().organisation
            or editor.organisation.__class__.objects.create(name="Other", org_type="national_ngo")
        )
    )
    assert client.get(reverse("screening:batch-detail", args=[batch.pk])).status_code == 404


def test_query_file_without_a_name_column(client, un_small, editor):
    client.force_login(editor)
    upload = SimpleUploadedFile("bad.csv", b"id,fullname\n1,x\n")
    response = client.post(reverse("screening:batch-new"), {"file": upload})
    assert response.status_code == 400 and b"no &#x27;name&#x27; column" in response.content
    assert not ScreeningBatch.objects.exists()


def test_decision_record_pages_and_exports(client, un_small, editor):
    from harambee.screening.dd.decisions import decide_query_hit
    from harambee.screening.matching.engine import Query

    decision = decide_query_hit(
        actor=editor,
        query=Query(name="Abdul Latif Mansoor"),
        list_code="un",
        ref="TAi.001",
        outcome="confirmed",
        reason="Same passport",
    )
    client.force_login(editor)
    assert b"Same passport" in client.get(reverse("screening:decision-list")).content
    detail = client.get(decision.get_absolute_url()).content.decode()
    assert un_small.file_sha256[:16] in detail and decision.entry_fingerprint in detail
    csv_response = client.get(reverse("screening:decision-export", args=["csv"]))
    assert b"Same passport" in csv_response.content
    json_response = client.get(reverse("screening:decision-export", args=["json"]))
    assert json_response.json()["decisions"][0]["outcome"] == "confirmed"
    # no edit or delete page exists
    other = UserFactory(organisation=UserFactory(organisation=None).organisation)
    client.force_login(
        UserFactory(
            organisation=editor.organisation.__class__.objects.create(
                name="Other NGO", org_type="national_ngo"
            )
        )
    )
    assert client.get(decision.get_absolute_url()).status_code == 404
    del other


def test_list_pages_and_a_bad_file_keeps_the_previous_version(client, un_small, editor, tmp_path):
    client.force_login(editor)
    html = client.get(reverse("screening:list-version", args=[un_small.pk])).content.decode()
    assert "First version of this list" in html
    assert client.get(reverse("screening:list-load")).status_code == 403  # admins only
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    truncated = SMALL_UN.read_bytes()[:700]
    response = client.post(
        reverse("screening:list-load"),
        {"source": "un", "list_files": SimpleUploadedFile("un.xml", truncated)},
    )
    assert response.status_code == 400 and b"un.xml" in response.content
    assert ListVersion.objects.get(status=VersionStatus.ACTIVE) == un_small
    assert f"#{un_small.pk}".encode() in response.content  # the page shows it still active
    response = client.post(
        reverse("screening:list-load"),
        {"source": "uk", "list_files": SimpleUploadedFile("un.xml", SMALL_UN.read_bytes())},
    )
    assert response.status_code == 400 and ListVersion.objects.count() == 1
    response = client.post(
        reverse("screening:list-load"),
        {"source": "un", "list_files": SimpleUploadedFile("un.xml", SMALL_UN.read_bytes())},
    )
    new = ListVersion.objects.get(status=VersionStatus.ACTIVE)
    assert new != un_small and response["Location"] == reverse(
        "screening:list-version", args=[new.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "0 added, 0 removed, 0 changed, 4 unchanged" in html


def test_profile_pages_documents_and_focal_points(client, editor, ngo):
    client.force_login(editor)
    page = client.get(reverse("screening:profile")).content.decode()
    assert "Legal identity and registration" in page and "Bank relationships" in page
    form = client.get(reverse("screening:profile-edit"))
    version = form.context["form"].initial.get("version") or form.context["form"]["version"].value()
    response = client.post(
        reverse("screening:profile-edit"),
        {
            "version": version,
            "legal_name": "Kakuma Relief Association",
            "board_lines": "Amina Yusuf; Chair; 1970; Kenya",
            "screening_frequency": "Before each payment",
        },
    )
    assert response.status_code == 302, response.content
    page = client.get(reverse("screening:profile")).content.decode()
    assert "Kakuma Relief Association" in page and "Amina Yusuf" in page
    response = client.post(
        reverse("screening:document-add"),
        {
            "kind": "registration",
            "title": "Certificate",
            "expires_on": "2030-01-01",
            "file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 x"),
        },
        follow=True,
    )
    assert b"Document attached." in response.content
    response = client.post(
        reverse("screening:document-add"),
        {"kind": "other", "file": SimpleUploadedFile("x.exe", b"MZ")},
        follow=True,
    )
    assert b"not a PDF, PNG or JPEG" in response.content
    doc = ngo.compliance_profile.documents.get()
    assert client.get(reverse("screening:document-download", args=[doc.pk])).status_code == 200
    # a viewer of the organisation sees it but cannot edit
    viewer = UserFactory(organisation=ngo)
    client.force_login(viewer)
    assert client.get(reverse("screening:profile-edit")).status_code == 403
    assert client.post(reverse("screening:document-remove", args=[doc.pk])).status_code in (
        403,
        404,
    )


def test_payees_packages_share_verify_and_alerts(
    client, un_small, editor, banker, ngo, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:payee-list"), {"name": "Abdul Latif Mansoor", "schema": "person"}
        )
    assert response.status_code == 302
    payee = Payee.objects.get()
    page = client.get(reverse("screening:payee-list")).content.decode()
    assert "TAi.001" in page
    inbox = client.get(reverse("screening:alert-inbox")).content.decode()
    assert ScreeningAlert.objects.filter(subject_id=payee.pk).exists() and "TAi.001" in inbox
    response = client.post(
        reverse("screening:package-new"),
        {
            "title": "Grants",
            "kind": "relationship",
            "purpose": "Account opening",
            "amounts": "1000 KES",
            "places": "Kakuma",
            "payees": [payee.pk],
            "valid_days": 30,
        },
    )
    package = DueDiligencePackage.objects.get()
    assert response.status_code == 302 and response["Location"] == package.get_absolute_url()
    detail = client.get(package.get_absolute_url()).content.decode()
    assert "Access log" in detail and package.sha256 in detail
    client.post(reverse("screening:package-share", args=[package.pk]), {"recipient": banker.pk})
    assert package.shares.get().recipient == banker
    org_page = client.get(ngo.get_absolute_url()).content.decode()
    assert package.key_id in org_page
    key_page = client.get(reverse("screening:public-key", args=[ngo.pk]), {"format": "text"})
    assert (
        key_page.content.decode().strip() == verify_document(package.document).signer["public_key"]
    )
    # the bank user reads, verifies (online and by uploading the file)
    client.force_login(banker)
    assert b"Shared with you" in client.get(reverse("screening:package-list")).content
    detail = client.get(package.get_absolute_url()).content.decode()
    assert "Access log" not in detail and "Forward to a correspondent bank" in detail
    verified = client.post(reverse("screening:package-verify", args=[package.pk])).content.decode()
    assert "Valid signature" in verified and "the same key" in verified
    file_bytes = client.get(reverse("screening:package-download", args=[package.pk])).content
    upload = client.post(
        reverse("screening:package-verify-upload"),
        {"file": SimpleUploadedFile("p.json", file_bytes)},
    ).content.decode()
    assert "Valid signature" in upload
    tampered = client.post(
        reverse("screening:package-verify-upload"),
        {
            "file": SimpleUploadedFile(
                "p.json", file_bytes.replace(b"Account opening", b"Account closing")
            )
        },
    ).content.decode()
    assert "Verification failed" in tampered
    unreadable = client.post(
        reverse("screening:package-verify-upload"),
        {"file": SimpleUploadedFile("p.json", b"\x00\x01")},
    )
    assert (
        unreadable.status_code == 400
        and b"cannot be read as a due-diligence package" in unreadable.content
    )
    actions = list(package.accesses.values_list("user_name", "action"))
    assert (
        ("bea", "viewed") in actions
        and ("bea", "verified") in actions
        and ("bea", "downloaded") in actions
    )


def test_alert_inbox_shows_open_alerts_unless_asked(
    client, un_small, editor, django_capture_on_commit_callbacks
):
    from harambee.screening.dd.decisions import decide_alert
    from harambee.screening.dd.payees import payee_add

    with django_capture_on_commit_callbacks(execute=True):
        payee_add(actor=editor, data={"name": "Abdul Latif Mansoor", "schema": "person"})
        payee_add(actor=editor, data={"name": "Mohammed Hassan al-Tikriti", "schema": "person"})
    alerts = {a.entry_ref: a for a in ScreeningAlert.objects.all()}
    assert set(alerts) >= {"TAi.001", "IQi.099"}
    decide_alert(actor=editor, alert=alerts["TAi.001"], outcome="escalated", reason="")
    client.force_login(editor)
    url = reverse("screening:alert-inbox")

    def shown(**params):
        page = client.get(url, params).content.decode()
        return {ref for ref in alerts if ref in page}

    assert shown() == shown(status="open") == set(alerts) - {"TAi.001"}
    assert shown(status="reviewed") == {"TAi.001"}
    assert shown(status="all") == shown(status="anything") == set(alerts)
