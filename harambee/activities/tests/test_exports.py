"""Exports: HXL CSV and XLSX the importer reads back without loss, GeoJSON, no personal data."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory, PersonFactory
from harambee.places.models import Emergency

from .. import exports
from ..choices import AgeGroup, FigureKind, OrganisationRole, Sex
from ..models import Activity, PopulationGroup
from ..selectors import filtered_activities
from .factories import (
    ActivityFactory,
    ActivityFigureFactory,
    ActivityOrganisationFactory,
    ActivityPlaceFactory,
    AdminAreaFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    province = AdminAreaFactory(pcode="AF91", name="Kabul", latitude=34.5, longitude=69.2)
    district = AdminAreaFactory(pcode="AF9101", name="Kabul City", level=2, parent=province)
    other = AdminAreaFactory(
        pcode="AF92",
        name="Herat",
        boundary={"type": "Polygon", "coordinates": [[[62, 34], [63, 34], [63, 35], [62, 34]]]},
    )
    org = OrganisationFactory(name="Aschiana Foundation", acronym="ASCH", org_type="national_ngo")
    PersonFactory(organisation=org, name="Private Person", email="private@example.org")
    donor = OrganisationFactory(name="Donor Agency", acronym="DA")
    flood = Emergency.objects.create(name="Floods", glide="FL-2024-000001-AFG", emergency_type="FL")
    first = ActivityFactory(
        implementing_organisation=org,
        sector=SectorFactory(code="EDU"),
        title="Community schools",
        description="Classes for girls",
        status="completed",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 3, 31),
        emergency=flood,
        people_in_need=5000,
        people_targeted=1200,
        people_reached=900,
        population_groups=[PopulationGroup.objects.get(code="idps")],
    )
    ActivityPlaceFactory(
        activity=first,
        admin_area=district,
        source_names=["Kaboul", "Kabul Shahr"],
        latitude=34.53,
        longitude=69.17,
    )
    ActivityOrganisationFactory(activity=first, organisation=donor, role=OrganisationRole.FUNDING)
    ActivityFigureFactory(
        activity=first,
        kind=FigureKind.REACHED,
        sex=Sex.FEMALE,
        age_group=AgeGroup.CHILDREN,
        value=500,
    )
    second = ActivityFactory(
        implementing_organisation=org,
        sector=SectorFactory(code="WSH"),
        title="Wells",
        people_reached=300,
    )
    ActivityPlaceFactory(activity=second, admin_area=other, source_names=["Herat"])
    return {"first": first, "second": second, "org": org, "donor": donor}  # fmt: skip


def _csv(queryset=None):
    queryset = exports.export_queryset(
        queryset if queryset is not None else filtered_activities(user=None), None
    )
    return list(csv.reader(io.StringIO(exports.csv_bytes(queryset).decode("utf-8-sig"))))


def test_csv_has_headers_hashtags_and_a_row_per_place(sample):
    headers, tags, *rows = _csv()
    assert tags[:3] == ["#meta+id", "#country+code", "#org+name"]
    assert len(headers) == len(tags) == len(set(tags))
    first = dict(zip(tags, rows[0], strict=True))
    assert first["#org+name"] == "Aschiana Foundation"
    assert first["#org+type"] == "National NGO"
    assert first["#org+funding+name"] == "Donor Agency"
    assert first["#sector+cluster+code"] == "EDU"
    assert (first["#adm1+code"], first["#adm2+code"]) == ("AF91", "AF9101")
    # The file's own names beside the P-codes.
    assert (first["#adm1+name"], first["#adm2+name"]) == ("Kaboul", "Kabul Shahr")
    assert (first["#geo+lat"], first["#geo+lon"]) == ("34.53", "69.17")
    assert (first["#inneed"], first["#targeted"], first["#reached"]) == ("5000", "1200", "900")
    assert first["#reached+f+children"] == "500"
    assert first["#population+type"] == "idps"
    assert first["#crisis+code"] == "FL-2024-000001-AFG"
    assert first["#date+start"] == "2024-01-01"
    assert first["#status"] == "completed"
    assert len(rows) == 2


def test_exports_hold_no_personal_data(sample, client):
    UserFactory(username="someone-secret", organisation=sample["org"])
    for fmt in ("csv", "geojson"):
        response = client.get(reverse("activities:export"), {"format": fmt})
        body = b"".join(response.streaming_content).decode()
        assert "Private Person" not in body and "private@example.org" not in body
        assert "someone-secret" not in body


def test_export_view_applies_the_list_filters(sample, client):
    response = client.get(reverse("activities:export"), {"format": "csv", "sector": "WSH"})
    assert response["Content-Disposition"].startswith('attachment; filename="harambee-3w-all-')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "Wells" in lines[2]
    assert client.get(reverse("activities:export"), {"format": "pdf"}).status_code == 400


def test_xlsx_has_the_same_columns(sample, client):
    from openpyxl import load_workbook

    response = client.get(reverse("activities:export"), {"format": "xlsx", "country": "AFG"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == exports.TAGS
    assert len(rows) == 4
    assert rows[2][exports.TAGS.index("#reached")] == 900


def test_geojson_has_a_feature_per_place(sample, client):
    response = client.get(reverse("activities:export"), {"format": "geojson"})
    data = json.loads(b"".join(response.streaming_content))
    by_pcode = {f["properties"]["pcode"]: f for f in data["features"]}
    assert by_pcode["AF9101"]["geometry"] == {"type": "Point", "coordinates": [69.17, 34.53]}
    assert by_pcode["AF92"]["geometry"]["type"] == "Polygon"  # no point, no centre: boundary
    assert by_pcode["AF9101"]["properties"]["source_names"] == ["Kaboul", "Kabul Shahr"]
    shapes = client.get(reverse("activities:export"), {"format": "geojson", "shapes": "1"})
    assert json.loads(b"".join(shapes.streaming_content))["features"]


def _state(activity: Activity) -> dict:
    return {
        "org": activity.implementing_organisation_id,
        "sector": activity.sector.code,
        "title": activity.title,
        "description": activity.description,
        "status": activity.status,
        "dates": (activity.start_date, activity.end_date),
        "emergency": activity.emergency_id,
        "people": (activity.people_in_need, activity.people_targeted, activity.people_reached),
        "groups": sorted(g.code for g in activity.population_groups.all()),
        "places": sorted(
            (
                p.admin_area.pcode if p.admin_area else None,
                tuple(p.source_names),
                p.latitude,
                p.longitude,
            )
            for p in activity.places.all()
        ),
        "others": sorted((o.organisation_id, o.role) for o in activity.other_organisations.all()),
        # The importer also keeps the totals as figures (all sexes, all ages): the same facts.
        "figures": sorted(
            (f.kind, f.sex, f.age_group, f.value)
            for f in activity.figures.all()
            if (f.sex, f.age_group) != (Sex.ALL, AgeGroup.ALL)
        ),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_then_import_is_lossless(sample, fmt):
    services = pytest.importorskip("harambee.activities.services")
    admin = UserFactory(is_superuser=True, organisation=sample["org"])
    before = {a.title: _state(a) for a in Activity.objects.all()}
    queryset = exports.export_queryset(filtered_activities(user=admin), admin)
    content = exports.csv_bytes(queryset) if fmt == "csv" else exports.xlsx_bytes(queryset)
    Activity.objects.all().delete()
    batch = services.import_start(
        actor=admin, file_name=f"export.{fmt}", content=content, country="AFG", source="Harambee", run="now"
    )  # fmt: skip
    assert batch.report["errors"] == []
    assert batch.report["activities"]["create"] == 2
    batch = services.import_commit(
        actor=admin, batch=batch, expected_version=batch.version, run="now"
    )
    assert batch.report["committed"]["created"] == 2
    after = {a.title: _state(a) for a in Activity.objects.all()}
    for title in before:
        for name in before[title]:
            assert (title, name, after[title][name]) == (title, name, before[title][name])
    # Exported again and imported again: the same activities, unchanged.
    again = exports.csv_bytes(exports.export_queryset(filtered_activities(user=admin), admin))
    second = services.import_start(
        actor=admin, file_name="again.csv", content=again, country="AFG", source="Harambee", run="now"
    )  # fmt: skip
    assert second.report["activities"] == {"create": 0, "update": 0, "unchanged": 2, "remove": 0}
