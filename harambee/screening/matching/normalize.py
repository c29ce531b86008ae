"""Name normalisation: script detection, transliteration, tokens and their comparison keys.

A name becomes a `NormName`: its tokens in ASCII lower case, each with
- `key`: a romanisation key that folds common spelling variants (Mohammed/Muhammad/Mohamed,
  Abdul/Abd al/Abdel, el/al, Dmitriy/Dmitry, Hussein/Husayn, x/ks, ph/f, kh/h, w/v, doubled
  letters, o/u and e/a vowels);
- `phon`: a phonetic key (metaphone);
- `skel`: the consonant skeleton, for names written in scripts that leave vowels out (Arabic,
  Persian, Hebrew, Thai);
- a weight: particles (al, bin, de, van...) count little; honorifics (Mr, Dr, Sheikh...) and, for
  organisations, legal-form words (LLC, Ltd, SARL...) are removed and reported.
Transliteration to Latin uses ICU transforms (PyICU) locally: BGN/PCGN for Cyrillic, ICU's
Any-Latin for the other scripts; no network call.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA

try:  # PyICU: a compiled extension; names stay in their script without it (tests need it).
    import icu

    _TRANSLIT = icu.Transliterator.createInstance(
        "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower"
    )
except ImportError:  # pragma: no cover
    _TRANSLIT = None

# Scripts that leave short vowels (or all vowels) unwritten: compare consonant skeletons.
ABJAD_SCRIPTS = frozenset({"arabic", "hebrew", "syriac", "thaana", "thai"})
# Scripts whose names have no reliable word breaks once romanised: compare joined strings too.
LOOSE_SCRIPTS = frozenset({"cjk", "hangul", "hiragana", "katakana", "thai", "lao", "khmer"})

HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mister",
        "madam",
        "dr",
        "doctor",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "sheikh",
        "shaikh",
        "shaykh",
        "sheik",
        "cheikh",
        "haji",
        "hajji",
        "hadji",
        "alhaj",
        "alhaji",
        "mullah",
        "mulla",
        "maulvi",
        "maulavi",
        "mawlawi",
        "maulana",
        "mawlana",
        "imam",
        "general",
        "gen",
        "col",
        "colonel",
        "lt",
        "lieutenant",
        "capt",
        "captain",
        "maj",
        "major",
        "brig",
        "brigadier",
        "admiral",
        "commander",
        "president",
        "minister",
        "excellency",
        "his",
        "her",
        "hon",
        "honourable",
        "honorable",
        "rev",
        "reverend",
        "father",
        "saint",
        "mme",
        "mlle",
        "herr",
        "frau",
        "senor",
        "senora",
        "don",
        "dona",
    ]
)
LEGAL_FORMS = frozenset(
    [
        "llc",
        "ltd",
        "limited",
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "sarl",
        "sa",
        "sas",
        "sasu",
        "gmbh",
        "ag",
        "kg",
        "plc",
        "llp",
        "lp",
        "bv",
        "nv",
        "spa",
        "srl",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "ooo",
        "zao",
        "oao",
        "pao",
        "tov",
        "fze",
        "fzco",
        "fzc",
        "fz",
        "pte",
        "pvt",
        "private",
        "est",
        "establishment",
        "sdn",
        "bhd",
        "pty",
        "ab",
        "oy",
        "as",
        "asa",
        "aps",
        "kft",
        "sro",
        "spzoo",
        "sp",
        "zoo",
        "eood",
        "ood",
        "ead",
        "doo",
        "dd",
        "ltda",
        "cia",
        "sal",
        "sae",
        "wll",
        "ulc",
        "cv",
    ]
)
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "an",
        "ed",
        "es",
        "ez",
        "er",
        "bin",
        "ben",
        "ibn",
        "bint",
        "binti",
        "ould",
        "wuld",
        "de",
        "da",
        "del",
        "della",
        "di",
        "du",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "los",
        "las",
        "y",
        "e",
        "the",
        "of",
        "and",
        "for",
        "et",
        "und",
    ]
)
# Same key for every spelling of these (a few very frequent ones that edit distance misses).
_VARIANTS = {
    **dict.fromkeys(
        [
            "mohammed",
            "muhammad",
            "mohamed",
            "mohammad",
            "muhammed",
            "mohamad",
            "muhamad",
            "mohd",
            "muhammet",
            "mohamud",
            "mouhamed",
            "mouhammad",
            "mohammod",
            "mukhammad",
            "mukhammed",
            "mahomed",
            "mehmed",
        ],
        "muhamad",
    ),
    **dict.fromkeys(
        ["abdul", "abdel", "abdal", "abdol", "abdoul", "abd", "abdu", "abdel", "abdulla"], "abd"
    ),
    **dict.fromkeys(["al", "el", "ul"], "al"),
    **dict.fromkeys(["bin", "ben", "ibn"], "bin"),
    **dict.fromkeys(["abu", "abou", "abo"], "abu"),
    **dict.fromkeys(
        ["hussein", "husein", "hussain", "husain", "husayn", "hossein", "hosein", "hussayn"],
        "husain",
    ),
    **dict.fromkeys(["yusuf", "yousef", "youssef", "yusef", "yousuf", "yossef"], "iusuf"),
    **dict.fromkeys(["osama", "usama", "oussama", "usamah"], "usama"),
}
# Given names so common that matching one alone says nothing about who someone is.
COMMON_GIVEN = frozenset(
    [
        "muhammad",
        "ahmad",
        "ahmed",
        "ali",
        "abd",
        "abdullah",
        "abdallah",
        "hasan",
        "hassan",
        "husain",
        "ibrahim",
        "umar",
        "omar",
        "usman",
        "othman",
        "uthman",
        "yusuf",
        "mahmud",
        "mahmoud",
        "mustafa",
        "khalid",
        "said",
        "saeed",
        "salah",
        "karim",
        "hamid",
        "rashid",
        "nasir",
        "jamal",
        "abdulrahman",
        "abdul",
        "rahman",
        "aziz",
        "bakr",
        "ismail",
        "musa",
        "isa",
        "yahya",
        "zaid",
        "zayd",
        "fatima",
        "aisha",
        "maryam",
        "john",
        "james",
        "michael",
        "david",
        "robert",
        "william",
        "richard",
        "thomas",
        "joseph",
        "charles",
        "mary",
        "maria",
        "jose",
        "juan",
        "carlos",
        "luis",
        "ana",
        "anna",
        "jean",
        "pierre",
        "ivan",
        "sergei",
        "sergey",
        "vladimir",
        "alexander",
        "aleksandr",
        "andrei",
        "andrey",
        "nikolai",
        "dmitri",
        "alexei",
        "mikhail",
        "li",
        "wang",
        "zhang",
        "chen",
        "liu",
        "kim",
        "lee",
        "park",
    ]
)

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02be\u02bf\u0060\u00b4]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def script_of(text: str) -> str:
    """'latin' or the first other script found among the letters ('arabic', 'cyrillic', ...)."""
    for char in text:
        if char.isascii() or not char.isalpha():
            continue
        try:
            first = unicodedata.name(char).split()[0].lower()
        except ValueError:
            continue
        if first == "latin":
            continue
        if first in {"cjk", "hangul", "hiragana", "katakana"}:
            return first
        return first
    return "latin"


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """Lower-case ASCII, transliterated from any script."""
    if text.isascii():
        return text.lower()
    if _TRANSLIT is not None:
        return _TRANSLIT.transliterate(text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii()).lower()


# (a substring the rule needs, the rule, its replacement): the check is much cheaper than a
# regular expression that finds nothing.
_KEY_RULES = [
    ("x", re.compile(r"x"), "ks"),
    ("ph", re.compile(r"ph"), "f"),
    ("ck", re.compile(r"ck"), "k"),
    ("q", re.compile(r"q"), "k"),
    ("c", re.compile(r"c(?=[eiy])"), "s"),
    ("c", re.compile(r"c(?!h)"), "k"),
    ("d", re.compile(r"dzh|dj"), "j"),
    ("kh", re.compile(r"kh"), "h"),
    ("gh", re.compile(r"gh"), "g"),
    ("dh", re.compile(r"dh"), "d"),
    ("th", re.compile(r"th"), "t"),
    ("zh", re.compile(r"zh"), "j"),
    ("w", re.compile(r"w"), "v"),
    ("o", re.compile(r"ou|oo"), "u"),
    ("ee", re.compile(r"ee"), "i"),
    ("y", re.compile(r"y"), "i"),
    ("ij", re.compile(r"ij$"), "i"),
    ("ei", re.compile(r"ei"), "ai"),
    ("o", re.compile(r"o"), "u"),
    ("e", re.compile(r"e"), "a"),
]


@lru_cache(maxsize=262144)
def _fold(token: str) -> str:
    """The spelling rules shared by romanisation keys and skeletons (x/ks, ph/f, kh/h...)."""
    for needed, pattern, repl in _KEY_RULES:
        if needed in token:
            token = pattern.sub(repl, token)
    return token


@lru_cache(maxsize=262144)
def roman_key(token: str) -> str:
    """Fold romanisation variants: two spellings of one name get one key (mostly)."""
    if token in _VARIANTS:
        return _VARIANTS[token]
    if token.isdigit() or len(token) < 2:
        return token
    key = _DOUBLE.sub(r"\1", _fold(token))
    if len(key) > 4 and key.endswith("h") and key[-2] in "aiu":
        key = key[:-1]
    if len(key) > 6 and key.startswith(("abdul", "abdal", "abdol")):
        key = "abd" + key[5:]
    return _VARIANTS.get(key, key)


_VOWELS = re.compile(r"[aeiouyvw]")


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Consonants only (vowels, and the half-vowels y/w/v dropped), doubled letters merged."""
    if token.isdigit():
        return token
    # Arabic has no p: Perez is written Beriz.
    return _DOUBLE.sub(r"\1", _VOWELS.sub("", _fold(token)).replace("p", "b"))


