"""Safety first: every resident message is triaged before the bot says anything else.

It is the domain's `action_validate_slot_mappings`, which the engine runs after the slot
extraction of every user message, inside a form or not, before it predicts any other action, and
whose messages it sends first. (A custom slot mapping action would run as early, but Rasa 3.6
drops the messages of those.) It detects the language, triages the conversation so far, and
when anything signals an emergency the very next message is one direct "call 911 now" (with what
to do when the resident cannot talk, and that dispatch has the report once it is queued); when
anything signals suicide or self-harm, 988 follows at once. As soon as the triage says it is a
tip, the report is filed with the routing service and grows with each message
(actions/filing.py). validate_tip_form runs the same screen again once the form's answers are in
("happening now", "tonight" as an answer).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_from_tracker, latest_intent, latest_text
from actions.filing import FILED_SLOT, file_report, is_a_report
from actions.jurisdiction import SMS_LIMIT, PublicInfo, public_info, split_for_sms
from actions.language import language_after
from actions.responses import render
from actions.routing_client import RoutingError
from actions.triage import Conversation, Urgency, assess, self_harm_signal
from actions.triage.assess import NOT_SELF_HARM
from actions.triage.text import Text

log = logging.getLogger(__name__)

# What a report is about, for "Understood: I'll keep this as a report about ...".
ABOUT = {
    "en": {
        "threat_to_others": "a threat to others",
        "gun_diversion": "a suspicious gun purchase",
        "site_surveillance": "someone watching or testing a place",
        "wellness_concern": "someone who may need a wellness check",
        "other_suspicious": "suspicious activity",
        "not_a_tip": "what you saw or heard",
    },
    "es": {
        "threat_to_others": "una amenaza contra otras personas",
        "gun_diversion": "una compra de armas sospechosa",
        "site_surveillance": "alguien que vigila o pone a prueba un lugar",
        "wellness_concern": "una persona que quizás necesita que alguien la visite",
        "other_suspicious": "una actividad sospechosa",
        "not_a_tip": "lo que usted vio o escuchó",
    },
}


async def screen(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: dict[str, Any],
    conversation: Conversation,
    asking: str | None = None,
) -> list[EventType]:
    """Triage `conversation`, file the report, and send 911 / 988 first when they are due.

    `asking` is the question the form asks next (still unanswered, for the filing). Returns the
    slot events.
    """
    assessment = assess(conversation)
    latest = conversation.messages[-1].intent if conversation.messages else None
    # 988 and the crisis wording only where the resident's words show self-harm: never on the
    # NLU's intent alone, nor after "I'm not suicidal" with nothing else to show it.
    self_harm = self_harm_signal(conversation)
    emergency = assessment.urgency is Urgency.EMERGENCY or latest == "report_emergency"
    events: list[EventType] = [
        SlotSet("tip_category", str(assessment.category)),
        SlotSet("tip_urgency", str(assessment.urgency)),
    ]
    slots = {"language": conversation.language, "crisis_voice": self_harm}
    routed = False
    if is_a_report(tracker, assessment):
        try:
            filed = await file_report(tracker, assessment, asking=asking)
        except RoutingError:
            log.exception("filing the report failed; the next message files it again")
            filed = None
        if filed is not None:
            routed = filed.routed
            events.append(SlotSet(FILED_SLOT, filed.digest))
    dispatch_told = bool(tracker.get_slot("tip_dispatch_told"))
    if emergency and not tracker.get_slot("tip_emergency_warned"):
        dispatcher.utter_message(text=await emergency_message(domain, slots, dispatch=routed))
        events.append(SlotSet("tip_emergency_warned", True))
        dispatch_told = routed
    elif emergency and routed and not dispatch_told:  # queued only now (the routing service was away)
        dispatcher.utter_message(text=render(domain, "utter_dispatch_now", slots))
        dispatch_told = True
    if dispatch_told:
        events.append(SlotSet("tip_dispatch_told", True))
    if tracker.get_slot("crisis_voice") and not self_harm and _says_not_self_harm(conversation):
        # A plain correction, and the report goes on as what it is.
        about = ABOUT[conversation.language].get(str(assessment.category), ABOUT[conversation.language]["not_a_tip"])
        dispatcher.utter_message(text=render(domain, "utter_not_self_harm", slots, about=about))
    if self_harm and not tracker.get_slot("tip_crisis_offered"):
        info = await public_info().get()
        if info is not None:
            crisis = info.crisis_message.get(conversation.language)
        else:
            crisis = render(domain, "utter_crisis_national", slots)
        message = render(domain, "utter_crisis_care", slots, crisis_message=crisis)
        if len(message) <= SMS_LIMIT:
            dispatcher.utter_message(text=message)
        else:  # a long jurisdiction text: the warm words first, then its own wording whole
            dispatcher.utter_message(text=render(domain, "utter_crisis_care", slots, crisis_message="").strip())
            for part in split_for_sms(crisis):
                dispatcher.utter_message(text=part)
        events.append(SlotSet("tip_crisis_offered", True))
    events.append(SlotSet("crisis_voice", slots["crisis_voice"]))
    return events


def _says_not_self_harm(conversation: Conversation) -> bool:
    latest = conversation.messages[-1].text if conversation.messages else ""
    return bool(NOT_SELF_HARM.search(Text.of(latest).norm))


async def emergency_message(domain: dict[str, Any], slots: dict[str, Any], *, dispatch: bool) -> str:
    """One direct message: call 911 now; what to do if you can't talk; dispatch has it (when true).

    The number and whether texting it works come from the jurisdiction; without them, the
    generic wording names 911 and says texting works in many places.
    """
    info = await public_info().get()
    number = info.emergency_number if info is not None else "911"
    parts = [render(domain, "utter_emergency_now", slots, number=number), cant_talk(domain, slots, info)]
    if dispatch:
        parts.append(render(domain, "utter_dispatch_now", slots))
    return " ".join(parts)


def cant_talk(domain: dict[str, Any], slots: dict[str, Any], info: PublicInfo | None) -> str:
    """What a resident who cannot speak can do: text 911 where it works, else an open line."""
    if info is None:
        return render(domain, "utter_cant_talk_unknown", slots)
    response = "utter_cant_talk_text" if info.text_to_911 else "utter_cant_talk_call"
    return render(domain, response, slots, number=info.emergency_number)


def _messages_this_session(tracker: Tracker) -> int:
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        count += event.get("event") == "user"
    return count


class ScreenEveryMessage(Action):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        first_message = _messages_this_session(tracker) <= 1
        language = language_after(
            latest_text(tracker),
            None if first_message else tracker.get_slot("language"),
            wants_switch=latest_intent(tracker) == "switch_language",
        )
        conversation = replace(conversation_from_tracker(tracker), language=language)
        return [SlotSet("language", language), *await screen(dispatcher, tracker, domain, conversation)]
