"""Exports of the money pages: the filtered flow list and the country page's tables, as CSV
and XLSX, with the pages' own numbers and nothing the user may not see."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from harambee.core.choices import Visibility

from ..choices import PartyKind, Side
from ..models import Flow
from .helpers import flow, party, place, sector, year

pytestmark = pytest.mark.django_db


@pytest.fixture
def flows():
    jor = [place(), year()]
    flow(
        60,
        source_id="B",
        parties=[*jor, party(PartyKind.ORGANISATION, "Germany", Side.SOURCE), sector("Health")],
    )
    flow(
        40,
        source_id="C",
        status="pledge",
        parties=[*jor, party(PartyKind.ORGANISATION, "Kuwait", Side.SOURCE)],
    )
    flow(1000, source_id="I", boundary="internal", parties=jor)
    hidden = flow(9000, source_id="H", parties=jor)
    Flow.objects.filter(pk=hidden.pk).update(visibility=Visibility.ORGANISATION)


def rows_of_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_flow_list_csv_follows_the_filters_and_says_why_not_counted(client, flows):
    response = client.get(reverse("funding:flow-export"), {"country": "JOR", "format": "csv"})
    assert response["Content-Disposition"].startswith(
        'attachment; filename="harambee-money-flows-jor-'
    )
    rows = rows_of_csv(response)
    header, body = rows[0], rows[1:]
    assert header[2] == "Id in the source"
    by_id = {row[2]: row for row in body}
    assert set(by_id) == {"B", "C", "I"}  # the hidden flow is not exported
    reason = header.index("Counted or why not")
    assert by_id["B"][reason] == "Counted"
    assert by_id["I"][reason].startswith("Internal")
    assert by_id["B"][header.index("Donors")] == "Germany"
    assert by_id["B"][header.index("Sectors")] == "Health"
    counted_only = rows_of_csv(
        client.get(reverse("funding:flow-export"), {"counted": "true", "format": "csv"})
    )
    assert [row[2] for row in counted_only[1:]] == ["B"]


def test_flow_list_xlsx(client, flows):
    response = client.get(reverse("funding:flow-export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Flow" and len(values) == 4
    amounts = {row[2]: row[values[0].index("Amount (USD)")] for row in values[1:]}
    assert amounts == {"B": 60, "C": 40, "I": 1000}  # numbers, not text


def test_country_tables_csv_and_xlsx(client, flows):
    url = reverse("funding:country-export", args=["JOR"])
    rows = rows_of_csv(client.get(url, {"year": 2020, "format": "csv"}))
    assert ["Summary", "Funding (USD)", "60"] in rows
    assert ["Summary", "Pledged (USD)", "40"] in rows
    assert any(r[:3] == ["By donor", "Germany", "60"] for r in rows)
    assert any(r[:2] == ["By donor", "Kuwait"] and r[5] == "40" for r in rows)
    assert not any("9000" in cell for r in rows for cell in r)
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert book.sheetnames[:3] == ["Summary", "By donor", "By channel"]
    assert "Diaspora (beside aid)" in book.sheetnames
    summary = {row[0]: row[1] for row in book["Summary"].values}
    assert summary["Funding (USD)"] == 60


def test_unknown_format_is_refused(client):
    assert client.get(reverse("funding:flow-export"), {"format": "pdf"}).status_code == 400
    url = reverse("funding:country-export", args=["JOR"])
    assert client.get(url, {"format": "pdf"}).status_code == 400
