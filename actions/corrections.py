"""A correction the report form could not place on one answer ("wait, that's wrong ...")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_text
from actions.questions import answer, question_asked
from actions.submission import submit_report


class ActionNoteCorrection(Action):
    """Kept with what happened, word for word, so staff read it; after submission, added to the tip."""

    def name(self) -> str:
        return "action_note_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # "I'm sorry, what do you mean?" reads like a correction but asks a question: answer it;
        # the report form then asks its question again.
        if question := question_asked(tracker):
            language = tracker.get_slot("language") or "en"
            await answer(question, dispatcher, language, tracker.get_slot("requested_slot"))
            return []
        if tracker.get_slot("tip_reference"):
            return await submit_report(dispatcher, tracker)
        what = tracker.get_slot("tip_what")
        if what is None:
            dispatcher.utter_message(response="utter_invite_report")
            return []
        dispatcher.utter_message(response="utter_correction_noted")
        return [SlotSet("tip_what", f"{what}\n(correction) {latest_text(tracker)}")]
