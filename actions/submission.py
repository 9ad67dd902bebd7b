"""Finish the report and give the receipt; end a report early on request (STOP, goodbye)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import (
    ANSWER_SLOTS,
    ENDING_INTENTS,
    STARTED_AT_SLOT,
    conversation_from_tracker,
    latest_intent,
    report_id,
    transcript_from_tracker,
)
from actions.filing import COMPLETE, FILED_SLOT, INCOMPLETE, file_report
from actions.jurisdiction import public_info, split_for_sms
from actions.routing_client import RoutingClient, RoutingError
from actions.triage import Category, Urgency, assess
from actions.triage.model import Assessment

log = logging.getLogger(__name__)

REPORT_SLOTS = (*ANSWER_SLOTS, "tip_anonymous", "tip_contact", FILED_SLOT, "tip_dispatch_told")


def _last_submission_at(tracker: Tracker) -> float:
    runs = [e for e in tracker.events if e.get("event") == "action" and e.get("name") == "action_submit_tip"]
    return float(runs[-1].get("timestamp") or 0) if runs else 0.0


async def submit_report(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    report_state: str = COMPLETE,
    assessment: Assessment | None = None,
) -> list[EventType]:
    """Finish the report (the form is done, or the resident left it) and give the receipt; after
    the receipt, send what the resident added since to the same tip. `assessment`: the triage to
    file with, when not the whole conversation's (a report ended by STOP or goodbye)."""
    reference, pin = tracker.get_slot("tip_reference"), tracker.get_slot("tip_pin")
    if reference and pin:
        # Already submitted in this session: anything new goes to the same tip.
        since = _last_submission_at(tracker)
        added = [line["text"] for line in transcript_from_tracker(tracker, since) if line["role"] == "resident"]
        if added:
            client = RoutingClient(settings.current())
            try:
                await client.add_information(reference, pin, "\n".join(added), report_id(tracker))
            except RoutingError:
                log.exception("adding to a submitted tip failed")
                dispatcher.utter_message(response="utter_submit_failed")
                return [SlotSet("tip_submitted", False)]
            dispatcher.utter_message(response="utter_tip_updated", reference=reference)
        return [SlotSet("tip_submitted", True), SlotSet("receipt_given", True)]
    assessment = assessment or assess(conversation_from_tracker(tracker))
    try:
        filed = await file_report(tracker, assessment, report_state)
    except RoutingError:
        log.exception("tip submission failed")
        dispatcher.utter_message(response="utter_submit_failed")
        return [SlotSet("tip_submitted", False)]
    assert filed is not None  # a final filing is always sent
    dispatcher.utter_message(response="utter_tip_receipt", reference=filed.reference, pin=filed.pin)
    info = await public_info().get()
    # Never end an emergency with an hours-of-coverage notice: it was sent to dispatch already.
    if info is not None and not info.always_staffed and assessment.urgency is not Urgency.EMERGENCY:
        language = tracker.get_slot("language") or "en"
        for part in split_for_sms(info.coverage_message.get(language)):
            dispatcher.utter_message(text=part)
    return [
        SlotSet("tip_submitted", True),
        SlotSet("tip_reference", filed.reference),
        SlotSet("tip_pin", filed.pin),
        SlotSet(FILED_SLOT, filed.digest),
        SlotSet("receipt_given", True),
    ]


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


def ending_assessment(tracker: Tracker) -> Assessment:
    """The triage of a report the resident ends, read with and without the message that ends it,
    whichever says more: "nevermind, forget it" must not talk an emergency down (nor change what
    the report is about), and "stop, he has a gun" still counts."""
    conversation = conversation_from_tracker(tracker)
    readings = [assess(conversation)]
    if len(conversation.messages) > 1 and conversation.messages[-1].intent in ENDING_INTENTS:
        # First, so that it wins a tie: the report as told, without the words that end it.
        readings.insert(0, assess(replace(conversation, messages=conversation.messages[:-1])))
    return max(readings, key=lambda a: (must_be_kept(a), a.urgency.rank))


class ActionStopReport(Action):
    """End whatever is under way, the same way for every wording of STOP and at every point.

    STOP deletes a report not yet passed on (the audit log says `report_discarded`); a report that
    held an emergency or a threat is sent anyway, one already passed on (delivered as an emergency,
    filed after the idle window, or receipted) stays, and the resident is told which. Goodbye in
    the middle sends what was told.
    """

    def name(self) -> str:
        return "action_stop_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        leaving = latest_intent(tracker) == "goodbye"
        if tracker.get_slot("tip_reference"):  # receipted: it was sent, and it stays
            dispatcher.utter_message(response="utter_goodbye" if leaving else "utter_report_already_sent")
            return events
        report_open = tracker.get_slot("tip_what") is not None or bool(tracker.get_slot(FILED_SLOT))
        if not report_open:
            dispatcher.utter_message(response="utter_goodbye" if leaving else "utter_nothing_to_stop")
            return events
        assessment = ending_assessment(tracker)
        if leaving:
            return events + await submit_report(dispatcher, tracker, INCOMPLETE, assessment)
        if must_be_kept(assessment):
            dispatcher.utter_message(response="utter_report_kept")
            return events + await submit_report(dispatcher, tracker, INCOMPLETE, assessment)
        if tracker.get_slot(FILED_SLOT):
            try:
                discarded = await RoutingClient(settings.current()).discard_report(report_id(tracker))
            except RoutingError as e:
                if e.status != 404:  # 404: nothing was stored (it never reached the service)
                    log.exception("discarding the report failed")
                    dispatcher.utter_message(response="utter_submit_failed")
                    return events
                discarded = True
            if not discarded:  # already passed on (an emergency, or filed after the idle window)
                dispatcher.utter_message(response="utter_report_already_sent")
                return events + await submit_report(dispatcher, tracker, INCOMPLETE, assessment)
        dispatcher.utter_message(response="utter_report_discarded")
        resets: list[EventType] = [SlotSet(slot, None) for slot in REPORT_SLOTS]
        return events + resets + [SlotSet(STARTED_AT_SLOT, time.time())]
