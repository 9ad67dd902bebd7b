"""Slot validation of the report form and the receipt forms (FormValidationAction subclasses)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.contact import contact_from_text
from actions.conversation import (
    REPORT_INTENTS,
    RETURNING_INTENTS,
    SKIPPED,
    conversation_from_tracker,
    ends_the_report,
    latest_intent,
    looks_like_a_place,
    report_events,
    returning_to_a_report,
    written_phrases,
)
from actions.conversation import latest_text as _latest_text
from actions.jurisdiction import public_info
from actions.questions import answer as answer_question
from actions.questions import question_asked
from actions.receipts import interrupted_report, told_in_report
from actions.responses import render
from actions.screening import cant_talk, screen

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
# Asked, not guessed (triage.md): early, once, in these categories when not already an emergency.
IMMINENCE_CATEGORIES = {"threat_to_others", "self_harm", "gun_diversion", "site_surveillance", "wellness_concern"}
# An emergency asks only what dispatch needs most, in this order (a description of the person
# only where someone threatens others or acts suspiciously).
EMERGENCY_QUESTIONS = ["tip_where", "tip_hurt", "tip_description", "tip_safe"]
NO_DESCRIPTION = {"self_harm", "wellness_concern"}
# Entities that answer a question before it is asked, or correct an answer.
ENTITIES_FOR = {
    "tip_who": ("relationship", "person"),
    "tip_where": ("location",),
    "tip_when": ("time",),
    "tip_weapons": ("weapon",),
    "tip_how_known": ("link", "platform"),
}
# Kept from any message when still unanswered; places and people are not (their entities are
# too often wrong when a message is about something else: "gas" as a place).
TOLD_IN_PASSING = ("tip_weapons", "tip_when")
# A report about someone the resident does not know ("some guy", "un señor", "alguien"), named
# before anyone they know: "who is this about, how do you know them?" does not fit; what they
# look like does.
STRANGER = re.compile(
    r"\b(a|some|this|that|one|an?other|two|three|several)\s+(\w+\s+)?(guy|guys|man|men|dude|dudes|woman|women|"
    r"lady|person|people|stranger|strangers|customer|driver|individual)\b|\b(someone|somebody|stranger|strangers|"
    r"random)\b|\b(don'?t|dont|do not) know (him|her|them|who)\b|"
    r"\b(un|una|unos|unas|alg[uú]n|alguna|dos|tres)\s+(se[nñ]or|se[nñ]ores|hombre|hombres|tipo|tipos|muchacho|"
    r"muchachos|chavo|chavos|vato|mujer|se[nñ]ora|muchacha|desconocid[oa]s?|cliente|persona|personas|sujeto|"
    r"individuo)\b|\b(alguien|desconocid[oa]s?)\b|\bno (lo|la|los|las) conozco\b",
    re.I,
)
# "Can someone check on...": someone asked for, not someone reported.
ASKING_FOR = re.compile(r"\b(can|could|would|please|need|send|get|want)\s+$", re.I)
# Someone the resident knows: named first, the report is about them ("my neighbor said some guy...").
KNOWN = re.compile(
    r"\b(neighbou?rs?|coworkers?|co-workers?|classmates?|friends?|friend'?s|sons?|daughters?|brothers?|sisters?|"
    r"cousins?|nephews?|nieces?|uncle|aunt|ex|boyfriend|girlfriend|bf|gf|husband|wife|roommates?|students?|"
    r"graders?|boss|supervisor|manager|dad|mom|father|mother|parents?|family|vecin[oa]s?|compa[nñ]er[oa]s?|"
    r"amig[oa]s?|hij[oa]s?|herman[oa]s?|prim[oa]s?|sobrin[oa]s?|t[ií][oa]s?|novi[oa]|espos[oa]|jefe|jefa|"
    r"pap[aá]|mam[aá]|padres?|madre|alumn[oa]s?|estudiantes?|familia)\b",
    re.I,
)
SELF = "self"
# "I want to kill myself": someone at risk writing about themselves.
FIRST_PERSON = re.compile(r"\b(i|i'?m|im|me|my|myself|yo|mi|estoy|quiero)\b", re.I)
ABOUT_ME = re.compile(r"^\W*(it'?s\s+)?(me|myself|about me|i am|i'?m|yo|soy yo|a m[ií]|de m[ií])\b", re.I)
HAPPENING_NOW = re.compile(
    r"\b(now|right now|rn|happening|currently|as we speak|ahora|ahorita|ahora mismo|en este momento|ya)\b", re.I
)
# The answers to "could someone be hurt today or tomorrow?" ("no sé" is not a no).
NOT_SURE = re.compile(
    r"\b(not sure|unsure|maybe|idk|i don'?t know|dunno|no s[eé]|tal vez|quiz[aá]s?|a lo mejor|puede ser|"
    r"no estoy segur[oa])\b",
    re.I,
)
YES = re.compile(r"^\W*(y|yes+|yeah|yep|yup|ya|s[ií]|claro|definitely|probably)\b", re.I)
NO = re.compile(r"^\W*(n|no+|nope|nah|not really|i don'?t think so|no creo)\b", re.I)
# Answers that answer something else: an age is not a weapon ("he's like 16", "tiene 16 años").
AN_AGE = re.compile(
    r"^\W*((he|she|they)('?s| is| are)|(é|e)l|ella|tiene)?\s*(like|about|around|maybe|como|unos)?\s*\d{1,2}"
    r"\s*(years?( old)?|yrs?( old)?|yo|años)?\W*$",
    re.I,
)
NOTHING = re.compile(r"^\W*(none|nothing|no one|nada|ninguna?|ningún|nadie)\b", re.I)
# Asked again, once, when an answer does not answer the question; the question itself follows.
ASK_AGAIN = {
    "en": "Sorry, that doesn't answer my question. Here it is again:",
    "es": "Perdón, eso no responde a mi pregunta. Se la hago otra vez:",
}

# In an emergency: a resident who asks what to do, or says they cannot talk, gets safety
# guidance before the next question.
WHAT_TO_DO = re.compile(
    r"\b(what (do|should|can) i do|what do i do|should i call|do i call|call 911\?|"
    r"qu[eé] hago|qu[eé] debo hacer|llamo al 911|debo llamar)",
    re.I,
)
CANT_TALK = re.compile(
    r"\b(can'?t|cannot|cant|unable to) (talk|speak|call)|\b(he|she|they)('?ll| will| would)? hear|"
    r"\bno puedo (hablar|llamar)|me (va|van) a o[ií]r",
    re.I,
)


def about_a_stranger(report: str) -> bool:
    """The report speaks first of someone the resident does not know ("a man ... told my kids")."""
    stranger = next((m for m in STRANGER.finditer(report) if not ASKING_FOR.search(report[: m.start()])), None)
    known = KNOWN.search(report)
    return stranger is not None and (known is None or stranger.start() < known.start())


def _answer(value: Any, tracker: Tracker) -> str | None:
    """The resident's words, or SKIPPED when they asked to skip the question."""
    if latest_intent(tracker) == "skip":
        return SKIPPED
    text = str(value or "").strip()
    return text or None


