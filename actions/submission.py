"""Triage the report and submit it to the routing service."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import ANSWER_SLOTS, conversation_from_tracker, transcript_from_tracker
from actions.routing_client import RoutingClient, RoutingError
from actions.triage import Urgency, assess

log = logging.getLogger(__name__)


class ActionTriageTip(Action):
    """Classify the report so far; the very next message carries 911 when it is an emergency."""

    def name(self) -> str:
        return "action_triage_tip"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        assessment = assess(conversation_from_tracker(tracker))
        already_warned = tracker.get_slot("tip_emergency_warned")
        events: list[EventType] = [
            SlotSet("tip_category", str(assessment.category)),
            SlotSet("tip_urgency", str(assessment.urgency)),
        ]
        if assessment.urgency is Urgency.EMERGENCY and not already_warned:
            dispatcher.utter_message(response="utter_call_911")
            events.append(SlotSet("tip_emergency_warned", True))
        return events


class ActionSubmitTip(Action):
    """Send the report to the routing intake API and give the resident the receipt."""

    def name(self) -> str:
        return "action_submit_tip"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        conversation = conversation_from_tracker(tracker)
        assessment = assess(conversation)
        answers = {key: tracker.get_slot(slot) for slot, key in ANSWER_SLOTS.items()}
        payload = {
            "conversation_id": tracker.sender_id,
            "channel": _channel(tracker),
            "language": conversation.language,
            "text": "\n".join(m.text for m in conversation.messages),
            "transcript": transcript_from_tracker(tracker),
            "answers": answers,
            "triage": {
                "category": str(assessment.category),
                "secondary_categories": [str(c) for c in assessment.secondary_categories],
                "urgency": str(assessment.urgency),
                "indicators": list(assessment.indicators),
                "needs_review": assessment.needs_review,
                "explanation": assessment.explanation,
                "rules": list(assessment.rules),
            },
            "anonymous": True,
            "contact": None,
            "reported_at": datetime.now(UTC).isoformat(),
        }
        try:
            receipt = await RoutingClient(settings.current()).submit_tip(payload)
        except RoutingError:
            log.exception("tip submission failed")
            dispatcher.utter_message(response="utter_submit_failed")
            return [SlotSet("tip_submitted", False)]
        dispatcher.utter_message(response="utter_tip_receipt", reference=receipt["reference"], pin=receipt["pin"])
        return [
            SlotSet("tip_submitted", True),
            SlotSet("tip_reference", receipt["reference"]),
        ]


def _channel(tracker: Tracker) -> str:
    name = (tracker.get_latest_input_channel() or "rest").lower()
    if "twilio" in name or "sms" in name:
        return "sms"
    if "socket" in name or "webchat" in name:
        return "webchat"
    return "rest"
