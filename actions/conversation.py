"""Tracker -> triage Conversation and the intake transcript: the one bridge from rasa_sdk."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker

from actions.triage.model import Conversation, Entity, Message
from telemetry.contact_details import CONTACT_PLACEHOLDER, replace_contact_details

# Form slot -> key of `answers` in the triage input and the intake payload.
ANSWER_SLOTS = {
    "tip_what": "what",
    "tip_who": "who",
    "tip_where": "where",
    "tip_when": "when",
    "tip_happening_now": "happening_now",
    "tip_weapons": "weapons",
    "tip_target": "target",
    "tip_how_known": "how_known",
    "tip_imminent": "imminent",
    "tip_hurt": "hurt",
    "tip_description": "description",
    "tip_safe": "safe",
}
# The value of an answer the resident chose to skip: not None, so the form moves on, but sent
# as null (docs/intake-api.md: null is "skipped or not asked").
SKIPPED = "(skipped)"
# Set when a report is discarded: what came before belongs to no report any more.
STARTED_AT_SLOT = "tip_started_at"
# The questions whose answer may be the resident's phone number or e-mail address. Those details
# travel only in the submission's `contact` (kept encrypted); the report's text and transcript
# keep a placeholder instead.
CONTACT_QUESTIONS = frozenset({"tip_anonymous", "tip_contact"})

REPORT_INTENTS = frozenset(
    {
        "report_threat",
        "report_self_harm",
        "report_gun_purchase",
        "report_surveillance",
        "report_wellness",
        "report_suspicious",
        "report_emergency",
    }
)
# What ends a report at any point, inside the form or not: STOP ("cancel", "never mind", "forget
# it", "olvídalo", "ya no"...) and goodbye. Never the answer to a question (action_stop_report).
ENDING_INTENTS = frozenset({"stop", "goodbye"})
# Asking about, or adding to, a report sent (by reference and PIN, or the one just sent).
RETURNING_INTENTS = frozenset({"check_status", "add_information"})
# Inside the report, only a sure reading ends it: "que hago" read as goodbye at 0.47 is a resident
# in an emergency asking what to do, not leaving (every wording of stop and goodbye reads >= 0.88).
ENDING_CONFIDENCE = 0.7


def ends_the_report(tracker: Tracker) -> bool:
    """Whether the latest message is a sure STOP or goodbye (ENDING_INTENTS, ENDING_CONFIDENCE)."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name") in ENDING_INTENTS and float(intent.get("confidence") or 0) >= ENDING_CONFIDENCE


def answers_from_tracker(tracker: Tracker) -> dict[str, str | bool | None]:
    answers = {key: tracker.get_slot(slot) for slot, key in ANSWER_SLOTS.items()}
    return {key: None if value == SKIPPED else value for key, value in answers.items()}


def report_events(tracker: Tracker) -> list[dict[str, Any]]:
    started = float(tracker.get_slot(STARTED_AT_SLOT) or 0)
    return [e for e in tracker.events if float(e.get("timestamp") or 0) > started]


def said_events(tracker: Tracker) -> list[tuple[dict[str, Any], str]]:
    """The report's events, each with the text to keep of it: in an answer to a contact question,
    the phone numbers and e-mail addresses become a placeholder."""
    asked = None
    said = []
    for event in report_events(tracker):
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        text = str(event.get("text") or "")
        if event.get("event") == "user" and asked in CONTACT_QUESTIONS:
            text = replace_contact_details(text, CONTACT_PLACEHOLDER, CONTACT_PLACEHOLDER)
        said.append((event, text))
    return said


def conversation_from_tracker(tracker: Tracker) -> Conversation:
    from actions.questions import only_a_question

    messages = []
    asked = None
    for event, text in said_events(tracker):
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        if event.get("event") != "user" or not text:
            continue
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        if _is_intent_payload(text, intent.get("name")):
            continue  # "/greet" from the web page's start: a button, not the resident's words
        if asked and only_a_question(text, intent.get("name"), float(intent.get("confidence") or 0.0)):
            continue  # answered as a question during the form (actions/questions.py), not part of the tip
        messages.append(
            Message(
                text=text,
                intent=intent.get("name"),
                intent_confidence=float(intent.get("confidence") or 0.0),
                entities=tuple(
                    Entity(
                        entity=e.get("entity", ""),
                        value=str(e.get("value", "")),
                        confidence=e.get("confidence_entity"),
                        start=e.get("start"),
                        end=e.get("end"),
                    )
                    for e in parse.get("entities") or []
                ),
            )
        )
    return Conversation(
        id=report_id(tracker),
        messages=tuple(messages),
        answers=answers_from_tracker(tracker),
        language=tracker.get_slot("language") or "en",
    )


def _is_intent_payload(text: str, intent: str | None) -> bool:
    """Rasa's "/intent" or "/intent{...}" syntax, which the channels send for buttons and starts."""
    return bool(intent) and text.startswith("/") and text[1:].split("{", 1)[0].strip() == intent


