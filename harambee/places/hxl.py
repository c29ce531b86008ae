"""Reading HXL hashtag rows tolerantly: spaces, case, attribute order and the old tag forms.

Real files write the same column as `#adm1+code`, `#adm1 +code`, `#ADM1+CODE` or the pre-1.0
`#adm1_id`; old language suffixes (`#country/fr`) become `i_fr` attributes. Only the columns
an admin-area import needs are recognised; everything else is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# How many rows above the data a hashtag row may sit (titles, notes, header rows).
HXL_SEARCH_ROWS = 25
MAX_LEVEL = 4

_ADM = re.compile(r"^adm(\d+)(?:_(id|code|pcode|name))?$")
_CODE_ATTRIBUTES = {"code", "pcode", "id"}


@dataclass(frozen=True)
class Tag:
    name: str
    attributes: frozenset[str]

    def has(self, *attributes: str) -> bool:
        return any(a in self.attributes for a in attributes)


def parse_tag(text: str) -> Tag | None:
    """`#adm1 +Code` -> Tag("adm1", {"code"}); None if the cell is not a hashtag."""
    compact = re.sub(r"\s+", "", text or "").lower()
    if not compact.startswith("#") or len(compact) < 2:
        return None
    name, *attributes = compact[1:].split("+")
    if "/" in name:  # HXL 0.x language suffix, e.g. #country/fr
        name, language = name.split("/", 1)
        attributes.append(f"i_{language}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return None
    return Tag(name, frozenset(a for a in attributes if a))


def is_hashtag_row(cells: list[str]) -> bool:
    """A row where most filled cells are hashtags (some columns may be untagged)."""
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    tags = [c for c in filled if parse_tag(c) is not None]
    return len(tags) >= max(1, len(filled) // 2 + len(filled) % 2)


@dataclass
class Columns:
    """Which column holds what, by index; `labels` names each column for error messages."""

    codes: dict[int, int] = field(default_factory=dict)  # level -> column
    names: dict[int, list[int]] = field(default_factory=dict)  # level -> primary first
    alt_names: dict[int, list[int]] = field(default_factory=dict)
    countries: list[int] = field(default_factory=list)
    latitude: int | None = None
    longitude: int | None = None
    unsupported_levels: dict[int, int] = field(default_factory=dict)  # column -> level
    labels: dict[int, str] = field(default_factory=dict)

    def label(self, column: int | None) -> str:
        return "" if column is None else self.labels.get(column, f"column {column + 1}")


def _is_primary_name(tag: Tag) -> bool:
    return not any(a == "alt" or a.startswith("i_") for a in tag.attributes)


def map_columns(tag_cells: list[str], header_cells: list[str] | None = None) -> Columns:
    """Map a hashtag row to the columns an admin-area import reads."""
    columns = Columns()
    header_cells = header_cells or []
    for index, cell in enumerate(tag_cells):
        tag = parse_tag(cell)
        if tag is None:
            continue
        header = header_cells[index].strip() if index < len(header_cells) else ""
        written = re.sub(r"\s+", "", cell)
        columns.labels[index] = f"{written} ({header})" if header else written
        match = _ADM.match(tag.name)
        if match:
            level, suffix = int(match.group(1)), match.group(2)
            is_code = suffix in _CODE_ATTRIBUTES or tag.has(*_CODE_ATTRIBUTES)
            if not 1 <= level <= MAX_LEVEL:
                if is_code:
                    columns.unsupported_levels[index] = level
                continue
            if is_code:
                columns.codes.setdefault(level, index)
            elif _is_primary_name(tag):
                columns.names.setdefault(level, []).append(index)
            else:
                columns.alt_names.setdefault(level, []).append(index)
        elif tag.name in {"country_id", "country_code"} or (
            tag.name == "country" and tag.has("code", "iso3", "iso2", "id")
        ):
            columns.countries.append(index)
        elif tag.name in {"lat_deg", "lat"} or (tag.name == "geo" and tag.has("lat")):
            columns.latitude = index if columns.latitude is None else columns.latitude
        elif tag.name in {"lon_deg", "lon", "long"} or (
            tag.name == "geo" and tag.has("lon", "long")
        ):
            columns.longitude = index if columns.longitude is None else columns.longitude
    # Only names in a language (#adm1+name+i_en, +i_fr): English, else the first, is the name.
    for level, indexes in columns.alt_names.items():
        if level not in columns.names:
            tags = {i: parse_tag(tag_cells[i]) for i in indexes}
            english = [i for i, t in tags.items() if t is not None and t.has("i_en")]
            primary = (english or indexes)[0]
            columns.names[level] = [primary]
            indexes.remove(primary)
    # Extra plain name columns for one level (rare) are kept as other names.
    for level, indexes in columns.names.items():
        if len(indexes) > 1:
            columns.alt_names.setdefault(level, []).extend(indexes[1:])
            columns.names[level] = indexes[:1]
    return columns
