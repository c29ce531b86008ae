"""Country names and codes as lists and queries write them, to ISO 3166 alpha-2."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

# Spellings used by the UN, OFAC, EU and UK lists and by people, beyond pycountry's names.
_EXTRA = {
    "iran islamic republic of": "IR",
    "iran": "IR",
    "democratic people s republic of korea": "KP",
    "north korea": "KP",
    "korea north": "KP",
    "korea dprk": "KP",
    "south korea": "KR",
    "korea south": "KR",
    "republic of korea": "KR",
    "democratic republic of the congo": "CD",
    "congo democratic republic of": "CD",
    "congo democratic republic of was zaire": "CD",
    "drc": "CD",
    "zaire": "CD",
    "republic of the congo": "CG",
    "congo": "CG",
    "syria": "SY",
    "syrian arab republic": "SY",
    "russia": "RU",
    "russian federation": "RU",
    "united kingdom of great britain and northern ireland": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "united states of america": "US",
    "united states": "US",
    "usa": "US",
    "turkey": "TR",
    "turkiye": "TR",
    "state of palestine": "PS",
    "palestine": "PS",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "occupied palestinian territory": "PS",
    "united republic of tanzania": "TZ",
    "tanzania": "TZ",
    "viet nam": "VN",
    "vietnam": "VN",
    "burma": "MM",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "kosovo": "XK",
    "czech republic": "CZ",
    "macedonia": "MK",
    "the gambia": "GM",
    "gambia": "GM",
    "bosnia": "BA",
    "china hong kong special administrative region": "HK",
    "hong kong": "HK",
    "taiwan": "TW",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "micronesia": "FM",
    "vatican": "VA",
    "uae": "AE",
    "emirates": "AE",
    "soviet union": "RU",
    "ussr": "RU",
    "yugoslavia": "RS",
    "serbia and montenegro": "RS",
    "region kurdistan iraq": "IQ",
}

# Nationality adjectives people write in the nationality column.
_DEMONYMS = {
    "afghan": "AF",
    "iraqi": "IQ",
    "iranian": "IR",
    "syrian": "SY",
    "yemeni": "YE",
    "saudi": "SA",
    "egyptian": "EG",
    "libyan": "LY",
    "somali": "SO",
    "sudanese": "SD",
    "pakistani": "PK",
    "indian": "IN",
    "russian": "RU",
    "ukrainian": "UA",
    "belarusian": "BY",
    "chinese": "CN",
    "american": "US",
    "british": "GB",
    "french": "FR",
    "german": "DE",
    "tunisian": "TN",
    "algerian": "DZ",
    "moroccan": "MA",
    "jordanian": "JO",
    "lebanese": "LB",
    "kuwaiti": "KW",
    "qatari": "QA",
    "emirati": "AE",
    "turkish": "TR",
    "nigerian": "NG",
    "kenyan": "KE",
    "malian": "ML",
    "congolese": "CD",
    "rwandan": "RW",
    "ugandan": "UG",
    "ethiopian": "ET",
    "eritrean": "ER",
    "indonesian": "ID",
    "filipino": "PH",
    "malaysian": "MY",
    "korean": "KP",
    "venezuelan": "VE",
    "colombian": "CO",
    "mexican": "MX",
    "cuban": "CU",
    "spanish": "ES",
    "italian": "IT",
    "dutch": "NL",
    "belgian": "BE",
    "swiss": "CH",
    "swedish": "SE",
    "norwegian": "NO",
    "danish": "DK",
    "bangladeshi": "BD",
    "tajik": "TJ",
    "uzbek": "UZ",
    "kazakh": "KZ",
    "chadian": "TD",
    "nigerien": "NE",
    "mauritanian": "MR",
    "senegalese": "SN",
    "bosnian": "BA",
    "georgian": "GE",
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table[_key(value)] = code
        table[country.alpha_3.lower()] = code
        table[code.lower()] = code
    table.update(_EXTRA)
    table.update(_DEMONYMS)
    return table


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for a code (ISO2/ISO3), a name or a nationality adjective; None if unknown."""
    if not value:
        return None
    key = _key(value)
    if not key or key in {"na", "n a", "unknown", "none", "stateless"}:
        return None
    table = _table()
    if key in table:
        return table[key]
    # "Iran (Islamic Republic of)" -> "iran islamic republic of"; "Yemen; Saudi Arabia" first.
    for part in re.split(r"[;/]| and ", value):
        part_key = _key(part)
        if part_key in table:
            return table[part_key]
    return None
