"""The ISO 3166 country list, from pycountry."""

from __future__ import annotations

from typing import Any

import pycountry


def iso_countries() -> list[dict[str, Any]]:
    return [
        {
            "iso3": c.alpha_3,
            "iso2": c.alpha_2,
            "numeric": c.numeric,
            "name": getattr(c, "common_name", None) or c.name,
            "official_name": getattr(c, "official_name", ""),
        }
        for c in pycountry.countries
    ]


def sync_countries(country_model: Any) -> int:
    """Create or update every ISO 3166 country; returns how many were created."""
    existing = set(country_model.objects.values_list("iso3", flat=True))
    rows = iso_countries()
    country_model.objects.bulk_create(
        [country_model(**row) for row in rows if row["iso3"] not in existing]
    )
    for row in rows:
        if row["iso3"] in existing:
            country_model.objects.filter(iso3=row["iso3"]).update(**row)
    return len([r for r in rows if r["iso3"] not in existing])
