"""load-list, screen and screen-pairs: output shapes."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import SMALL_UN

pytestmark = pytest.mark.django_db


def test_load_list_prints_counts_and_diff():
    out = io.StringIO()
    call_command("load-list", "--source", "un", str(SMALL_UN), stdout=out)
    assert "4 entries, 9 names" in out.getvalue() and "First version" in out.getvalue()
    out = io.StringIO()
    call_command("load-list", "--source", "un", str(SMALL_UN), stdout=out)
    assert "0 added, 0 removed, 0 changed, 4 unchanged" in out.getvalue()


def test_load_list_bad_file(tmp_path):
    bad = tmp_path / "x.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIV")
    with pytest.raises(CommandError, match="list_format_invalid"):
        call_command("load-list", "--source", "un", str(bad))


def test_screen_writes_one_line_per_query(un_small, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text(
        "id,name,schema,date_of_birth,nationality\n"
        "a,Abdul Latif Mansoor,person,1968,af\n"
        "b,Nobody Known,,,\n"
        "c,AL FURQAN TRADING,organisation,,\n",
        encoding="utf-8",
    )
    output = tmp_path / "hits.jsonl"
    call_command("screen", "--input", str(queries), "--output", str(output), stderr=io.StringIO())
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["hits"][0]["ref"] == "TAi.001" and lines[1]["hits"] == []
    assert lines[2]["hits"][0]["ref"] == "QDe.200"
    hit = lines[0]["hits"][0]
    assert {"source", "ref", "name", "matched_name", "score", "explanation"} <= set(hit)
    scores = [h["score"] for line in lines for h in line["hits"]]
    assert all(s >= 0.8 for s in scores)
    call_command(
        "screen",
        "--input",
        str(queries),
        "--output",
        str(output),
        "--threshold",
        "0.99",
        stderr=io.StringIO(),
    )
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert all(h["score"] >= 0.99 for line in lines for h in line["hits"])


def test_screen_without_name_column(un_small, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("id,full\n1,x\n")
    with pytest.raises(CommandError, match="no 'name' column"):
        call_command("screen", "--input", str(queries), "--output", str(tmp_path / "o"))


def test_screen_pairs(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "id,name1,name2,schema\n1,Mohamed Ali,Muhammad Aly,Person\n2,Olaf Scholz,Octavian Scholz,Person\n",
        encoding="utf-8",
    )
    output = tmp_path / "scores.csv"
    call_command(
        "screen-pairs", "--input", str(pairs), "--output", str(output), stderr=io.StringIO()
    )
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "score", "match"]
    assert [(r["id"], r["match"]) for r in rows] == [("1", "true"), ("2", "false")]
    assert 0 <= float(rows[1]["score"]) < 0.8 <= float(rows[0]["score"]) <= 1