def transcript_from_tracker(tracker: Tracker, since: float = 0.0) -> list[dict[str, Any]]:
    lines = []
    for event, text in said_events(tracker):
        role = {"user": "resident", "bot": "bot"}.get(event.get("event", ""))
        timestamp = float(event.get("timestamp") or 0)
        if role and text and timestamp > since:
            at = datetime.fromtimestamp(timestamp, UTC).isoformat()
            lines.append({"role": role, "text": text, "at": at})
    return lines


def report_id(tracker: Tracker) -> str:
    """The intake API's idempotency key: one per conversation session.

    A resident who writes again days later (a new session, same phone) makes a new tip, while a
    retried submission within the session stays one tip. A new report the resident starts after a
    receipt in the same session (`tip_new_report_at`) is a tip of its own.
    """
    if new_report_at := tracker.get_slot("tip_new_report_at"):
        return f"{tracker.sender_id}:{int(float(new_report_at))}"
    starts = [e for e in tracker.events if e.get("event") == "session_started"]
    if not starts:
        return tracker.sender_id
    return f"{tracker.sender_id}:{int(float(starts[-1].get('timestamp') or 0))}"


def latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


# The words of a request about a report sent. Inside a report, a message the NLU reads as such a
# request is not an answer only when it has them: "vivo al lado" misread as check_status is one.
ABOUT_A_REPORT = re.compile(
    r"\b(status|estado|reports?|reporte|denuncia|tip|TL-?\s*[0-9A-Z]{4}|updates?|novedad(es)?|respuestas?|"
    r"repl(y|ies)|add|agreg\w*|añad\w*|nuev[oa]|new)\b",
    re.I,
)


def asks_about_a_report(text: str) -> bool:
    return bool(ABOUT_A_REPORT.search(text))


def returning_to_a_report(tracker: Tracker) -> bool:
    """Whether the latest message asks about or adds to a report sent (status, "add that to my
    report TL-..."): the NLU's intent, and words that speak of a report ("not yet" read as
    check_status is an answer)."""
    return latest_intent(tracker) in RETURNING_INTENTS and asks_about_a_report(latest_text(tracker))


def user_message_count(tracker: Tracker) -> int:
    return sum(1 for e in tracker.events if e.get("event") == "user")


# --- facts in the resident's own words -------------------------------------------------------

# Entities of one kind this close together (words between, no sentence break) are one phrase:
# "Maple Grove Elementary, 1200 Elm Street in Oakridge" is one place, not three.
MAX_GAP_WORDS = 3
_TOKEN = re.compile(r"[^\s,]+")
_SENTENCE_END = re.compile(r"[.!?;:\n]")


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


# Words of a place's name or address written in lower case ("1200 elm street", "escuela lincoln").
PLACE_NOUNS = _words(
    "st street rd road ave avenue blvd boulevard dr drive ln lane way hwy highway ct court pl ",
    "school high middle elementary park mall store church center library station apartments ",
    "calle avenida av carretera camino escuela colegio secundaria primaria preparatoria parque ",
    "tienda iglesia centro biblioteca estación apartamentos",
)
# Words that show a phrase is a place, though they do not grow one ("the corner", "su casa").
PLACE_HINTS = PLACE_NOUNS | _words(
    "house home apartment apt corner building plaza market restaurant hospital office parking lot garage ",
    "cafeteria cafe lobby hallway gate gates entrance classroom gymnasium pool bank airport ",
    "gym terminal stop campus field daycare warehouse factory shop bar club stadium theater theatre hotel motel ",
    "casa esquina edificio mercado restaurante oficina parqueo estacionamiento garaje gimnasio parada ",
    "cafetería salón salon pasillo entrada puerta banco aeropuerto gasolinera farmacia panadería ",
    "cancha guardería guarderia bodega fábrica fabrica taller barrio colonia cuadra hotel",
)
PLACE_JOINERS = frozenset({"in", "on", "en", "of", "de", "del"})
# Words that start with a capital only because they start a sentence.
NOT_PLACE_WORDS = _words(
    "i i'm im i've he she they it it's he's she's they're we the a an this that there there's my his her ",
    "at on near by outside inside behind across from to and or but is was ",
    "monday tuesday wednesday thursday friday saturday sunday today tonight tomorrow yesterday ",
    "él ella ellos yo mi su la el los las un una y o pero es está cerca afuera frente junto por para ",
    "lunes martes miércoles jueves viernes sábado domingo hoy mañana ayer",
)


# Words that continue a place's name or address around a location entity: names and numbers
# (checked by their first character), place words, and "in"/"en" between two of them.
def _place_word(token: str) -> bool:
    word = token.strip(".'\"()").casefold()
    if not word or word in NOT_PLACE_WORDS or word in PLACE_JOINERS:
        return False
    return token[0].isupper() or token[0].isdigit() or word in PLACE_NOUNS


