"""What links one tip to another: evidence that identifies someone or something, never a place
alone. A person's name together with the place, an online account, a vehicle plate, a phone
number, a quoted phrase. (A town or a big school named in two tips says nothing about whether
they are about the same thing: a shooting and a knife threat that both said "Oakridge" are not
related.)

Each is normalised and turned into a keyed digest (HMAC-SHA256), so the store can match tips
without keeping a second copy of names and places. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from telemetry.contact_details import emails, phone_digits, phones

# Words that describe a relation, not a person: "my coworker" links nothing.
_GENERIC = frozenset(
    """a an the my his her their our your this that some someone somebody person guy man woman boy girl
    kid friend coworker co-worker neighbor neighbour brother sister son daughter mother father mom dad
    parent student classmate teacher boss employee husband wife boyfriend girlfriend partner cousin
    uncle aunt me myself i he she they him them unknown nobody don't know not sure mi su el la un una
    amigo amiga vecino vecina hermano hermana hijo hija compañero compañera alguien yo""".split()  # noqa: SIM905 - a word list reads better as text
)
_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{3,30})\b")
_URL = re.compile(r"https?://(?:www\.)?([^\s/]+(?:/[^\s?#]*)?)", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“”]([^\"“”]{12,200})[\"“”]")
_NAME = re.compile(r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+)+)\b")
# "plate ABC 1234", "license plate: 7XYZ123", "tag # KJ-4471": the letters and digits after the word
_PLATE = re.compile(
    r"\b(?:licen[cs]e\s+)?(?:plates?|tags?)\s*(?:number|no\.?|#)?\s*(?:is|was|:)?\s*"
    r"([A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w@./-]+", " ", text).split())


def match_values(text: str, answers: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(kind, normalised value) pairs that would link this tip to another."""
    found: set[tuple[str, str]] = set()
    who = " ".join(str(answers.get(k) or "") for k in ("who", "target", "description"))
    names = set()
    for name in _NAME.findall(who + " " + text):
        words = normalise(name).split()
        if not set(words) & _GENERIC:
            names.add(" ".join(words))
    place = normalise(str(answers.get("where") or ""))
    if len(place) >= 6 and not set(place.split()) <= _GENERIC:
        for name in names:  # the same person at the same place; either alone is too common
            found.add(("person_place", f"{name} @ {place}"))
    everything = " ".join([text, *(str(v) for v in answers.values() if isinstance(v, str))])
    for handle in _HANDLE.findall(everything):
        found.add(("account", "@" + handle.lower()))
    for url in _URL.findall(everything):
        found.add(("account", url.lower().rstrip("/.")))
    for email in emails(everything):
        found.add(("account", email.lower()))
    for plate in _PLATE.findall(everything):
        compact = re.sub(r"[^A-Za-z0-9]", "", plate).upper()
        if len(compact) >= 4 and any(c.isdigit() for c in compact):
            found.add(("plate", compact))
    for phone in phones(everything):
        found.add(("phone", phone_digits(phone)))
    for phrase in _QUOTED.findall(text):
        if len(phrase.split()) >= 3:
            found.add(("phrase", normalise(phrase)))
    return found


def match_keys(key: bytes, text: str, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, digest) pairs to store and look up."""
    return sorted(
        (kind, hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest())
        for kind, value in match_values(text, answers)
    )
