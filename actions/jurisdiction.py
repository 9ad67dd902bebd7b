"""What residents may be shown about the jurisdiction: `GET /public/jurisdiction`, cached.

The bot never keeps its own copy of a jurisdiction's numbers or wording. When the routing
service cannot be reached, callers fall back to the domain's generic responses (`utter_call_911`,
...), which name only the national numbers, so a resident in danger is never left without one.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from actions import settings
from actions.routing_client import RoutingClient, RoutingError

log = logging.getLogger(__name__)

# Coverage ("staffed now") changes with the hour; a minute keeps it fresh without a call per turn.
CACHE_SECONDS = 60.0
SMS_LIMIT = 320


class JurisdictionError(Exception):
    """The public jurisdiction document lacks something the bot needs."""


@dataclass(frozen=True)
class Localized:
    """One text in each language the jurisdiction serves."""

    texts: Mapping[str, str]

    def get(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("en") or next(iter(self.texts.values()))


@dataclass(frozen=True)
class PublicInfo:
    name: str
    emergency_number: str
    text_to_911: bool
    emergency_message: Localized
    crisis_message: Localized
    crisis_call: str
    crisis_text: str
    crisis_chat_url: str
    tipline_name: str
    tipline_phone: str
    fbi_url: str
    always_staffed: bool
    coverage_message: Localized
    privacy_notice: Localized
    # Answers to privacy questions by topic (kept, who_sees, phone_ip, subpoena, family_school,
    # immigration), retention periods filled in; empty from a routing service that has none.
    privacy: Mapping[str, Localized] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PublicInfo:
        try:
            crisis = doc["crisis"]
            tipline = doc["state_tipline"]
            coverage = doc["coverage"]
            return cls(
                name=str(doc["name"]),
                emergency_number=str(doc["emergency"]["number"]),
                text_to_911=bool(doc["emergency"].get("text_to_911", False)),
                emergency_message=_localized(doc["emergency"]["message"]),
                crisis_message=_localized(crisis["message"]),
                crisis_call=str(crisis["call"]),
                crisis_text=str(crisis.get("text") or crisis["call"]),
                crisis_chat_url=str(crisis["chat_url"]),
                tipline_name=str(tipline["name"]),
                tipline_phone=str(tipline["phone"]),
                fbi_url=str(doc["fbi"]["url"]),
                always_staffed=bool(coverage.get("always_staffed", False)),
                coverage_message=_localized(coverage["message"]),
                privacy_notice=_localized(doc["privacy_notice"]),
                privacy={topic: _localized(texts) for topic, texts in (doc.get("privacy") or {}).items()},
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise JurisdictionError(f"public jurisdiction document: missing or malformed {e}") from e

    def numbers(self) -> dict[str, str]:
        """The template variables of utter_resources and utter_handoff."""
        return {
            "crisis_call": self.crisis_call,
            "crisis_text": self.crisis_text,
            "crisis_chat_url": self.crisis_chat_url,
            "tipline_name": self.tipline_name,
            "tipline_phone": self.tipline_phone,
            "fbi_url": self.fbi_url,
        }


def _localized(value: Any) -> Localized:
    if not isinstance(value, Mapping) or not value or not all(isinstance(v, str) and v for v in value.values()):
        raise JurisdictionError("a text must be an object of language -> non-empty text")
    return Localized(dict(value))


class PublicInfoCache:
    """Fetches the document at most once per CACHE_SECONDS; keeps the last good copy on errors."""

    def __init__(self, client: RoutingClient, max_age: float = CACHE_SECONDS) -> None:
        self._client = client
        self._max_age = max_age
        self._info: PublicInfo | None = None
        self._fetched_at = float("-inf")

    async def get(self) -> PublicInfo | None:
        if time.monotonic() - self._fetched_at < self._max_age:
            return self._info
        try:
            self._info = PublicInfo.from_json(await self._client.public_jurisdiction())
        except (RoutingError, JurisdictionError) as e:
            log.warning("jurisdiction wording unavailable, using the generic fallback: %s", e)
        # Also after a failure: an unreachable service must not add a wait to every message.
        self._fetched_at = time.monotonic()
        return self._info


@cache
def public_info() -> PublicInfoCache:
    """The cache of this process, built on first use (rasa-sdk imports actions/ at start)."""
    return PublicInfoCache(RoutingClient(settings.current()))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_for_sms(text: str, limit: int = SMS_LIMIT) -> list[str]:
    """Cut a long text between sentences into messages of at most `limit` characters."""
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        while len(sentence) > limit:  # one sentence longer than a message: cut between words
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > limit:
            parts.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts
