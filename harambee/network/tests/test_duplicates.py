import pytest
from django.utils import translation

from harambee.core.choices import Visibility
from harambee.network import duplicates
from harambee.network.duplicates import (
    build_index,
    find_duplicates,
    normalise_acronym,
    normalise_name,
    score_candidates,
)
from harambee.network.models import Organisation
from harambee.network.tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("variant", "name"),
    [
        ("DANISH REFUGEE COUNCIL", "Danish Refugee Council"),  # case
        ("Médecins Sans Frontières", "Medecins sans Frontieres"),  # accents
        ("Danish Refugee Council, Ltd.", "Danish Refugee Council"),  # punctuation, legal form
        ("Welthungerhilfe e.V.", "Welthungerhilfe"),  # dotted legal form
        ("The Refugee Law Project", "Refugee Law Project"),  # stop word
        ("Council, Danish Refugee", "Danish Refugee Council"),  # word order
        ("Norwegian Refugee Council", "Norwegian  Refugee-Council"),
        ("International Organization for Migration", "International Organisation of Migration"),
        ("Save the Children & Partners", "Save Children and Partners"),
    ],
)
def test_normalise_name_removes_what_does_not_identify(variant, name):
    assert normalise_name(variant) == normalise_name(name)


def test_normalise_name_keeps_a_name_made_only_of_removable_words():
    assert normalise_name("The Company") == "company the"
    assert normalise_name("") == "" and normalise_name(None) == ""


def test_normalise_acronym():
    assert normalise_acronym("U.N.H.C.R.") == "UNHCR"
    assert normalise_acronym(" drc ") == "DRC"
    assert normalise_acronym("") == ""


EXISTING = [
    (1, "Danish Refugee Council", "DRC", []),
    (2, "Norwegian Refugee Council", "NRC", []),
    (3, "Office of the United Nations High Commissioner for Refugees", "UNHCR", ["HCR"]),
    (4, "Government of Uganda - Office of the Prime Minister", "OPM", []),
    (5, "Médecins Sans Frontières", "MSF", []),
    (6, "Oxfam", "", []),
    (7, "Kenya Red Cross Society", "KRCS", []),
    (8, "Union of Medical Care and Relief Organizations", "UOSSM", ["UOSSM Swiss"]),
]


@pytest.fixture(scope="module")
def index():
    return build_index(EXISTING)


@pytest.mark.parametrize(
    ("name", "acronym", "expected"),
    [
        ("danish refugee council", "", 1),  # case
        ("Medecins sans Frontieres", "", 5),  # accents
        ("Danish Refugee Council (Ltd.)", "", 1),  # punctuation and legal form
        ("The Danish Refugee Council", "", 1),  # stop word
        ("Refugee Council, Danish", "", 1),  # word order
        ("Danish Refugee Counsil", "", 1),  # typo
        ("Norwegain Refugee Council", "", 2),  # transposed letters
        ("Oxfan", "", 6),  # one typo in a short name
        ("Government of Uganda, Office of the Prime-Minister", "", 4),
        ("UN Refugee Agency", "unhcr", 3),  # same acronym
        ("UNHCR", "", 3),  # the name is its acronym
        ("HCR", "", 3),  # one of its other names
        ("Union of Medical Care & Relief Organisations", "", 8),  # spelling variant
    ],
)
def test_candidates_found(index, name, acronym, expected):
    found = score_candidates(index, name, acronym)
    assert expected in found
    assert found[expected][1], "every candidate says why"


@pytest.mark.parametrize(
    ("name", "acronym"),
    [
        ("International Rescue Committee", "IRC"),
        ("Uganda Red Cross Society", "URCS"),  # shares three words with Kenya Red Cross
        ("Government of Zambia - Office of the Commissioner for Refugees", "COR"),
        ("Refugee Council", ""),  # a part of a name is not the name
        ("Equity Bank", "EB"),
        ("Oxford", ""),
        ("Danish Institute for International Studies", "DIIS"),
        ("Swiss Agency for Development and Cooperation", "SDC"),
    ],
)
def test_no_false_candidates_for_unrelated_names(index, name, acronym):
    assert score_candidates(index, name, acronym) == {}


def test_acronym_reason_and_score(index):
    with translation.override("en"):
        score, reasons = score_candidates(index, "Something else entirely", "N.R.C.")[2]
    assert score == 90.0
    assert reasons == ["Same acronym (NRC)"]


def test_exclude_pk(index):
    assert score_candidates(index, "Danish Refugee Council", exclude_pk=1) == {}


@pytest.mark.django_db
def test_find_duplicates_reads_the_database_and_sees_new_organisations():
    drc = OrganisationFactory(name="Danish Refugee Council", acronym="DRC")
    OrganisationFactory(name="Norwegian Refugee Council", acronym="NRC")
    (candidate,) = find_duplicates("The Danish Refugee Counsil")
    assert candidate.organisation == drc
    assert 88 <= candidate.score < 100
    assert candidate.reasons
    # The cached index follows changes: a new organisation is a candidate at once.
    irc = OrganisationFactory(name="International Rescue Committee", acronym="IRC")
    assert [c.organisation for c in find_duplicates("International Rescue Comittee")] == [irc]
    assert find_duplicates("Danish Refugee Council", exclude_pk=drc.pk) == []
    drc.delete()
    assert find_duplicates("Danish Refugee Council") == []


@pytest.mark.django_db
def test_find_duplicates_orders_best_first_and_limits():
    exact = OrganisationFactory(name="Refugee Studies Centre", acronym="RSC")
    near = OrganisationFactory(name="Refugee Studies Center Oxford", acronym="RSCO")
    OrganisationFactory(name="Refugee Studies Centres", acronym="X1")
    found = find_duplicates("Refugee Studies Centre", "RSC", limit=2)
    assert found[0].organisation == exact and found[0].score == 100
    assert len(found) == 2 and found[1].score < 100
    assert near not in [c.organisation for c in found]  # an extra word is another body


@pytest.mark.django_db
def test_find_duplicates_limited_to_queryset():
    hidden = OrganisationFactory(name="Somali Diaspora Forum", visibility=Visibility.NAMED)
    assert [c.organisation for c in find_duplicates("Somali Diaspora Forum")] == [hidden]
    public = Organisation.objects.filter(visibility=Visibility.PUBLIC)
    assert find_duplicates("Somali Diaspora Forum", queryset=public) == []


@pytest.mark.django_db
def test_find_duplicates_costs_one_query_once_the_index_is_built(django_assert_num_queries):
    OrganisationFactory.create_batch(30)
    OrganisationFactory(name="Kenya Red Cross Society", acronym="KRCS")
    find_duplicates("warm the index")
    with django_assert_num_queries(1):  # the candidates' rows
        assert find_duplicates("Kenya Red-Cross Society")


@pytest.mark.django_db
def test_changes_made_elsewhere_are_seen_after_the_recheck(monkeypatch, django_assert_num_queries):
    find_duplicates("warm the index")
    # bulk_create sends no signals: as if another process had added the organisation.
    Organisation.objects.bulk_create(
        [Organisation(name="Tanzania Red Cross Society", org_type="red_cross")]
    )
    monkeypatch.setattr(duplicates, "RECHECK_SECONDS", 0.0)
    with django_assert_num_queries(3):  # freshness check, rebuild, candidates
        (found,) = find_duplicates("Tanzania Red Cross Societ")
    assert found.organisation.name == "Tanzania Red Cross Society"
