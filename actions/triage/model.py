"""The triage contract (docs: ../../docs/triage.md): what goes in and what comes out.

Pure data: nothing here imports rasa_sdk, aiohttp or the routing service, so the live action,
`tipline triage` and the tests all run the same code.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


class Indicator(enum.StrEnum):
    """The fixed vocabulary of evidence (docs/triage.md describes each one and its source).

    The five that routing reacts to keep their exact names: mass_casualty, ideological_motive,
    mental_health_crisis, explosives, terrorism_nexus.
    """

    # imminence
    IN_PROGRESS = "in_progress"
    TIMEFRAME_24H = "timeframe_24h"
    TIMEFRAME_DAYS = "timeframe_days"
    HELP_REQUESTED_NOW = "help_requested_now"
    # the resident's answer to "could someone be hurt today or tomorrow?" (the imminence question)
    IMMINENCE_CONFIRMED = "imminence_confirmed"
    IMMINENCE_UNSURE = "imminence_unsure"
    REPORTED_AS_EMERGENCY = "reported_as_emergency"
    # the text model (textmodel.py): its reading of the urgency; another category in the phrase lists
    RESEMBLES_EMERGENCY = "resembles_emergency"
    RESEMBLES_URGENT = "resembles_urgent"
    RESEMBLES_OTHER_CATEGORY = "resembles_other_category"
    # threats to others (RAND warning signs, school threat assessment)
    INTENT_STATED = "intent_stated"
    VEILED_THREAT = "veiled_threat"
    VIOLENT_TALK = "violent_talk"
    VIOLENCE_IN_PROGRESS = "violence_in_progress"
    SHOTS_FIRED = "shots_fired"
    WEAPON_PRESENT = "weapon_present"
    WEAPON_ACCESS = "weapon_access"
    RECENT_ACQUISITION = "recent_acquisition"
    PLAN = "plan"
    SPECIFIC_TARGET = "specific_target"
    TARGET_SCHOOL = "target_school"
    TARGET_WORKPLACE = "target_workplace"
    TARGET_EVENT = "target_event"
    TARGET_PLACE_OF_WORSHIP = "target_place_of_worship"
    MASS_CASUALTY = "mass_casualty"
    IDEOLOGICAL_MOTIVE = "ideological_motive"
    LEAKAGE = "leakage"
    WARNED_OTHERS = "warned_others"
    FIXATION_PAST_ATTACKS = "fixation_past_attacks"
    GRIEVANCE = "grievance"
    PAST_INCIDENT = "past_incident"
    JOKE_CLAIMED = "joke_claimed"
    # suicide and self-harm (Columbia screener items 1-6, warning signs)
    CSSRS_WISH_DEAD = "cssrs_wish_dead"
    CSSRS_SUICIDAL_THOUGHTS = "cssrs_suicidal_thoughts"
    CSSRS_METHOD = "cssrs_method"
    CSSRS_INTENT = "cssrs_intent"
    CSSRS_PLAN = "cssrs_plan"
    CSSRS_BEHAVIOR = "cssrs_behavior"
    ATTEMPT_IN_PROGRESS = "attempt_in_progress"
    PAST_ATTEMPT = "past_attempt"
    GOODBYE_MESSAGE = "goodbye_message"
    GIVING_AWAY_POSSESSIONS = "giving_away_possessions"
    SELF_INJURY = "self_injury"
    HOPELESSNESS = "hopelessness"
    UNREACHABLE = "unreachable"
    # gun diversion (purchase red flags)
    STRAW_PURCHASE = "straw_purchase"
    FAILED_BACKGROUND_CHECK = "failed_background_check"
    PROHIBITED_PERSON = "prohibited_person"
    PROTECTIVE_ORDER = "protective_order"
    MENTAL_HEALTH_COMMITMENT = "mental_health_commitment"
    GUN_ACQUISITION_ATTEMPT = "gun_acquisition_attempt"
    BULK_CASH_PURCHASE = "bulk_cash_purchase"
    FIREARM_TRAFFICKING = "firearm_trafficking"
    UNTRACEABLE_GUN = "untraceable_gun"
    # site surveillance (suspicious-activity standard: photography, observation, eliciting
    # information, testing or probing of security, breach)
    PHOTOGRAPHING_SECURITY = "photographing_security"
    OBSERVATION_TIMING = "observation_timing"
    ELICITING_SECURITY_INFO = "eliciting_security_info"
    TESTING_SECURITY = "testing_security"
    DRONE_ACTIVITY = "drone_activity"
    BREACH_ATTEMPT = "breach_attempt"
    # other suspicious activity (the rest of the standard's behaviour categories)
    EXPLOSIVES = "explosives"
    EXPLOSIVES_ACQUIRED = "explosives_acquired"
    BOMB_PRECURSORS = "bomb_precursors"
    SUSPICIOUS_DEVICE = "suspicious_device"
    SABOTAGE_TAMPERING = "sabotage_tampering"
    MISREPRESENTATION = "misrepresentation"
    RECRUITING_FINANCING = "recruiting_financing"
    TERRORISM_NEXUS = "terrorism_nexus"
    CYBER_ATTACK = "cyber_attack"
    AVIATION_THREAT = "aviation_threat"
    EXPERTISE_SEEKING = "expertise_seeking"
    WEAPONS_STOCKPILE = "weapons_stockpile"
    # wellness
    MEDICAL_EMERGENCY = "medical_emergency"
    VULNERABLE_PERSON_AT_RISK = "vulnerable_person_at_risk"
    OUT_OF_CONTACT = "out_of_contact"
    HEALTH_RISK = "health_risk"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"
    SELF_NEGLECT = "self_neglect"
    CONFUSION = "confusion"
    SUBSTANCE_USE = "substance_use"
    CHILD_NEGLECT = "child_neglect"
    WELLNESS_CHECK_REQUESTED = "wellness_check_requested"
    DISTRESS = "distress"
    # no report
    SERVICE_QUESTION = "service_question"
    RESOURCE_REQUEST = "resource_request"
    SMALLTALK = "smalltalk"
    SPAM = "spam"
    STATUS_CHECK = "status_check"
    APPEARANCE_ONLY = "appearance_only"
    # topic words: a weak safety net under the specific indicators
    VIOLENCE_MENTION = "violence_mention"
    SUICIDE_MENTION = "suicide_mention"
    GUN_PURCHASE_MENTION = "gun_purchase_mention"
    SURVEILLANCE_MENTION = "surveillance_mention"
    SUSPICIOUS_MENTION = "suspicious_mention"
    WELLNESS_MENTION = "wellness_mention"
    # why violent words were not counted
    FIGURATIVE_LANGUAGE = "figurative_language"
    GAMING_CONTEXT = "gaming_context"
    FICTION_OR_LYRICS = "fiction_or_lyrics"
    PAST_RESOLVED = "past_resolved"


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

    @classmethod
    def from_parse(cls, text: str, parse: Mapping[str, Any]) -> Message:
        """A message from Rasa's parse data (a tracker's user event or /model/parse)."""
        intent = parse.get("intent") or {}
        return cls(
            text=text,
            intent=intent.get("name"),
            intent_confidence=float(intent.get("confidence") or 0.0),
            entities=tuple(
                Entity(
                    entity=str(e.get("entity", "")),
                    value=str(e.get("value", "")),
                    confidence=e.get("confidence_entity"),
                    start=e.get("start"),
                    end=e.get("end"),
                )
                for e in parse.get("entities") or []
            ),
        )


@dataclass(frozen=True)
class Conversation:
    """Everything triage may look at: the resident's messages and the report form's answers.

    `answers` uses the form's keys: what, who, where, when, happening_now, weapons, target,
    how_known (values are the resident's words, or None when skipped or not asked).
    `reported_at` (time zone aware, the jurisdiction's local time where known) lets triage tell
    whether a named weekday is today or tomorrow; without it a weekday counts as days away.
    """

    id: str
    messages: tuple[Message, ...]
    answers: Mapping[str, str | bool | None] = field(default_factory=dict)
    language: str = "en"
    reported_at: datetime | None = None


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
