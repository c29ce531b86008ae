"""Small-cell suppression and k-anonymity on 1,000,000 rows, against a plain pandas group-by
of the same rows, in the same process.

    .venv/bin/python -m bench.disclosure_bench [rows]

Rows are synthetic feedback-like records: admin area (400 areas, skewed), week (52), type (6),
age (0-90), sex. Figures:
- pandas group-by (area x week counts): the floor, what any aggregate costs;
- harambee.core.disclosure.group_counts + suppress on the same table (counting in Python,
  then primary and secondary suppression to a fixed point);
- suppress alone on the counted table;
- k_anonymise over (area, age, sex, week) with k=5, generalising age to bands, weeks to
  months (4-week blocks) and areas one level up; against pandas counting the same groups.
"""

from __future__ import annotations

import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")


def _timed(label: str, fn, results):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - start
    results.append((label, elapsed))
    print(f"{label:<62} {elapsed:8.3f} s", flush=True)
    return value


def main() -> int:
    import django

    django.setup()
    import pandas as pd

    from harambee.core.disclosure import AGE, group_counts, k_anonymise, parent_of, suppress

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(42)
    areas = [f"AF{i:04d}" for i in range(400)]
    weights = [1 / (i + 1) for i in range(400)]  # a few big areas, a long tail of small ones
    area_col = rng.choices(areas, weights=weights, k=n)
    week_col = [rng.randrange(1, 53) for _ in range(n)]
    age_col = [rng.randrange(0, 91) for _ in range(n)]
    sex_col = rng.choices("mf", k=n)
    records = [
        {"area": a, "week": w, "age": g, "sex": s}
        for a, w, g, s in zip(area_col, week_col, age_col, sex_col, strict=True)
    ]
    frame = pd.DataFrame({"area": area_col, "week": week_col, "age": age_col, "sex": sex_col})
    parents = {a: a[:4] for a in areas}
    print(f"{n:,} rows", flush=True)
    results: list[tuple[str, float]] = []

    _timed(
        "pandas group-by area x week (baseline)",
        lambda: frame.groupby(["area", "week"]).size(),
        results,
    )
    cells = _timed(
        "count area x week in Python (group_counts)",
        lambda: group_counts(records, "area", "week"),
        results,
    )
    table = _timed("suppress (primary + secondary, fixed point)", lambda: suppress(cells), results)
    print(
        f"  {len(cells):,} cells: {len(table.primary):,} primary, {len(table.secondary):,} "
        f"secondary, {table.passes} passes",
        flush=True,
    )
    _timed(
        "pandas group-by area x age x sex x week (baseline)",
        lambda: frame.groupby(["area", "age", "sex", "week"]).size(),
        results,
    )
    _released, report = _timed(
        "k_anonymise k=5 over area, age, sex, week",
        lambda: k_anonymise(
            records,
            ["area", "age", "sex", "week"],
            k=5,
            hierarchies={
                "age": AGE,
                "week": [lambda w: (w - 1) // 4, lambda w: "*"],
                "area": [parent_of(parents)],
            },
        ),
        results,
    )
    print(f"  report: {report.as_dict()}", flush=True)
    times = dict(results)
    suppression = (
        times["count area x week in Python (group_counts)"]
        + times["suppress (primary + secondary, fixed point)"]
    )
    print(
        f"\nsuppression (count + suppress) / pandas group-by: "
        f"{suppression / times['pandas group-by area x week (baseline)']:.1f}x",
        flush=True,
    )
    print(
        f"k-anonymity / pandas group-by of the same quasi-identifiers: "
        f"{times['k_anonymise k=5 over area, age, sex, week'] / times['pandas group-by area x age x sex x week (baseline)']:.1f}x",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
