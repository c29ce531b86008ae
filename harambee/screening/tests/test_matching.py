"""Normaliser, transliteration and scorer rules."""

from __future__ import annotations

import numpy as np
import pytest

from harambee.screening.matching.batch import Names, Vocabulary, bounds_many
from harambee.screening.matching.countries import country_code
from harambee.screening.matching.normalize import normalize, roman_key
from harambee.screening.matching.pairs import score_pair
from harambee.screening.matching.scorer import (
    DEFAULT_THRESHOLD,
    compare_names,
    dob_penalty,
    parse_query_date,
    score_bound,
)


def tokens(name, schema=""):
    return [t.text for t in normalize(name, schema).tokens]


def test_case_accents_punctuation_honorifics_legal_forms():
    assert tokens("Dr. José  O'Brien-Núñez") == ["jose", "obrien", "nunez"]
    assert normalize("Dr. José O'Brien").removed == ("dr",)
    assert tokens("ACME Trading Co., Ltd.", "organisation") == ["acme", "trading"]
    assert tokens("Volkswagen Bank G.m.b.H.", "organisation") == ["volkswagen", "bank"]
    assert tokens("Sheikh Ali Hassan") == ["ali", "hassan"]
    assert tokens("Ltd") == ["ltd"]  # a name made only of such words keeps them


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed"], "muhamad"),
        (["Abdul", "Abdel", "Abd"], "abd"),
        (["el", "al"], "al"),
        (["Hussein", "Husayn", "Hussain"], "husain"),
        (["Dmitriy", "Dmitry", "Dmitrii"], "dmitri"),
    ],
)
def test_romanisation_variants_share_a_key(variants, key):
    assert {roman_key(v.lower()) for v in variants} == {key}


@pytest.mark.parametrize(
    ("name", "script", "latin"),
    [
        ("Владимир Путин", "cyrillic", "vladimir putin"),
        ("محمد علي", "arabic", "mhmd ly"),
        ("Νικόλαος", "greek", "nikolaos"),
        ("李明", "cjk", "li ming"),
        ("محسن حجتی", "arabic", "mhsn hjty"),
    ],
)
def test_transliteration(name, script, latin):
    norm = normalize(name)
    assert (norm.script, norm.latin) == (script, latin)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Mohamed Ali", "Muhammad Aly"),
        ("ALI, Mohammed", "Mohammed Ali"),  # token order
        ("Abdul Rahman Yasin", "Abdulrahman Yasin"),  # joined tokens
        ("Abd al Rahman Yasin", "Abdelrahman Yasin"),
        ("Osama bin Laden", "Usama bin Ladin"),
        ("Olaf Scholz", "Olaf Scholze"),  # typo
        ("Adbul Bari Akhund", "Abdul Bari Akhund"),  # swapped letters
        ("Владимир Путин", "Vladimir Putin"),
        ("Дмитрий Медведев", "Dmitry Medvedev"),
        ("محمد علي", "Mohamed Ali"),
        ("عبد الله", "Abdullah"),
        ("משה", "Moshe"),
        ("Siemens Aktiengeselschaft", "Siemens AG"),
    ],
)
def test_matches(left, right):
    schema = "organisation" if "Siemens" in left else ""
    assert score_pair(left, right, schema) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Octavian Scholz", "Olaf Scholz"),
        ("Li Ming", "Lu Ming"),  # short tokens never fuzzy-match
        ("Mohammed", "Mohammed Omar Ali"),  # a common given name alone
        ("Scholz", "Olaf Scholz"),  # one part of two
        ("Emma Christensen", "Emma"),
        ("ABD EL KADER MAHMOUD AHMED EL SAYED", "ABD EL KADER MAHMOUD YOUSSEF EL SAYED"),
    ],
)
def test_non_matches(left, right):
    assert score_pair(left, right) < DEFAULT_THRESHOLD


BOUND_PAIRS = [
    ("Mohamed Ali", "Muhammad Aly"),
    ("Abdul Rahman Yasin", "Abdulrahman Yasin"),  # joined tokens
    ("Abdulrahman Yasin", "Abd al Rahman Yasin"),  # split around a particle
    ("Myongc Hin Pak", "Myong Chin Pak"),  # letters end to end
    ("Adbul Bari Akhund", "Abdul Bari Akhund"),
    ("محمد علي", "Mohamed Ali"),  # consonant skeletons
    ("李明", "Li Ming"),  # joined letters
    ("王伟", "Wang Wei"),
    ("Octavian Scholz", "Olaf Scholz"),
    ("Scholz", "Olaf Scholz"),
    ("ABD EL KADER MAHMOUD AHMED EL SAYED", "ABD EL KADER MAHMOUD YOUSSEF EL SAYED"),
    ("John Smith", "Vladimir Putin"),
]


