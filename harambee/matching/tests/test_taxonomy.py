import time
from pathlib import Path

import pytest
from django.core.management import call_command

from harambee.core.errors import ServiceError
from harambee.matching.models import IscoGroup, Occupation, OccupationSkill, Skill
from harambee.matching.taxonomy import clear_index, load_esco, search_occupations, search_skills

from .esco import OCC, SKILL, build_esco

REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "taxonomies"
if not REAL.exists():
    REAL = Path("/work/shared/data/taxonomies")

pytestmark = pytest.mark.django_db


def test_load_reads_groups_occupations_skills_and_relations(tmp_path):
    counts = load_esco(build_esco(tmp_path))
    assert counts["isco_groups_inserted"] == 14
    assert counts["occupations_inserted"] == 6
    nurse = Occupation.objects.get(uri=OCC + "nurse")
    assert nurse.isco_group_id == "2221"
    assert nurse.code == "2221.1"
    assert nurse.alt_labels == ["general nurse", "registered nurse"]
    assert IscoGroup.objects.get(code="2221").parent_code == "222"
    links = {
        (link.skill.uri, link.essential)
        for link in OccupationSkill.objects.filter(occupation=nurse)
    }
    assert (SKILL + "wound", True) in links
    assert (SKILL + "triage", False) in links


def test_load_is_idempotent_and_updates_in_place(tmp_path):
    load_esco(build_esco(tmp_path / "a"))
    ids = dict(Skill.objects.values_list("uri", "pk"))
    counts = load_esco(build_esco(tmp_path / "a"))
    assert counts["skills_inserted"] == 0 and counts["skills_updated"] == 0
    assert counts["relations_inserted"] == 0
    counts = load_esco(build_esco(tmp_path / "b", extra_skill=True))
    assert counts["skills_inserted"] == 1
    assert {u: p for u, p in Skill.objects.values_list("uri", "pk") if u in ids} == ids
    assert OccupationSkill.objects.count() == 10


def test_command_reports_and_refuses_a_folder_without_esco(tmp_path, capsys):
    call_command("load-esco", str(build_esco(tmp_path / "esco")))
    assert "occupations inserted 6" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    with pytest.raises(ServiceError):
        load_esco(tmp_path / "empty")


def test_search_tolerates_typos_and_other_labels(esco):
    assert search_occupations("nurse responsible for genral care")[0].code == "2221.1"
    assert search_occupations("famly doctor")[0].code == "2211.1"
    assert search_occupations("midwfe")[0].label == "midwife"
    assert search_skills("adminster medication")[0].label == "administer medication"
    assert search_occupations("zzzz qqqq") == []


@pytest.mark.skipif(not REAL.exists(), reason="shared ESCO data not present")
def test_real_esco_loads_in_a_few_seconds():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the whole ESCO load is checked on SQLite only (about 3 s there)")
    clear_index()
    started = time.perf_counter()
    counts = load_esco(REAL)
    assert time.perf_counter() - started < 20
    assert counts["occupations_inserted"] == 3007
    assert counts["skills_inserted"] == 13896
    assert IscoGroup.objects.count() == 619
    assert OccupationSkill.objects.filter(essential=True).count() > 50_000
    assert search_occupations("registred nurse")[0].code.startswith("2221")
    clear_index()