@lru_cache(maxsize=262144)
def phonetic(token: str) -> str:
    if len(token) < 3 or token.isdigit():
        return ""
    return jellyfish.metaphone(token)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    key: str
    phon: str
    skel: str
    weight: float
    particle: bool
    common: bool


@dataclass(frozen=True, slots=True)
class NormName:
    original: str
    script: str
    latin: str
    tokens: tuple[Token, ...]
    removed: tuple[str, ...]
    abjad: bool
    loose: bool
    # Adjacent tokens that may be joined (two, or three around a particle), with their end
    # tokens' keys and skeletons joined: worked out once per name (list names: once per index).
    spans: tuple[tuple[tuple[int, ...], str, str], ...] = ()

    @property
    def joined(self) -> str:
        return "".join(t.text for t in self.tokens)

    @property
    def meaningful(self) -> int:
        return sum(1 for t in self.tokens if not t.particle)


@lru_cache(maxsize=262144)
def make_token(text: str) -> Token:
    key = roman_key(text)
    particle = text in PARTICLES or key in {"al", "bin"}
    weight = 0.2 if particle else (0.6 if len(text) <= 2 else 1.0)
    if text.endswith(_PATRONYMIC) and len(text) > 6:
        weight = 0.5  # Russian patronymics (Viktorovich) are often left out
    return Token(
        text=text,
        key=key,
        phon=phonetic(text),
        skel=skeleton(text),
        weight=weight,
        particle=particle,
        common=key in _COMMON_KEYS or text in COMMON_GIVEN,
    )


