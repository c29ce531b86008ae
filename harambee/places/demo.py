"""Demo data for places: OCHA's P-codes and a few real emergencies.

`harambee demo` calls `load(stdout)`. Every step is idempotent: running it again adds nothing.
"""

from __future__ import annotations

import datetime
from typing import Any, TextIO

from django.conf import settings

from .choices import EmergencyType
from .importers import ImportFileError, import_admin_areas
from .models import Country, Emergency
from .services import emergency_create

DATA_DIR = settings.PROJECT_DIR.parent / "shared" / "data" / "places"
PCODES = DATA_DIR / "global_pcodes_adm1_adm2.csv"

# Real crises. GLIDE numbers only where certain; the others are left blank on purpose.
EMERGENCIES: list[dict[str, Any]] = [
    {
        "name": "West Africa Ebola virus disease outbreak",
        "glide": "EP-2014-000041-GIN",
        "emergency_type": EmergencyType.EPIDEMIC,
        "countries": ["GIN", "LBR", "SLE"],
        "start_date": datetime.date(2014, 3, 23),
        "end_date": datetime.date(2016, 6, 9),
        "description": "Ebola outbreak declared in Guinea in March 2014 that spread to Liberia "
        "and Sierra Leone; WHO declared the end of the outbreak in June 2016.",
    },
    {
        "name": "Somalia drought and complex emergency",
        "emergency_type": EmergencyType.DROUGHT,
        "countries": ["SOM"],
        "description": "Consecutive failed rainy seasons since late 2021, on top of conflict "
        "and displacement.",
    },
    {
        "name": "Syria regional refugee crisis",
        "emergency_type": EmergencyType.COMPLEX,
        "countries": ["SYR", "TUR", "LBN", "JOR", "IRQ", "EGY"],
        "start_date": datetime.date(2011, 3, 15),
        "description": "Refugees from Syria hosted in Türkiye, Lebanon, Jordan, Iraq and Egypt.",
    },
    {
        "name": "Afghanistan humanitarian crisis",
        "emergency_type": EmergencyType.COMPLEX,
        "countries": ["AFG"],
        "start_date": datetime.date(2021, 8, 15),
        "description": "Economic collapse, drought and displacement after August 2021.",
    },
    {
        "name": "Sudan conflict",
        "emergency_type": EmergencyType.COMPLEX,
        "countries": ["SDN", "TCD", "SSD", "EGY"],
        "start_date": datetime.date(2023, 4, 15),
        "description": "War between the Sudanese Armed Forces and the Rapid Support Forces; "
        "refugees in Chad, South Sudan and Egypt.",
    },
]


def _load_file(path: Any, stdout: TextIO, missing_note: str) -> None:
    if not path.exists():
        stdout.write(missing_note + "\n")
        return
    try:
        result = import_admin_areas(path, skip_invalid=True)
    except ImportFileError as exc:
        stdout.write(f"{path.name}: {exc.message}\n")
        return
    stdout.write(f"Places: {path.name}: {result.summary()}\n")


def load(stdout: TextIO) -> None:
    _load_file(
        PCODES,
        stdout,
        f"Places: no P-code list at {PCODES}; load it later with "
        "`harambee load-pcodes PATH/global_pcodes_adm1_adm2.csv` "
        "(OCHA's global P-codes, from HDX).",
    )
    # Not the Guinea centroid file: it carries Guinea's 2014 P-codes (GN01), which OCHA's list
    # has replaced (GN001), and the demo would show both sets side by side.
    created = 0
    known = set(Country.objects.values_list("iso3", flat=True))
    for spec in EMERGENCIES:
        data = {k: v for k, v in spec.items() if k != "countries"}
        glide = data.get("glide")
        existing = Emergency.objects.filter(glide=glide) if glide else None
        if existing is None or not existing.exists():
            existing = Emergency.objects.filter(name=data["name"])
        if existing.exists():
            continue
        countries = [iso3 for iso3 in spec["countries"] if iso3 in known]
        emergency_create(actor=None, data=data, m2m={"countries": countries})
        created += 1
    stdout.write(f"Places: {created} emergencies added, {len(EMERGENCIES) - created} present.\n")
