"""Slot validation of the report form and the receipt forms (FormValidationAction subclasses)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import REPORT_INTENTS, SKIPPED, conversation_from_tracker, entity_values, latest_intent
from actions.conversation import latest_text as _latest_text
from actions.resources import answer_question
from actions.screening import screen

# What each category needs, in the order it is asked; `tip_what` comes first and the
# anonymity question last for all. Nothing is asked that the category does not need
# (no weapons question for a wellness concern).
QUESTIONS = {
    "threat_to_others": ["tip_who", "tip_where", "tip_when", "tip_weapons", "tip_target", "tip_how_known"],
    "self_harm": ["tip_who", "tip_where", "tip_when", "tip_weapons"],
    "gun_diversion": ["tip_who", "tip_where", "tip_when", "tip_weapons", "tip_how_known"],
    "site_surveillance": ["tip_where", "tip_when", "tip_who", "tip_how_known"],
    "wellness_concern": ["tip_who", "tip_where", "tip_how_known"],
    "other_suspicious": ["tip_where", "tip_when", "tip_who", "tip_how_known"],
}
UNKNOWN_CATEGORY_QUESTIONS = ["tip_who", "tip_where", "tip_when", "tip_how_known"]
# Entities that answer a question before it is asked, or correct an answer.
ENTITIES_FOR = {
    "tip_who": ("relationship", "person"),
    "tip_where": ("location",),
    "tip_when": ("time",),
    "tip_weapons": ("weapon",),
    "tip_how_known": ("link", "platform"),
}
SELF = "self"
# "I want to kill myself": someone at risk writing about themselves.
FIRST_PERSON = re.compile(r"\b(i|i'?m|im|me|my|myself|yo|mi|estoy|quiero)\b", re.I)
ABOUT_ME = re.compile(r"^\W*(it'?s\s+)?(me|myself|about me|i am|i'?m|yo|soy yo|a m[ií]|de m[ií])\b", re.I)
HAPPENING_NOW = re.compile(
    r"\b(now|right now|rn|happening|currently|as we speak|ahora|ahorita|ahora mismo|en este momento|ya)\b", re.I
)
# Whether a message asks something, in either language.
QUESTION = re.compile(
    r"\?|^\W*(what|how|who|why|will|would|is|are|can|could|do|does|did|qu[eé]|c[oó]mo|qui[eé]n|por qu[eé]|"
    r"puedo|pueden|va|van|hay|eres|es|son)\b",
    re.I,
)
PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def contact_from_text(text: str) -> dict[str, str]:
    """The phone number and email a resident gave, as the intake API's `contact` keys."""
    contact = {}
    if email := EMAIL.search(text):
        contact["email"] = email.group(0)
    if phone := PHONE.search(EMAIL.sub(" ", text)):
        contact["phone"] = re.sub(r"[^\d+]", "", phone.group(0))
    return contact


def _answer(value: Any, tracker: Tracker) -> str | None:
    """The resident's words, or SKIPPED when they asked to skip the question."""
    if latest_intent(tracker) == "skip":
        return SKIPPED
    text = str(value or "").strip()
    return text or None


class ValidateTipForm(FormValidationAction):
    def name(self) -> str:
        return "validate_tip_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        questions = QUESTIONS.get(tracker.get_slot("tip_category") or "", UNKNOWN_CATEGORY_QUESTIONS)
        if tracker.get_slot("tip_who") == SELF:
            questions = [q for q in questions if q != "tip_how_known"]
        slots = ["tip_what", *questions, "tip_anonymous"]
        if tracker.get_slot("tip_anonymous") is False:
            slots.append("tip_contact")
        return slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        language = tracker.get_slot("language") or "en"
        asks = requested and intent and QUESTION.search(_latest_text(tracker))
        # A question about the service instead of an answer: answer it, then ask again.
        if asks and await answer_question(str(intent), dispatcher, language):
            return [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        events = await super().run(dispatcher, tracker, domain)
        corrected = {e["name"] for e in events if e.get("event") == "slot"} & ENTITIES_FOR.keys()
        if latest_intent(tracker) == "correct" and corrected:
            dispatcher.utter_message(response="utter_correction_noted")
        # Screen again with the new answers ("now" as the answer to "when"); its messages go
        # before anything this validation said and before the next question.
        safety = CollectingDispatcher()
        screened = await screen(safety, tracker, domain, conversation_from_tracker(tracker))
        dispatcher.messages[:0] = safety.messages
        # Only what changed: unchanged slots would hide from the form that nothing was answered.
        return events + [e for e in screened if tracker.get_slot(e["name"]) != e["value"]]

    # --- answers given before they were asked, and corrections ---------------------------

    @staticmethod
    def _from_entities(slot: str, tracker: Tracker) -> dict[str, Any]:
        values = entity_values(tracker, *ENTITIES_FOR[slot])
        if not values:
            return {}
        correcting = latest_intent(tracker) == "correct"
        first_message = tracker.get_slot("requested_slot") is None
        if correcting or (first_message and tracker.get_slot(slot) is None):
            return {slot: ", ".join(values)}
        return {}

    async def extract_tip_what(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The message that started the report is what happened (not "I want to report something").
        starts_report = latest_intent(tracker) in REPORT_INTENTS | {"inform"}
        if tracker.get_slot("tip_what") is None and tracker.get_slot("requested_slot") is None and starts_report:
            return {"tip_what": _latest_text(tracker)}
        return {}

    async def extract_tip_who(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self._from_entities("tip_who", tracker)
        at_risk_self = (
            tracker.get_slot("crisis_voice")
            and tracker.get_slot("requested_slot") is None
            and tracker.get_slot("tip_who") is None
            and FIRST_PERSON.search(_latest_text(tracker))
        )
        if not found and at_risk_self:
            return {"tip_who": SELF}
        return found

    async def extract_tip_where(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._from_entities("tip_where", tracker)

    async def extract_tip_when(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._from_entities("tip_when", tracker)

    async def extract_tip_weapons(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._from_entities("tip_weapons", tracker)

    async def extract_tip_how_known(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = self._from_entities("tip_how_known", tracker)
        return {"tip_how_known": f"online: {found['tip_how_known']}"} if found else {}

    # --- validation of each answer ----------------------------------------------------------

    def validate_tip_what(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_what": _answer(value, tracker)}

    def validate_tip_who(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = _answer(value, tracker)
        if answer and answer != SKIPPED and tracker.get_slot("crisis_voice") and ABOUT_ME.search(answer):
            answer = SELF
        return {"tip_who": answer}

    def validate_tip_where(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_where": _answer(value, tracker)}

    def validate_tip_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = _answer(value, tracker)
        happening_now: bool | None = None
        if answer and answer != SKIPPED and latest_intent(tracker) != "dont_know":
            happening_now = bool(HAPPENING_NOW.search(answer))
        return {"tip_when": answer, "tip_happening_now": happening_now}

    def validate_tip_weapons(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_weapons": _answer(value, tracker)}

    def validate_tip_target(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_target": _answer(value, tracker)}

    def validate_tip_how_known(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_how_known": _answer(value, tracker)}

    def validate_tip_anonymous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The question: "do you want staff to be able to contact you? a number or email, or NO".
        if isinstance(value, bool):
            return {"tip_anonymous": value}
        contact = contact_from_text(str(value or ""))
        if contact:
            return {"tip_anonymous": False, "tip_contact": str(value).strip()}
        wants_contact = latest_intent(tracker) == "affirm"
        return {"tip_anonymous": not wants_contact}

    def validate_tip_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if contact_from_text(str(value or "")):
            return {"tip_contact": str(value).strip()}
        if latest_intent(tracker) in {"deny", "skip", "dont_know"}:
            return {"tip_contact": None, "tip_anonymous": True}
        dispatcher.utter_message(response="utter_contact_not_understood")
        return {"tip_contact": None}


# --- receipts: reference and PIN --------------------------------------------------------

REFERENCE = re.compile(r"\bTL-?\s*([0-9A-Z]{4})-?\s*([0-9A-Z]{4})\b", re.I)
PIN = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def reference_in(text: str) -> str | None:
    found = REFERENCE.search(text)
    return f"TL-{found.group(1)}-{found.group(2)}".upper() if found else None


def pin_in(text: str) -> str | None:
    found = PIN.search(REFERENCE.sub(" ", text))
    return found.group(1) if found else None


class _ReceiptSlots:
    """Reference and PIN: from this conversation's own receipt, from any message, or as asked."""

    async def extract_receipt_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("receipt_reference"):
            return {}
        reference = tracker.get_slot("tip_reference") or reference_in(_latest_text(tracker))
        return {"receipt_reference": reference} if reference else {}

    async def extract_receipt_pin(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("receipt_pin"):
            return {}
        own = tracker.get_slot("tip_pin") if tracker.get_slot("tip_reference") else None
        pin = own or (pin_in(_latest_text(tracker)) if reference_in(_latest_text(tracker)) else None)
        return {"receipt_pin": pin} if pin else {}

    def validate_receipt_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reference = reference_in(str(value or ""))
        if reference is None:
            dispatcher.utter_message(response="utter_reference_not_understood")
            return {"receipt_reference": None}
        events: dict[str, Any] = {"receipt_reference": reference}
        if pin := pin_in(str(value)):
            events["receipt_pin"] = pin
        return events

    def validate_receipt_pin(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        pin = pin_in(str(value or ""))
        if pin is None:
            dispatcher.utter_message(response="utter_pin_not_understood")
        return {"receipt_pin": pin}


class ValidateStatusForm(_ReceiptSlots, FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"


class ValidateInformationForm(_ReceiptSlots, FormValidationAction):
    def name(self) -> str:
        return "validate_information_form"

    def validate_added_information(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"added_information": str(value or "").strip() or None}
