import random
from datetime import date

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from harambee.matching import engine
from harambee.matching.engine import NeedUnit, OfferUnit

CODES = ["2221", "2221.1", "2222", "2211", "2310", "3221", "5321"]
SKILLS = [f"s{i}" for i in range(15)]
LANGS = ["eng", "fra", "kri"]


def random_offer(rng, i, capacity=None):
    return OfferUnit(
        id=f"o{i}",
        capacity=capacity or rng.randint(1, 3),
        occupations=[(rng.choice(CODES), rng.randint(0, 12))],
        skills=frozenset(rng.sample(SKILLS, 5)),
        languages={code: (rng.randint(1, 6), rng.randint(1, 6)) for code in rng.sample(LANGS, 2)},
        country=rng.choice(["SLE", "GIN", None]),
        remote=rng.random() < 0.5,
        verification=rng.choice([0.0, 0.5, 1.0]),
        utc_offset=rng.choice([None, 0.0, 1.0, 3.0]),
        available_from=rng.choice([None, date(2026, 1, 1), date(2026, 6, 1)]),
        available_to=rng.choice([None, date(2026, 12, 31)]),
    )


def random_need(rng, i, posts=None):
    return NeedUnit(
        id=f"n{i}",
        posts=posts or rng.randint(1, 3),
        occupations=[rng.choice(CODES)],
        skills_required=frozenset(rng.sample(SKILLS, 3)),
        skills_optional=frozenset(rng.sample(SKILLS, 2)),
        languages={rng.choice(LANGS): (rng.randint(1, 4), rng.random() < 0.3)},
        country=rng.choice(["SLE", "GIN"]),
        remote_ok=rng.random() < 0.5,
        utc_offset=0.0,
        start=rng.choice([None, date(2026, 3, 1)]),
        end=rng.choice([None, date(2026, 8, 31)]),
    )


def scipy_optimum(graph, needs, offers):
    """Maximum total by linear_sum_assignment on posts x capacity slots (one post per need
    or one slot per offer, so no pair can be used twice)."""
    rows = [(i, p) for i, n in enumerate(needs) for p in range(n.posts)]
    cols = [(j, c) for j, o in enumerate(offers) for c in range(o.capacity)]
    weight = np.zeros((len(rows), len(cols)))
    scores = {
        (int(a), int(b)): int(s)
        for a, b, s in zip(graph.need_index, graph.offer_index, graph.score, strict=True)
    }
    for r, (i, _p) in enumerate(rows):
        for c, (j, _c) in enumerate(cols):
            weight[r, c] = scores.get((i, j), 0)
    r, c = linear_sum_assignment(weight, maximize=True)
    return int(weight[r, c].sum())


@pytest.mark.parametrize("seed", range(12))
def test_optimal_equals_scipy_and_respects_capacities(seed):
    rng = random.Random(seed)
    if seed % 2:
        needs = [random_need(rng, i, posts=1) for i in range(14)]
        offers = [random_offer(rng, i) for i in range(20)]
    else:
        needs = [random_need(rng, i) for i in range(10)]
        offers = [random_offer(rng, i, capacity=1) for i in range(25)]
    result = engine.run(needs, offers, max_candidates=50)
    assert result.total == scipy_optimum(result.candidates, needs, offers)
    per_offer, per_need = {}, {}
    for a in result.assignments:
        per_offer[a.offer_id] = per_offer.get(a.offer_id, 0) + 1
        per_need[a.need_id] = per_need.get(a.need_id, 0) + 1
    assert all(per_offer[o.id] <= o.capacity for o in offers if o.id in per_offer)
    assert all(per_need[n.id] <= n.posts for n in needs if n.id in per_need)
    assert len({(a.need_id, a.offer_id) for a in result.assignments}) == len(result.assignments)


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_scores_equal_the_explained_scores(seed):
    rng = random.Random(100 + seed)
    needs = [random_need(rng, i) for i in range(15)]
    offers = [random_offer(rng, i) for i in range(40)]
    graph = engine.generate_candidates(needs, offers, max_candidates=100)
    assert len(graph) > 20
    for e in range(len(graph)):
        need, offer = graph.needs[graph.need_index[e]], graph.offers[graph.offer_index[e]]
        assert engine.eligible(need, offer) is None
        total, parts = engine.score_pair(need, offer)
        assert round(total * 100) == graph.score[e]
        assert abs(sum(p.points for p in parts) - total) < 0.01


def nurse(i, **kw):
    values = dict(
        id=f"o{i}", occupations=[("2221", 5)], languages={"kri": (5, 3)}, country="SLE",
        skills=frozenset({"wound"}),
    )  # fmt: skip
    values.update(kw)
    return OfferUnit(**values)


NEED = NeedUnit(
    id="outbreak", posts=2, occupations=["2221"], skills_required=frozenset({"wound"}),
    languages={"kri": (4, False)}, country="SLE",
)  # fmt: skip


