"""Questions a resident asks instead of answering: about privacy, how to send a photo, or what the
bot meant. Read from the words and the NLU's intent with its confidence together, so that a
question the NLU reads as something else ("is this anonymous?? i dont want ppl knowing i
snitched" as `deny`) is still answered, never taken as the answer to the question just asked.

Privacy answers are the jurisdiction's own (`public.privacy` of its file, with the deployment's
retention periods filled in by the routing service): each question gets the topics it asks about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.jurisdiction import PublicInfo, public_info, split_for_sms

# The NLU's reading counts alone only from this confidence, and only for a message worded as a
# question; below it, the words decide.
CONFIDENT = 0.6

# Whether a message asks something, in either language.
QUESTION = re.compile(
    r"\?|^\W*(what|how|who|why|will|would|is|are|can|could|do|does|did|qu[eé]|c[oó]mo|qui[eé]n|por qu[eé]|"
    r"puedo|pueden|va|van|hay|eres|es|son)\b",
    re.I,
)
# The keyword the contact question offers ("Ask PRIVACY to see what we keep").
PRIVACY_KEYWORD = re.compile(r"^\W*(privacy|privacidad|privacy policy|pol[ií]tica de privacidad)\W*$", re.I)
# Words that make a question a privacy question.
PRIVACY_CUE = re.compile(
    r"anonym|anon\b|an[oó]nim|privacy|private|privad|confidential|confidencial|secret|snitch|"
    r"\bfind(s)? out\b|\bfound out\b|\bknow(s|ing)?\b.{0,20}\b(it was|it'?s) (me|i)\b|"
    r"\bknow(s|ing)? (that )?i (reported|told|snitched|sent|said|called|wrote)|"
    r"\bknow(s|ing)? who (reported|told|sent|said|called|wrote)|\bmy (name|identity)\b|"
    r"\bwho (will|would|can|could|gets? to|is going to|are you going to) (see|read|know|find out|get|share)|"
    r"\bwho (sees|reads)\b|\b(do|will|does|did|would|can) (you|u|y'?all|they|it|this)( guys| all)? "
    r"(save|store|keep|record|track|log|sell|share|give)|\bhow long (do|will|is|are|does) (you|u|it|this|they|my)|"
    r"\bsubpoena|court order|"
    r"immigra|inmigra|\bmigra\b|deport|\bip\b|"
    r"\benter(a|e|en|an|ar)(se)?\b|\bsepan\b|saber que (fui|soy) yo|"
    r"qui[eé]n(es)? (va|van|puede|pueden|podr[aá]n?) (a )?(ver|leer|saber|enterar)|"
    r"qui[eé]n(es)? (lo|la|me) (ve|ven|lee|leen|va a ver)|qui[eé]n(es)? ven? (esto|mi|lo que)|"
    r"mi (nombre|identidad)|\bguard(a|an|ar)n? (mi|mis|esto|lo que)|\bgraban\b|rastre|"
    r"cu[aá]nto tiempo (lo|la|los|las|guard)|citaci[oó]n|orden judicial|chivat|sopl[oó]n",
    re.I,
)
# What a privacy question is about: the jurisdiction's topics, in the order they are answered.
PRIVACY_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "immigration",
        re.compile(
            r"immigra|inmigra|\bmigra\b|deport|papeles|undocumented|indocumentad|\bvisa\b|green card|migratori", re.I
        ),
    ),
    (
        "family_school",
        re.compile(
            r"parent|\bmom\b|\bdad\b|\bmum\b|mother|father|family|school|teacher|principal|padres|pap[aá]s?\b|"
            r"mam[aá]\b|familia|escuela|colegio|maestr|profe",
            re.I,
        ),
    ),
    (
        "subpoena",
        re.compile(
            r"subpoena|court|warrant|judge|police|\bcops?\b|law enforcement|lawyer|polic[ií]a|juez|corte|tribunal|"
            r"orden judicial|citaci[oó]n|abogad",
            re.I,
        ),
    ),
    ("phone_ip", re.compile(r"phone|number|\bip\b|\bcell\b|tel[eé]fono|n[uú]mero|celular|\bcel\b", re.I)),
    (
        "kept",
        re.compile(
            r"\bkeep|\bkept\b|\bsave|\bstore|record|delete|how long|retain|\bguard(a|an)\b|borr|cu[aá]nto tiempo|graba",
            re.I,
        ),
    ),
    (
        "who_sees",
        re.compile(
            r"\bwho\b|share|\bsee(s|n)?\b|\bread(s)?\b|people know|ppl know|qui[eé]n|compart|\bver\b|\bleer\b|sepan",
            re.I,
        ),
    ),
)
ANONYMITY = re.compile(r"anonym|anon\b|an[oó]nim|snitch|know(s|ing)? (it was|it'?s) me|sepan que|fui yo|identi", re.I)
# "PRIVACY" promises to show what is kept: what, for how long, who sees it, phone and IP address.
WHAT_WE_KEEP = ("kept", "who_sees", "phone_ip")
MOST_TOPICS = 3

# How to send a photo, a screenshot or a file.
MEDIA = re.compile(
    r"\b(send|attach|upload|share|show|text|give|mandar?|mand[oa]s?|enviar?|env[ií]o|adjunt\w*|subir?|subo|pasar?|"
    r"paso|ense[nñ]ar?)\b.{0,40}\b(photos?|pics?|pictures?|screenshots?|screen ?shots?|ss|images?|videos?|files?|"
    r"proof|fotos?|capturas?|im[aá]gen(es)?|archivos?|pantallazos?|pruebas?)\b|"
    r"\b(photos?|pics?|pictures?|screenshots?|images?|videos?|fotos?|capturas?|im[aá]gen(es)?|pantallazos?)\b.{0,30}"
    r"\b(send|attach|upload|here|mand|env[ií]|adjunt|sub|aqu[ií])",
    re.I,
)
# "What do you mean?": the question was not clear.
CLARIFY = re.compile(
    r"what (do|did) (you|u) mean|what does (that|this|it) mean|wdym|what do u mean|i don'?t (understand|get it)|"
    r"\bdont (understand|get it)|not sure what you mean|what are you asking|mean by that|"
    r"^\W*(huh|what|sorry|pardon)\W*$|"
    r"qu[eé] quier(e|es) decir|qu[eé] significa|a qu[eé] se refiere|no (le |te )?entiendo|no entend[ií]|"
    r"c[oó]mo as[ií]|^\W*(c[oó]mo|qu[eé]|perd[oó]n)\W*$",
    re.I,
)
# Questions about the service that the NLU names with confidence (domain responses of the same name).
SERVICE_INTENTS = {"ask_resources", "how_it_works", "what_happens", "bot_challenge"}


@dataclass(frozen=True)
class Question:
    kind: str  # privacy, media, clarify, or one of SERVICE_INTENTS
    topics: tuple[str, ...] = ()


def _intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return (str(name) if name else None), float(intent.get("confidence") or 0.0)


def privacy_topics(text: str) -> tuple[str, ...]:
    """The jurisdiction's privacy topics a question asks about, most specific first."""
    at = {topic: m.start() for topic, pattern in PRIVACY_TOPICS if (m := pattern.search(text))}
    found = sorted(at, key=lambda topic: at[topic])  # in the order the resident asked
    if (not found or ANONYMITY.search(text)) and "who_sees" not in found:
        found.append("who_sees")
    return tuple(found[:MOST_TOPICS])


