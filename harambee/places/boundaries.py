"""Admin boundaries from a GeoJSON FeatureCollection whose features carry a P-code property.

COD boundary files (HDX) name the property after the level: ADM2_PCODE, ADM1_PCODE... and an
ADM2 feature carries ADM1_PCODE and ADM0_PCODE as well, so the deepest level found wins.
Features are numbered from 1 in errors. P-codes not in the database are reported, not errors:
boundary files often cover areas a P-code list has dropped.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .importers import ImportFileError, RowError
from .models import AdminArea

GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
_LEVEL_FIELD = re.compile(r"^adm(?:in)?(\d)_?pcode$", re.IGNORECASE)
_PLAIN_FIELDS = ("pcode", "p_code", "p-code", "admpcode")
CHUNK = 500


@dataclass
class BoundaryResult:
    source: str
    pcode_field: str = ""
    features: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def skipped_features(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def summary(self) -> str:
        return _(
            "%(features)s features: %(updated)s boundaries stored, %(unchanged)s unchanged, "
            "%(unmatched)s P-codes not found, %(skipped)s features skipped."
        ) % {
            "features": self.features,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "unmatched": len(self.unmatched),
            "skipped": len(self.skipped_features),
        }


def detect_pcode_field(features: list[dict[str, Any]]) -> str | None:
    """The deepest ADMn_PCODE-like property, else a plain `pcode` property."""
    keys: dict[str, None] = {}
    for feature in features[:50]:
        for key in (feature.get("properties") or {}) if isinstance(feature, dict) else {}:
            keys.setdefault(key)
    levelled = [(int(m.group(1)), key) for key in keys if (m := _LEVEL_FIELD.match(key))]
    if levelled:
        return max(levelled)[1]
    for key in keys:
        if key.lower() in _PLAIN_FIELDS:
            return key
    return None


def _positions_ok(value: Any, depth: int = 0) -> bool:
    if depth > 6 or not isinstance(value, list) or not value:
        return False
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        if len(value) < 2 or not all(math.isfinite(v) for v in value):
            return False
        return -180 <= value[0] <= 180 and -90 <= value[1] <= 90
    return all(_positions_ok(v, depth + 1) for v in value)


def geometry_problem(geometry: Any) -> str | None:
    """Why this is not a usable GeoJSON geometry (WGS84 longitude/latitude), or None."""
    if not isinstance(geometry, dict):
        return _("The geometry is missing.")
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return _("Unknown geometry type '%(type)s'.") % {"type": kind}
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list) or not parts:
            return _("The geometry collection is empty.")
        return next((p for p in (geometry_problem(g) for g in parts) if p), None)
    if not _positions_ok(geometry.get("coordinates")):
        return _("The coordinates are not longitude/latitude positions in degrees.")
    return None


def _read(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ImportFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportFileError(
            _("%(path)s is not JSON: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFileError(_("%(path)s is not a GeoJSON FeatureCollection.") % {"path": path})
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFileError(_("The FeatureCollection has no list of features."))
    return features


def load_boundaries(
    path: str | Path,
    *,
    pcode_field: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    actor: Any = None,
) -> BoundaryResult:
    """Check every feature, then store the geometries on the matching areas in one go."""
    path = Path(path)
    features = _read(path)
    result = BoundaryResult(source=path.name, features=len(features))
    name = pcode_field or detect_pcode_field(features)
    if name is None:
        raise ImportFileError(
            _(
                "No P-code property found (such as ADM2_PCODE, ADM1_PCODE or pcode); "
                "name it with --pcode-field."
            )
        )
    result.pcode_field = name
    geometries: dict[str, dict[str, Any]] = {}
    first_seen: dict[str, int] = {}
    errors: list[RowError] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        pcode = str((properties or {}).get(name) or "").strip()
        if not pcode:
            errors.append(RowError(number, name, _("The P-code is missing.")))
            continue
        geometry = feature.get("geometry")
        problem = geometry_problem(geometry)
        if problem:
            errors.append(RowError(number, "geometry", problem))
            continue
        if pcode in geometries and geometries[pcode] != geometry:
            errors.append(
                RowError(
                    number,
                    name,
                    _("P-code %(pcode)s is also feature %(n)s, with another geometry.")
                    % {"pcode": pcode, "n": first_seen[pcode]},
                )
            )
            continue
        geometries[pcode] = geometry
        first_seen.setdefault(pcode, number)
    result.errors = errors
    if errors and not skip_invalid:
        return result
    known: set[str] = set()
    pcodes = sorted(geometries)
    for start in range(0, len(pcodes), CHUNK):
        chunk = pcodes[start : start + CHUNK]
        known.update(AdminArea.objects.filter(pcode__in=chunk).values_list("pcode", flat=True))
    result.unmatched = [p for p in pcodes if p not in known]
    matched = {p: g for p, g in geometries.items() if p in known}
    if dry_run:
        result.updated = len(matched)
        return result
    from .services import admin_area_boundaries_set

    result.updated, result.unchanged = admin_area_boundaries_set(
        actor=actor, boundaries=matched, source=path.name
    )
    result.written = True
    return result
