"""Answers that carry the jurisdiction's own numbers and wording (GET /public/jurisdiction)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.jurisdiction import public_info, split_for_sms


async def give_resources(dispatcher: CollectingDispatcher) -> None:
    info = await public_info().get()
    if info is None:
        dispatcher.utter_message(response="utter_call_911")
        dispatcher.utter_message(response="utter_crisis_national")
    else:
        dispatcher.utter_message(response="utter_resources", **info.numbers())


async def explain_privacy(dispatcher: CollectingDispatcher, language: str) -> None:
    info = await public_info().get()
    if info is None:
        dispatcher.utter_message(response="utter_privacy_short")
    else:
        for part in split_for_sms(info.privacy_notice.get(language)):
            dispatcher.utter_message(text=part)


async def answer_question(intent: str, dispatcher: CollectingDispatcher, language: str) -> bool:
    """Answer a question about the service; False when `intent` is not one."""
    if intent == "ask_resources":
        await give_resources(dispatcher)
    elif intent == "is_anonymous":
        await explain_privacy(dispatcher, language)
    elif intent in ("how_it_works", "what_happens", "bot_challenge"):
        dispatcher.utter_message(response=f"utter_{intent}")
    else:
        return False
    return True


class ActionGiveResources(Action):
    def name(self) -> str:
        return "action_give_resources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        await give_resources(dispatcher)
        return []


class ActionExplainPrivacy(Action):
    def name(self) -> str:
        return "action_explain_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        await explain_privacy(dispatcher, tracker.get_slot("language") or "en")
        return []


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        info = await public_info().get()
        if info is None:
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        dispatcher.utter_message(response="utter_handoff", **info.numbers())
        if not info.always_staffed:
            for part in split_for_sms(info.coverage_message.get(tracker.get_slot("language") or "en")):
                dispatcher.utter_message(text=part)
        return []