@pytest.mark.parametrize(("left", "right"), BOUND_PAIRS)
def test_score_bound_is_an_upper_bound(left, right):
    # Screening skips the full alignment of candidates whose bound is below the threshold.
    for a, b in ((left, right), (right, left)):
        score = compare_names(normalize(a), normalize(b)).score
        assert score_bound(normalize(a), normalize(b)) >= score


def test_batch_bounds_equal_the_pairwise_ones():
    # Screening computes the bound of every (query, candidate) pair of a batch in arrays.
    list_names = [b for _a, b in BOUND_PAIRS] + [
        "John Smith",
        "Abd al Hai",
        "N",
        "Muhammad Nur",
        "ABDUL HAI MOHAMED",
        "Kim Jong Un",
        "김정은",
        "محمد عبد الرحمن",
        "Ahmad Shah Massoud",
        "Catherine Steven Smith",
        "Philips Jon",
    ]
    queries = [a for a, _b in BOUND_PAIRS] + [
        "Mohamed N. Al Abdulhai Jon",
        "Abdul Hai Muhammad",
        "김정운",
        "Kim Jongun",
        "محمد عبدالرحمن",
        "Akhmad Shakh Masud",
        "J. Smith",
        "Kathryn Stephen Smyth",
        "Filipps John",
    ]
    vocabulary = Vocabulary()
    names = [normalize(n) for n in list_names]
    arrays = Names.of(names, vocabulary, learn=True)
    norms = [normalize(q) for q in queries]
    pq = np.repeat(np.arange(len(norms)), len(names))
    pn = np.tile(np.arange(len(names)), len(norms))
    bounds = bounds_many(norms, arrays, pq, pn, vocabulary)
    for p, found in enumerate(bounds.tolist()):
        query, name = norms[pq[p]], names[pn[p]]
        assert found == pytest.approx(score_bound(query, name), abs=1e-12), (query, name)
        assert found >= compare_names(query, name).score
    assert len(bounds_many(norms, arrays, pq[:0], pn[:0], vocabulary)) == 0


def test_score_bound_rules_out_different_names():
    assert score_bound(normalize("John Smith"), normalize("Vladimir Putin")) < DEFAULT_THRESHOLD
    assert score_bound(normalize("Octavian Scholz"), normalize("Olaf Scholz")) < DEFAULT_THRESHOLD


def test_common_given_name_cap_is_explained():
    result = compare_names(normalize("Mohammed"), normalize("Mohammed Omar"))
    assert "only common given names match" in result.caps


def test_explanation_parts():
    result = compare_names(normalize("Jon Smith"), normalize("John Smyth"))
    assert {(p["query"], p["list"]) for p in result.parts} == {("jon", "john"), ("smith", "smyth")}
    assert all(0 < p["score"] <= 1 for p in result.parts)


def test_dates_of_birth():
    import datetime as dt

    listed = ((dt.date(1965, 1, 1), dt.date(1965, 12, 31)),)
    assert dob_penalty(parse_query_date("1965-04-02"), listed) == (0.0, "date of birth agrees")
    assert dob_penalty(parse_query_date("1966"), listed)[0] == pytest.approx(0.05)
    assert dob_penalty(parse_query_date("1980"), listed)[0] == pytest.approx(0.15)
    day = ((dt.date(1965, 3, 1), dt.date(1965, 3, 1)),)
    assert dob_penalty(parse_query_date("1965-03-02"), day)[0] == pytest.approx(0.08)
    assert dob_penalty(parse_query_date(""), listed) == (0.0, "")
    assert parse_query_date("garbage") is None


def test_country_codes():
    assert country_code("Iran (Islamic Republic of)") == "IR"
    assert country_code("af") == "AF"
    assert country_code("AFG") == "AF"
    assert country_code("Syrian Arab Republic") == "SY"
    assert country_code("Iraqi") == "IQ"
    assert country_code("na") is None
