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
    response = client.post("/api/screening/decisions/?include_personal=true", body, format="json")
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
        "/api/screening/decisions/?include_personal=true",
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


# --- payees and alerts --------------------------------------------------------------------

PAYEES = "/api/screening/payees/"
ALERTS = "/api/screening/alerts/"


def _user_with_role(organisation, role, username=None):
    from harambee.network.tests.factories import GroupRoleFactory

    user = UserFactory(organisation=organisation, **({"username": username} if username else {}))
    GroupRoleFactory(user=user, role=role)
    return user


@pytest.fixture
def rival():
    """An editor of another organisation."""
    from harambee.core.choices import Role

    return _user_with_role(OrganisationFactory(name="Rival Relief"), Role.EDITOR, "rita")


def _payee(editor, **data):
    from harambee.screening.dd.payees import payee_add

    return payee_add(actor=editor, data=data)


def _add_payee(client, capture, body, **params):
    with capture(execute=True):  # screening runs once the payee is committed
        return client.post(PAYEES + _query(params), body, format="json")


def _query(params):
    from urllib.parse import urlencode

    return f"?{urlencode(params)}" if params else ""


def test_payee_endpoints_refuse_anonymous_and_people_of_no_organisation(editor):
    from harambee.screening.models import Payee

    payee = _payee(editor, name="Jane Doe")
    for client in (client_for(None), client_for(UserFactory(organisation=None))):
        assert client.get(PAYEES).status_code in (401, 403)
        assert client.get(f"{PAYEES}{payee.pk}/").status_code in (401, 403)
        assert client.post(PAYEES, {"name": "X"}, format="json").status_code in (401, 403)
        assert client.get(ALERTS).status_code in (401, 403)
    assert Payee.objects.count() == 1


def test_payee_added_over_the_api_is_screened_and_only_its_organisation_sees_it(
    un_small, editor, rival, django_capture_on_commit_callbacks
):
    from harambee.core.models import ChangeRecord
    from harambee.screening.choices import SubjectKind
    from harambee.screening.models import Payee, ScreeningAlert

    body = {"name": "Abdul Latif Mansoor", "schema": "person", "date_of_birth": "1968"}
    response = _add_payee(client_for(editor), django_capture_on_commit_callbacks, body)
    assert response.status_code == 201, response.content
    payee = Payee.objects.get(pk=response.json()["id"])
    assert payee.organisation == editor.organisation and payee.name == "Abdul Latif Mansoor"
    assert response.json()["version"] == 1 and "name" not in response.json()
    # screened as the page screens: the hit is an alert of the organisation
    alert = ScreeningAlert.objects.get(subject_kind=SubjectKind.PAYEE, subject_id=payee.pk)
    assert alert.organisation == editor.organisation and alert.entry_ref == "TAi.001"
    assert ChangeRecord.objects.for_object(payee).get().action == "create"
    # the same colleague lists it; another organisation sees nothing of it
    listed = client_for(editor).get(PAYEES).json()["results"]
    assert [p["id"] for p in listed] == [payee.pk]
    assert client_for(rival).get(PAYEES).json()["results"] == []
    assert client_for(rival).get(f"{PAYEES}{payee.pk}/").status_code == 404
    filtered = client_for(rival).get(PAYEES, {"organisation": editor.organisation_id}).json()
    assert filtered["results"] == []
    # a payee added by the rival is theirs, never the editor's
    _add_payee(client_for(rival), django_capture_on_commit_callbacks, {"name": "Jane Doe"})
    assert [p["id"] for p in client_for(editor).get(PAYEES).json()["results"]] == [payee.pk]


