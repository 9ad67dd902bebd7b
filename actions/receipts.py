"""With a receipt (reference and PIN): a tip's status and staff replies, and adding information."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import report_id
from actions.jurisdiction import split_for_sms
from actions.routing_client import RoutingClient, RoutingError

log = logging.getLogger(__name__)

# Staff replies shown at once: the latest few, so an SMS conversation stays readable.
MAX_REPLIES = 3
NOT_FOUND = 404

# The routing service's tip statuses (routing/domain.py TIP_STATUSES) in the resident's words.
STATUS_WORDS = {
    "en": {
        "received": "received",
        "delivered": "sent to the responders",
        "acknowledged": "taken up by the responders",
        "in_progress": "being worked on",
        "closed": "closed",
    },
    "es": {
        "received": "recibida",
        "delivered": "enviada a los equipos de respuesta",
        "acknowledged": "recibida por los equipos de respuesta",
        "in_progress": "en proceso",
        "closed": "cerrada",
    },
}


def _short_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _receipt_failed(dispatcher: CollectingDispatcher, error: RoutingError) -> list[EventType]:
    """A wrong reference or PIN is asked for again; anything else is kept for a retry."""
    if error.status == NOT_FOUND:
        dispatcher.utter_message(response="utter_receipt_not_found")
        return [SlotSet("receipt_reference", None), SlotSet("receipt_pin", None)]
    log.warning("receipt request failed: %s", error)
    dispatcher.utter_message(response="utter_service_unavailable")
    return []


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reference, pin = tracker.get_slot("receipt_reference"), tracker.get_slot("receipt_pin")
        try:
            answer = await RoutingClient(settings.current()).tip_status(reference, pin)
        except RoutingError as e:
            return _receipt_failed(dispatcher, e)
        words = STATUS_WORDS.get(tracker.get_slot("language") or "en", STATUS_WORDS["en"])
        status = str(answer.get("status", ""))
        dispatcher.utter_message(
            response="utter_tip_status",
            reference=answer.get("reference", reference),
            status=words.get(status, status.replace("_", " ")),
            updated=_short_time(str(answer.get("updated_at", ""))),
        )
        replies = answer.get("replies") or []
        for reply in replies[-MAX_REPLIES:]:
            dispatcher.utter_message(response="utter_tip_reply", at=_short_time(str(reply["at"])))
            for part in split_for_sms(str(reply["text"])):
                dispatcher.utter_message(text=part)
        if not replies:
            dispatcher.utter_message(response="utter_no_replies")
        return []


class ActionAddInformation(Action):
    def name(self) -> str:
        return "action_add_information"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reference, pin = tracker.get_slot("receipt_reference"), tracker.get_slot("receipt_pin")
        text = tracker.get_slot("added_information")
        try:
            await RoutingClient(settings.current()).add_information(reference, pin, text, report_id(tracker))
        except RoutingError as e:
            # The text is kept: asked again for the receipt, or on the next try, it goes out as it is.
            return _receipt_failed(dispatcher, e)
        dispatcher.utter_message(response="utter_information_added", reference=reference)
        return [SlotSet("added_information", None)]
