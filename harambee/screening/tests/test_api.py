"""The screening API and the background batch task."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory
from harambee.screening.choices import BatchStatus
from harambee.screening.models import ScreeningBatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def member():
    return UserFactory(organisation=OrganisationFactory(name="NRC"))


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_screen_requires_a_member(un_small):
    body = {"name": "Abdul Latif Mansoor"}
    assert client_for(None).post("/api/screening/screen/", body, format="json").status_code in (
        401,
        403,
    )
    outsider = UserFactory(organisation=None)
    assert (
        client_for(outsider).post("/api/screening/screen/", body, format="json").status_code == 403
    )


def test_screen_one_name(un_small, member):
    client = client_for(member)
    client.post("/api/screening/screen/", {"name": "warm up"}, format="json")
    started = time.perf_counter()
    response = client.post(
        "/api/screening/screen/",
        {
            "name": "Abdul Latif Mansoor",
            "schema": "person",
            "date_of_birth": "1968",
            "nationality": "AF",
        },
        format="json",
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 200
    data = response.json()
    assert data["threshold"] == 0.8 and data["list_versions"] == [un_small.pk]
    assert data["hits"][0]["ref"] == "TAi.001"
    assert data["hits"][0]["explanation"]["agreements"] == [
        "date of birth agrees",
        "nationality agrees",
    ]
    bad = client.post(
        "/api/screening/screen/", {"name": "x", "date_of_birth": "12/1/1968"}, format="json"
    )
    assert bad.status_code == 400


def test_list_versions(un_small, member):
    data = client_for(member).get("/api/screening/list-versions/").json()
    assert data["results"][0]["source"] == "un" and data["results"][0]["entry_count"] == 4
    detail = client_for(member).get(f"/api/screening/list-versions/{un_small.pk}/").json()
    assert detail["diff"]["added"] == 4


def test_batch_in_background_with_results_and_csv(un_small, member):
    upload = SimpleUploadedFile(
        "payees.csv",
        b"id,name,date_of_birth,nationality\np1,Abdul Latif Mansoor,1968,AF\np2,Jane Doe,,\n",
        content_type="text/csv",
    )
    client = client_for(member)
    response = client.post("/api/screening/batches/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    batch = ScreeningBatch.objects.get(pk=response.json()["id"])
    assert batch.status == BatchStatus.DONE and batch.rows_done == 2 and batch.hit_rows == 1
    assert list(batch.list_versions.values_list("pk", flat=True)) == [un_small.pk]
    detail = client.get(f"/api/screening/batches/{batch.pk}/").json()
    assert detail["progress"] == 100
    results = client.get(f"/api/screening/batches/{batch.pk}/results/").json()["results"]
    assert [r["query_id"] for r in results] == ["p1", "p2"]
    assert results[0]["hits"][0]["ref"] == "TAi.001" and results[1]["hits"] == []
    csv_response = client.get(f"/api/screening/batches/{batch.pk}/csv/")
    text = csv_response.content.decode()
    assert csv_response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("row,id,name")
    assert "TAi.001" in text and "Jane Doe" in text
    # other members do not see it
    other = UserFactory(organisation=OrganisationFactory(name="Other"))
    assert client_for(other).get(f"/api/screening/batches/{batch.pk}/").status_code == 404


def test_batch_without_name_column(un_small, member):
    upload = SimpleUploadedFile("bad.csv", b"id,fullname\n1,x\n", content_type="text/csv")
    response = client_for(member).post(
        "/api/screening/batches/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "query_file_invalid"


# --- decisions and packages ---------------------------------------------------------------


@pytest.fixture
def ngo_editor():
    from harambee.core.choices import Role
    from harambee.network.tests.factories import GroupRoleFactory

    user = UserFactory(username="edna", organisation=OrganisationFactory(name="Kakuma Relief"))
    GroupRoleFactory(user=user, role=Role.EDITOR)
    return user


def test_decisions_api_create_list_export_and_no_edit(un_small, ngo_editor):
    client = client_for(ngo_editor)
    body = {
        "outcome": "cleared",
        "reason": "Different person",
        "list": "un",
        "ref": "TAi.001",
        "query": {"name": "Abdul Latif Mansoor", "schema": "person"},
    }
    response = client.post("/api/screening/decisions/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["list_version"] == un_small.pk and data["list_file_sha256"] == un_small.file_sha256
    assert data["explanation"]["parts"] and data["outcome"] == "cleared"
    url = f"/api/screening/decisions/{data['id']}/"
    assert client.get(url).json()["reason"] == "Different person"
    assert client.put(url, body, format="json").status_code == 405
    assert client.patch(url, {"reason": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    no_reason = client.post("/api/screening/decisions/", body | {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "decision_invalid"
    both = client.post("/api/screening/decisions/", body | {"result": 1, "alert": 2}, format="json")
    assert both.status_code == 400
    csv_text = client.get("/api/screening/decisions/export/").content.decode()
    assert "Different person" in csv_text.splitlines()[1]
    exported = client.get("/api/screening/decisions/export/?as=json").json()
    assert exported["decisions"][0]["entry_ref"] == "TAi.001"
    other = UserFactory(organisation=OrganisationFactory(name="Other"))
    assert client_for(other).get("/api/screening/decisions/").json()["results"] == []


def test_decision_on_a_batch_result(un_small, ngo_editor):
    client = client_for(ngo_editor)
    upload = SimpleUploadedFile("p.csv", b"id,name\np1,Abdul Latif Mansoor\n")
    batch_id = client.post("/api/screening/batches/", {"file": upload}, format="multipart").json()[
        "id"
    ]
    result = ScreeningBatch.objects.get(pk=batch_id).results.get()
    response = client.post(
        "/api/screening/decisions/",
        {"outcome": "escalated", "list": "un", "ref": "TAi.001", "result": result.pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["subject"].startswith("batch")
    other = UserFactory(organisation=OrganisationFactory(name="Other"))
    hidden = client_for(other).post(
        "/api/screening/decisions/",
        {"outcome": "escalated", "list": "un", "ref": "TAi.001", "result": result.pk},
        format="json",
    )
    assert hidden.status_code == 404


def test_packages_api(un_small, ngo_editor):
    from harambee.network.choices import OrganisationType

    bank = OrganisationFactory(name="Equity Bank", org_type=OrganisationType.BANK)
    banker = UserFactory(username="bea", organisation=bank)
    client = client_for(ngo_editor)
    response = client.post(
        "/api/screening/packages/",
        {
            "title": "Grants",
            "kind": "transaction",
            "purpose": "Cash grants",
            "amounts": [{"amount": "100", "currency": "EUR"}],
            "places": ["Kakuma"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    package_id = response.json()["id"]
    base = f"/api/screening/packages/{package_id}/"
    assert client_for(banker).get(base).status_code == 404
    share = client.post(base + "share/", {"recipient": banker.pk}, format="json")
    assert share.status_code == 201 and share.json()["recipient"] == "bea"
    not_bank = client.post(base + "share/", {"recipient": ngo_editor.pk}, format="json")
    assert not_bank.status_code == 400
    bank_client = client_for(banker)
    assert bank_client.get(base).json()["sha256"] == response.json()["sha256"]
    verified = bank_client.post(base + "verify/").json()
    assert (
        verified["valid"] and verified["key_matches"] and verified["summary"][0].startswith("VALID")
    )
    document = bank_client.get(base + "download/").content
    checked = bank_client.post(
        "/api/screening/packages/verify-file/",
        {"file": SimpleUploadedFile("p.json", document.replace(b"100.00", b"900.00"))},
        format="multipart",
    ).json()
    assert not checked["valid"] and checked["problems"]
    unreadable = bank_client.post(
        "/api/screening/packages/verify-file/",
        {"file": SimpleUploadedFile("p.json", b"nope")},
        format="multipart",
    )
    assert unreadable.status_code == 400 and unreadable.json()["code"] == "package_invalid"
    assert bank_client.get(base + "accesses/").status_code == 403
    log = client.get(base + "accesses/").json()
    assert [(a["user_name"], a["action"]) for a in log][:3] == [
        ("bea", "downloaded"),
        ("bea", "verified"),
        ("bea", "viewed"),
    ]
    assert client.delete(base).status_code == 405
