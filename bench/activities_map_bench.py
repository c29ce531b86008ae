"""The map and the coverage matrix for one country with 50,000 activities, against a naive
Python aggregation over every row, side by side in one process.

    .venv/bin/python -m bench.activities_map_bench [--activities 50000] [--repeat 5]
        [--spread clustered|uniform]

Organisations work in a few districts and sectors each, as in real 3W files (`clustered`);
`uniform` scatters every activity anywhere, the worst case for grouping (nearly one group per
activity).

It migrates a throw-away SQLite database in a temporary directory (HARAMBEE_VAR_DIR and
DATABASE_URL are set before Django starts), fills it with bulk_create, and prints the median
time and the number of queries of each. With BENCH_PG_URL=postgres://... it runs the same in a
throw-away PostgreSQL test database too (created and dropped; the named database is untouched).
Target: under 300 ms for the map and the matrix, a fixed number of queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHILD = "--child"
TARGET_MS = 300.0


def _setup(postgres: bool) -> Any:
    """Configure Django on a throw-away database; returns a cleanup function."""
    if not postgres:
        directory = Path(tempfile.mkdtemp(prefix="harambee-activities-bench-"))
        os.environ["HARAMBEE_VAR_DIR"] = str(directory)
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    else:
        os.environ["HARAMBEE_VAR_DIR"] = tempfile.mkdtemp(prefix="harambee-activities-bench-")
        os.environ["DATABASE_URL"] = os.environ["BENCH_PG_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if postgres:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)
    call_command("migrate", verbosity=0)
    return lambda: None


def _fill(count: int, spread: str) -> dict[str, Any]:
    """One country: 34 provinces, 400 districts, 300 organisations, 50,000 activities."""
    from harambee.activities.models import Activity, ActivityPlace, Sector
    from harambee.core.choices import Visibility
    from harambee.network.models import Organisation
    from harambee.places.models import AdminArea

    rng = random.Random(7)
    provinces = AdminArea.objects.bulk_create(
        AdminArea(
            pcode=f"AF{p:02d}", country_id="AFG", level=1, name=f"Province {p}",
            latitude=30 + p / 10, longitude=62 + p / 5,
        )
        for p in range(1, 35)
    )  # fmt: skip
    districts = AdminArea.objects.bulk_create(
        AdminArea(
            pcode=f"{provinces[d % 34].pcode}{d:03d}", country_id="AFG", level=2,
            name=f"District {d}", parent=provinces[d % 34],
        )
        for d in range(400)
    )  # fmt: skip
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i}", org_type="national_ngo") for i in range(300)
    )
    sectors = list(Sector.objects.filter(country__isnull=True))
    # As in real 3W files, an organisation works in a few districts and sectors ("clustered");
    # "uniform" scatters every activity at random: the worst case for grouping.
    footprint = {
        org.pk: (
            rng.sample(districts, rng.randint(3, 25)),
            rng.sample(sectors, rng.randint(1, 4)),
        )
        for org in organisations
    }
    owner = organisations[0]
    activities = []
    where = []
    for i in range(count):
        hidden = i % 10 == 0  # some records only their organisation sees
        org = rng.choice(organisations)
        if spread == "uniform":
            district, sector = rng.choice(districts), rng.choice(sectors)
        else:
            district, sector = rng.choice(footprint[org.pk][0]), rng.choice(footprint[org.pk][1])
        # One place in five is given for the province only.
        where.append(district if rng.random() < 0.8 else district.parent)
        activities.append(
            Activity(
                country_id="AFG",
                implementing_organisation=org,
                sector=sector,
                title=f"Activity {i}",
                people_targeted=rng.randint(100, 50_000),
                people_reached=rng.randint(0, 40_000) if i % 3 else None,
                people_in_need=rng.randint(1000, 90_000) if i % 5 == 0 else None,
                visibility=Visibility.ORGANISATION if hidden else Visibility.PUBLIC,
                owner_organisation=owner if hidden else None,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=5000)
    places = [
        ActivityPlace(activity_id=activity.pk, admin_area=area)
        for activity, area in zip(activities, where, strict=True)
    ]
    ActivityPlace.objects.bulk_create(places, batch_size=5000)
    from django.db import connection

    # What autovacuum does after a bulk load (PostgreSQL): planner statistics, and the
    # visibility map that lets the covering indexes answer without reading the table.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"owner": owner}


def _naive(user: Any, level: int) -> dict[tuple[int, int], dict[str, Any]]:
    """The baseline: read every place with its activity and area, aggregate in Python."""
    from harambee.activities.models import Activity, ActivityPlace

    visible = Activity.objects.restrict(user)
    cells: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"organisations": set(), "reached": None}
    )
    rows = ActivityPlace.objects.filter(
        activity__in=visible, activity__country_id="AFG", admin_area__level__gte=level
    ).select_related("activity", "admin_area__parent__parent")
    for place in rows.iterator(chunk_size=5000):
        area = place.admin_area
        while area.level > level:
            area = area.parent
        cell = cells[(place.activity.sector_id, area.pk)]
        cell["organisations"].add(place.activity.implementing_organisation_id)
        reached = place.activity.people_reached
        if reached is not None and (cell["reached"] is None or reached > cell["reached"]):
            cell["reached"] = reached
    return cells


def _timed(function: Callable[[], Any], repeat: int) -> tuple[float, int, Any]:
    """(median milliseconds, queries of one run, result)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    result = None
    times = []
    queries = 0
    for index in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = function()
            times.append((time.perf_counter() - start) * 1000)
        if index == 0:
            queries = len(captured)
    return statistics.median(times), queries, result


