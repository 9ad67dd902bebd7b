"""A first guess at the language of a resident's message, for the channel's own replies.

The conversation model decides the language of the conversation; the channel only needs a guess
for what it says by itself (HELP, coverage, flood replies) before the model has run.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[a-záéíóúüñ¿¡]+")
# Common short words of each language; the string form keeps the lists readable.
SPANISH = frozenset(
    "el la los las de del que y en un una es no por con para mi mis su está están estoy hay me lo "  # noqa: SIM905
    "le se al pero como muy ya qué cómo dónde cuándo porque quiero tiene tengo ayuda hola gracias "
    "arma pistola va dijo hijo hija vecino escuela ahora hoy mañana noche".split()
)
ENGLISH = frozenset(
    "the a an is are was of and to in my his her he she it with for not on at there this that "  # noqa: SIM905
    "have has said will going gun school help hi hello thanks now today tomorrow night".split()
)


def guess_language(text: str, default: str = "en") -> str:
    lowered = text.lower()
    if "¿" in lowered or "¡" in lowered or "ñ" in lowered:
        return "es"
    words = WORD.findall(lowered)
    spanish = sum(w in SPANISH for w in words)
    english = sum(w in ENGLISH for w in words)
    if spanish > english:
        return "es"
    if english > spanish:
        return "en"
    return default
