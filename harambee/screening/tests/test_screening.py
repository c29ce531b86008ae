"""Screening against the index built from the database: hits, rules, explanations."""

from __future__ import annotations

import pytest

from harambee.screening.selectors import active_index
from harambee.screening.services import screen_name

pytestmark = pytest.mark.django_db


def refs(hits):
    return [h["ref"] for h in hits]


def test_hit_shape_and_explanation(un_small):
    hits = screen_name(name="Mansoor, Abdul Latif", schema="person")
    assert refs(hits) == ["TAi.001"]
    hit = hits[0]
    assert set(hit) >= {"source", "ref", "name", "matched_name", "score", "explanation"}
    assert hit["source"] == "un" and hit["name"] == "ABDUL LATIF MANSUR"
    exp = hit["explanation"]
    assert exp["query_name"] == "Mansoor, Abdul Latif"
    assert exp["list_name"] == hit["matched_name"]
    assert exp["parts"] and all({"query", "list", "score"} <= set(p) for p in exp["parts"])
    assert exp["adjustments"] == []


def test_index_is_built_once_per_version_set(un_small):
    assert active_index() is active_index()
    assert len(active_index()) == 9


def test_dob_and_nationality_lower_but_never_raise(un_small):
    base = screen_name(name="Mohammed Hassan al-Tikriti")[0]["score"]
    agree = screen_name(
        name="Mohammed Hassan al-Tikriti", date_of_birth="1955-03-01", nationality="Iraq"
    )
    assert agree[0]["score"] == base
    assert agree[0]["explanation"]["agreements"] == ["date of birth agrees", "nationality agrees"]
    differs = screen_name(
        name="Mohammed Hassan al-Tikriti", date_of_birth="1990", nationality="FR", threshold=0.5
    )
    adjustments = differs[0]["explanation"]["adjustments"]
    assert [a["reason"] for a in adjustments] == ["date of birth differs", "nationality differs"]
    assert differs[0]["score"] == pytest.approx(base - 0.25, abs=1e-3)
    # a weak name match stays below the threshold even when DOB and nationality agree
    weak = "Mohammed Omar Tikriti"
    alone = screen_name(name=weak, threshold=0.3)[0]["score"]
    helped = screen_name(name=weak, date_of_birth="1955", nationality="IQ", threshold=0.3)
    assert alone < 0.8 and helped[0]["score"] == alone
    assert screen_name(name=weak, date_of_birth="1955", nationality="IQ") == []


def test_common_given_name_alone_is_not_a_hit(un_small):
    assert screen_name(name="Mohammed") == []
    assert screen_name(name="Mohammed", threshold=0.5)[0]["explanation"]["caps"]


def test_identifier_match_is_a_hit(un_small):
    hits = screen_name(name="Somebody Else", identifiers=["OA-123456"])
    assert refs(hits) == ["TAi.001"] and hits[0]["score"] == 1.0
    assert hits[0]["explanation"]["method"] == "identifier"


def test_original_script_and_cross_script(un_small):
    assert refs(screen_name(name="Владимир Петров")) == ["XXi.003"]
    assert "TAi.001" in refs(screen_name(name="عبد اللطيف منصور"))


def test_weak_alias_and_schema(un_small):
    hits = screen_name(name="Abu Latif", threshold=0.5)
    assert hits[0]["explanation"]["list_name_quality"] == "weak"
    assert "weak alias (x0.92)" in hits[0]["explanation"]["caps"]
    assert refs(screen_name(name="Al Furqan Trading Company", schema="organisation")) == ["QDe.200"]
    assert screen_name(name="Al Furqan Trading Company", schema="person") == []
