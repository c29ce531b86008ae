"""Demo data for screening: the UN Security Council consolidated list and the OFAC SDN list,
and one screening of the network's organisations against them.

`harambee demo` calls `load(stdout)` after the network. A list file already loaded (same
SHA-256) is not loaded again and the organisations are screened once, so running it again adds
nothing.
"""

from __future__ import annotations

import csv
import io
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model

from harambee.network.models import Organisation

from .models import ListVersion, ScreeningBatch
from .services import load_list, run_batch, start_batch

SANCTIONS = settings.PROJECT_DIR.parent / "shared" / "data" / "sanctions"
# (source given to load-list, code of the list it stores, path)
LISTS = [
    ("un", "un", SANCTIONS / "un_consolidated_2026-02.xml"),
    ("ofac", "ofac-sdn", SANCTIONS / "ofac_sdn"),
]
BATCH_FILE = "demo-organisations.csv"


def _lists(stdout: TextIO) -> None:
    for source, code, path in LISTS:
        if not path.exists():
            stdout.write(
                f"Screening: no list at {path}; load it later with "
                f"`harambee load-list --source {source} PATH`.\n"
            )
            continue
        if ListVersion.objects.filter(source__code=code).exists():
            stdout.write(f"Screening: a {source.upper()} list is already loaded.\n")
            continue
        version = load_list(source=source, path=path)
        stdout.write(f"Screening: {source.upper()} list: {version.counts['entries']} entries.\n")


def load(stdout: TextIO) -> None:
    _lists(stdout)
    if not ListVersion.objects.exists():
        return
    if ScreeningBatch.objects.filter(file_name=BATCH_FILE).exists():
        return
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        return
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "schema"])
    for pk, name in Organisation._base_manager.order_by("pk").values_list("pk", "name"):
        writer.writerow([pk, name, "organisation"])
    batch = start_batch(actor=admin, file_name=BATCH_FILE, content=out.getvalue().encode())
    # Screened now rather than by the background worker, so the results are there at once.
    batch = run_batch(batch=batch)
    stdout.write(
        f"Screening: {batch.rows_total} organisations screened, {batch.hit_rows} with hits.\n"
    )
