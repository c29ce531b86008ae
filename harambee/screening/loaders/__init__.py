"""Readers for each list format; each returns a `ParsedList` or raises `ListFormatError`."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from .common import ListFormatError, ParsedEntry, ParsedList
from .eu import read_eu
from .ofac import find_layout, read_ofac
from .uk import read_uk
from .un import read_un

SOURCES = ("un", "ofac", "eu", "uk")


def read_path(source: str, path: str | Path) -> tuple[ParsedList, bytes, str]:
    """Read a list from a file (UN, EU, UK) or folder (OFAC).

    Returns the parsed list, the bytes that were hashed (every file read, in order) and the
    file name to record.
    """
    path = Path(path)
    if source not in SOURCES:
        raise ListFormatError(_("Unknown list source %(source)s.") % {"source": source})
    if not path.exists():
        raise ListFormatError(_("%(path)s does not exist.") % {"path": path})
    if source == "ofac":
        if not path.is_dir():
            raise ListFormatError(
                _(
                    "For OFAC, give the folder that holds sdn.csv, alt.csv and add.csv (or "
                    "cons_prim.csv, cons_alt.csv and cons_add.csv)."
                )
            )
        layout, names = find_layout(path)
        files = {"main": (path / names[0]).read_bytes()}
        for key, name in (("alt", names[1]), ("add", names[2])):
            if (path / name).exists():
                files[key] = (path / name).read_bytes()
        content = b"".join(files[k] for k in ("main", "alt", "add") if k in files)
        return read_ofac(files, path.name, layout), content, path.name
    if path.is_dir():
        raise ListFormatError(_("%(path)s is a folder; give the list file.") % {"path": path})
    content = path.read_bytes()
    reader = {"un": read_un, "eu": read_eu, "uk": read_uk}[source]
    return reader(content, path.name), content, path.name


__all__ = ["SOURCES", "ListFormatError", "ParsedEntry", "ParsedList", "read_path"]