def test_hard_rules_consent_language_and_place():
    offers = [
        nurse(1, consent=False),
        nurse(2, languages={"kri": (3, 3)}),  # B1 below the B2 minimum
        nurse(3, country="GIN"),  # elsewhere, not remote
        nurse(4, country="GIN", remote=True),  # remote but the need is on site
        nurse(5),
    ]
    result = engine.run([NEED], offers)
    assert [a.offer_id for a in result.assignments] == ["o5"]
    assert result.unfilled == {"outbreak": 1}
    assert engine.eligible(NEED, offers[0]) == "no consent to be matched"
    assert "language" in engine.eligible(NEED, offers[1])


def test_capacity_is_never_exceeded_and_the_passed_over_option_says_why():
    need_b = NeedUnit(id="clinic", posts=1, occupations=["2221"], country="SLE")
    strong = nurse(1, capacity=1, verification=1.0, occupations=[("2221", 10)])
    weak = nurse(2, capacity=1, occupations=[("2222", 0)], skills=frozenset())
    result = engine.run([NEED, need_b], [strong, weak])
    assert sum(1 for a in result.assignments if a.offer_id == "o1") == 1
    passed = [p for a in result.assignments for p in a.passed_over]
    assert passed and passed[0].offer_id == "o1"
    assert passed[0].reason.startswith("capacity taken (1 of 1); lowest accepted score there")
    assert passed[0].lowest_accepted is not None


def test_related_occupations_through_the_isco_tree_are_partial_matches():
    assert engine.occupation_similarity("2221", "2221.1") == (1.0, "same")
    assert engine.occupation_similarity("2221.1", "2221.2") == (0.8, "unit")
    assert engine.occupation_similarity("2221", "2222") == (0.5, "minor")
    assert engine.occupation_similarity("2221", "2211") == (0.25, "sub_major")
    assert engine.occupation_similarity("2221", "5321") == (0.0, "none")
    result = engine.run(
        [NeedUnit(id="n", occupations=["2221"])], [nurse(1, occupations=[("2222", 3)])]
    )
    assert result.assignments[0].parts[0].detail.startswith("related occupation 2222")


def test_reasons_name_every_part():
    result = engine.run([NEED], [nurse(1)])
    reasons = result.assignments[0].reasons
    for part in (
        "occupation",
        "skills",
        "languages",
        "place",
        "availability",
        "experience",
        "verification",
    ):
        assert part in reasons
    assert "kri C1 ≥ B2" in reasons


def test_cap_per_organisation():
    offers = [nurse(i, organisation="A" if i < 3 else "B") for i in range(4)]
    need = NeedUnit(id="n", posts=4, occupations=["2221"], country="SLE")
    result = engine.run([need], offers, cap_by="organisation", cap=1)
    organisations = [
        next(o.organisation for o in offers if o.id == a.offer_id) for a in result.assignments
    ]
    assert sorted(organisations) == ["A", "B"]
    with pytest.raises(engine.EngineError):
        engine.run([need], offers, cap_by="religion", cap=1)
    with pytest.raises(engine.EngineError):
        engine.run([need], offers, mode="stable", cap_by="organisation", cap=1)


@pytest.mark.parametrize("seed", range(8))
def test_stable_mode_has_no_blocking_pair_and_respects_capacities(seed):
    rng = random.Random(200 + seed)
    needs = [random_need(rng, i) for i in range(12)]
    offers = [random_offer(rng, i) for i in range(20)]
    for need in needs:  # some needs state their own ranking
        if rng.random() < 0.5:
            need.preferences = [o.id for o in rng.sample(offers, 5)]
    for offer in offers:
        if rng.random() < 0.5:
            offer.preferences = [n.id for n in rng.sample(needs, 4)]
    graph = engine.generate_candidates(needs, offers, max_candidates=50)
    chosen = engine.solve_stable(graph)
    assert engine.blocking_pairs(graph, chosen) == []
    load = np.bincount(graph.offer_index[chosen], minlength=len(offers))
    assert all(load[j] <= o.capacity for j, o in enumerate(offers))
    filled = np.bincount(graph.need_index[chosen], minlength=len(needs))
    assert all(filled[i] <= n.posts for i, n in enumerate(needs))


def test_stable_mode_follows_stated_preferences():
    offers = [nurse(1, verification=1.0), nurse(2)]
    need_a = NeedUnit(id="a", occupations=["2221"], country="SLE", preferences=["o2"])
    need_b = NeedUnit(id="b", occupations=["2221"], country="SLE")
    result = engine.run([need_a, need_b], offers, mode="stable")
    assert {(a.need_id, a.offer_id) for a in result.assignments} == {("a", "o2"), ("b", "o1")}


def test_candidates_come_from_the_index_not_all_pairs():
    offers = [nurse(i) for i in range(50)] + [
        OfferUnit(id=f"t{i}", occupations=[("2310", 3)], country="SLE") for i in range(500)
    ]
    index = engine.OfferIndex(offers)
    rows = index.pool(NEED, 25)
    assert len(rows) == 50  # the teachers are never looked at for a nursing need
