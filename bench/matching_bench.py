"""Matching: 100,000 offers x 20,000 needs generated from ESCO occupations and their essential
skills; the engine's whole run (candidates, scores, assignment, explanations) timed, its total
checked against OR-Tools min-cost flow built independently on the same scored candidate graph,
against scipy's linear_sum_assignment on small cases, and against a greedy baseline; capacities
checked; and typo-tolerant occupation lookup accuracy on ESCO alternative labels with one typo.

    .venv/bin/python -m bench.matching_bench [--offers 100000] [--needs 20000] [--queries 2000]

Reads the ESCO zips directly (no database needed).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
import zipfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from harambee.matching import engine  # noqa: E402
from harambee.matching.taxonomy import LabelIndex, normalise, search_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = next(
    (
        p
        for p in [ROOT.parent / "shared/data/taxonomies", Path("/work/shared/data/taxonomies")]
        if p.exists()
    ),
    None,
)
COUNTRIES = [
    "SLE",
    "LBR",
    "GIN",
    "NGA",
    "KEN",
    "UGA",
    "SSD",
    "SDN",
    "ETH",
    "SOM",
    "JOR",
    "LBN",
    "TUR",
    "AFG",
    "SYR",
]
LANGUAGES = ["eng", "fra", "ara", "kri", "swa", "som", "amh", "hau", "tur", "prs", "pus", "spa"]


def rows(zip_path: Path, member: str):
    with zipfile.ZipFile(zip_path) as z, z.open(member) as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))


def load_esco():
    classification = next(DATA.glob("*classification*.zip"))
    relations = next(DATA.glob("*relations*.zip"))
    occupations = {}
    for r in rows(classification, "occupations_en.csv"):
        alts = [a.strip() for a in r["altLabels"].splitlines() if a.strip()]
        occupations[r["conceptUri"]] = {
            "code": r["code"],
            "label": r["preferredLabel"],
            "alt": alts,
        }
    essential, optional = defaultdict(list), defaultdict(list)
    for r in rows(relations, "occupationSkillRelations.csv"):
        if r["occupationUri"] in occupations:
            (essential if r["relationType"] == "essential" else optional)[
                r["occupationUri"]
            ].append(r["skillUri"])
    return occupations, essential, optional


def synthetic(occupations, essential, optional, n_offers, n_needs, rng):
    uris = [u for u in occupations if essential.get(u)]
    start = date(2026, 1, 1)
    offers = []
    for i in range(n_offers):
        uri = rng.choice(uris)
        ess = essential[uri]
        skills = set(rng.sample(ess, max(1, int(len(ess) * rng.uniform(0.4, 1.0)))))
        if optional.get(uri):
            skills |= set(rng.sample(optional[uri], min(len(optional[uri]), rng.randint(0, 3))))
        langs = {
            code: (rng.randint(2, 6), rng.randint(1, 6))
            for code in rng.sample(LANGUAGES, rng.randint(1, 3))
        }
        f = start + timedelta(days=rng.randint(0, 200))
        offers.append(
            engine.OfferUnit(
                id=f"o{i}",
                capacity=rng.randint(1, 3),
                occupations=[(occupations[uri]["code"], rng.randint(0, 20))],
                skills=frozenset(skills),
                languages=langs,
                country=rng.choice(COUNTRIES),
                remote=rng.random() < 0.4,
                available_from=f,
                available_to=f + timedelta(days=rng.randint(60, 500))
                if rng.random() < 0.7
                else None,
                consent=rng.random() < 0.95,
                organisation=f"org{rng.randint(0, 499)}",
                nationality=rng.choice(COUNTRIES),
                verification=rng.choice([0.0, 0.0, 0.5, 1.0]),
                utc_offset=float(rng.randint(-1, 5)),
            )
        )
    needs = []
    for i in range(n_needs):
        uri = rng.choice(uris)
        code = occupations[uri]["code"]
        if rng.random() < 0.3:
            code = code.split(".")[0]  # an ISCO unit group: any occupation in it
        ess = essential[uri]
        s = start + timedelta(days=rng.randint(0, 300))
        needs.append(
            engine.NeedUnit(
                id=f"n{i}",
                posts=rng.randint(1, 3),
                occupations=[code],
                skills_required=frozenset(rng.sample(ess, min(len(ess), 8))),
                skills_optional=frozenset(
                    rng.sample(optional.get(uri, []), min(len(optional.get(uri, [])), 4))
                ),
                languages={rng.choice(LANGUAGES): (rng.randint(1, 4), False)},
                country=rng.choice(COUNTRIES),
                remote_ok=rng.random() < 0.5,
                start=s,
                end=s + timedelta(days=rng.randint(30, 180)),
                utc_offset=float(rng.randint(-1, 5)),
            )
        )
    return offers, needs


def independent_optimum(graph: engine.Candidates) -> int:
    """OR-Tools min-cost flow on the same candidate graph, built separately: supplies on the
    need nodes, an "unfilled" arc from each need straight to the sink."""
    from ortools.graph.python import min_cost_flow

    n, m = len(graph.needs), len(graph.offers)
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        graph.need_index, n + graph.offer_index, np.ones(len(graph), dtype=np.int64), -graph.score
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        n + np.arange(m),
        np.full(m, sink),
        np.asarray([o.capacity for o in graph.offers]),
        np.zeros(m, dtype=np.int64),
    )
    posts = np.asarray([x.posts for x in graph.needs], dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n), np.full(n, sink), posts, np.zeros(n, dtype=np.int64)
    )
    flow.set_nodes_supplies(np.arange(n), posts)
    flow.set_node_supply(sink, -int(posts.sum()))
    assert flow.solve() == flow.OPTIMAL
    return int((-graph.score * flow.flows(arcs)).sum() * -1)


def greedy(graph: engine.Candidates) -> int:
    order = np.argsort(-graph.score, kind="stable")
    load = np.zeros(len(graph.offers), dtype=np.int64)
    filled = np.zeros(len(graph.needs), dtype=np.int64)
    cap = np.asarray([o.capacity for o in graph.offers])
    posts = np.asarray([x.posts for x in graph.needs])
    total = 0
    for e in order.tolist():
        i, j = graph.need_index[e], graph.offer_index[e]
        if filled[i] < posts[i] and load[j] < cap[j]:
            filled[i] += 1
            load[j] += 1
            total += int(graph.score[e])
    return total


def small_cases(rng, occupations, essential, optional, cases: int = 20) -> tuple[int, int]:
    agree = 0
    for _ in range(cases):
        offers, needs = synthetic(occupations, essential, optional, 60, 25, rng)
        for x in needs:
            x.posts = 1
            x.country = None  # anywhere, so small cases have candidates
        result = engine.run(needs, offers, max_candidates=60)
        g = result.candidates
        cols = [(j, c) for j, o in enumerate(offers) for c in range(o.capacity)]
        w = np.zeros((len(needs), len(cols)))
        sc = {
            (int(a), int(b)): int(s)
            for a, b, s in zip(g.need_index, g.offer_index, g.score, strict=True)
        }
        for i in range(len(needs)):
            for c, (j, _k) in enumerate(cols):
                w[i, c] = sc.get((i, j), 0)
        r, c = linear_sum_assignment(w, maximize=True)
        agree += int(w[r, c].sum()) == result.total
    return agree, cases


def typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    letters = "abcdefghijklmnopqrstuvwxyz"
    kind = rng.choice(["delete", "insert", "substitute", "transpose"])
    if kind == "delete" and len(text) > 3:
        return text[:i] + text[i + 1 :]
    if kind == "insert":
        return text[:i] + rng.choice(letters) + text[i:]
    if kind == "transpose" and i < len(text) - 1 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    choices = [ch for ch in letters if ch != text[i]]
    return text[:i] + rng.choice(choices) + text[i + 1 :]


def lookup_accuracy(occupations, queries: int, rng) -> dict[str, float]:
    index = LabelIndex()
    owners = defaultdict(set)
    for pk, (_uri, occ) in enumerate(occupations.items()):
        index.names[pk] = occ["label"]
        index.extra[pk] = occ["code"]
        for text in [occ["label"], *occ["alt"]]:
            norm = normalise(text)
            if norm:
                index.labels.append(norm)
                index.ids.append(pk)
                index.exact.setdefault(norm, pk)
                owners[norm].add(pk)
    alts = [(normalise(a), pk) for pk, occ in enumerate(occupations.values()) for a in occ["alt"]]
    alts = [(a, pk) for a, pk in alts if len(a) >= 5 and len(owners[a]) == 1]
    sample = rng.sample(alts, min(queries, len(alts)))
    hits = exact_hits = 0
    started = time.perf_counter()
    for label, pk in sample:
        query = typo(label, rng)
        found = search_index(index, query, limit=1)
        hits += bool(found) and found[0].pk == pk
    elapsed = time.perf_counter() - started
    for label, pk in sample:
        exact_hits += index.exact.get(typo(label, rng)) == pk
    return {
        "queries": len(sample), "labels": len(index.labels), "accuracy": hits / len(sample),
        "exact_baseline": exact_hits / len(sample), "ms_per_query": 1000 * elapsed / len(sample),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if DATA is None:
        print("ESCO data not found (../shared/data/taxonomies); skipped.")
        return 0
    rng = random.Random(args.seed)
    t = time.perf_counter()
    occupations, essential, optional = load_esco()
    print(f"ESCO read: {len(occupations)} occupations in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    offers, needs = synthetic(occupations, essential, optional, args.offers, args.needs, rng)
    print(
        f"synthetic: {len(offers):,} offers, {len(needs):,} needs ({sum(n.posts for n in needs):,} posts) in {time.perf_counter() - t:.1f} s"
    )

    result = engine.run(needs, offers)
    g = result.candidates
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
    print(f"engine whole run: {timings}")
    print(f"candidate pairs: {len(g):,} (all pairs would be {len(offers) * len(needs):,})")
    assigned = len(result.assignments)
    print(f"assigned posts: {assigned:,}; total score {result.total_score:,.2f}")

    t = time.perf_counter()
    optimum = independent_optimum(g)
    print(
        f"independent OR-Tools min-cost flow on the same graph: {optimum / 100:,.2f} in {time.perf_counter() - t:.2f} s -> {'EQUAL' if optimum == result.total else 'DIFFERENT'}"
    )
    t = time.perf_counter()
    baseline = greedy(g)
    print(
        f"greedy baseline (best score first): {baseline / 100:,.2f} in {time.perf_counter() - t:.2f} s; optimal/greedy = {result.total / max(1, baseline):.4f}"
    )

    load = defaultdict(int)
    per_need = defaultdict(int)
    for a in result.assignments:
        load[a.offer_id] += 1
        per_need[a.need_id] += 1
    capacity = {o.id: o.capacity for o in offers}
    posts = {n.id: n.posts for n in needs}
    consent = {o.id: o.consent for o in offers}
    violations = sum(load[o] > capacity[o] for o in load) + sum(
        per_need[n] > posts[n] for n in per_need
    )
    no_consent = sum(not consent[a.offer_id] for a in result.assignments)
    print(f"capacity violations: {violations}; matches without consent: {no_consent}")

    agree, cases = small_cases(random.Random(args.seed + 1), occupations, essential, optional)
    print(f"scipy linear_sum_assignment agrees on {agree}/{cases} small cases")

    figures = lookup_accuracy(occupations, args.queries, random.Random(args.seed + 2))
    print(
        f"typo-tolerant occupation lookup: top-1 accuracy {figures['accuracy']:.1%} on {figures['queries']} ESCO alternative labels with one typo "
        f"({figures['labels']:,} labels indexed, {figures['ms_per_query']:.1f} ms/query); exact-lookup baseline {figures['exact_baseline']:.1%}"
    )
    ok = (
        optimum == result.total and violations == 0 and no_consent == 0 and agree == cases
        and result.timings["total"] < 60
    )  # fmt: skip
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
