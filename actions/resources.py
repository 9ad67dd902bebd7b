"""Answers that carry the jurisdiction's own numbers and wording (GET /public/jurisdiction)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_text
from actions.jurisdiction import public_info, split_for_sms
from actions.questions import PRIVACY_KEYWORD, WHAT_WE_KEEP, explain_privacy, give_resources, privacy_topics


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
        text = latest_text(tracker)
        topics = WHAT_WE_KEEP if PRIVACY_KEYWORD.search(text) else privacy_topics(text)
        await explain_privacy(dispatcher, tracker.get_slot("language") or "en", topics)
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
