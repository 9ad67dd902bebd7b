"""Which language the resident writes in (English or Spanish), and which one they ask for."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = {Language.ENGLISH: "en", Language.SPANISH: "es"}
DEFAULT = "en"
# Below this, a message ("ok", "no", "walmart") says too little to change the conversation's
# language; the first message of a conversation decides on the best guess instead.
SWITCH_CONFIDENCE = 0.85

_ASKS_FOR = {
    "es": re.compile(r"\b(spanish|espa[nñ]ol|castellano)\b", re.I),
    "en": re.compile(r"\b(english|ingl[eé]s)\b", re.I),
}
# "I don't speak English" / "no hablo inglés" name the language the resident does not want.
_NEGATED = re.compile(r"\b(don'?t|do not|can'?t|cannot|no)\s+(speak|understand|read|hablo|entiendo|leo)\b", re.I)


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


def detect(text: str) -> tuple[str, float]:
    """The likelier of English and Spanish for `text`, with lingua's confidence (0-1)."""
    best = _detector().compute_language_confidence_values(text)[0]
    return LANGUAGES[best.language], best.value


def asked_for(text: str) -> str | None:
    """The language a switch request names ("en español por favor" -> "es"), if it names one."""
    named = [code for code, pattern in _ASKS_FOR.items() if pattern.search(text)]
    if len(named) != 1:
        return None
    if _NEGATED.search(text):
        return "en" if named[0] == "es" else "es"
    return named[0]


def language_after(text: str, current: str | None, wants_switch: bool) -> str:
    """The conversation's language once the resident has written `text`.

    A switch request that names a language wins; one that names none toggles. Otherwise the
    language follows what the resident writes, but only on clear evidence after the first message.
    """
    if wants_switch:
        named = asked_for(text)
        if named:
            return named
        if current:
            return "en" if current == "es" else "es"
    if not text.strip():
        return current or DEFAULT
    detected, confidence = detect(text)
    if current is None or confidence >= SWITCH_CONFIDENCE:
        return detected
    return current
