"""The console: import-fts (files, folders, errors) and funding-summary (JSON contract, table)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from .helpers import DATA, fts_flow, fts_page

pytestmark = pytest.mark.django_db


def test_import_then_summary_json_contract(capsys):
    call_command("import-fts", str(DATA / "fts_jordan_2020"))
    out = capsys.readouterr()
    assert "478 created" in out.out
    call_command("funding-summary", "--country", "jor", "--year", "2020", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["funding_total_usd"] == 714246261
    assert data["pledge_total_usd"] == 81128
    assert data["flows_total"] == 478
    assert isinstance(data["flows_counted"], int) and 0 < data["flows_counted"] < 478
    assert isinstance(data["by_sector"], dict)
    assert {"not specified", "shared", "Education"} <= set(data["by_sector"])
    assert sum(data["by_sector"].values()) == data["funding_total_usd"]


def test_summary_table(tmp_path, capsys):
    call_command("import-fts", str(fts_page(tmp_path, "p.json", [fts_flow(1, 1234567)])))
    capsys.readouterr()
    call_command("funding-summary", "--country", "JOR", "--year", "2020")
    out = capsys.readouterr().out
    assert "1,234,567" in out and "not specified" in out and "UN agency" in out


def test_summary_unknown_country():
    with pytest.raises(CommandError, match="Unknown country"):
        call_command("funding-summary", "--country", "XXX", "--year", "2020")


def test_import_error_is_a_command_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import-fts", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-fts", str(tmp_path / "missing.json"))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match="No JSON files"):
        call_command("import-fts", str(empty))