def test_payee_create_and_update_need_an_editor(editor):
    from harambee.core.choices import Role

    viewer = _user_with_role(editor.organisation, Role.VIEWER)
    assert client_for(viewer).post(PAYEES, {"name": "Jane Doe"}, format="json").status_code == 403
    payee = _payee(editor, name="Jane Doe")
    response = client_for(viewer).patch(
        f"{PAYEES}{payee.pk}/", {"notes": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403
    invalid = client_for(editor).post(
        PAYEES, {"name": "Jane Doe", "date_of_birth": "1/2/1990"}, format="json"
    )
    assert invalid.status_code == 400 and "date_of_birth" in invalid.json()["fields"]


def test_payee_update_screens_again_and_refuses_a_stale_version(
    un_small, editor, rival, django_capture_on_commit_callbacks
):
    from harambee.screening.models import Payee, ScreeningAlert

    client = client_for(editor)
    created = _add_payee(client, django_capture_on_commit_callbacks, {"name": "Jane Doe"}).json()
    assert not ScreeningAlert.objects.exists()
    url = f"{PAYEES}{created['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            url + "?include_personal=true",
            {"name": "Abdul Latif Mansoor", "schema": "person", "version": 1},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Abdul Latif Mansoor" and response.json()["version"] == 2
    assert ScreeningAlert.objects.get(subject_id=created["id"]).entry_ref == "TAi.001"
    # an update based on version 1 would overwrite the change above: refused
    stale = client.put(url, {"name": "Jane Doe", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    missing = client.patch(url, {"name": "Jane Doe"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["fields"]
    assert Payee.objects.get().name == "Abdul Latif Mansoor"
    # the organisation cannot be moved, and another organisation cannot change it
    client.patch(url, {"organisation": rival.organisation_id, "version": 2}, format="json")
    assert Payee.objects.get().organisation == editor.organisation
    hidden = client_for(rival).patch(url, {"name": "X", "version": 3}, format="json")
    assert hidden.status_code == 404


def test_payee_removed_by_a_coordinator_with_the_version_read(editor):
    from harambee.core.choices import Role
    from harambee.screening.models import Payee

    coordinator = _user_with_role(editor.organisation, Role.COORDINATOR)
    payee = _payee(editor, name="Jane Doe")
    url = f"{PAYEES}{payee.pk}/"
    assert client_for(editor).delete(url + "?version=1").status_code == 403
    assert client_for(coordinator).delete(url).status_code == 400  # no version given
    assert client_for(coordinator).delete(url + "?version=7").status_code == 409
    assert client_for(coordinator).delete(url + "?version=1").status_code == 204
    assert not Payee.objects.exists()


def test_payee_personal_fields_only_when_asked_and_logged(editor):
    from harambee.privacy.models import AccessLog

    payee = _payee(
        editor,
        name="Zawadi Okello",
        schema="person",
        date_of_birth="1990-02-03",
        nationality="UG",
        identifiers=["A123"],
        notes="Driver",
    )
    client = client_for(editor)
    plain = client.get(f"{PAYEES}{payee.pk}/").json()
    for field in ("name", "date_of_birth", "nationality", "identifiers", "notes"):
        assert field not in plain
    assert plain["schema"] == "person" and plain["version"] == 1
    assert "Zawadi" not in client.get(PAYEES).content.decode()
    assert not AccessLog.objects.exists()
    full = client.get(f"{PAYEES}{payee.pk}/", {"include_personal": "true"}).json()
    assert (full["name"], full["date_of_birth"], full["identifiers"]) == (
        "Zawadi Okello",
        "1990-02-03",
        ["A123"],
    )
    client.get(PAYEES, {"include_personal": "true"})
    logged = AccessLog.objects.filter(object_id=str(payee.pk), user=editor)
    assert logged.count() == 2
    assert {e.channel for e in logged} == {"api"} and "name" in logged.first().fields
    # asking does not widen who sees: another organisation still gets nothing
    other = UserFactory(organisation=OrganisationFactory(name="Other"))
    asked = client_for(other).get(PAYEES, {"include_personal": "true"}).json()
    assert asked["results"] == [] and AccessLog.objects.count() == 2


def test_alert_inbox_filters_and_personal_fields(
    un_small, editor, rival, django_capture_on_commit_callbacks
):
    from harambee.privacy.models import AccessLog
    from harambee.screening.models import ScreeningAlert

    body = {"name": "Abdul Latif Mansoor", "schema": "person"}
    _add_payee(client_for(editor), django_capture_on_commit_callbacks, body)
    _add_payee(client_for(rival), django_capture_on_commit_callbacks, body)
    own = ScreeningAlert.objects.get(organisation=editor.organisation)
    client = client_for(editor)
    listed = client.get(ALERTS).json()["results"]
    assert [a["id"] for a in listed] == [own.pk]
    assert listed[0]["status"] == "open" and listed[0]["entry_ref"] == "TAi.001"
    assert listed[0]["list_version"] == un_small.pk and "subject_name" not in listed[0]
    assert "Mansoor" not in client.get(ALERTS).content.decode()
    for params, expected in (
        ({"status": "open"}, [own.pk]),
        ({"status": "reviewed"}, []),
        ({"list_version": un_small.pk}, [own.pk]),
        ({"list_version": un_small.pk + 1}, []),
        ({"organisation": editor.organisation_id}, [own.pk]),
        ({"organisation": rival.organisation_id}, []),  # never another organisation's
    ):
        assert [a["id"] for a in client.get(ALERTS, params).json()["results"]] == expected
    assert client.get(ALERTS, {"status": "closed"}).status_code == 400
    assert client_for(rival).get(f"{ALERTS}{own.pk}/").status_code == 404
    detail = client.get(f"{ALERTS}{own.pk}/", {"include_personal": "true"}).json()
    assert detail["subject_name"] == "Abdul Latif Mansoor"
    assert detail["query"]["name"] == "Abdul Latif Mansoor" and detail["hit"]["ref"] == "TAi.001"
    assert AccessLog.objects.filter(object_id=str(own.pk), user=editor).count() == 1


def test_alert_decided_over_the_api_closes_it(
    un_small, editor, rival, django_capture_on_commit_callbacks
):
    from harambee.core.choices import Role
    from harambee.screening.models import ComplianceFocalPoint, ScreeningAlert

    organisation = editor.organisation
    _add_payee(
        client_for(editor), django_capture_on_commit_callbacks, {"name": "Abdul Latif Mansoor"}
    )
    alert = ScreeningAlert.objects.get()
    url = f"{ALERTS}{alert.pk}/decide/"
    viewer = _user_with_role(organisation, Role.VIEWER)
    assert client_for(viewer).post(url, {"outcome": "escalated"}, format="json").status_code == 403
    assert client_for(rival).post(url, {"outcome": "escalated"}, format="json").status_code == 404
    focal = UserFactory(username="fiona", organisation=organisation)
    ComplianceFocalPoint.objects.create(organisation=organisation, user=focal)
    client = client_for(focal)
    no_reason = client.post(url, {"outcome": "cleared"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "decision_invalid"
    response = client.post(
        url + "?include_personal=true",
        {"outcome": "cleared", "reason": "Other man."},
        format="json",
    )
    assert response.status_code == 201, response.content
    decision = response.json()
    assert decision["entry_ref"] == "TAi.001" and decision["reason"] == "Other man."
    assert decision["subject"].startswith("continuous screening")
    closed = client.get(f"{ALERTS}{alert.pk}/").json()
    assert closed["status"] == "reviewed" and closed["decision"] == decision["id"]
    assert closed["decision_outcome"] == "cleared"
    assert [a["id"] for a in client.get(ALERTS, {"status": "open"}).json()["results"]] == []


def test_alerts_filter_by_exact_name_through_the_keyed_hash(
    un_small, editor, rival, django_capture_on_commit_callbacks
):
    from harambee.screening.models import ScreeningAlert

    body = {"name": "Abdul Latif Mansoor", "schema": "person", "date_of_birth": "1968"}
    _add_payee(client_for(editor), django_capture_on_commit_callbacks, body)
    _add_payee(client_for(rival), django_capture_on_commit_callbacks, body)
    alert = ScreeningAlert.objects.get(organisation=editor.organisation)

    def ids(client, name):
        data = client.get(ALERTS + _query({"name": name})).json()
        return [a["id"] for a in data.get("results", data)]

    assert ids(client_for(editor), "abdul  latif MANSOOR") == [alert.pk]
    assert ids(client_for(editor), "Abdul Mansoor") == []
    assert ids(client_for(editor), "") == [alert.pk]  # no name: no filter
    # another organisation's alert on the same name stays out of sight
    assert ids(client_for(rival), "Abdul Latif Mansoor") != [alert.pk]
    assert len(ids(client_for(rival), "Abdul Latif Mansoor")) == 1
