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

# What a tip goes through, as the reporter's status lookup shows it.
TIP_STATUSES = ("received", "delivered", "acknowledged", "in_progress", "closed")

# Where the resident's report stands, apart from the staff's work on the tip (TIP_STATUSES). A
# report is filed from its first message and grows with each answer: `open` while the resident
# is still answering, `complete` once the form is done, `incomplete` when the resident stopped
# answering (the idle window passed, or they left mid-report).
REPORT_OPEN = "open"
REPORT_COMPLETE = "complete"
REPORT_INCOMPLETE = "incomplete"
REPORT_STATES = (REPORT_OPEN, REPORT_COMPLETE, REPORT_INCOMPLETE)

# The outbox's states of one delivery.
PENDING = "pending"  # waiting for its next attempt
DELIVERING = "delivering"  # claimed by a worker under a lease
DELIVERED = "delivered"  # the receiver accepted it
AWAITING_FILING = "awaiting_filing"  # an FBI packet waiting for the liaison to file it
FILED = "filed"  # the liaison filed it and recorded the FBI's confirmation
DEAD = "dead"  # gave up after the attempt limit: raised as an alarm
CANCELLED = "cancelled"  # an escalation notice not sent because the tip was closed first
DELIVERY_STATUSES = (PENDING, DELIVERING, DELIVERED, AWAITING_FILING, FILED, DEAD, CANCELLED)

# Dispositions with which a recipient closes out a tip (issue 7 records them in the console).
DISPOSITIONS = ("valid", "false", "misuse", "duplicate", "referred")


def new_reference() -> str:
    """A tip reference such as TL-7K3M-9Q2P (40 random bits)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"TL-{chars[:4]}-{chars[4:]}"


def new_pin() -> str:
    """A six-digit PIN the reporter keeps with the reference."""
    return f"{secrets.randbelow(10**6):06d}"


def urgency_rank(urgency: str) -> int:
    return URGENCIES.index(urgency)


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
class Contact:
    """How the reporter may be reached; only ever stored encrypted."""

    phone: str | None = None
    email: str | None = None
    name: str | None = None
    preferred: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class Submission:
    """The report as the conversation holds it now: sent from its first message on, then again
    with each answer (the same `conversation_id` grows the same tip)."""

    conversation_id: str
    channel: str
    language: str
    text: str
    triage: Triage
    anonymous: bool
    reported_at: datetime
    transcript: tuple[dict[str, Any], ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    contact: Contact | None = None
    media_urls: tuple[str, ...] = ()
    about_reporter: bool | None = None
    report_state: str = REPORT_COMPLETE
    # Questions the resident was asked and did not answer (answer keys), for the staff.
    unanswered: tuple[str, ...] = ()
    # Orders the filings of one conversation: an older one never overwrites a newer one.
    revision: float | None = None


def should_route(report_state: str, urgency: str) -> bool:
    """An emergency goes out at once; any other report once it is complete or abandoned."""
    return urgency == "emergency" or report_state != REPORT_OPEN


@dataclass(frozen=True)
class Receipt:
    reference: str
    pin: str
    status: str
    destinations: tuple[str, ...]
    created: bool
    report_state: str = REPORT_COMPLETE
    routed: bool = False  # deliveries are queued: the resident may be told it is on its way


@dataclass(frozen=True)
class Reply:
    at: datetime
    text: str


@dataclass(frozen=True)
class TipStatus:
    """What the reporter may see of their tip: nothing about where it went or who works it."""

    reference: str
    status: str
    updated_at: datetime
    replies: tuple[Reply, ...]


@dataclass(frozen=True)
class RelatedTip:
    reference: str
    category: str
    urgency: str
    reported_at: datetime
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoutedTip:
    """A stored tip as the destination adapters see it; `contact` only where identity may go."""

    reference: str
    category: str
    secondary_categories: tuple[str, ...]
    urgency: str
    destinations: tuple[str, ...]
    indicators: tuple[str, ...]
    explanation: str
    needs_review: bool
    text: str
    answers: dict[str, Any]
    language: str
    channel: str
    reported_at: datetime
    anonymous: bool
    about_reporter: bool | None
    contact: Contact | None
    media_urls: tuple[str, ...]
    related: tuple[RelatedTip, ...]
    report_state: str = REPORT_COMPLETE
    unanswered: tuple[str, ...] = ()
