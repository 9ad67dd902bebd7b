"""Tips and their value objects: no aiohttp, no SQLAlchemy."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Crockford's base32 without I, L, O, U: easy to read aloud and to type on a phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

CATEGORIES = (
    "threat_to_others",
    "self_harm",
    "gun_diversion",
    "site_surveillance",
    "wellness_concern",
    "other_suspicious",
    "not_a_tip",
)
URGENCIES = ("none", "routine", "urgent", "emergency")
DESTINATIONS = ("911", "988", "fbi", "state_tipline")
CHANNELS = ("rest", "sms", "webchat")
LANGUAGES = ("en", "es")


def new_reference() -> str:
    """A tip reference such as TL-7K3M-9Q2P (40 random bits)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"TL-{chars[:4]}-{chars[4:]}"


def new_pin() -> str:
    """A six-digit PIN the reporter keeps with the reference."""
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class Triage:
    category: str
    urgency: str
    secondary_categories: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    needs_review: bool = False
    explanation: str = ""
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """What the action server sends when a conversation ends in a report."""

    conversation_id: str
    channel: str
    language: str
    text: str
    triage: Triage
    anonymous: bool
    reported_at: datetime
    transcript: tuple[dict[str, Any], ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] | None = None
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Receipt:
    reference: str
    pin: str
    status: str
    destinations: tuple[str, ...]
    created: bool
