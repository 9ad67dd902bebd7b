"""With a receipt (reference and PIN): a tip's status and staff replies, and adding information.

After the receipt, in the same conversation, the report just sent is the one meant: a request for
its status shows it, whatever the words; anything told goes to it; a new report starts only when
the resident says it is something new (`action_after_receipt`). Inside a report, asking for the
status or to add to a report sent is never an answer: the receipt forms take over, and what was
told in the report under way moves to the report named.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import STARTED_AT_SLOT, conversation_from_tracker, latest_intent, latest_text, report_id
from actions.filing import FILED_SLOT
from actions.jurisdiction import split_for_sms
from actions.routing_client import RoutingClient, RoutingError
from actions.submission import REPORT_SLOTS, must_be_kept
from actions.triage import assess

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


RECEIPT_FORMS = frozenset({"status_form", "information_form"})
# True from the receipt on: what the resident writes goes to that report (rules/receipts.yml).
RECEIPT_GIVEN = "receipt_given"
# When a new report began after a receipt in this session (conversation.report_id).
NEW_REPORT_AT = "tip_new_report_at"

# Asking for the status or staff replies of the report sent, whatever intent the NLU read.
ASKS_STATUS = re.compile(
    r"^\W*(status|estado|updates?|any (news|updates?|repl(y|ies))|novedades|hay novedades)\W*$|"
    r"\b(the|my|its|it'?s|check( the)?) status\b|\bstatus (of|on)\b|\bany (news|updates?|repl(y|ies)) (on|about)\b|"
    r"\b(what'?s|whats|what is|what has) (been )?(happening|going on|happened|done) (with|to|about) "
    r"(it|that|my (report|tip)|the (report|tip))\b|"
    r"\bwhat happened (with|to) (it|that|my (report|tip)|the (report|tip))\b|"
    r"\bdid (any|some) ?(one|body) (read|see|look at|reply|answer|do anything)\b|"
    r"\b(qu[eé]|q) (pas[oó]|ha pasado) con (mi|eso|esto|lo (que|q)|la denuncia|el reporte)\b|"
    r"\bc[oó]mo va (mi|eso|la denuncia|el reporte)\b|\bel estado de (mi|la|el)\b|\ben qu[eé] va (eso|mi|la|el)\b|"
    r"\b(hay|alguna) (novedad(es)?|noticias?|respuestas?)\b|"
    r"\balguien (lo |la )?(vio|ley[oó]|contest[oó]|respondi[oó])\b|"
    r"\bya (vieron|leyeron) (lo (que|q) (mand|envi|escrib)|mi (denuncia|reporte|mensaje))",
    re.I,
)
# "It's not a new report" (checked first: it names what NEW_REPORT looks for). Facts that only
# sound alike ("he's not alone, there's another guy", "the same thing happened") are added.
NOT_NEW = re.compile(
    r"\b(not|isn'?t|aint|no es|no era)\b[^.?!]{0,12}\b((new|another|different|separate) (report|tip|one)|"
    r"(denuncia|reporte) (nuev[oa]|distint[oa]|diferente|aparte)|(nuev[oa]|otr[oa]|distint[oa]) (denuncia|reporte))\b|"
    r"\b(it'?s|its|is) (about )?the same (report|tip|thing|one)\b|\bes (la misma (denuncia|cosa)|el mismo reporte)\b",
    re.I,
)
# "It's something new": the only way to a new report after a receipt ("another thing, he has a
# gun" or "otra cosa: ..." is more about the report sent).
NEW_REPORT = re.compile(
    r"\b(new|another|different|separate) (report|tip|incident|matter|issue)\b|"
    r"\bsomething (else|new|different) to (report|tell you about)\b|"
    r"\b(it'?s|its|this is) (a |an )?(new|different|diff|separate|unrelated) (thing|one|matter)\b|"
    r"\b(totally|completely|whole) (different|diff|separate|unrelated) (thing|matter|issue|situation)\b|"
    r"\b(denuncia|reporte) (nuev[oa]|distint[oa]|diferente|aparte)\b|\b(nuev[oa]|otr[oa]) (denuncia|reporte)\b|"
    r"\bes (algo (nuevo|distinto|diferente)|otra cosa)\W*$|\botro asunto\b|\basunto (distinto|diferente|aparte)\b|"
    r"\botra cosa (distinta|diferente|aparte)\b",
    re.I,
)


# Read by the NLU as something other than a request about the report sent, and not one by its
# words: the usual answer ("hola" again is reminded of the receipt).
USUAL_ANSWER = {
    "greet": "utter_after_receipt",
    "what_happens": "utter_what_happens",
    "out_of_scope": "utter_out_of_scope",
}
# A bare yes, no, okay or "nothing" after the receipt adds nothing to the report.
ACKNOWLEDGEMENTS = frozenset({"affirm", "deny", "dont_know", "skip"})
SHORT = 4
# The resident's messages that tell something (not requests or questions about the service).
NOT_TOLD = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "start_report",
        "check_status",
        "add_information",
        "stop",
        "switch_language",
        "how_it_works",
        "what_happens",
        "is_anonymous",
        "ask_resources",
        "bot_challenge",
        "human_handoff",
        "out_of_scope",
    }
)


def interrupted_report(tracker: Tracker) -> bool:
    """Whether the receipt form now active (or just done) took over from the report form; while it
    is being activated, the report form is still the active one."""
    current: str | None = None
    before: str | None = None
    for event in tracker.events:
        if event.get("event") != "active_loop":
            continue
        name = event.get("name")
        if name in RECEIPT_FORMS and current not in RECEIPT_FORMS:
            before = current
        current = name
    return before == "tip_form" or current == "tip_form"


def told_in_report(tracker: Tracker) -> str | None:
    """What the resident told in the report under way, the request that interrupted it aside."""
    messages = conversation_from_tracker(tracker).messages
    if messages and messages[-1].text == latest_text(tracker) and messages[-1].intent in NOT_TOLD | {None}:
        messages = messages[:-1]
    told = [m.text for m in messages if m.intent not in NOT_TOLD]
    return "\n".join(told) or None


def _short_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _receipt_failed(dispatcher: CollectingDispatcher, error: RoutingError) -> list[EventType]:
    """A wrong reference or PIN is asked for again; anything else (this conversation refused for a
    while after too many wrong tries included) is kept for a retry."""
    if error.status == NOT_FOUND:
        dispatcher.utter_message(response="utter_receipt_not_found")
        return [SlotSet("receipt_reference", None), SlotSet("receipt_pin", None)]
    log.warning("receipt request failed: %s", error)
    dispatcher.utter_message(response="utter_service_unavailable")
    return []


async def show_status(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str, pin: str) -> list[EventType]:
    """The tip's status in the resident's words and the latest staff replies."""
    try:
        answer = await RoutingClient(settings.current()).tip_status(reference, pin, report_id(tracker))
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


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reference, pin = tracker.get_slot("receipt_reference"), tracker.get_slot("receipt_pin")
        events = await show_status(dispatcher, tracker, reference, pin)
        if interrupted_report(tracker):  # asked in the middle of a report: back to its question
            events.append(FollowupAction("tip_form"))
        return events


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
        events: list[EventType] = [SlotSet("added_information", None)]
        if interrupted_report(tracker):  # "add that to my report": the report under way is that report
            events += await _drop_report_under_way(tracker)
        # From now on, the report just added to is the one meant, as after a receipt.
        return [*events, SlotSet("tip_reference", reference), SlotSet("tip_pin", pin), SlotSet(RECEIPT_GIVEN, True)]


async def _drop_report_under_way(tracker: Tracker) -> list[EventType]:
    """The report under way went to a report sent: it is not filed on its own, unless it held an
    emergency or a threat (those stay filed, as when the resident stops)."""
    if tracker.get_slot(FILED_SLOT) and not must_be_kept(assess(conversation_from_tracker(tracker))):
        try:
            await RoutingClient(settings.current()).discard_report(report_id(tracker))
        except RoutingError as e:
            log.warning("discarding the report moved to a report sent failed: %s", e)
    return [*(SlotSet(slot, None) for slot in REPORT_SLOTS), SlotSet(STARTED_AT_SLOT, time.time())]


class ActionAfterReceipt(Action):
    """What the resident writes after the receipt, in the same conversation (rules/receipts.yml)."""

    def name(self) -> str:
        return "action_after_receipt"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        reference, pin = tracker.get_slot("tip_reference"), tracker.get_slot("tip_pin")
        text, intent = latest_text(tracker), latest_intent(tracker)
        if not reference or not pin:  # no receipt after all: as before any report
            dispatcher.utter_message(response="utter_invite_report")
            return [SlotSet(RECEIPT_GIVEN, False)]
        if NOT_NEW.search(text):
            dispatcher.utter_message(response="utter_same_report", reference=reference)
            return []
        if NEW_REPORT.search(text) or intent == "start_report":
            dispatcher.utter_message(response="utter_new_report", reference=reference)
            return new_report(tracker, reference, pin)
        if intent == "check_status" or ASKS_STATUS.search(text):
            return await show_status(dispatcher, tracker, reference, pin)
        if intent in USUAL_ANSWER:
            dispatcher.utter_message(response=USUAL_ANSWER[intent], reference=reference)
            return []
        if not text.strip() or (intent in ACKNOWLEDGEMENTS and len(text.split()) <= SHORT):
            dispatcher.utter_message(response="utter_after_receipt", reference=reference)
            return []
        try:
            await RoutingClient(settings.current()).add_information(reference, pin, text, report_id(tracker))
        except RoutingError as e:
            log.warning("adding to the report just sent failed: %s", e)
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        dispatcher.utter_message(response="utter_tip_updated", reference=reference)
        return []


def new_report(tracker: Tracker, reference: str, pin: str) -> list[EventType]:
    """Start a report of its own (its own conversation id) from the latest message on; the receipt
    of the report sent stays at hand for its status or additions."""
    said_at = next(
        (float(e.get("timestamp") or 0) for e in reversed(tracker.events) if e.get("event") == "user"), time.time()
    )
    # Its own conversation id (`<sender>:<seconds>`): later than the one of the report sent, even
    # when that whole report took less than a second.
    since = report_id(tracker).rpartition(":")[2]
    previous = int(since) if since.isdigit() else 0
    starts_at = max(int(said_at), previous + 1)
    resets = (*REPORT_SLOTS, "tip_reference", "tip_pin", "tip_submitted", "tip_emergency_warned", "added_information")
    return [
        *(SlotSet(slot, None) for slot in resets),
        SlotSet(STARTED_AT_SLOT, said_at - 0.001),
        SlotSet(NEW_REPORT_AT, starts_at),
        SlotSet("receipt_reference", reference),
        SlotSet("receipt_pin", pin),
        SlotSet(RECEIPT_GIVEN, False),
        FollowupAction("tip_form"),
    ]
