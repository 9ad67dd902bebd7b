"""Safety first: every resident message is triaged before the bot says anything else.

It is the domain's `action_validate_slot_mappings`, which the engine runs after the slot
extraction of every user message, inside a form or not, before it predicts any other action, and
whose messages it sends first. (A custom slot mapping action would run as early, but Rasa 3.6
drops the messages of those.) It detects the language, triages the conversation so far, and when anything
signals an emergency the very next message is the jurisdiction's "call 911 now"; when anything
signals suicide or self-harm, 988 follows at once. validate_tip_form runs the same screen again
once the form's answers are in ("happening now", "tonight" as an answer).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_from_tracker, latest_intent, latest_text
from actions.jurisdiction import SMS_LIMIT, public_info, split_for_sms
from actions.language import language_after
from actions.responses import render
from actions.triage import Category, Conversation, Urgency, assess


async def screen(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any], conversation: Conversation
) -> list[EventType]:
    """Triage `conversation`; send 911 / 988 first when they are due. Returns the slot events."""
    assessment = assess(conversation)
    latest = conversation.messages[-1].intent if conversation.messages else None
    # Escalate, never de-escalate: the NLU's own reading of this message also counts.
    self_harm = Category.SELF_HARM in (assessment.category, *assessment.secondary_categories)
    self_harm = self_harm or latest == "report_self_harm"
    first_emergency = assessment.urgency is Urgency.EMERGENCY and not tracker.get_slot("tip_emergency_warned")
    events: list[EventType] = [
        SlotSet("tip_category", str(assessment.category)),
        SlotSet("tip_urgency", str(assessment.urgency)),
    ]
    slots = {"language": conversation.language, "crisis_voice": self_harm or bool(tracker.get_slot("crisis_voice"))}
    if first_emergency or latest == "report_emergency":
        info = await public_info().get()
        if info is not None:
            for part in split_for_sms(info.emergency_message.get(conversation.language)):
                dispatcher.utter_message(text=part)
        else:
            dispatcher.utter_message(text=render(domain, "utter_call_911", slots))
        events.append(SlotSet("tip_emergency_warned", True))
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
