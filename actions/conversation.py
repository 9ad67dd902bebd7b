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


def conversation_from_tracker(tracker: Tracker) -> Conversation:
    messages = []
    for event in tracker.events:
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
        id=tracker.sender_id,
        messages=tuple(messages),
        answers={key: tracker.get_slot(slot) for slot, key in ANSWER_SLOTS.items()},
        language=tracker.get_slot("language") or "en",
    )


def transcript_from_tracker(tracker: Tracker) -> list[dict[str, Any]]:
    lines = []
    for event in tracker.events:
        role = {"user": "resident", "bot": "bot"}.get(event.get("event", ""))
        if role and event.get("text"):
            at = datetime.fromtimestamp(float(event.get("timestamp") or 0), UTC).isoformat()
            lines.append({"role": role, "text": event["text"], "at": at})
    return lines
