import csv

import pytest
from django.core.management import CommandError, call_command

from .esco import SKILL

pytestmark = pytest.mark.django_db

OFFERS = f"""id,kind,occupations,skills,languages,country,remote,available_from,available_to,capacity,consent
amara,diaspora_expert,2221:8,manage wounds;administer medication,kri:C2;en:B2,SLE,no,2026-01-01,2026-12-31,1,yes
binta,volunteer,2222,{SKILL}infection,kri:B2,SLE,no,,,1,yes
chidi,mentor,2221,manage wounds,kri:C1,SLE,no,,,2,no
dawit,job_seeker,2221,manage wounds,kri:A2;en:C1,SLE,no,,,1,yes
"""
NEEDS = """id,occupations,skills_required,skills_optional,languages_required,country,remote_ok,start,end,posts
outbreak,2221,manage wounds,triage patients,kri:B2,SLE,no,2026-03-01,2026-05-31,2
"""


def write(tmp_path, offers=OFFERS, needs=NEEDS):
    (tmp_path / "offers.csv").write_text(offers)
    (tmp_path / "needs.csv").write_text(needs)
    return tmp_path / "offers.csv", tmp_path / "needs.csv", tmp_path / "matches.csv"


def run(tmp_path, **kw):
    offers, needs, output = write(
        tmp_path, **{k: v for k, v in kw.items() if k in ("offers", "needs")}
    )
    call_command(
        "match",
        offers=str(offers),
        needs=str(needs),
        output=str(output),
        mode=kw.get("mode", "optimal"),
    )
    with open(output, newline="") as f:
        return list(csv.DictReader(f))


def test_writes_one_row_per_assigned_post_with_reasons(esco, tmp_path):
    rows = run(tmp_path)
    assert [r["need_id"] for r in rows] == ["outbreak", "outbreak"]
    # chidi did not consent; dawit's Krio is below B2: amara and binta (partial: midwife).
    assert [r["offer_id"] for r in rows] == ["amara", "binta"]
    assert list(rows[0]) == ["need_id", "offer_id", "score", "reasons"]
    assert float(rows[0]["score"]) > float(rows[1]["score"])
    assert "same occupation 2221" in rows[0]["reasons"]
    assert "same ISCO minor group" in rows[1]["reasons"]


def test_stable_mode(esco, tmp_path):
    rows = run(tmp_path, mode="stable")
    assert {r["offer_id"] for r in rows} == {"amara", "binta"}


@pytest.mark.parametrize(
    ("offers", "needs", "message"),
    [
        (OFFERS.replace("2222,", "9999,"), NEEDS, "row 3, column occupations: unknown ISCO-08"),
        (
            OFFERS.replace("kri:B2", "xx:B2"),
            NEEDS,
            "row 3, column languages: unknown ISO 639 language code “xx”",
        ),
        (OFFERS.replace("kri:B2", "kri:D1"), NEEDS, "CEFR level"),
        (OFFERS.replace(",2,no", ",0,no"), NEEDS, "row 4, column capacity: must be at least 1"),
        (
            OFFERS.replace("2026-01-01,2026-12-31", "2026-12-31,2026-01-01"),
            NEEDS,
            "row 2, column available_to",
        ),
        (
            OFFERS.replace("binta,", "amara,"),
            NEEDS,
            "row 3, column id: duplicate id “amara” (also row 2)",
        ),
        (
            OFFERS,
            NEEDS.replace("2026-03-01,2026-05-31", "2026-05-31,2026-03-01"),
            "row 2, column end",
        ),
        (
            OFFERS,
            NEEDS.replace(",SLE,", ",XYZ,"),
            "column country: unknown ISO3 country code “XYZ”",
        ),
        (OFFERS, NEEDS.replace(",2\n", ",0\n"), "column posts: must be at least 1"),
        (OFFERS.replace("capacity,", ""), NEEDS, "missing columns capacity"),
        (OFFERS, NEEDS.replace("no,2026", "maybe,2026"), "column remote_ok: write yes or no"),
    ],
)
def test_bad_rows_name_row_and_column_and_nothing_is_written(
    esco, tmp_path, offers, needs, message
):
    offers_path, needs_path, output = write(tmp_path, offers, needs)
    with pytest.raises(CommandError) as raised:
        call_command("match", offers=str(offers_path), needs=str(needs_path), output=str(output))
    assert message in str(raised.value)
    assert "[batch_invalid]" in str(raised.value)
    assert not output.exists()
    assert not list(tmp_path.glob("*.part"))


def test_needs_the_taxonomy(db, tmp_path):
    offers, needs, output = write(tmp_path)
    with pytest.raises(CommandError, match="taxonomy_missing"):
        call_command("match", offers=str(offers), needs=str(needs), output=str(output))