_PATRONYMIC = ("ovich", "evich", "ovna", "evna", "ievich", "ovych", "evych", "ivna")
_COMMON_KEYS = frozenset(roman_key(n) for n in COMMON_GIVEN)


_DOTTED = re.compile(r"\b([a-z])\.(?=[a-z]\b)")
_LEGAL_PHRASES = re.compile(
    r"\b(limited liability company|limited liability partnership|joint stock company|"
    r"public joint stock company|closed joint stock company|open joint stock company|"
    r"gesellschaft mit beschrankter haftung|societe anonyme|societe a responsabilite limitee|"
    r"obshchestvo s ogranichennoy otvetstvennostyu|aktsionernoye obshchestvo|"
    r"public limited company|private limited company|sociedad anonima|sociedad limitada)\b"
)
# Long legal-form words, recognised even misspelt (Aktiengeselschaft).
_LONG_LEGAL = ("aktiengesellschaft", "corporation", "incorporated", "kommanditgesellschaft")


def is_legal_form(word: str) -> bool:
    if word in LEGAL_FORMS:
        return True
    return len(word) >= 9 and any(
        OSA.normalized_similarity(word, form) >= 0.88 for form in _LONG_LEGAL
    )


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
]
NUMBER_WORDS = {
    **{w: i for i, w in enumerate(_UNITS)},
    **{w: 20 + 10 * i for i, w in enumerate(_TENS)},
    **{w: i + 1 for i, w in enumerate(_ORDINALS)},
    "fourty": 40,
}
_ORDINAL_DIGITS = re.compile(r"^(\d+)(st|nd|rd|th)$")


