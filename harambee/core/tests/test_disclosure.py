import datetime
import random

from harambee.core.disclosure import (
    AGE,
    DATE,
    k_anonymise,
    parent_of,
    suppress,
    suppress_series,
)


def _lines_safe(table):
    """No published line (row or column with a published total) holds exactly one hidden cell."""
    rows, cols = {}, {}
    for key in table.cells:
        rows.setdefault(key[0], []).append(key)
        cols.setdefault(key[1], []).append(key)
    for totals, lines in ((table.row_totals, rows), (table.column_totals, cols)):
        for name, keys in lines.items():
            hidden = [k for k in keys if k in table.hidden]
            if totals[name] is not None:
                assert len(hidden) != 1, (name, hidden)


def test_primary_and_secondary_suppression():
    cells = {
        ("A", "x"): 3,
        ("A", "y"): 20,
        ("A", "z"): 30,
        ("B", "x"): 12,
        ("B", "y"): 25,
        ("B", "z"): 40,
    }
    table = suppress(cells, threshold=5)
    assert table.primary == {("A", "x")}
    # Row A and column x each had one hidden cell: the smallest other cells are hidden too.
    assert ("A", "y") in table.secondary and ("B", "x") in table.secondary
    assert table.value("A", "x") is None and table.value("B", "z") == 40
    assert table.row_totals["A"] == 53 and table.grand_total == 130
    _lines_safe(table)


def test_zeros_are_shown_and_small_totals_hidden():
    table = suppress({("A", "x"): 0, ("A", "y"): 2, ("B", "x"): 0, ("B", "y"): 1}, threshold=5)
    assert table.value("A", "x") == 0
    assert table.row_totals["A"] is None and table.grand_total is None


def test_a_line_with_nothing_else_to_hide_hides_its_total():
    table = suppress({("A", "x"): 2, ("B", "x"): 50, ("B", "y"): 60}, threshold=5)
    assert table.row_totals["A"] is None


def test_fixed_point_on_random_tables():
    rng = random.Random(7)
    for _ in range(50):
        cells = {
            (r, c): rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])
            for r in range(rng.randint(1, 6))
            for c in range(rng.randint(1, 6))
        }
        table = suppress(cells, threshold=5)
        assert all(0 < cells[k] < 5 for k in table.primary)
        _lines_safe(table)


def test_non_additive_rows_need_no_secondary_cell():
    table = suppress(
        {("A", "x"): 3, ("A", "y"): 20, ("B", "x"): 9, ("B", "y"): 25},
        threshold=5,
        additive_rows=False,
    )
    assert ("A", "y") not in table.hidden
    assert ("B", "x") in table.secondary  # the column still adds up


def test_series():
    assert suppress_series({"w1": 3, "w2": 10, "w3": 12}, threshold=5) == {
        "w1": None,
        "w2": None,
        "w3": 12,
    }
    assert suppress_series({"w1": 30, "w2": 10}) == {"w1": 30, "w2": 10}


def test_k_anonymity_generalises_then_suppresses_with_a_report():
    rng = random.Random(3)
    parents = {f"A{i}": f"P{i % 3}" for i in range(30)}
    records = [
        {
            "age": rng.randint(0, 90),
            "area": f"A{rng.randint(0, 29)}",
            "date": datetime.date(2026, rng.randint(1, 12), rng.randint(1, 28)),
            "answer": i,
        }
        for i in range(2000)
    ]
    released, report = k_anonymise(
        records,
        ["age", "area", "date"],
        k=5,
        hierarchies={"age": AGE, "area": [parent_of(parents)], "date": DATE},
    )
    groups = {}
    for r in released:
        groups.setdefault((r["age"], r["area"], r["date"]), []).append(r)
    assert min(len(g) for g in groups.values()) >= 5
    assert report.suppressed <= 0.05 * len(records) and report.suppressed == 2000 - len(released)
    assert report.smallest_group >= 5 and sum(report.levels.values()) > 0
    assert report.as_dict()["generalisation_levels"] == report.levels
    assert {r["answer"] for r in released} <= set(range(2000))  # other fields untouched


def test_k_anonymity_already_anonymous_data_is_left_alone():
    records = [{"sex": s} for s in "mf" for _ in range(10)]
    released, report = k_anonymise(records, ["sex"], k=5)
    assert released == records and report.levels == {"sex": 0} and report.suppressed == 0
