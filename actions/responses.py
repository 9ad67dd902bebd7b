"""Render a domain response in a given language, for the messages of the per-message screen.

That action runs while the engine extracts slots, so the engine would render its responses with
the language slot as it was *before* this message; the action renders them itself, from the
same domain.yml variations, in the language it has just detected.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


class _KeepUnknown(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _matches(slots: Mapping[str, Any], variation: Mapping[str, Any]) -> bool:
    for condition in variation.get("condition") or []:
        value, wanted = slots.get(condition["name"]), condition["value"]
        if isinstance(value, str) and isinstance(wanted, str):
            if value.casefold() != wanted.casefold():
                return False
        elif value != wanted:
            return False
    return True


def render(domain: Mapping[str, Any], name: str, slots: Mapping[str, Any], **values: Any) -> str:
    """The text of response `name` as the engine would choose it for these slot values.

    Like Rasa: a matching conditional variation first, else the variation without a condition.
    """
    variations = domain["responses"][name]
    conditional = [v for v in variations if v.get("condition") and _matches(slots, v)]
    chosen = conditional[0] if conditional else next(v for v in variations if not v.get("condition"))
    return string.Formatter().vformat(chosen["text"], (), _KeepUnknown(values))