def _joined(text: str, end: int, start: int) -> bool:
    """Only spaces and commas between two parts of one phrase."""
    return not _SENTENCE_END.search(text[end:start])


def _grow_place(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a location entity's span over the names, numbers and street words around it."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    before = [t for t in tokens if t[1] <= start][::-1]
    i = 0
    while i < len(before) and _joined(text, before[i][1], start):
        s, _, word = before[i]
        if _place_word(word):
            start, i = s, i + 1
        elif word.casefold() in PLACE_JOINERS and i + 1 < len(before) and _place_word(before[i + 1][2]):
            start, i = before[i + 1][0], i + 2
        else:
            break
    after = [t for t in tokens if t[0] >= end]
    i = 0
    while i < len(after) and _joined(text, end, after[i][0]) and not _SENTENCE_END.search(text[end - 1 : end]):
        _, e, word = after[i]
        if _place_word(word):
            end, i = e, i + 1
        elif word.casefold() in PLACE_JOINERS and i + 1 < len(after) and _place_word(after[i + 1][2]):
            end, i = after[i + 1][1], i + 2
        else:
            break
    return start, end


# A weapon as named: the words before it that say whose, how many or which ("his dad's rifle",
# "3 AR-15s", "una escopeta"), and a model or calibre after it ("Glock 19", "calibre 12").
WEAPON_BEFORE = re.compile(
    r"^(a|an|the|his|her|their|my|your|our|this|that|these|those|some|two|three|four|five|several|"
    r"un|una|unos|unas|el|la|los|las|su|sus|mi|mis|tu|tus|\d+|\w+'s|\w+s'|(dad|mom|uncle|brother|"
    r"father|grandpa|cousin|friend)s|hunting|deer|assault|loaded|kitchen|box|sawed-off|semi-auto(matic)?)$",
    re.I,
)
WEAPON_AFTER = re.compile(r"^\W*(\d+\w*|\.\d+|mm|cal|caliber|calibre|gauge|de (su|mi|tu|el|la|los) \w+)\b", re.I)
MOST_WORDS_BEFORE = 3


def _grow_weapon(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a weapon entity's span over the words that name it whole."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    for s, e, word in [t for t in tokens if t[1] <= start][::-1][:MOST_WORDS_BEFORE]:
        if not (_joined(text, e, start) and WEAPON_BEFORE.match(word.strip(".'\"()"))):
            break
        start = s
    while (after := WEAPON_AFTER.match(text[end:])) and not _SENTENCE_END.search(text[end : end + after.start(1)]):
        end += after.end()
    return start, end


def looks_like_a_place(phrase: str) -> bool:
    """A place entity that reads as one: a name or a number (a capital or a digit), or a place word.
    The NLU also tags "gas", "mala" or "parqueado" as places; those are asked for."""
    tokens = _TOKEN.findall(phrase)
    return any(
        token.strip(".'\"()").casefold() in PLACE_HINTS
        or ((token[:1].isupper() or token[:1].isdigit()) and token.strip(".'\"()").casefold() not in NOT_PLACE_WORDS)
        for token in tokens
    )


def _close(text: str, end: int, start: int) -> bool:
    """Two entities that overlap, or only a few words apart in one sentence, are one phrase."""
    return end >= start or (len(text[end:start].split()) <= MAX_GAP_WORDS and _joined(text, end, start))


def written_phrases(tracker: Tracker, *names: str) -> list[str]:
    """The latest message's entities of these kinds in the resident's own words, in order.

    Each phrase is the text as written (a place grown to its whole name and address); an
    entity's value only adds to it when it says something the words do not ("glock (gun)").
    """
    text = latest_text(tracker)
    found = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") in names]
    spans: list[list[Any]] = []
    for e in sorted(found, key=lambda e: e.get("start") or 0):
        start, end, value = e.get("start"), e.get("end"), str(e.get("value", "")).strip()
        if not isinstance(start, int) or not isinstance(end, int) or not text[start:end].strip():
            spans.append([None, None, [value]])  # no position: only the value is known
            continue
        if e.get("entity") == "location":
            start, end = _grow_place(text, start, end)
        elif e.get("entity") == "weapon":
            start, end = _grow_weapon(text, start, end)
        last = spans[-1] if spans else None
        if last is not None and last[1] is not None and _close(text, last[1], start):
            last[1] = max(last[1], end)
            last[2].append(value)
        else:
            spans.append([start, end, [value]])
    phrases: list[str] = []
    for start, end, values in spans:
        words = text[start:end].strip(" ,;:.!?") if start is not None else ""
        extra = [v for v in values if v and v.casefold() not in words.casefold()]
        phrase = f"{words} ({', '.join(extra)})" if words and extra else words or ", ".join(extra)
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases
