"""Tracker -> triage Conversation and the intake transcript: the one bridge from rasa_sdk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker

from actions.triage.model import Conversation, Entity, Message

# Form slot -> key of `answers` in the triage input and the intake payload.
ANSWER_SLOTS = {
    "tip_what": "what",
    "tip_who": "who",
    "tip_where": "where",
    "tip_when": "when",
    "tip_happening_now": "happening_now",
    "tip_weapons": "weapons",
    "tip_target": "target",
    "tip_how_known": "how_known",
}
# The value of an answer the resident chose to skip: not None, so the form moves on, but sent
# as null (docs/intake-api.md: null is "skipped or not asked").
SKIPPED = "(skipped)"
# Set when a report is discarded: what came before belongs to no report any more.
STARTED_AT_SLOT = "tip_started_at"

REPORT_INTENTS = frozenset(
    {
        "report_threat",
        "report_self_harm",
        "report_gun_purchase",
        "report_surveillance",
        "report_wellness",
        "report_suspicious",
        "report_emergency",
    }
)


def answers_from_tracker(tracker: Tracker) -> dict[str, str | bool | None]:
    answers = {key: tracker.get_slot(slot) for slot, key in ANSWER_SLOTS.items()}
    return {key: None if value == SKIPPED else value for key, value in answers.items()}


def _report_events(tracker: Tracker) -> list[dict[str, Any]]:
    started = float(tracker.get_slot(STARTED_AT_SLOT) or 0)
    return [e for e in tracker.events if float(e.get("timestamp") or 0) > started]


def conversation_from_tracker(tracker: Tracker) -> Conversation:
    messages = []
    for event in _report_events(tracker):
        if event.get("event") != "user" or not event.get("text"):
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        messages.append(
            Message(
                text=event["text"],
                intent=intent.get("name"),
                intent_confidence=float(intent.get("confidence") or 0.0),
                entities=tuple(
                    Entity(
                        entity=e.get("entity", ""),
                        value=str(e.get("value", "")),
                        confidence=e.get("confidence_entity"),
                        start=e.get("start"),
                        end=e.get("end"),
                    )
                    for e in parse.get("entities") or []
                ),
            )
        )
    return Conversation(
        id=report_id(tracker),
        messages=tuple(messages),
        answers=answers_from_tracker(tracker),
        language=tracker.get_slot("language") or "en",
    )


def transcript_from_tracker(tracker: Tracker, since: float = 0.0) -> list[dict[str, Any]]:
    lines = []
    for event in _report_events(tracker):
        role = {"user": "resident", "bot": "bot"}.get(event.get("event", ""))
        timestamp = float(event.get("timestamp") or 0)
        if role and event.get("text") and timestamp > since:
            at = datetime.fromtimestamp(timestamp, UTC).isoformat()
            lines.append({"role": role, "text": event["text"], "at": at})
    return lines


def report_id(tracker: Tracker) -> str:
    """The intake API's idempotency key: one per conversation session.

    A resident who writes again days later (a new session, same phone) makes a new tip, while a
    retried submission within the session stays one tip.
    """
    starts = [e for e in tracker.events if e.get("event") == "session_started"]
    if not starts:
        return tracker.sender_id
    return f"{tracker.sender_id}:{int(float(starts[-1].get('timestamp') or 0))}"


def latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def entity_values(tracker: Tracker, *names: str) -> list[str]:
    """Values of the latest message's entities of these kinds, in the order they were written."""
    found = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") in names]
    found.sort(key=lambda e: e.get("start") or 0)
    values: list[str] = []
    for e in found:
        value = str(e.get("value", "")).strip()
        if value and value not in values:
            values.append(value)
    return values


def user_message_count(tracker: Tracker) -> int:
    return sum(1 for e in tracker.events if e.get("event") == "user")
