"""The in-memory index: candidates of a batch, and a batch screened as its queries one by one."""

from __future__ import annotations

import pytest

from harambee.screening.matching.engine import Query, screen, screen_many, screen_queries
from harambee.screening.matching.index import IndexedEntry, build_index, name_keys
from harambee.screening.matching.normalize import normalize

LISTED = [
    ("person", ["Mohammed Hassan al-Tikriti", "Abu Ali"], "strong"),
    ("person", ["Abdul Latif Mansur", "Mansoor Abdullatif"], "strong"),
    ("person", ["Kim Jong Un", "김정은"], "strong"),
    ("person", ["محمد عبد الرحمن", "Muhammad Abd al Rahman"], "strong"),
    ("organisation", ["Al Rashid Trust", "Al-Rasheed Trust"], "strong"),
    ("organisation", ["Acme Trading Company Limited"], "strong"),
    ("vessel", ["Sea Falcon"], "strong"),
    ("person", ["Ivan Petrov"], "weak"),
    *[("person", ["John Smith"], "strong") for _ in range(20)],
]


def _index():
    rows = []
    for number, (kind, names, quality) in enumerate(LISTED):
        entry = IndexedEntry(
            entry_id=number,
            version_id=1,
            source="un",
            list_code="un",
            ref=f"T.{number:03d}",
            entity_type=kind,
            primary_name=names[0],
            birth_dates=(),
            nationalities=frozenset(),
            identifiers=(),
        )
        rows.append((entry, [(name, "primary", quality) for name in names]))
    return build_index(rows)


QUERIES = [
    Query(name="Mohamed Hasan al Tikriti", id="1"),
    Query(name="Abdul Latif Mansoor", schema="person", id="2"),
    Query(name="Kim Jong-un", id="3"),
    Query(name="محمد عبدالرحمن", id="4"),
    Query(name="Al Rasheed Trust", schema="organisation", id="5"),
    Query(name="Acme Trading Co. Ltd", schema="organisation", id="6"),
    Query(name="Sea Falcon", schema="person", id="7"),  # a vessel: not a person
    Query(name="Ivan Petrov", id="8"),
    Query(name="John Smith", id="9"),
    Query(name="Jane Doe", id="10"),
    Query(name="", id="11"),
    Query(name="Dr.", id="12"),
]


@pytest.fixture(scope="module")
def index():
    return _index()


def test_query_keys_are_the_name_keys_of_a_query(index):
    # The per-token lookup screening uses gives the keys `name_keys` defines for a query.
    for query in QUERIES:
        norm = normalize(query.name)
        expected = {index.key_ids[k] for k in name_keys(norm, query=True) if k in index.key_ids}
        assert set(index._query_columns(norm)) == expected, query.name
        assert set(index._query_columns(norm)) == expected  # and again, from the cache


def test_candidates_of_a_batch_are_those_of_each_query(index):
    norms = [normalize(q.name) for q in QUERIES]
    assert index.candidates_many(norms) == [index.candidates(n) for n in norms]
    assert index.candidates_many([]) == []


def test_candidates_limit_and_ties(index):
    found = index.candidates(normalize("John Smith"), limit=5)
    smiths = [n for n, name in enumerate(index.names) if name.name == "John Smith"]
    # Twenty names tie: the five with the lowest numbers, in order.
    assert found == smiths[:5]
    # A query that shares keys with nothing has no candidates.
    assert index.candidates(normalize("Xqzv")) == []


def test_candidates_floor(index):
    # Names that share only a small part of the best tally are not proposed.
    found = index.candidates(normalize("Mohammed Hassan al-Tikriti"))
    assert found and all(
        "tikriti" in index.names[n].norm.latin or "ali" in index.names[n].norm.latin for n in found
    )


def test_a_batch_gives_what_each_query_gives_alone(index):
    batch = [hits for _q, hits in screen_many(index, QUERIES, chunk_size=5)]
    assert batch == [screen(index, q) for q in QUERIES]
    assert batch == screen_queries(index, QUERIES)
    refs = [[h["ref"] for h in hits] for hits in batch]
    assert refs[0] == ["T.000"]
    assert refs[1] == ["T.001"]
    assert refs[4] == ["T.004"]
    assert refs[6] == []  # schema filter: a person query does not hit a vessel
    assert refs[9] == refs[10] == refs[11] == []
    # A weak alias counts x 0.92.
    assert batch[7][0]["score"] == pytest.approx(0.92)
