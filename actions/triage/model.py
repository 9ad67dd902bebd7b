"""The triage contract (docs: ../../docs/triage.md): what goes in and what comes out.

Pure data: nothing here imports rasa_sdk, aiohttp or the routing service, so the live action,
`tipline triage` and the tests all run the same code.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Category(enum.StrEnum):
    THREAT_TO_OTHERS = "threat_to_others"
    SELF_HARM = "self_harm"
    GUN_DIVERSION = "gun_diversion"
    SITE_SURVEILLANCE = "site_surveillance"
    WELLNESS_CONCERN = "wellness_concern"
    OTHER_SUSPICIOUS = "other_suspicious"
    NOT_A_TIP = "not_a_tip"


class Urgency(enum.StrEnum):
    NONE = "none"
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


class Destination(enum.StrEnum):
    DISPATCH_911 = "911"
    CRISIS_988 = "988"
    FBI = "fbi"
    STATE_TIPLINE = "state_tipline"


@dataclass(frozen=True)
class Entity:
    """One entity the NLU found (Rasa's parse data), with its extractor's confidence if any."""

    entity: str
    value: str
    confidence: float | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Message:
    """One thing the resident wrote, with what the NLU made of it."""

    text: str
    intent: str | None = None
    intent_confidence: float = 0.0
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True)
class Conversation:
    """Everything triage may look at: the resident's messages and the report form's answers.

    `answers` uses the form's keys: what, who, where, when, happening_now, weapons, target,
    how_known (values are the resident's words, or None when skipped or not asked).
    """

    id: str
    messages: tuple[Message, ...]
    answers: Mapping[str, str | bool | None] = field(default_factory=dict)
    language: str = "en"


@dataclass(frozen=True)
class Assessment:
    """What triage concludes before routing: everything of the triage result but destinations."""

    category: Category
    urgency: Urgency
    secondary_categories: tuple[Category, ...] = ()
    indicators: tuple[str, ...] = ()
    needs_review: bool = False
    explanation: str = ""
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class TriageResult:
    """The triage result of triage.md: the assessment plus the routing service's destinations."""

    id: str
    assessment: Assessment
    destinations: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        a = self.assessment
        return {
            "id": self.id,
            "category": str(a.category),
            "secondary_categories": [str(c) for c in a.secondary_categories],
            "urgency": str(a.urgency),
            "destinations": list(self.destinations),
            "indicators": list(a.indicators),
            "needs_review": a.needs_review,
            "explanation": a.explanation,
            "rules": list(a.rules),
        }
