"""Demo data for who does what where: OCHA's real Afghanistan 3W (Q1 2024), when it is there.

`harambee demo` calls `load(stdout)` after the network. Running it again adds nothing.
"""

from __future__ import annotations

from typing import TextIO

from django.conf import settings

from harambee.network.duplicates import normalise_acronym

from .choices import MatchDecision
from .models import Activity
from .services import import_commit, import_decide, import_start

AFG_3W = settings.PROJECT_DIR.parent / "shared" / "data" / "activities" / "afg_3w_2024q1.csv"
SOURCE = "OCHA Afghanistan 3W"


def load(stdout: TextIO) -> None:
    if not AFG_3W.exists():
        stdout.write(
            f"Activities: no 3W file at {AFG_3W}; import one later with "
            "`harambee import-3w FILE --country ISO3`.\n"
        )
        return
    if Activity.objects.filter(source_file=AFG_3W.name).exists():
        stdout.write("Activities: the Afghanistan 3W is already imported.\n")
        return
    batch = import_start(
        actor=None, file_name=AFG_3W.name, content=AFG_3W.read_bytes(), country="AFG", source=SOURCE
    )
    # What a coordinator would decide on the review page: the same acronym is the same body
    # (UNHCR, IOM...), anything else is a new organisation.
    for item in batch.report["organisations"]["items"]:
        if item["status"] != "uncertain" or item["decision"]:
            continue
        same = [
            c
            for c in item["candidates"]
            if item["acronym"]
            and normalise_acronym(c["acronym"]) == normalise_acronym(item["acronym"])
        ]
        batch = import_decide(
            actor=None,
            batch=batch,
            key=item["key"],
            action=MatchDecision.PICK if same else MatchDecision.CREATE,
            organisation_id=same[0]["id"] if same else None,
            expected_version=batch.version,
        )
    batch = import_commit(actor=None, batch=batch, expected_version=batch.version)
    done = batch.report.get("committed", {})
    stdout.write(
        f"Activities: {AFG_3W.name}: {done.get('created', 0)} activities, "
        f"{done.get('organisations_created', 0)} organisations added.\n"
    )
