"""How fast OCHA's global P-code list loads, against a naive importer, side by side.

    .venv/bin/python -m bench.places_bench

Run on its own, it migrates a fresh SQLite database in a temporary directory (DATABASE_URL is
set before Django starts). Figures, all in this one process:
- plain CSV parse of the file: the floor, no checking and no database;
- naive importer: per-row Country.get, parent get and update_or_create in one transaction,
  timed on a sample and scaled to the whole file (then rolled back);
- `load-pcodes` into the empty database;
- `load-pcodes` again: nothing changes (the idempotent re-run).
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLE_ROWS = 2000
Result = tuple[str, float, float]


class _Rollback(Exception):
    pass


def _setup() -> None:
    import django
    from django.apps import apps

    if apps.ready:
        return
    directory = Path(tempfile.mkdtemp(prefix="harambee-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ["HARAMBEE_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _parse(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _row in csv.DictReader(handle))


def _naive(rows: list[dict[str, str]]) -> None:
    """What a first importer usually looks like: three queries or more per row."""
    from django.db import transaction

    from harambee.places.models import AdminArea, Country

    try:
        with transaction.atomic():
            for row in rows:
                level = int(row["Admin Level"])
                country = Country.objects.get(iso3=row["Location"])
                parent = AdminArea.objects.get(pcode=row["Parent P-Code"]) if level > 1 else None
                AdminArea.objects.update_or_create(
                    pcode=row["P-Code"],
                    defaults={
                        "country": country,
                        "level": level,
                        "parent": parent,
                        "name": row["Name"] or row["P-Code"],
                        "valid_from": row["Valid from date"] or None,
                    },
                )
            raise _Rollback
    except _Rollback:
        pass


def _sample(path: Path) -> tuple[list[dict[str, str]], int]:
    """Whole countries from the top of the file (parents come with their children)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    countries: list[str] = []
    for row in rows:
        if row["Location"] not in countries:
            countries.append(row["Location"])
        if len([r for r in rows[:SAMPLE_ROWS] if r["Location"] in countries]) >= SAMPLE_ROWS:
            break
    chosen = set(countries)
    sample = [r for r in rows if r["Location"] in chosen][:SAMPLE_ROWS]
    keep = {r["P-Code"] for r in sample}
    sample = [r for r in sample if r["Admin Level"] == "1" or r["Parent P-Code"] in keep]
    sample.sort(key=lambda r: r["Admin Level"])
    return sample, len(rows)


def run(path: Path | None = None) -> list[Result]:
    """(what, seconds, times the load-pcodes time) for each figure; [] without the file."""
    _setup()
    from django.conf import settings

    from harambee.places.importers import import_admin_areas
    from harambee.places.models import AdminArea

    path = path or settings.PROJECT_DIR.parent / "shared/data/places/global_pcodes_adm1_adm2.csv"
    if not path.exists():
        print(f"places bench: {path} not found; nothing measured.")
        return []
    if AdminArea.objects.exists():
        print("places bench: the database already has admin areas; run it on its own.")
        return []
    parse_seconds, total = _timed(lambda: _parse(path))
    sample, _rows = _sample(path)
    naive_seconds, _ = _timed(lambda: _naive(sample))
    naive_scaled = naive_seconds * total / len(sample)
    load_seconds, first = _timed(lambda: import_admin_areas(path))
    again_seconds, second = _timed(lambda: import_admin_areas(path))
    assert first.created == total and second.unchanged == total and not second.updated
    results: list[Result] = [
        (f"plain csv parse, {total} rows (floor)", parse_seconds, parse_seconds / load_seconds),
        (
            f"naive per-row update_or_create ({len(sample)} rows, scaled to {total})",
            naive_scaled,
            naive_scaled / load_seconds,
        ),
        (f"load-pcodes into an empty database ({first.created} created)", load_seconds, 1.0),
        (
            f"load-pcodes again ({second.unchanged} unchanged, 0 written)",
            again_seconds,
            again_seconds / load_seconds,
        ),
    ]
    return results


def main() -> None:
    results = run()
    if not results:
        return
    from django.db import connection

    print(f"Places: OCHA global P-codes, {connection.vendor}, Python {sys.version.split()[0]}")
    width = max(len(name) for name, _s, _r in results)
    for name, seconds, ratio in results:
        print(f"  {name:<{width}}  {seconds:8.2f} s  {ratio:6.2f}x load-pcodes")
    naive, load = results[1][1], results[2][1]
    print(f"  load-pcodes is {naive / load:.1f} times faster than the naive importer.")


if __name__ == "__main__":
    main()
