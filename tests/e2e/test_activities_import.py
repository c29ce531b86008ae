"""An editor imports a 3W file in a real browser: preview, review a doubtful name, confirm, map."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from harambee.core.choices import Role
from harambee.core.tests.factories import UserFactory
from harambee.network.models import Organisation
from harambee.network.tests.factories import GroupRoleFactory, OrganisationFactory
from harambee.places.models import AdminArea, Country

from .test_network_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREE_W = (
    "Organisation,Acronym,Sector,Region,Region P-code,Activity,People targeted\n"
    "#org+name,#org+acronym,#sector+name,#adm1+name,#adm1+code,#activity+name,#targeted\n"
    "Norwegian Refugee Counsel,NRC,Education,Turkana,KE023,Temporary classrooms,1200\n"
    "Kenya Red Cross Society,KRCS,Health,Turkana,KE023,Mobile clinics,5000\n"
    "Kenya Red Cross Society,KRCS,Health,Garissa,KE007,Mobile clinics,3000\n"
)


@pytest.fixture
def three_w(tmp_path) -> Path:
    path = tmp_path / "kenya-3w.csv"
    path.write_text(THREE_W, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path):
    # The "background" reading and saving run inside the request, so the test needs no worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_editor_imports_a_3w_file_reviews_a_doubtful_name_and_sees_it_on_the_map(page, three_w):
    kenya = Country.objects.get(iso3="KEN")
    AdminArea.objects.create(pcode="KE023", country=kenya, level=1, name="Turkana")
    AdminArea.objects.create(pcode="KE007", country=kenya, level=1, name="Garissa")
    krcs = OrganisationFactory(name="Kenya Red Cross Society", acronym="KRCS")
    nrc = OrganisationFactory(name="Norwegian Refugee Council (NRC)", acronym="NRC")
    editor = UserFactory(username="imogen", organisation=krcs)
    GroupRoleFactory(user=editor, role=Role.EDITOR)

    log_in(page, "imogen")
    page.goto("/activities/imports/")
    page.get_by_role("button", name="Import a 3W file").click()
    page.get_by_label("File").set_input_files(str(three_w))
    page.get_by_label("Country").select_option("KEN")
    page.get_by_label("Source").fill("OCHA Kenya 3W")
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: counts, and the doubtful organisation waiting for a decision.
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_text("3 rows were read from the file.")).to_be_visible()
    expect(page.get_by_text("activities to create")).to_be_visible()
    confirm = page.get_by_role("button", name="Confirm the import")
    expect(confirm).to_be_disabled()
    review = page.get_by_role("article").filter(has_text="Norwegian Refugee Counsel")
    expect(review.get_by_role("table")).to_contain_text("Norwegian Refugee Council (NRC)")

    # Accept the suggested match, with the keyboard.
    review.get_by_role("radio", name="Accept the suggested match").check()
    review.get_by_role("button", name="Save this decision").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("The suggested match for “Norwegian Refugee Counsel” was accepted.")
    ).to_be_visible()
    expect(page.get_by_text("Decided: the suggested match")).to_be_visible()

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(page.get_by_text("activities created")).to_be_visible()
    nrc.refresh_from_db()
    assert "Norwegian Refugee Counsel" in nrc.other_names
    assert Organisation.objects.filter(acronym="NRC").count() == 1

    # The map of Kenya lists the areas with how many organisations work in each.
    page.get_by_role("button", name="Map of Kenya").click()
    areas = page.get_by_role("table", name="Organisations present per admin area (level 1)")
    # Cells after the row's name: P-code, organisations, activities.
    turkana = areas.get_by_role("row").filter(has_text="Turkana").get_by_role("cell")
    expect(turkana.nth(0)).to_have_text("KE023")
    expect(turkana.nth(1)).to_have_text("2")
    garissa = areas.get_by_role("row").filter(has_text="Garissa").get_by_role("cell")
    expect(garissa.nth(1)).to_have_text("1")
