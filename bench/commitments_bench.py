"""The results summary for a whole framework against pandas, on the same rows, in one process.

    .venv/bin/python -m bench.commitments_bench [ROWS]

A fresh SQLite database in a temporary directory: 500 organisations, one framework of 200
indicators (numbers and percentages; sum and latest over time; sum and max over places;
increases and decreases) and 1,000,000 progress report rows (default): 125 organisations
per indicator, 2 places each, 4 monthly periods, 5 rows per cell and period (half of them a
total with 4 sex × age categories, where the total wins; half 5 age categories and no total,
which add up); 90% approved, the rest submitted or draft; the fourth month ends after the
as-of date. Loading is not timed, for either side.

- Harambee: `status.summarise_specs` (one SQL statement: per-period, per-cell and per-indicator
  GROUP BYs and a window for `latest`; then expected, progress and status in Python);
- pandas: the same rules as DataFrame operations over the same rows (read from the same
  table beforehand), then the same finishing step (expected, progress, status).
Target: Harambee within 5x pandas' time, with results equal for every indicator.
"""

from __future__ import annotations

import atexit
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 5.0
AS_OF = datetime.date(2025, 3, 31)
MONTHS = [
    (datetime.date(2025, 1, 1), datetime.date(2025, 1, 31)),
    (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)),
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),
    (datetime.date(2025, 4, 1), datetime.date(2025, 4, 30)),  # after the as-of date
]
SEX_AGE = [("female", "0-17"), ("female", "18+"), ("male", "0-17"), ("male", "18+")]
AGES = ["0-4", "5-11", "12-17", "18-59", "60+"]
PLACES = ["UGA", "KEN", "ETH", "SSD", "COD", "RWA", "TZA", "BDI", "SOM", "SDN"]