def _asked_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say the question will be asked again, once per report and question: True if said now,
    False when it was already said (the answer is then taken as it is)."""
    text = ASK_AGAIN.get(tracker.get_slot("language") or "en", ASK_AGAIN["en"])
    requested = tracker.get_slot("requested_slot")
    asked, already = None, False
    for event in report_events(tracker):
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        already = already or (event.get("event") == "bot" and event.get("text") == text and asked == requested)
    if already:
        return False
    dispatcher.utter_message(text=text)
    return True


class ValidateTipForm(FormValidationAction):
    def name(self) -> str:
        return "validate_tip_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        category = tracker.get_slot("tip_category") or ""
        if tracker.get_slot("tip_urgency") == "emergency":
            questions = [q for q in EMERGENCY_QUESTIONS if not (q == "tip_description" and category in NO_DESCRIPTION)]
        else:
            questions = QUESTIONS.get(category, UNKNOWN_CATEGORY_QUESTIONS)
            if category in IMMINENCE_CATEGORIES:
                questions = ["tip_imminent", *questions]
        if tracker.get_slot("tip_who") == SELF:
            questions = [q for q in questions if q != "tip_how_known"]
        elif tracker.get_slot("tip_who") is None and about_a_stranger(str(tracker.get_slot("tip_what") or "")):
            # Asked in its place: what the person looks like (once, if the report asks it anyway).
            instead = [] if "tip_description" in questions else ["tip_description"]
            questions = [asked for q in questions for asked in (instead if q == "tip_who" else [q])]
        slots = ["tip_what", *questions, "tip_anonymous"]
        if tracker.get_slot("tip_anonymous") is False:
            slots.append("tip_contact")
        return slots

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        if requested and ends_the_report(tracker):
            # STOP or goodbye is no answer: set nothing, so the engine rejects the form and the
            # rules end the report (action_stop_report). Any slot set here (a filing screened
            # again, a triage that moved) would make the form go on to its next question.
            return []
        language = tracker.get_slot("language") or "en"
        ask_again = [SlotSet(requested, None), SlotSet("requested_slot", requested)]
        if requested and intent in RETURNING_INTENTS:
            if returning_to_a_report(tracker):
                return []  # no answer: the status or information form takes over (rules/receipts.yml)
            tracker.add_slots([SlotSet(requested, _latest_text(tracker))])  # an answer the NLU misread
        # In an emergency, "what do I do?" and "I can't talk" get safety guidance first.
        if (
            requested
            and tracker.get_slot("tip_urgency") == "emergency"
            and await self._guide(dispatcher, tracker, domain)
        ):
            return ask_again
        # A question instead of an answer (privacy, a photo, "what do you mean?", the service):
        # answer it, then ask the same question again; it is never taken as the answer.
        if requested and (question := question_asked(tracker)):
            await answer_question(question, dispatcher, language, requested)
            return ask_again
        events = await super().run(dispatcher, tracker, domain)
        events += self._told_in_passing(tracker, requested, events)
        corrected = {e["name"] for e in events if e.get("event") == "slot"} & ENTITIES_FOR.keys()
        if latest_intent(tracker) == "correct" and corrected:
            dispatcher.utter_message(response="utter_correction_noted")
        # Screen again with the new answers ("now" as the answer to "when"); its messages go
        # before anything this validation said and before the next question.
        safety = CollectingDispatcher()
        asking = next((e["value"] for e in reversed(events) if e.get("name") == "requested_slot"), None)
        screened = await screen(safety, tracker, domain, conversation_from_tracker(tracker), asking=asking)
        dispatcher.messages[:0] = safety.messages
        # Only what changed: unchanged slots would hide from the form that nothing was answered.
        changed = [e for e in screened if tracker.get_slot(e["name"]) != e["value"]]
        if any(e["name"] == "tip_urgency" and e["value"] == "emergency" for e in changed):
            # The answer changed the urgency ("NOW" as the answer): ask what now matters most.
            tracker.add_slots(changed)
            events = [e for e in events if e.get("name") != "requested_slot"]
            if next_slot := await self.next_requested_slot(dispatcher, tracker, domain):
                events.append(next_slot)
        return events + changed

    @staticmethod
    def _told_in_passing(tracker: Tracker, requested: str | None, events: list[EventType]) -> list[EventType]:
        """A weapon or a time named in any message, while its question is still unanswered, is
        kept (in the resident's words) and not asked for: also where the report does not ask
        it (an emergency asks where, not with what)."""
        set_now = {e.get("name") for e in events if e.get("event") == "slot"}
        told = []
        for slot in TOLD_IN_PASSING:
            if slot == requested or slot in set_now or tracker.get_slot(slot) is not None:
                continue
            if phrases := written_phrases(tracker, *ENTITIES_FOR[slot]):
                told.append(SlotSet(slot, ", ".join(phrases)))
        return told

    async def _guide(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> bool:
        """Safety guidance for a resident in an emergency who asks what to do or cannot talk."""
        text = _latest_text(tracker)
        slots = {"language": tracker.get_slot("language") or "en", "crisis_voice": tracker.get_slot("crisis_voice")}
        info = await public_info().get()
        if CANT_TALK.search(text):
            dispatcher.utter_message(text=cant_talk(domain, slots, info))
            return True
        if WHAT_TO_DO.search(text):
            number = info.emergency_number if info is not None else "911"
            guidance = render(domain, "utter_emergency_guidance", slots, number=number)
            dispatcher.utter_message(text=f"{guidance} {cant_talk(domain, slots, info)}")
            return True
        return False

    # --- answers given before they were asked, and corrections ---------------------------

    @staticmethod
    def _from_entities(slot: str, tracker: Tracker, keep: Callable[[str], bool] | None = None) -> dict[str, Any]:
        values = [v for v in written_phrases(tracker, *ENTITIES_FOR[slot]) if keep is None or keep(v)]
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
        # A word the NLU took for a place ("gas", "mala") is left out: the question is asked instead.
        return self._from_entities("tip_where", tracker, keep=looks_like_a_place)

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
        answer = _answer(value, tracker)
        an_age = answer and AN_AGE.search(answer) and not written_phrases(tracker, "weapon")
        if an_age and _asked_again(dispatcher, tracker):
            return {"tip_weapons": None}
        return {"tip_weapons": answer}

    def validate_tip_target(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_target": _answer(value, tracker)}

    def validate_tip_how_known(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_how_known": _answer(value, tracker)}

    def validate_tip_imminent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """YES, NO or NOT SURE; anything else (a skip, another subject) is no answer, never a NO."""
        text, intent = str(value or ""), latest_intent(tracker)
        if NOT_SURE.search(text) or intent == "dont_know":
            dispatcher.utter_message(response="utter_imminence_unsure")
            return {"tip_imminent": "not_sure"}
        if intent == "affirm" or YES.search(text):
            return {"tip_imminent": "yes"}
        if intent == "deny" or NO.search(text):
            return {"tip_imminent": "no"}
        return {"tip_imminent": SKIPPED}

    def validate_tip_hurt(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_hurt": _answer(value, tracker)}

    def validate_tip_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"tip_description": _answer(value, tracker)}

    def validate_tip_safe(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = _answer(value, tracker)
        if answer and answer != SKIPPED and (latest_intent(tracker) == "deny" or NO.search(answer)):
            dispatcher.utter_message(response="utter_get_safe")
        return {"tip_safe": answer}

    def validate_tip_anonymous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The question: "do you want staff to be able to contact you? a number or email, or NO".
        if isinstance(value, bool):
            return {"tip_anonymous": value}
        contact = contact_from_text(str(value or ""))
        if contact:
            return {"tip_anonymous": False, "tip_contact": str(value).strip()}
        text, intent = str(value or ""), latest_intent(tracker)
        if intent == "affirm" or YES.search(text):
            return {"tip_anonymous": False}
        if intent in {"deny", "skip", "dont_know"} or NO.search(text) or NOTHING.search(text):
            return {"tip_anonymous": True}
        # Not a yes or no ("his dad has alot"): asked once more; then anonymous, the default.
        if _asked_again(dispatcher, tracker):
            return {"tip_anonymous": None}
        return {"tip_anonymous": True}

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
        named = reference_in(_latest_text(tracker))
        if named and named != tracker.get_slot("receipt_reference"):  # "add that to my report TL-..."
            own = tracker.get_slot("tip_pin") if named == tracker.get_slot("tip_reference") else None
            return {"receipt_reference": named, "receipt_pin": pin_in(_latest_text(tracker)) or own}
        if tracker.get_slot("receipt_reference"):
            return {}
        reference = tracker.get_slot("tip_reference")
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
        if pin is None and value is not None:  # None: a PIN cleared for another reference, asked next
            dispatcher.utter_message(response="utter_pin_not_understood")
        return {"receipt_pin": pin}


class ValidateStatusForm(_ReceiptSlots, FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"


class ValidateInformationForm(_ReceiptSlots, FormValidationAction):
    def name(self) -> str:
        return "validate_information_form"

    async def extract_added_information(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Asked for in the middle of a report: what was told there is what is added.
        starting = tracker.get_slot("requested_slot") not in {"receipt_reference", "receipt_pin", "added_information"}
        if starting and tracker.get_slot("added_information") is None and interrupted_report(tracker):
            told = told_in_report(tracker)
            return {"added_information": told} if told else {}
        return {}

    def validate_added_information(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"added_information": str(value or "").strip() or None}
