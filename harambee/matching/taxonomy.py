"""The ESCO/ISCO-08 taxonomy: loading it from the ESCO CSV zips (idempotent, fast) and
searching it with typo tolerance.

`load_esco` reads occupations (with their ISCO-08 group), skills (with other labels), the
ISCO-08 tree and the occupation–skill relations (essential or optional). Rows are keyed by
their ESCO URI (groups by code): a second load updates what changed and inserts what is new,
so ids stay put and profiles keep pointing at the same skills.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from harambee.core.bulk import insert_values
from harambee.core.errors import ServiceError

from .models import IscoGroup, Occupation, OccupationSkill, Skill

TAXONOMY_MISSING = "taxonomy_missing"
ESCO_INVALID = "esco_invalid"

FILES = {
    "isco": "ISCOGroups_en.csv",
    "occupations": "occupations_en.csv",
    "skills": "skills_en.csv",
    "relations": "occupationSkillRelations.csv",
}


def _zips(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.zip"))
        if not found:
            raise ServiceError(_("No .zip files in %(path)s.") % {"path": path}, code=ESCO_INVALID)
        return found
    if not path.exists():
        raise ServiceError(_("%(path)s does not exist.") % {"path": path}, code=ESCO_INVALID)
    return [path]


def _find(paths: list[Path]) -> dict[str, tuple[Path, str]]:
    """Where each ESCO file is: (zip, member)."""
    found: dict[str, tuple[Path, str]] = {}
    for path in paths:
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    base = member.rsplit("/", 1)[-1]
                    for key, name in FILES.items():
                        if base == name:
                            found[key] = (path, member)
        except zipfile.BadZipFile as exc:
            raise ServiceError(
                _("%(path)s is not a zip file.") % {"path": path}, code=ESCO_INVALID
            ) from exc
    missing = [FILES[k] for k in ("isco", "occupations", "skills") if k not in found]
    if missing:
        raise ServiceError(
            _("The ESCO files %(files)s were not found in %(paths)s.")
            % {"files": ", ".join(missing), "paths": ", ".join(str(p) for p in paths)},
            code=ESCO_INVALID,
        )
    return found


def _rows(location: tuple[Path, str]) -> Iterator[dict[str, str]]:
    path, member = location
    with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))


def _labels(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def load_esco(*paths: Path | str) -> dict[str, int]:
    """Load or refresh the taxonomy from ESCO CSV zips (or folders holding them).

    Returns counts of what was inserted, updated and deleted per kind of row."""
    zips = [z for p in paths for z in _zips(Path(p))]
    found = _find(zips)
    counts: dict[str, int] = {}

    # ISCO-08 groups, by code.
    groups = {}
    for row in _rows(found["isco"]):
        code = (row.get("code") or "").strip()
        if code.isdigit() and 1 <= len(code) <= 4:
            groups[code] = {"label": row["preferredLabel"].strip(), "uri": row["conceptUri"]}
    _upsert(IscoGroup, "code", groups, counts, "isco_groups")

    occupations = {}
    for row in _rows(found["occupations"]):
        group = (row.get("iscoGroup") or "").strip()
        if group not in groups:
            raise ServiceError(
                _("Occupation %(uri)s names an unknown ISCO group %(code)s.")
                % {"uri": row["conceptUri"], "code": group},
                code=ESCO_INVALID,
            )
        occupations[row["conceptUri"]] = {
            "code": (row.get("code") or group).strip(),
            "isco_group_id": group,
            "label": row["preferredLabel"].strip(),
            "alt_labels": _labels(row.get("altLabels", "")),
        }
    _upsert(Occupation, "uri", occupations, counts, "occupations")

    skills = {}
    for row in _rows(found["skills"]):
        skills[row["conceptUri"]] = {
            "label": row["preferredLabel"].strip(),
            "alt_labels": _labels(row.get("altLabels", "")),
            "skill_type": (row.get("skillType") or "")[:32],
        }
    _upsert(Skill, "uri", skills, counts, "skills")

    if "relations" in found:
        occupation_ids = dict(Occupation.objects.values_list("uri", "pk"))
        skill_ids = dict(Skill.objects.values_list("uri", "pk"))
        wanted: dict[tuple[int, int], bool] = {}
        for row in _rows(found["relations"]):
            occupation_id = occupation_ids.get(row["occupationUri"])
            skill_id = skill_ids.get(row["skillUri"])
            if occupation_id is None or skill_id is None:
                continue  # a relation to a concept outside this language's files
            essential = row["relationType"].strip() == "essential"
            key = (occupation_id, skill_id)
            wanted[key] = wanted.get(key, False) or essential
        existing = {
            (o, s): (pk, e)
            for pk, o, s, e in OccupationSkill.objects.values_list(
                "pk", "occupation_id", "skill_id", "essential"
            )
        }
        stale = [pk for key, (pk, _e) in existing.items() if key not in wanted]
        flip = [pk for key, (pk, e) in existing.items() if key in wanted and wanted[key] != e]
        for start in range(0, len(stale), 5000):
            OccupationSkill.objects.filter(pk__in=stale[start : start + 5000]).delete()
        for start in range(0, len(flip), 5000):
            chunk = flip[start : start + 5000]
            rows = OccupationSkill.objects.filter(pk__in=chunk)
            for row in rows:
                row.essential = not row.essential
                row.save(update_fields=["essential", "updated_at"])
        new = [
            {"occupation_id": o, "skill_id": s, "essential": e}
            for (o, s), e in wanted.items()
            if (o, s) not in existing
        ]
        counts["relations_inserted"] = insert_values(OccupationSkill, new)
        counts["relations_updated"] = len(flip)
        counts["relations_deleted"] = len(stale)
    clear_index()
    return counts


def _upsert(
    model: Any, key: str, wanted: dict[str, dict[str, Any]], counts: dict[str, int], name: str
) -> None:
    fields = list(next(iter(wanted.values()), {}).keys())
    existing = {getattr(o, key): o for o in model.objects.only(key, *fields)}
    new = [{key: k, **v} for k, v in wanted.items() if k not in existing]
    changed = []
    for k, obj in existing.items():
        values = wanted.get(k)
        if values is None:
            continue
        if any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            changed.append(obj)
    counts[f"{name}_inserted"] = insert_values(model, new)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)
    counts[f"{name}_updated"] = len(changed)


# --- search ---------------------------------------------------------------------------------


@dataclass
class LabelIndex:
    """Normalised labels (preferred and other) with the id of the concept each names."""

    stamp: tuple[Any, ...] = ()
    labels: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    exact: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)


_indexes: dict[str, LabelIndex] = {}
_lock = threading.Lock()


def clear_index() -> None:
    _indexes.clear()


def normalise(text: str) -> str:
    return utils.default_process(text or "")


def _build(model: Any, extra_field: str) -> LabelIndex:
    stamp = (model.objects.count(), model.objects.aggregate(m=Max("updated_at"))["m"])
    index = LabelIndex(stamp=stamp)
    for pk, label, alt, extra in model.objects.values_list(
        "pk", "label", "alt_labels", extra_field
    ).order_by("pk"):
        index.names[pk] = label
        index.extra[pk] = extra
        for text in [label, *alt]:
            norm = normalise(text)
            if not norm:
                continue
            if text == label or norm not in index.exact:
                index.exact.setdefault(norm, pk)
            index.labels.append(norm)
            index.ids.append(pk)
    return index


def get_index(kind: str) -> LabelIndex:
    """The cached index of occupations or skills, rebuilt when the taxonomy changed."""
    model, extra = (Occupation, "code") if kind == "occupation" else (Skill, "uri")
    stamp = (model.objects.count(), model.objects.aggregate(m=Max("updated_at"))["m"])
    index = _indexes.get(kind)
    if index is None or index.stamp != stamp:
        with _lock:
            index = _build(model, extra)
            _indexes[kind] = index
    return index


@dataclass
class Hit:
    pk: int
    label: str
    code: str
    score: float
    matched: str


def search_index(index: LabelIndex, query: str, limit: int = 10, cutoff: float = 60) -> list[Hit]:
    """Best concepts for a query, typos tolerated: an exact label first, then the closest
    labels by edit distance (rapidfuzz), one hit per concept."""
    norm = normalise(query)
    if not norm or not index.labels:
        return []
    hits: dict[int, Hit] = {}
    exact = index.exact.get(norm)
    if exact is not None:
        hits[exact] = Hit(exact, index.names[exact], index.extra[exact], 100.0, norm)
    for text, score, i in process.extract(
        norm, index.labels, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=cutoff
    ):
        pk = index.ids[i]
        if pk not in hits:
            hits[pk] = Hit(pk, index.names[pk], index.extra[pk], float(score), text)
        if len(hits) >= limit:
            break
    if len(hits) < limit:  # words in another order, or part of a longer label
        for text, score, i in process.extract(
            norm, index.labels, scorer=fuzz.token_set_ratio, limit=limit * 4, score_cutoff=80
        ):
            pk = index.ids[i]
            if pk not in hits:
                hits[pk] = Hit(pk, index.names[pk], index.extra[pk], float(score) * 0.9, text)
            if len(hits) >= limit:
                break
    return sorted(hits.values(), key=lambda h: (-h.score, h.label))[:limit]


def search_occupations(query: str, limit: int = 10) -> list[Hit]:
    return search_index(get_index("occupation"), query, limit)


def search_skills(query: str, limit: int = 10) -> list[Hit]:
    return search_index(get_index("skill"), query, limit)


def taxonomy_loaded() -> bool:
    return IscoGroup.objects.exists()


def require_taxonomy() -> None:
    if not taxonomy_loaded():
        raise ServiceError(
            _("The ESCO/ISCO taxonomy is not loaded: run `harambee load-esco PATH` first."),
            code=TAXONOMY_MISSING,
        )


def known_occupation_codes() -> set[str]:
    """ISCO-08 group codes (1–4 digits) and ESCO occupation codes."""
    return set(IscoGroup.objects.values_list("code", flat=True)) | set(
        Occupation.objects.values_list("code", flat=True)
    )


def skill_tokens() -> tuple[set[str], dict[str, str]]:
    """ESCO skill URIs, and normalised labels (preferred and other) to their URI."""
    index = get_index("skill")
    uris = set(index.extra.values())
    by_label = {label: index.extra[pk] for label, pk in index.exact.items()}
    return uris, by_label


def occupation_essential_skills() -> dict[str, tuple[list[str], list[str]]]:
    """ESCO occupation code -> (essential skill URIs, optional skill URIs)."""
    result: dict[str, tuple[list[str], list[str]]] = {}
    for code, uri, essential in OccupationSkill.objects.values_list(
        "occupation__code", "skill__uri", "essential"
    ):
        entry = result.setdefault(code, ([], []))
        entry[0 if essential else 1].append(uri)
    return result
