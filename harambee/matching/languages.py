"""Languages by ISO 639 (pycountry) and CEFR levels."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from .choices import CEFR_BY_NAME, Cefr


@lru_cache(maxsize=2048)
def normalise_language(code: str) -> str | None:
    """ISO 639-1 ("ar") or 639-3 ("arb", "kri") code to the 639-3 code; None if unknown."""
    code = (code or "").strip().lower()
    if len(code) == 2:
        language = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        language = pycountry.languages.get(alpha_3=code)
    else:
        return None
    return language.alpha_3 if language is not None else None


@lru_cache(maxsize=2048)
def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    return language.name if language is not None else code


def parse_level(text: str) -> int | None:
    """ "B2" -> 4; None if not a CEFR level."""
    return CEFR_BY_NAME.get((text or "").strip().upper())


def level_name(level: int) -> str:
    return Cefr(level).label


def language_choices() -> list[tuple[str, str]]:
    """Living individual languages, for forms."""
    return sorted(
        (
            (lang.alpha_3, lang.name)
            for lang in pycountry.languages
            if getattr(lang, "type", "L") == "L" and getattr(lang, "scope", "I") in {"I", "M"}
        ),
        key=lambda item: item[1],
    )
