"""How fast a large IATI file imports, against a bare parse-and-insert floor.

    .venv/bin/python -m bench.iati_bench [ACTIVITIES]

Generates an IATI 2.01 file of 20,000 activities from the real DFID Haiti file's shapes (its 54
activities repeated under new identifiers, parents and children renamed alike: about 122,000
transactions, 40,000 budgets, 147 MB), in a fresh SQLite database in a temporary directory
with the GBP rates loaded. Figures, in this one process:
- floor: a bare lxml parse of the file plus one executemany of its transactions (activity,
  type, date, amount, currency, value date) into one table of the same database; best of three;
- whole import: `import_iati` (parse, normalise, validate against the 2.03 schema, read,
  convert, reconcile, write activities, participants, budgets, who-does-what-where activities,
  flows and their parties, link) into the empty database;
- re-import of the same file: nothing changes.
The target is a whole import within 3x the floor.
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 3.0
ACTIVITIES = 20_000


def _setup() -> tuple[Path, Path]:
    import django

    directory = Path(tempfile.mkdtemp(prefix="harambee-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    os.environ["HARAMBEE_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return settings.PROJECT_DIR.parent / "shared" / "data", directory


def generate(source: Path, target: Path, count: int) -> int:
    """Write `count` activities shaped like the real file's; returns the transactions."""
    from lxml import etree

    root = etree.parse(str(source)).getroot()
    shapes = [a for a in root if a.tag == "iati-activity"]
    out = etree.Element("iati-activities", dict(root.attrib))
    transactions = 0
    for i in range(count):
        activity = copy.deepcopy(shapes[i % len(shapes)])
        copy_number = i // len(shapes)
        identifier = activity.find("iati-identifier")
        identifier.text = f"{identifier.text}-B{copy_number}"
        for related in activity.findall("related-activity"):
            related.set("ref", f"{related.get('ref')}-B{copy_number}")
        transactions += len(activity.findall("transaction"))
        out.append(activity)
    etree.ElementTree(out).write(str(target), xml_declaration=True, encoding="utf-8")
    return transactions


def _timed(function: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def _floor(path: Path) -> int:
    """lxml parse plus one executemany of every transaction into one table."""
    from django.db import connection, transaction
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    rows = []
    for activity in root:
        identifier = activity.findtext("iati-identifier")
        currency = activity.get("default-currency")
        for tx in activity.iterfind("transaction"):
            value = tx.find("value")
            rows.append(
                (
                    identifier,
                    tx.find("transaction-type").get("code"),
                    tx.find("transaction-date").get("iso-date"),
                    value.text,
                    value.get("currency") or currency,
                    value.get("value-date"),
                )
            )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(
            "CREATE TABLE bench_floor (activity TEXT, type TEXT, date TEXT, value TEXT, "
            "currency TEXT, value_date TEXT)"
        )
        cursor.executemany("INSERT INTO bench_floor VALUES (%s, %s, %s, %s, %s, %s)", rows)
    return len(rows)


def _rates(shared: Path) -> None:
    from harambee.funding.currency import import_rates

    lines = (shared / "funding" / "fx_monthly_rates.csv").read_text().splitlines()
    gbp = [lines[0]] + [line for line in lines[1:] if ",GBP," in line and ",GB," in line]
    import_rates(name="fx_gbp.csv", content="\n".join(gbp).encode())
    extra = Path(__file__).parent.parent / "harambee/funding/tests/data/gbp_2009_2014.csv"
    import_rates(name=extra.name, content=extra.read_bytes())


def main() -> int:
    shared, directory = _setup()
    source = shared / "iati" / "dfid_haiti_iati_2.01.xml"
    if not source.exists():
        print(f"skipped: {source} not found")
        return 0
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else ACTIVITIES
    path = directory / "iati_large.xml"
    seconds, transactions = _timed(lambda: generate(source, path, count))
    size = path.stat().st_size / 1e6
    print(
        f"generated {count:,} activities, {transactions:,} transactions, {size:.0f} MB in {seconds:.1f} s"
    )
    _rates(shared)
    from harambee.funding.importers.iati_writer import import_iati
    from harambee.funding.models import Flow, FlowParty

    floor_seconds, rows = min(_timed(lambda: _floor(path)) for _ in range(3))
    import_seconds, first = _timed(lambda: import_iati(actor=None, path=path))
    again_seconds, second = _timed(lambda: import_iati(actor=None, path=path))
    ratio = import_seconds / floor_seconds

    def line(label: str, seconds: float, extra: str = "") -> None:
        print(f"{label:<44} {seconds:7.2f} s {rows / seconds:10,.0f} transactions/s  {extra}")

    line("floor (lxml parse + one executemany)", floor_seconds)
    line(
        "whole import",
        import_seconds,
        f"{first['activities']['created']:,} activities, {first['flows']['created']:,} flows, "
        f"{FlowParty.objects.count():,} parties, {first['budgets']:,} budgets",
    )
    line(
        "re-import, nothing changes",
        again_seconds,
        f"{second['activities']['unchanged']:,} unchanged",
    )
    assert Flow.objects.count() == transactions
    verdict = "within" if ratio <= TARGET_RATIO else "above"
    print(f"ratio whole import / floor: {ratio:.1f}x ({verdict} the {TARGET_RATIO:.0f}x target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
