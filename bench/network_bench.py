"""Duplicate organisation search over 20,000 organisations: Harambee's cached, normalised index
against two naive baselines, side by side in one process.

    .venv/bin/python -m bench.network_bench [--organisations 20000] [--queries 200]

It builds a throw-away test database (SQLite in memory unless DATABASE_URL says otherwise),
fills it, and for each method prints the time per query, how many misspelt, reordered or
re-punctuated variants of existing names it finds (recall), and how often it proposes a
candidate for a name that exists nowhere (false alarms).
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from rapidfuzz import fuzz, process, utils  # noqa: E402

from harambee.network import duplicates  # noqa: E402
from harambee.network.models import Organisation  # noqa: E402

PLACES = [
    "Kampala", "Nakivale", "Kyangwali", "Arua", "Gulu", "Lusaka", "Meheba", "Mayukwayukwa",
    "Ndola", "Kigoma", "Nyarugusu", "Dar es Salaam", "Mwanza", "Nairobi", "Kakuma", "Dadaab",
    "Garissa", "Mombasa", "Mogadishu", "Baidoa", "Kismayo", "Hargeisa", "Juba", "Goma",
    "Bujumbura", "Kigali", "Addis Ababa", "Gambela", "Khartoum", "Sanaa", "Amman", "Beirut",
    "Gaziantep", "Kabul", "Cox's Bazar", "Bangui", "Maiduguri", "Bamako", "Niamey", "Conakry",
]  # fmt: skip
QUALIFIERS = [
    "Refugee", "Women's", "Youth", "Returnee", "Community", "Farmers'", "Teachers'", "Health",
    "Diaspora", "Host Community", "Displaced Persons'", "Traders'", "Disability", "Legal Aid",
    "Water", "Education", "Peace", "Microfinance", "Savings", "Children's", "Elders'",
]  # fmt: skip
KINDS = [
    "Association", "Network", "Council", "Foundation", "Cooperative", "Forum", "Initiative",
    "Trust", "Alliance", "Society", "Union", "Centre", "Development Organisation", "Bank",
    "Support Group", "Relief Committee", "Action Group", "Solidarity Fund",
]  # fmt: skip
PREFIXES = ["", "", "", "The ", "United ", "New ", "Hope ", "Good Neighbours "]
SUFFIXES = ["", "", "", " Ltd", " e.V.", " Inc.", " (CBO)", " International"]


def generate_names(n: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        name = (
            f"{rng.choice(PREFIXES)}{rng.choice(PLACES)} {rng.choice(QUALIFIERS)} "
            f"{rng.choice(KINDS)}{rng.choice(SUFFIXES)}"
        )
        names.add(name)
    return sorted(names)


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]


def variant(name: str, rng: random.Random) -> str:
    """How people mistype an organisation they mean: case, accents, order, forms, typos."""
    words = name.replace(" Ltd", "").replace(" e.V.", "").replace(" Inc.", "").split()
    change = rng.choice(["typo", "order", "case", "legal", "accents", "punctuation"])
    if change == "typo":
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = typo(words[i], rng)
    elif change == "order" and len(words) > 2:
        words = [*words[-1:], *words[:-1]]
    elif change == "case":
        words = [w.upper() for w in words]
    elif change == "legal":
        words = ["The", *words, rng.choice(["Ltd.", "Limited", "e.V.", "Inc"])]
    elif change == "accents":
        words = [w.replace("e", "é", 1) if "e" in w else w for w in words]
    else:
        words = [w + ("," if k % 2 else "") for k, w in enumerate(words)]
    return " ".join(words)


def unrelated(rng: random.Random, existing: set[str]) -> str:
    while True:
        name = (
            f"{rng.choice(['Bright', 'Blue Nile', 'Sahel', 'Lake', 'Highland', 'Coastal'])} "
            f"{rng.choice(['Engineers', 'Pharmacists', 'Artisans', 'Fishers', 'Drivers'])} "
            f"{rng.choice(['Guild', 'Collective', 'Syndicate', 'Circle'])}"
        )
        if name not in existing:
            return name


def measure(
    label: str,
    search: Callable[[str], set[int]],
    hits: list[tuple[str, int]],
    misses: list[str],
) -> dict[str, Any]:
    times: list[float] = []
    found = 0
    for query, expected in hits:
        start = time.perf_counter()
        result = search(query)
        times.append(time.perf_counter() - start)
        found += expected in result
    alarms = 0
    for query in misses:
        start = time.perf_counter()
        result = search(query)
        times.append(time.perf_counter() - start)
        alarms += bool(result)
    return {
        "label": label,
        "median_ms": statistics.median(times) * 1000,
        "mean_ms": statistics.fmean(times) * 1000,
        "recall": found / len(hits),
        "false_alarms": alarms / len(misses),
        "queries": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--slow-queries", type=int, default=20, help="fewer queries for the slow baselines"
    )
    args = parser.parse_args()
    rng = random.Random(20170608)

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        names = generate_names(args.organisations, rng)
        start = time.perf_counter()
        Organisation.objects.bulk_create(
            [Organisation(name=n, org_type="other") for n in names], batch_size=2000
        )
        print(f"{len(names):,} organisations inserted in {time.perf_counter() - start:.1f} s")
        rows = list(Organisation.objects.values_list("pk", "name"))
        pk_of = {name: pk for pk, name in rows}
        raw_names = [name for _pk, name in rows]
        raw_pks = [pk for pk, _name in rows]
        lowered = [n.lower() for n in raw_names]

        half = args.queries // 2
        sample = rng.sample(names, half)
        hits = [(variant(n, rng), pk_of[n]) for n in sample]
        existing = set(names)
        misses = [unrelated(rng, existing) for _ in range(args.queries - half)]

        duplicates.clear_index()
        start = time.perf_counter()
        duplicates.get_index()
        build = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(20):
            duplicates._current_key()
        freshness = (time.perf_counter() - start) / 20

        def ours(query: str) -> set[int]:
            return {c.organisation.pk for c in duplicates.find_duplicates(query)}

        def rapidfuzz_raw(query: str) -> set[int]:
            found = process.extract(
                query,
                raw_names,
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                score_cutoff=duplicates.NAME_THRESHOLD,
                limit=5,
            )
            return {raw_pks[i] for _name, _score, i in found}

        def difflib_raw(query: str) -> set[int]:
            found = difflib.get_close_matches(
                query.lower(), lowered, n=5, cutoff=duplicates.NAME_THRESHOLD / 100
            )
            return {pk_of[raw_names[lowered.index(f)]] for f in found}

        def uncached(query: str) -> set[int]:
            # The same normalisation and scorer, but names normalised again on every search.
            found = process.extract(
                duplicates.normalise_name(query),
                raw_names,
                scorer=fuzz.ratio,
                processor=duplicates.normalise_name,
                score_cutoff=duplicates.NAME_THRESHOLD,
                limit=5,
            )
            return {raw_pks[i] for _name, _score, i in found}

        d = args.slow_queries // 2
        results = [
            measure("harambee (normalised, cached index + DB)", ours, hits, misses),
            measure("rapidfuzz WRatio over raw names", rapidfuzz_raw, hits, misses),
            measure("difflib get_close_matches (naive)", difflib_raw, hits[:d], misses[:d]),
            measure("normalised names, no cache", uncached, hits[:d], misses[:d]),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"index build from the database: {build * 1000:.0f} ms (once, then on change)")
    print(
        f"freshness check (one aggregate query, at most every "
        f"{duplicates.RECHECK_SECONDS:g} s): {freshness * 1000:.2f} ms\n"
    )
    header = f"{'method':44} {'median ms':>10} {'mean ms':>9} {'recall':>7} {'false alarms':>13} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['label']:44} {r['median_ms']:10.2f} {r['mean_ms']:9.2f} {r['recall']:7.0%} "
            f"{r['false_alarms']:13.0%} {r['queries']:8}"
        )
    ours_ms = results[0]["median_ms"]
    print()
    for r in results[1:]:
        print(f"harambee is {r['median_ms'] / ours_ms:,.1f}x faster than {r['label']} (median)")


if __name__ == "__main__":
    main()
