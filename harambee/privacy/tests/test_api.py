import pytest
from rest_framework.test import APIClient

from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
API = "/api/privacy"


def client_for(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def test_api_for_data_protection_officers_only():
    assert client_for().post(f"{API}/find/", {"kind": "email", "value": "x"}).status_code in (
        401,
        403,
    )
    assert client_for(UserFactory()).get(f"{API}/access-log/").status_code == 403


def test_find_export_correct_erase(dpo):
    person = PersonFactory(name="Grace Atim", email="g@example.org", phone="")
    client = client_for(dpo)
    found = client.post(f"{API}/find/", {"kind": "email", "value": "G@example.org"}, format="json")
    assert found.json() == [
        {
            "kind": "network.person",
            "id": str(person.pk),
            "personal_data": {"name": "Grace Atim", "email": "g@example.org", "phone": ""},
        }
    ]
    exported = client.post(f"{API}/export/", {"kind": "name", "value": "grace atim"}, format="json")
    assert exported.json()["records"][0]["id"] == person.pk
    url = f"{API}/records/network.person/{person.pk}/"
    assert client.get(url).json()["personal_data"]["name"] == "Grace Atim"
    refused = client.patch(url, {"personal_data": {"role": "x"}}, format="json")
    assert refused.status_code == 400
    corrected = client.patch(url, {"personal_data": {"phone": "+256 700 1"}}, format="json")
    assert corrected.json()["personal_data"]["phone"] == "+256 700 1"
    erased = client.post(f"{url}erase/")
    assert erased.json()["personal_data"] == {"name": "", "email": "", "phone": ""}
    assert client.get(f"{API}/records/network.person/999999/").status_code == 404
    log = client.get(f"{API}/access-log/").json()["results"]
    assert {e["action"] for e in log} >= {"search", "export", "correct", "erase"}
