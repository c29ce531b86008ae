"""Linking the parties a money source names to what Harambee holds.

No new matcher: organisations go through the 3W importer's OrganisationReconciler (the network's
duplicate index), countries and sectors through its Country and Sector resolvers. A party is
linked only when the match is sure; the source's own id and name stay beside it either way.
"""

from __future__ import annotations

from collections.abc import Iterable

from harambee.activities.importers.rows import OrgRef, plain
from harambee.activities.reconcile import CountryResolver, OrganisationReconciler, SectorResolver
from harambee.places.models import Emergency

# Country names FTS uses that the resolver's names and aliases do not cover.
FTS_COUNTRY_NAMES = {
    "occupied palestinian territory": "PSE",
    "state of palestine": "PSE",
    "iran islamic republic of": "IRN",
    "syrian arab republic": "SYR",
    "democratic republic of the congo": "COD",
    "venezuela bolivarian republic of": "VEN",
    "bolivia plurinational state of": "BOL",
    "lao people s democratic republic": "LAO",
    "republic of korea": "KOR",
    "democratic people s republic of korea": "PRK",
    "united republic of tanzania": "TZA",
    "turkiye": "TUR",
}


class Reconciler:
    """Answers for the distinct names of one import, each looked up once."""

    def __init__(self) -> None:
        self.countries = CountryResolver()
        self.sectors = SectorResolver("")  # the global clusters
        self.emergencies = {
            plain(name): pk for pk, name in Emergency.objects.order_by().values_list("pk", "name")
        }
        self._organisations: dict[str, int | None] = {}
        self._country_cache: dict[str, str | None] = {}

    def organisations(self, names: Iterable[str]) -> dict[str, int | None]:
        """Organisation id for each name the network surely holds (else None)."""
        wanted = {n for n in names if n and n not in self._organisations}
        if wanted:
            reconciler = OrganisationReconciler()
            keys = {name: reconciler.add(OrgRef(name=name)) for name in wanted}
            reconciler.run()
            for name, key in keys.items():
                item = reconciler.items[key]
                sure = item.status == "matched" and item.organisation
                self._organisations[name] = item.organisation[0] if sure else None  # type: ignore[index]
        return {n: self._organisations.get(n) for n in names}

    def country(self, name: str) -> str | None:
        """ISO3 of a country named by the source, when exactly one country fits."""
        if name in self._country_cache:
            return self._country_cache[name]
        iso3 = FTS_COUNTRY_NAMES.get(plain(name))
        if iso3 is not None and iso3 not in self.countries.known:
            iso3 = None
        if iso3 is None:
            iso3 = self.countries.exact(name)
        if iso3 is None:
            found = self.countries.candidates(name)
            iso3 = found[0] if len(found) == 1 else None
        self._country_cache[name] = iso3
        return iso3

    def sector(self, name: str) -> int | None:
        """A global cluster, by its name or any alias (never a new sector)."""
        match = self.sectors.resolve("", name) if name else None
        return match.sector_id if match is not None and not match.is_new else None

    def emergency(self, name: str) -> int | None:
        return self.emergencies.get(plain(name)) if name else None
