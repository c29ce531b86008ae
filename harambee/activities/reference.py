"""Reference lists: the IASC global clusters (with names files use for them) and population groups."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

# code, name, aliases seen in 3W files (English and French, old and new names).
GLOBAL_CLUSTERS: list[tuple[str, str, list[str]]] = [
    (
        "CCCM",
        N_("Camp Coordination and Camp Management"),
        ["Camp Management", "CCCM", "Gestion des sites"],
    ),
    ("EDU", N_("Education"), ["Education", "Éducation", "Education in Emergencies", "EiE", "Educ"]),
    (
        "ERY",
        N_("Early Recovery"),
        ["Early Recovery", "Relèvement précoce", "Livelihoods", "Moyens de subsistance"],
    ),
    (
        "ETC",
        N_("Emergency Telecommunications"),
        ["Emergency Telecommunications", "Télécommunications d'urgence"],
    ),
    (
        "FSC",
        N_("Food Security"),
        [
            "Food Security",
            "Food Security and Agriculture",
            "FSAC",
            "FSL",
            "Sécurité Alimentaire",
            "Sécurité alimentaire",
        ],
    ),
    ("HEA", N_("Health"), ["Health", "Santé", "Sante"]),
    ("LOG", N_("Logistics"), ["Logistics", "Logistique"]),
    ("NUT", N_("Nutrition"), ["Nutrition"]),
    ("PRO", N_("Protection"), ["Protection", "General Protection"]),
    ("PRO-CPN", N_("Child Protection"), ["Child Protection", "Protection de l'enfance", "CP"]),
    (
        "PRO-GBV",
        N_("Gender-Based Violence"),
        ["Gender-Based Violence", "GBV", "VBG", "Violences basées sur le genre"],
    ),
    (
        "PRO-HLP",
        N_("Housing, Land and Property"),
        ["Housing, Land and Property", "HLP", "Logement, terre et propriété"],
    ),
    ("PRO-MIN", N_("Mine Action"), ["Mine Action", "Lutte antimines", "Humanitarian Mine Action"]),
    (
        "SHL",
        N_("Shelter and Non-Food Items"),
        [
            "Shelter",
            "Shelter and NFI",
            "Emergency Shelter and NFI",
            "ES/NFI",
            "ES-NFI",
            "Abris",
            "Abris/NFI",
            "NFI",
        ],
    ),
    (
        "WSH",
        N_("Water, Sanitation and Hygiene"),
        ["WASH", "Water, Sanitation and Hygiene", "EHA", "Eau, hygiène et assainissement"],
    ),
    (
        "MS",
        N_("Multi-sector"),
        [
            "Multi-sector",
            "Multisectoral",
            "Multi-Purpose Cash",
            "MPC",
            "Multi-purpose cash assistance",
        ],
    ),
    (
        "CSS",
        N_("Coordination and Support Services"),
        [
            "Coordination",
            "Coordination and Support Services",
            "Coordination et services de soutien",
        ],
    ),
]

POPULATION_GROUPS: list[tuple[str, str]] = [
    ("refugees", N_("Refugees")),
    ("asylum_seekers", N_("Asylum seekers")),
    ("idps", N_("Internally displaced people")),
    ("returnees", N_("Returnees")),
    ("stateless", N_("Stateless people")),
    ("host_community", N_("Host community")),
    ("migrants", N_("Migrants")),
]


def load_reference(sector_model: Any, population_group_model: Any) -> None:
    """Create or refresh the global clusters and population groups (idempotent)."""
    for code, name, aliases in GLOBAL_CLUSTERS:
        sector_model.objects.update_or_create(
            code=code, country=None, defaults={"name": name, "aliases": aliases}
        )
    for code, name in POPULATION_GROUPS:
        population_group_model.objects.update_or_create(code=code, defaults={"name": name})
