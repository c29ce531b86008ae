"""Every shared list file loads completely; bad files write nothing."""

from __future__ import annotations

import csv
import re

import pytest
from lxml import etree

from harambee.screening.choices import DatePrecision, NameKind, NameQuality, VersionStatus
from harambee.screening.loaders import ListFormatError, read_path
from harambee.screening.models import ListEntry, ListVersion
from harambee.screening.services import load_list

from .conftest import DATA, SMALL_UN

AKA = re.compile(r"\b(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'([^']+)'")


def _ofac_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.reader(handle) if len(r) > 1]


def test_un_full_file_every_entry_and_alias():
    parsed, _content, _name = read_path("un", DATA / "un_consolidated_2026-02.xml")
    root = etree.parse(str(DATA / "un_consolidated_2026-02.xml")).getroot()
    aliases = [a for a in root.iter("ALIAS_NAME") if (a.text or "").strip()]
    originals = [a for a in root.iter("NAME_ORIGINAL_SCRIPT") if (a.text or "").strip()]
    weak = [q for q in root.iter("QUALITY") if (q.text or "").strip() == "Low"]
    assert len(parsed.entries) == 1003
    types = [e.entity_type for e in parsed.entries]
    assert types.count("person") == 730 and types.count("organisation") == 273
    names = [n for e in parsed.entries for n in e.names]
    assert sum(n.kind in (NameKind.ALIAS, NameKind.FORMER) for n in names) >= len(aliases)
    assert sum(n.kind == NameKind.ORIGINAL_SCRIPT for n in names) == len(originals) == 378
    assert sum(n.quality == NameQuality.WEAK for n in names) == len(weak) == 615
    assert sum(n.kind == NameKind.PRIMARY for n in names) == 1003
    dobs = [d for e in parsed.entries for d in e.birth_dates]
    assert {DatePrecision.DAY, DatePrecision.YEAR, DatePrecision.RANGE} <= {
        d.precision for d in dobs
    }
    saddam = next(e for e in parsed.entries if e.ref == "IQi.001")
    assert any(n.script == "arabic" for n in saddam.names)


@pytest.mark.parametrize(
    ("folder", "files", "entries"),
    [
        ("ofac_sdn", ("sdn.csv", "alt.csv", "add.csv"), 8976),
        ("ofac_non_sdn", ("cons_prim.csv", "cons_alt.csv", "cons_add.csv"), 442),
    ],
)
def test_ofac_every_entry_alias_and_address(folder, files, entries):
    parsed, _content, _name = read_path("ofac", DATA / folder)
    prim, alts, adds = (_ofac_rows(DATA / folder / f) for f in files)
    weak = sum(len(AKA.findall(r[11])) for r in prim)
    assert len(parsed.entries) == len(prim) == entries
    names = [n for e in parsed.entries for n in e.names]
    assert len(names) == len(prim) + len(alts) + weak
    assert sum(n.quality == NameQuality.WEAK for n in names) == weak
    blank = sum(1 for r in adds if all(v.strip() in ("", "-0-") for v in r[2:]))
    assert sum(len(e.addresses) for e in parsed.entries) == len(adds) - blank


def test_ofac_sdn_details():
    sdn, _c, _n = read_path("ofac", DATA / "ofac_sdn")
    assert {e.entity_type for e in sdn.entries} == {"person", "organisation", "vessel", "aircraft"}
    assert sdn.source_code == "ofac-sdn"
    entry = next(e for e in sdn.entries if e.ref == "306")
    assert entry.primary_name == "BANCO NACIONAL DE CUBA"
    assert any(n.name == "BNC" and n.quality == NameQuality.WEAK for n in entry.names)
    assert len(entry.addresses) == 4
    assert any(e.birth_dates for e in sdn.entries) and any(e.identifiers for e in sdn.entries)


def test_eu_and_uk_samples():
    eu, _c, _n = read_path("eu", DATA / "format_samples" / "sample_eu.xml")
    assert len(eu.entries) == 6  # 7 records, one repeated
    first = next(e for e in eu.entries if e.ref == "5295")
    assert first.primary_name == "Abid Hammadou" and len(first.names) == 5
    assert first.nationalities == ["DZ"] and first.listed_on.isoformat() == "2008-07-03"
    assert {d.precision for d in first.birth_dates} == {DatePrecision.DAY, DatePrecision.YEAR}
    assert any(i.number == "L191609" for e in eu.entries for i in e.identifiers)
    uk, _c, _n = read_path("uk", DATA / "format_samples" / "sample_hmt.csv")
    assert len(uk.entries) == 6
    hojati = next(e for e in uk.entries if e.ref == "9053")
    assert hojati.primary_name == "Mohsen HOJATI"
    assert any(n.kind == NameKind.ORIGINAL_SCRIPT and n.script == "arabic" for n in hojati.names)
    so = next(e for e in uk.entries if e.ref == "11039")
    assert len(so.birth_dates) == 7 and so.primary_name == "Sang-kuk SO"


@pytest.mark.django_db
def test_load_versions_and_diff(tmp_path):
    first = load_list(source="un", path=SMALL_UN)
    assert first.status == VersionStatus.ACTIVE and first.entry_count == 4
    assert first.counts["names"] == 9 and first.counts["weak_names"] == 1
    entry = ListEntry.objects.get(version=first, ref="IQi.099")
    assert entry.birth_dates.count() == 2 and entry.nationalities.get().country_code == "IQ"
    assert (
        ListEntry.objects.get(version=first, ref="TAi.001").identifiers.get().normalised
        == "OA123456"
    )
    changed = SMALL_UN.read_text(encoding="utf-8")
    changed = changed.replace(
        "<FIRST_NAME>VLADIMIR</FIRST_NAME>", "<FIRST_NAME>VLADIMIRO</FIRST_NAME>"
    )
    start = changed.index("<ENTITY>")
    changed = changed[:start] + changed[changed.index("</ENTITY>") + len("</ENTITY>") :]
    path = tmp_path / "un.xml"
    path.write_text(changed, encoding="utf-8")
    second = load_list(source="un", path=path)
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and second.status == VersionStatus.ACTIVE
    assert second.diff["removed_refs"] == ["QDe.200"] and second.diff["changed_refs"] == ["XXi.003"]
    assert (second.diff["added"], second.diff["unchanged"]) == (0, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "content"),
    [
        ("un", None),  # truncated
        ("eu", b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>"),
        ("uk", b"a,b,c\n1,2,3\n"),
        ("un", b"not xml at all"),
    ],
)
def test_bad_files_write_nothing(tmp_path, source, content):
    active = load_list(source="un", path=SMALL_UN)
    data = content if content is not None else SMALL_UN.read_bytes()[:1500]
    path = tmp_path / "bad"
    path.write_bytes(data)
    with pytest.raises(ListFormatError, match="Nothing was loaded"):
        load_list(source=source, path=path)
    assert list(ListVersion.objects.values_list("pk", "status")) == [(active.pk, "active")]


@pytest.mark.django_db
def test_ofac_bad_folder_and_truncated_csv(tmp_path):
    with pytest.raises(ListFormatError):
        load_list(source="ofac", path=tmp_path)
    (tmp_path / "sdn.csv").write_bytes(b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0-')
    with pytest.raises(ListFormatError, match="columns"):
        load_list(source="ofac", path=tmp_path)
    assert not ListVersion.objects.exists()
