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