def run(count: int, repeat: int, postgres: bool, spread: str = "clustered") -> int:
    cleanup = _setup(postgres)
    try:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from harambee.activities.coverage import coverage

        start = time.perf_counter()
        made = _fill(count, spread)
        fill_seconds = time.perf_counter() - start
        member = get_user_model().objects.create_user(
            "bench", password="bench-password-1", organisation=made["owner"]
        )
        client = Client()
        client.force_login(member)
        anonymous = Client()
        vendor = f"{connection.vendor} {getattr(connection, 'pg_version', '') if postgres else ''}".strip()
        print(
            f"Activities map and coverage: {count} activities ({spread}) in one country, {vendor}, "
            f"Python {sys.version.split()[0]} (filled in {fill_seconds:.1f} s)"
        )
        figures: list[tuple[str, float, int]] = []
        for label, function in [
            ("coverage selector, level 1", lambda: coverage(user=member, country="AFG", level=1)),
            ("coverage selector, level 2", lambda: coverage(user=member, country="AFG", level=2)),
            (
                "map selector, level 2",
                lambda: coverage(user=member, country="AFG", level=2, cells=False),
            ),
            (
                "coverage selector, level 2, sector WSH",
                lambda: coverage(user=member, country="AFG", level=2, filters={"sector": "WSH"}),
            ),
            (
                "coverage page, level 2 (member)",
                lambda: client.get("/activities/coverage/?country=AFG&level=2"),
            ),
            (
                "map page, level 2 (member)",
                lambda: client.get("/activities/map/?country=AFG&level=2"),
            ),
            (
                "map page, level 1 (anonymous)",
                lambda: anonymous.get("/activities/map/?country=AFG&level=1"),
            ),
        ]:
            ms, queries, result = _timed(function, repeat)
            status = getattr(result, "status_code", 200)
            assert status == 200, (label, status)
            figures.append((label, ms, queries))
        naive_ms, naive_queries, cells = _timed(lambda: _naive(member, 2), max(1, repeat // 2))
        fast = coverage(user=member, country="AFG", level=2)
        # The two agree: same organisations per cell.
        check = {
            (fast.sectors[i].pk, a.pk): c.organisations
            for a in fast.areas
            for i, c in enumerate(a.cells)
            if c.organisations
        }
        assert check == {k: len(v["organisations"]) for k, v in cells.items()}, "mismatch"
        width = max(len(label) for label, _ms, _q in figures) + 2
        baseline = "naive Python aggregation over every place, level 2"
        width = max(width, len(baseline) + 2)
        slow = False
        for label, ms, queries in figures:
            flag = "" if ms < TARGET_MS else f"  (over {TARGET_MS:.0f} ms)"
            slow = slow or bool(flag)
            print(
                f"  {label:<{width}} {ms:8.1f} ms  {queries:3d} queries  "
                f"{naive_ms / ms:6.1f}x faster than naive{flag}"
            )
        print(f"  {baseline:<{width}} {naive_ms:8.1f} ms  {naive_queries:3d} queries")
        return 1 if slow else 0
    finally:
        cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--spread",
        choices=["clustered", "uniform"],
        default="clustered",
        help="clustered: organisations work in a few districts and sectors, as in 3W files; "
        "uniform: every activity anywhere (the worst case)",
    )
    parser.add_argument(CHILD, choices=["sqlite", "postgres"], default=None)
    args = parser.parse_args()
    if args.child:
        return run(args.activities, args.repeat, args.child == "postgres", args.spread)
    # One process per database: Django is configured once per process.
    engines = ["sqlite"] + (["postgres"] if os.environ.get("BENCH_PG_URL") else [])
    failed = 0
    for engine in engines:
        command = [sys.executable, "-m", "bench.activities_map_bench", CHILD, engine]
        command += ["--activities", str(args.activities), "--repeat", str(args.repeat)]
        command += ["--spread", args.spread]
        failed += subprocess.run(command, cwd=Path(__file__).parent.parent).returncode != 0
    if "postgres" not in engines:
        print("  (set BENCH_PG_URL=postgres://user@host/db to time PostgreSQL too)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
