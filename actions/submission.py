"""Triage the report and submit it to the routing service; end a report early on request."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import (
    ANSWER_SLOTS,
    STARTED_AT_SLOT,
    answers_from_tracker,
    conversation_from_tracker,
    latest_intent,
    report_id,
    transcript_from_tracker,
)
from actions.forms import contact_from_text
from actions.jurisdiction import public_info, split_for_sms
from actions.routing_client import RoutingClient, RoutingError
from actions.triage import Category, Urgency, assess
from actions.triage.model import Assessment

log = logging.getLogger(__name__)

REPORT_SLOTS = (*ANSWER_SLOTS, "tip_anonymous", "tip_contact")
# Waits between tries when the routing service or its database is briefly away (a restart): about
# 15 s in all, inside the 30 s the balancer gives an action call (haproxy.cfg). A repeat is
# harmless: the routing service keeps one tip per conversation id.
SUBMIT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


def _submission(tracker: Tracker, assessment: Assessment) -> dict[str, Any]:
    conversation = conversation_from_tracker(tracker)
    contact = contact_from_text(tracker.get_slot("tip_contact") or "")
    anonymous = tracker.get_slot("tip_anonymous") is not False or not contact
    return {
        "conversation_id": report_id(tracker),
        "channel": _channel(tracker),
        "language": conversation.language,
        "text": "\n".join(m.text for m in conversation.messages),
        "transcript": transcript_from_tracker(tracker),
        "answers": answers_from_tracker(tracker),
        "triage": {
            "category": str(assessment.category),
            "secondary_categories": [str(c) for c in assessment.secondary_categories],
            "urgency": str(assessment.urgency),
            "indicators": list(assessment.indicators),
            "needs_review": assessment.needs_review,
            "explanation": assessment.explanation,
            "rules": list(assessment.rules),
        },
        "anonymous": anonymous,
        "contact": None if anonymous else contact,
        "reported_at": datetime.now(UTC).isoformat(),
    }


def _last_submission_at(tracker: Tracker) -> float:
    runs = [e for e in tracker.events if e.get("event") == "action" and e.get("name") == "action_submit_tip"]
    return float(runs[-1].get("timestamp") or 0) if runs else 0.0


async def submit_report(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Send the report, or what the resident added since it was sent; give the receipt."""
    client = RoutingClient(settings.current())
    reference, pin = tracker.get_slot("tip_reference"), tracker.get_slot("tip_pin")
    if reference and pin:
        # Already submitted in this session: anything new goes to the same tip.
        since = _last_submission_at(tracker)
        added = [line["text"] for line in transcript_from_tracker(tracker, since) if line["role"] == "resident"]
        if added:
            try:
                await client.add_information(reference, pin, "\n".join(added), report_id(tracker))
            except RoutingError:
                log.exception("adding to a submitted tip failed")
                dispatcher.utter_message(response="utter_submit_failed")
                return [SlotSet("tip_submitted", False)]
            dispatcher.utter_message(response="utter_tip_updated", reference=reference)
        return [SlotSet("tip_submitted", True)]
    payload = _submission(tracker, assess(conversation_from_tracker(tracker)))
    try:
        receipt = await _submit(client, payload)
    except RoutingError:
        log.exception("tip submission failed")
        dispatcher.utter_message(response="utter_submit_failed")
        return [SlotSet("tip_submitted", False)]
    dispatcher.utter_message(response="utter_tip_receipt", reference=receipt["reference"], pin=receipt["pin"])
    info = await public_info().get()
    if info is not None and not info.always_staffed:
        for part in split_for_sms(info.coverage_message.get(payload["language"])):
            dispatcher.utter_message(text=part)
    return [
        SlotSet("tip_submitted", True),
        SlotSet("tip_reference", receipt["reference"]),
        SlotSet("tip_pin", receipt["pin"]),
    ]


async def _submit(client: RoutingClient, payload: dict[str, Any]) -> dict[str, Any]:
    """Submit, trying again while the service is unreachable or answers 5xx; a refusal (4xx) is final."""
    for delay in (*SUBMIT_RETRY_DELAYS, None):
        try:
            return await client.submit_tip(payload)
        except RoutingError as e:
            if delay is None or (e.status is not None and e.status < 500):
                raise
            log.warning("tip submission failed, trying again in %s s: %s", delay, e)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


class ActionSubmitTip(Action):
    """Send the report to the routing intake API and give the resident the receipt."""

    def name(self) -> str:
        return "action_submit_tip"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return await submit_report(dispatcher, tracker)


def must_be_kept(assessment: Assessment) -> bool:
    """A report that held an emergency or a threat is sent even when the resident stops."""
    categories = (assessment.category, *assessment.secondary_categories)
    return assessment.urgency is Urgency.EMERGENCY or Category.THREAT_TO_OTHERS in categories


class ActionStopReport(Action):
    """End whatever is under way: STOP discards a report unless it must be kept; leaving sends it."""

    def name(self) -> str:
        return "action_stop_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        leaving = latest_intent(tracker) == "goodbye"
        report_open = tracker.get_slot("tip_what") is not None and not tracker.get_slot("tip_reference")
        if not report_open:
            dispatcher.utter_message(response="utter_goodbye" if leaving else "utter_nothing_to_stop")
            return events
        if leaving:
            return events + await submit_report(dispatcher, tracker)
        if must_be_kept(assess(conversation_from_tracker(tracker))):
            dispatcher.utter_message(response="utter_report_kept")
            return events + await submit_report(dispatcher, tracker)
        dispatcher.utter_message(response="utter_report_discarded")
        resets: list[EventType] = [SlotSet(slot, None) for slot in REPORT_SLOTS]
        return events + resets + [SlotSet(STARTED_AT_SLOT, time.time())]


def _channel(tracker: Tracker) -> str:
    name = (tracker.get_latest_input_channel() or "rest").lower()
    if "twilio" in name or "sms" in name:
        return "sms"
    if "socket" in name or "webchat" in name:
        return "webchat"
    return "rest"
