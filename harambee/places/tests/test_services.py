import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from harambee.core.choices import Action
from harambee.core.errors import PermissionDeniedError, ServiceError, StaleVersionError
from harambee.core.models import ChangeRecord
from harambee.places.choices import EmergencyType
from harambee.places.importers import import_admin_areas
from harambee.places.models import AdminArea, Country, Emergency
from harambee.places.services import (
    admin_area_boundaries_set,
    admin_area_delete,
    emergency_create,
    emergency_delete,
    emergency_update,
)

from .conftest import DATA
from .factories import AdminAreaFactory, EmergencyFactory

pytestmark = pytest.mark.django_db

EBOLA = {
    "name": "West Africa Ebola virus disease outbreak",
    "glide": "ep-2014-000041-gin",
    "emergency_type": EmergencyType.EPIDEMIC,
    "start_date": datetime.date(2014, 3, 23),
}


def countries(*codes):
    return {"countries": list(Country.objects.filter(iso3__in=codes))}


def test_editor_creates_an_emergency_and_a_change_is_recorded(editor):
    emergency = emergency_create(actor=editor, data=EBOLA, m2m=countries("GIN", "LBR", "SLE"))
    assert emergency.glide == "EP-2014-000041-GIN"  # normalised to upper case
    assert sorted(emergency.countries.values_list("iso3", flat=True)) == ["GIN", "LBR", "SLE"]
    record = ChangeRecord.objects.for_object(emergency).get()
    assert (record.action, record.user) == (Action.CREATE, editor)
    assert record.after["countries"] == ["GIN", "LBR", "SLE"]


@pytest.mark.parametrize("who", ["viewer", "anonymous"])
def test_viewers_and_anonymous_cannot_create(who, viewer):
    actor = viewer if who == "viewer" else AnonymousUser()
    with pytest.raises(PermissionDeniedError):
        emergency_create(actor=actor, data=EBOLA, m2m=countries("GIN"))
    assert not Emergency.objects.exists()


def test_an_emergency_needs_a_country(editor):
    with pytest.raises(ValidationError) as info:
        emergency_create(actor=editor, data=EBOLA, m2m={"countries": []})
    assert "countries" in info.value.message_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"glide": "EBOLA-2014"}, "glide"),
        (
            {"start_date": datetime.date(2020, 1, 2), "end_date": datetime.date(2020, 1, 1)},
            "end_date",
        ),
        ({"emergency_type": "XX"}, "emergency_type"),
    ],
)
def test_invalid_emergencies_are_refused(editor, data, field):
    with pytest.raises(ValidationError) as info:
        emergency_create(actor=editor, data={**EBOLA, **data}, m2m=countries("GIN"))
    assert field in info.value.message_dict


def test_blank_glide_numbers_do_not_collide(editor):
    for name in ("Floods A", "Floods B"):
        emergency_create(
            actor=editor,
            data={"name": name, "glide": "", "emergency_type": EmergencyType.FLOOD},
            m2m=countries("SOM"),
        )
    assert list(Emergency.objects.values_list("glide", flat=True)) == [None, None]


def test_update_with_the_version_read_succeeds_and_a_stale_one_is_refused(editor):
    emergency = EmergencyFactory()
    updated = emergency_update(
        actor=editor,
        emergency=emergency,
        data={"name": "Renamed"},
        expected_version=1,
        m2m=countries("GIN", "SLE"),
    )
    assert (updated.name, updated.version) == ("Renamed", 2)
    assert sorted(updated.countries.values_list("iso3", flat=True)) == ["GIN", "SLE"]
    with pytest.raises(StaleVersionError):
        emergency_update(
            actor=editor, emergency=emergency, data={"name": "Late"}, expected_version=1
        )
    assert Emergency.objects.get().name == "Renamed"


def test_viewer_cannot_update(viewer):
    emergency = EmergencyFactory()
    with pytest.raises(PermissionDeniedError):
        emergency_update(actor=viewer, emergency=emergency, data={"name": "x"}, expected_version=1)


def test_only_coordinators_delete_and_stale_deletes_are_refused(editor, coordinator):
    emergency = EmergencyFactory()
    with pytest.raises(PermissionDeniedError):
        emergency_delete(actor=editor, emergency=emergency, expected_version=1)
    with pytest.raises(StaleVersionError):
        emergency_delete(actor=coordinator, emergency=emergency, expected_version=7)
    emergency_delete(actor=coordinator, emergency=emergency, expected_version=1)
    assert not Emergency.objects.exists()
    assert ChangeRecord.objects.filter(action=Action.DELETE).count() == 1


def test_an_import_writes_one_change_record_filed_under_its_country(write_file):
    result = import_admin_areas(
        write_file(
            "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date\n"
            "GIN,1,GN001,Boke,GIN,\nGIN,2,GN001001,Boffa,GN001,\n"
        )
    )
    assert result.created == 2
    record = ChangeRecord.objects.get()
    assert record.content_type == ContentType.objects.get_for_model(Country)
    assert record.object_id == "GIN"
    assert record.user_name == "system"
    assert "2 created" in record.note
    assert record.after["created"] == 2


def test_a_multi_country_import_is_filed_under_admin_areas():
    import_admin_areas(DATA / "ocha_small.csv")
    record = ChangeRecord.objects.get()
    assert record.content_type == ContentType.objects.get_for_model(AdminArea)
    assert record.object_id == "import"
    assert record.after["countries"] == ["GIN", "LBR"]


def test_imports_need_a_platform_admin(editor, admin_user):
    with pytest.raises(PermissionDeniedError):
        import_admin_areas(DATA / "ocha_small.csv", actor=editor)
    assert not AdminArea.objects.exists()
    assert import_admin_areas(DATA / "ocha_small.csv", actor=admin_user).created == 8
    assert ChangeRecord.objects.get().user == admin_user


def test_boundaries_are_stored_once():
    area = AdminAreaFactory(pcode="GN001")
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert admin_area_boundaries_set(actor=None, boundaries={"GN001": square}, source="b") == (1, 0)
    assert admin_area_boundaries_set(actor=None, boundaries={"GN001": square}, source="b") == (0, 1)
    area.refresh_from_db()
    assert (area.boundary, area.version) == (square, 2)
    assert ChangeRecord.objects.count() == 1


def test_an_area_with_areas_below_cannot_be_deleted(admin_user):
    parent = AdminAreaFactory(pcode="GN001")
    AdminAreaFactory(pcode="GN001001", level=2, parent=parent)
    with pytest.raises(ServiceError, match="below"):
        admin_area_delete(actor=admin_user, area=parent)
    assert AdminArea.objects.count() == 2
