import pytest
from django.urls import reverse

from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import PersonFactory
from harambee.privacy.models import AccessLog

pytestmark = pytest.mark.django_db


def test_pages_are_for_data_protection_officers_only(client):
    url = reverse("privacy:home")
    assert "login" in client.get(url)["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.get(reverse("privacy:access-log")).status_code == 403


def test_find_correct_erase_and_export_pages(client, dpo):
    person = PersonFactory(name="Wanjiru Kamau", email="w@example.org", phone="")
    client.force_login(dpo)
    home = client.get(reverse("privacy:home"))
    assert home.status_code == 200 and "network.person" not in home.content.decode()
    found = client.post(reverse("privacy:home"), {"kind": "email", "value": "W@example.org"})
    assert "Wanjiru Kamau" in found.content.decode()
    exported = client.post(
        reverse("privacy:home"), {"kind": "name", "value": "wanjiru kamau", "export": "1"}
    )
    assert exported["Content-Type"].startswith("application/json")
    assert exported.json()["records"][0]["personal_data"]["email"] == "w@example.org"

    record = reverse("privacy:record", args=["network.person", person.pk])
    assert client.get(record).status_code == 200
    response = client.post(
        record, {"name": "Wanjiru Kamau", "email": "wk@example.org", "phone": ""}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "wk@example.org"
    erase = reverse("privacy:erase", args=["network.person", person.pk])
    client.post(erase, {})  # not confirmed: nothing happens
    person.refresh_from_db()
    assert person.name == "Wanjiru Kamau"
    client.post(erase, {"confirm": "erase"})
    person.refresh_from_db()
    assert person.name == "" and person.email == ""
    assert client.get(reverse("privacy:record", args=["nope.model", 1])).status_code == 404

    log = client.get(reverse("privacy:access-log") + "?user=dpo&kind=network.person")
    html = log.content.decode()
    assert "Erased" in html and "Exported" in html and "wk@example.org" not in html


def test_organisation_page_logs_who_saw_contacts(client):
    person = PersonFactory()
    user = UserFactory(organisation=person.organisation)
    client.force_login(user)
    client.get(person.organisation.get_absolute_url())
    entry = AccessLog.objects.get(user=user)
    assert entry.object_id == str(person.pk) and entry.channel == "page"
    assert entry.fields == ["name", "email", "phone"]


def test_the_officers_own_pages_log_what_they_show(client, dpo):
    person = PersonFactory(name="Wanjiru Kamau", email="w@example.org")
    client.force_login(dpo)
    assert client.get(reverse("privacy:home")).status_code == 200
    assert not AccessLog.objects.exists()  # the search form alone shows no one
    found = client.post(reverse("privacy:home"), {"kind": "email", "value": "w@example.org"})
    assert "Wanjiru Kamau" in found.content.decode()
    shown = AccessLog.objects.get(action="view")
    assert (shown.user, shown.object_id, shown.channel) == (dpo, str(person.pk), "dpo")
    assert AccessLog.objects.filter(action="search").count() == 1
    record = reverse("privacy:record", args=["network.person", person.pk])
    assert "Wanjiru Kamau" in client.get(record).content.decode()
    viewed = AccessLog.objects.filter(action="view", path=record)
    assert viewed.count() == 1 and viewed.get().fields == ["name", "email", "phone"]
    # The access log holds no personal value: reading it is not itself logged.
    before = AccessLog.objects.count()
    assert client.get(reverse("privacy:access-log")).status_code == 200
    assert AccessLog.objects.count() == before
