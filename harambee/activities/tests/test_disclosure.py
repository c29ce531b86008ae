"""The public coverage matrix never shows a small people figure, nor one its totals reveal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harambee.core.tests.factories import UserFactory
from harambee.network.tests.factories import OrganisationFactory

from ..coverage import SUPPRESSED, coverage, protect_people_figures
from .factories import AdminAreaFactory, SectorFactory, placed_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_world():
    p1 = AdminAreaFactory(pcode="AF91", name="Alpha")
    p2 = AdminAreaFactory(pcode="AF92", name="Bravo")
    wash, health = SectorFactory(code="WSH"), SectorFactory(code="HEA")
    a, b = OrganisationFactory(name="A"), OrganisationFactory(name="B")
    placed_activity(p1, implementing_organisation=a, sector=wash, people_reached=3)
    placed_activity(p1, implementing_organisation=b, sector=health, people_reached=70)
    placed_activity(p2, implementing_organisation=a, sector=wash, people_reached=40)
    placed_activity(p2, implementing_organisation=b, sector=health, people_reached=90)
    return p1, p2


def _cells(result, pcode):
    area = next(a for a in result.areas if a.pcode == pcode)
    return {s.code: c.reached for s, c in zip(result.sectors, area.cells, strict=True)}


def test_small_figures_and_what_reveals_them_are_hidden(small_world):
    result = coverage(user=None, country="afg", level=1)
    assert protect_people_figures(result, threshold=5) > 0
    assert _cells(result, "AF91")["WSH"] == SUPPRESSED  # 3: primary
    # WSH's total (3 + 40) would give 3 away: another WSH cell is hidden too.
    assert _cells(result, "AF92")["WSH"] == SUPPRESSED
    assert _cells(result, "AF92")["HEA"] == 90
    assert result.areas[0].totals.organisations == 2  # organisation counts untouched


def test_anonymous_visitors_get_the_protected_matrix(client, small_world):
    url = reverse("activities:coverage") + "?country=AFG&level=1&measure=reached"
    public = client.get(url).content.decode()
    assert "x: a people figure hidden" in public
    client.force_login(UserFactory())
    assert "x: a people figure hidden" not in client.get(url).content.decode()