def _setup() -> None:
    import django

    directory = Path(tempfile.mkdtemp(prefix="harambee-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ["HARAMBEE_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _load(total_rows: int) -> tuple[Any, list[Any]]:
    from django.db import transaction

    from harambee.commitments.models import (
        Indicator,
        IndicatorTarget,
        ProgressReport,
        ResultsFramework,
    )
    from harambee.core.bulk import insert_values
    from harambee.network.models import Organisation

    rng = random.Random(20250331)
    with transaction.atomic():
        insert_values(
            Organisation,
            (
                {"name": f"Bench organisation {n}", "acronym": f"BO{n}", "org_type": "other"}
                for n in range(500)
            ),
        )
        org_ids = list(Organisation.objects.values_list("pk", flat=True))
        framework = ResultsFramework.objects.create(code="BENCH", title="Bench framework")
        indicators = []
        for n in range(200):
            percentage = n % 4 == 3
            indicators.append(
                Indicator(
                    framework=framework,
                    code=f"I{n:03d}",
                    title=f"Indicator {n}",
                    unit="percentage" if percentage else "number",
                    time_aggregation="latest" if n % 2 else "sum",
                    place_aggregation="max" if n % 5 == 4 else "sum",
                    direction="decrease" if n % 7 == 6 else "increase",
                    disaggregations=["sex", "age"],
                    baseline_value=10.0 if percentage else float(rng.randint(0, 500)),
                    baseline_date=datetime.date(2024, 12, 31),
                )
            )
        Indicator.objects.bulk_create(indicators)
        indicators = list(framework.indicators.order_by("pk"))
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(
                indicator=ind,
                date=datetime.date(2025, 12, 31),
                value=(
                    90.0
                    if ind.unit == "percentage"
                    else (
                        ind.baseline_value * 0.5
                        if ind.direction == "decrease"
                        else ind.baseline_value + 50_000.0
                    )
                ),
            )
            for ind in indicators
        )
        per_cell_period = 5
        orgs_per_indicator = 125
        cell_periods = total_rows // per_cell_period
        per_indicator = max(1, cell_periods // len(indicators))
        places_per_org = 2

        def rows() -> Any:
            made = 0
            for ind in indicators:
                percent = ind.unit == "percentage"
                orgs = rng.sample(org_ids, orgs_per_indicator)
                budget = per_indicator
                for org in orgs:
                    places = rng.sample(PLACES, places_per_org)
                    for place in places:
                        for k, (start, end) in enumerate(MONTHS):
                            if budget <= 0 or made >= total_rows:
                                continue
                            budget -= 1
                            status = rng.choices(["approved", "submitted", "draft"], [90, 6, 4])[0]
                            with_total = (org + k) % 2 == 0
                            cats = (
                                [("", ""), *SEX_AGE] if with_total else [("", age) for age in AGES]
                            )
                            for sex, age in cats:
                                made += 1
                                if percent:
                                    d = float(rng.randint(10, 200))
                                    n = float(rng.randint(0, int(d)))
                                    v = None
                                else:
                                    v, n, d = float(rng.randint(0, 1000)), None, None
                                yield {
                                    "indicator_id": ind.pk,
                                    "organisation_id": org,
                                    "country_id": place,
                                    "place_code": place,
                                    "period_start": start,
                                    "period_end": end,
                                    "sex": sex,
                                    "age": age,
                                    "population_group": "",
                                    "is_total": not (sex or age),
                                    "value": v,
                                    "numerator": n,
                                    "denominator": d,
                                    "status": status,
                                }

        written = insert_values(ProgressReport, rows(), chunk=20000)
    return framework, [written]


def _pandas_totals(frame: Any, specs: list[Any]) -> dict[int, Any]:
    """Steps 1-3 of the rules with pandas (status.py has them in SQL and in plain Python)."""
    import pandas as pd

    from harambee.commitments.status import Totals

    df = frame[(frame["status"] == "approved") & (frame["period_end"] <= pd.Timestamp(AS_OF))]
    total = df["is_total"].astype(bool)
    df = df.assign(
        tv=df["value"].where(total),
        tn=df["numerator"].where(total),
        td=df["denominator"].where(total),
    )
    keys = ["indicator_id", "organisation_id", "place_code", "period_end", "period_start"]
    per = df.groupby(keys, sort=False)[["tv", "tn", "td", "value", "numerator", "denominator"]].sum(
        min_count=1
    )
    per = pd.DataFrame(
        {
            "v": per["tv"].fillna(per["value"]),
            "n": per["tn"].fillna(per["numerator"]),
            "d": per["td"].fillna(per["denominator"]),
        }
    ).reset_index()
    latest_ids = [s.pk for s in specs if s.time_aggregation == "latest"]
    is_latest = per["indicator_id"].isin(latest_ids)
    cell = ["indicator_id", "organisation_id", "place_code"]
    latest = (
        per[is_latest]
        .sort_values(["period_end", "period_start"])
        .drop_duplicates(cell, keep="last")[[*cell, "v", "n", "d"]]
    )
    summed = per[~is_latest].groupby(cell, sort=False)[["v", "n", "d"]].sum(min_count=1)
    cells = pd.concat([latest.set_index(cell), summed])
    agg = cells.groupby(level=0).agg(
        cells=("v", "size"),
        v_sum=("v", lambda s: s.sum(min_count=1)),
        v_max=("v", "max"),
        n_sum=("n", lambda s: s.sum(min_count=1)),
        d_sum=("d", lambda s: s.sum(min_count=1)),
    )

    def plain(x: Any) -> float | None:
        return None if pd.isna(x) else float(x)

    return {
        int(ind): Totals(
            cells=int(r.cells),
            value_sum=plain(r.v_sum),
            value_max=plain(r.v_max),
            numerator_sum=plain(r.n_sum),
            denominator_sum=plain(r.d_sum),
        )
        for ind, r in agg.iterrows()
    }


def main() -> int:
    total_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    _setup()
    import pandas as pd
    from django.db import connection

    from harambee.commitments import status as rules

    started = time.perf_counter()
    framework, (written,) = _load(total_rows)
    print(f"loaded {written:,} report rows in {time.perf_counter() - started:.1f} s (not timed)")
    indicators = list(framework.indicators.select_related("framework").prefetch_related("targets"))
    specs = rules.specs_for(indicators)
    connection.ensure_connection()
    frame = pd.read_sql_query(
        "SELECT indicator_id, organisation_id, place_code, period_start, period_end, is_total, "
        "value, numerator, denominator, status FROM commitments_progressreport",
        connection.connection,
    )
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    frame["status"] = frame["status"].astype("category")
    frame["place_code"] = frame["place_code"].astype("category")
    rules.summarise_specs(specs, AS_OF)  # warm the page cache, as pandas has its rows in memory

    def harambee() -> dict[str, Any]:
        return {c: r.as_json() for c, r in rules.summarise_specs(specs, AS_OF).items()}

    def with_pandas() -> dict[str, Any]:
        totals = _pandas_totals(frame, specs)
        return {
            s.code: rules.finish(
                s, rules.actual_from_totals(s, totals.get(int(s.pk or 0), rules.Totals())), AS_OF
            ).as_json()
            for s in specs
        }

    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for name, run in (("harambee", harambee), ("pandas", with_pandas)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            results[name] = run()
            best = min(best, time.perf_counter() - start)
        timings[name] = best
    assert results["harambee"] == results["pandas"], "Harambee and pandas disagree"
    statuses: dict[str, int] = {}
    for r in results["harambee"].values():
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    ratio = timings["harambee"] / timings["pandas"]
    print(f"indicators: {len(specs)}, statuses: {dict(sorted(statuses.items()))}")
    print(f"harambee summary (SQL): {timings['harambee'] * 1000:8.0f} ms (best of 3)")
    print(f"pandas, same rules:     {timings['pandas'] * 1000:8.0f} ms (best of 3)")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x); results equal: yes")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