def question_in(text: str, intent: str | None, confidence: float) -> Question | None:
    """The question `text` asks instead of answering, or None when it is not one."""
    asks = bool(QUESTION.search(text))
    if CLARIFY.search(text):
        return Question("clarify")
    if PRIVACY_KEYWORD.search(text):
        return Question("privacy", WHAT_WE_KEEP)
    if asks and PRIVACY_CUE.search(text):
        return Question("privacy", privacy_topics(text))
    if asks and MEDIA.search(text):
        return Question("media")
    if asks and confidence >= CONFIDENT:
        if intent == "is_anonymous":
            return Question("privacy", privacy_topics(text))
        if intent in SERVICE_INTENTS:
            return Question(intent)
    return None


def question_asked(tracker: Tracker) -> Question | None:
    text = str((tracker.latest_message or {}).get("text") or "")
    return question_in(text, *_intent(tracker))


def only_a_question(text: str, intent: str | None, confidence: float) -> bool:
    """A question that tells nothing of a tip: left out of the report's triage, so that "can police
    subpoena this?" does not turn a report into no tip. Anything that reads as a tip by itself
    ("is this anonymous? he has a gun outside") still counts: safety first."""
    from actions.triage.assess import assess
    from actions.triage.model import Category, Conversation, Message, Urgency

    if question_in(text, intent, confidence) is None:
        return False
    # What the message says besides its questions ("will he know i reported him? he said he'd kill
    # me"): triage reads service questions as no tip, so the rest is read alone.
    rest = " ".join(
        sentence
        for sentence in SENTENCES.findall(text)
        if not sentence.rstrip().endswith("?") and question_in(sentence, None, 0.0) is None
    ).strip()
    if not rest:
        return True
    alone = assess(Conversation(id="", messages=(Message(text=rest),)))
    return alone.category is Category.NOT_A_TIP and alone.urgency is not Urgency.EMERGENCY


SENTENCES = re.compile(r"[^.!?¿¡]+[.!?]*")


def privacy_answer(info: PublicInfo | None, language: str, topics: tuple[str, ...]) -> list[str] | None:
    """The jurisdiction's answers to these topics, each cut for SMS; None without them."""
    if info is None:
        return None
    if not info.privacy:  # a routing service without the answers: its privacy notice
        return split_for_sms(info.privacy_notice.get(language))
    parts: list[str] = []
    if topics == ("who_sees",):  # "is this anonymous?": the notice says so first
        parts += split_for_sms(info.privacy_notice.get(language))
    for topic in topics:
        if topic in info.privacy:
            parts += split_for_sms(info.privacy[topic].get(language))
    return parts


async def explain_privacy(dispatcher: CollectingDispatcher, language: str, topics: tuple[str, ...]) -> None:
    parts = privacy_answer(await public_info().get(), language, topics)
    if parts is None:
        dispatcher.utter_message(response="utter_privacy_short")
        return
    for part in parts:
        dispatcher.utter_message(text=part)


async def give_resources(dispatcher: CollectingDispatcher) -> None:
    info = await public_info().get()
    if info is None:
        dispatcher.utter_message(response="utter_call_911")
        dispatcher.utter_message(response="utter_crisis_national")
    else:
        dispatcher.utter_message(response="utter_resources", **info.numbers())


async def answer(question: Question, dispatcher: CollectingDispatcher, language: str, requested: str | None) -> None:
    """Answer the question; a form then asks its own question again."""
    if question.kind == "privacy":
        await explain_privacy(dispatcher, language, question.topics)
    elif question.kind == "media":
        dispatcher.utter_message(response="utter_how_to_send_media")
    elif question.kind == "clarify":
        # The report form's questions have an explanation each (utter_explain_<slot>).
        explained = requested is not None and requested.startswith("tip_")
        dispatcher.utter_message(response=f"utter_explain_{requested}" if explained else "utter_how_it_works")
    elif question.kind == "ask_resources":
        await give_resources(dispatcher)
    else:
        dispatcher.utter_message(response=f"utter_{question.kind}")