def numbers_as_digits(words: list[str]) -> list[str]:
    """'forty four', 'forty 4', 'first', '1st' -> '44', '44', '1', '1'."""
    out: list[str] = []
    for word in words:
        match = _ORDINAL_DIGITS.match(word)
        value = NUMBER_WORDS.get(word)
        if match:
            word = match.group(1)
        elif value is not None:
            word = str(value)
        if (
            out
            and word.isdigit()
            and len(word) == 1
            and out[-1].isdigit()
            and len(out[-1]) == 2
            and out[-1].endswith("0")
            and out[-1] != "10"
        ):
            out[-1] = str(int(out[-1]) + int(word))
            continue
        out.append(word)
    return out


def tokenize(latin: str) -> list[str]:
    latin = _APOSTROPHES.sub("", latin)
    latin = _DOTTED.sub(r"\1", latin)  # L.X.C -> lxc, G.m.b.H. -> gmbh
    return [t for t in _NON_ALNUM.split(latin) if t]


@lru_cache(maxsize=131072)
def normalize(name: str, schema: str = "") -> NormName:
    """Normalise a name; `schema` is person, organisation, vessel, aircraft or '' (unknown)."""
    script = script_of(name)
    latin = to_latin(unicodedata.normalize("NFC", name))
    removed: list[str] = []
    if schema != "person":
        latin, count = _LEGAL_PHRASES.subn(" ", latin)
        if count:
            removed.append("legal form")
    words = tokenize(latin)
    if schema != "person":
        words = numbers_as_digits(words)
    strip_legal = schema not in {"person"}
    kept: list[str] = []
    for word in words:
        if word in HONORIFICS or (strip_legal and schema and is_legal_form(word)):
            removed.append(word)
        else:
            kept.append(word)
    if not strip_legal or not schema:
        # Unknown type: drop legal forms only at the end of a name ("Acme Trading LLC").
        while len(kept) > 1 and len(kept[-1]) > 2 and is_legal_form(kept[-1]):
            removed.append(kept.pop())
    if not kept:  # a name made only of such words: keep them
        kept, removed = words, [w for w in removed if w == "legal form"]
    tokens = tuple(make_token(w) for w in kept)
    return NormName(
        original=name,
        script=script,
        latin=" ".join(kept),
        tokens=tokens,
        removed=tuple(removed),
        abjad=script in ABJAD_SCRIPTS,
        loose=script in LOOSE_SCRIPTS,
        spans=join_spans(tokens),
    )


def join_spans(tokens: tuple[Token, ...]) -> tuple[tuple[tuple[int, ...], str, str], ...]:
    """(token positions, joined keys, joined skeletons) of each run of tokens that may match
    one token of the other name: two adjacent ones, or two around a particle."""
    spans: list[tuple[tuple[int, ...], str, str]] = []
    for j in range(len(tokens) - 1):
        runs: list[tuple[int, ...]] = [(j, j + 1)]
        if j + 2 < len(tokens) and tokens[j + 1].particle:
            runs.append((j, j + 1, j + 2))
        for run in runs:
            first, last = tokens[run[0]], tokens[run[-1]]
            spans.append((run, first.key + last.key, first.skel + last.skel))
    return tuple(spans)
