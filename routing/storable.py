"""Text as the databases can keep it: what cannot be stored is replaced, so a tip is never refused for it.

A JSON string may carry a lone surrogate (`"\\ud800"`), which no UTF-8 database can encode, and
PostgreSQL's text type refuses NUL. Either would fail the insert, and the tip with it; each such
code point becomes U+FFFD instead, and everything else is kept exactly as sent.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
T = TypeVar("T")


def storable(value: T) -> T:
    """`value` (parsed JSON or a form field) with every string made storable, keys included."""
    return cast(T, _storable(value))


def _storable(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value
