"""A question inside the report is answered and the same question asked again, never filed as the
answer; privacy questions get the jurisdiction's answer to what they ask, in the resident's language.

The privacy answers come from the real routing app with the example jurisdiction (the `routing`
fixture), so the retention periods in them are the routing service's settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.corrections import ActionNoteCorrection
from actions.forms import ValidateTipForm
from actions.jurisdiction import split_for_sms
from actions.questions import question_in
from actions.resources import ActionExplainPrivacy
from routing.jurisdiction import public_view
from routing.settings import RetentionSettings
from tests.actions.conftest import DOMAIN, make_tracker, slot, texts
from tests.actions.conftest import user as make_user
from tests.support.routing import example_jurisdiction

pytestmark = pytest.mark.usefixtures("routing")

THREAT = {"tip_category": "threat_to_others", "tip_urgency": "urgent", "tip_what": "he said he'd shoot up the gym"}
AT_WHERE = THREAT | {"tip_imminent": "no", "tip_who": "classmate", "requested_slot": "tip_where"}
AT_CONTACT = AT_WHERE | {
    "tip_where": "the gym",
    "tip_when": "friday",
    "tip_weapons": "no",
    "tip_target": "the team",
    "tip_how_known": "snapchat",
    "requested_slot": "tip_anonymous",
}


def privacy(topic: str, language: str) -> str:
    """The example county's answer to one topic, as the routing service serves it by default."""
    served = public_view(example_jurisdiction(), datetime.now(UTC), RetentionSettings().days())
    return str(served["privacy"][topic][language])


def user(text: str, intent: str, confidence: float) -> dict[str, Any]:
    event = make_user(text, intent)
    event["parse_data"]["intent"]["confidence"] = confidence
    return event


async def ask(
    text: str, intent: str, confidence: float, slots: dict[str, Any], language: str = "en"
) -> tuple[dict[str, Any], list[str]]:
    """The resident sends `text` while the form waits for slots["requested_slot"]."""
    requested = slots["requested_slot"]
    events = [user("he said he'd shoot up the gym", "report_threat", 0.9), user(text, intent, confidence)]
    events.append(slot(requested, text))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events, slots | {"language": language}, active_loop="tip_form")
    result = await ValidateTipForm().run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in result if e["event"] == "slot"}, texts(dispatcher, language)


def asked_again(slots: dict[str, Any], requested: str) -> bool:
    """The answer slot is left empty and the same question stays requested: the form asks it again."""
    return slots.get(requested) is None and slots.get("requested_slot") == requested


# --- the examples residents sent -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "language"),
    [
        ("is this anonymous?? i dont want ppl knowing i snitched", "deny", 0.36, "en"),
        ("¿es anónimo?? no quiero que sepan que yo avisé", "deny", 0.40, "es"),
    ],
)
async def test_is_this_anonymous_is_answered_and_the_question_asked_again(
    text: str, intent: str, confidence: float, language: str
) -> None:
    slots, said = await ask(text, intent, confidence, AT_WHERE, language)
    assert asked_again(slots, "tip_where")
    assert privacy("who_sees", language) in said
    assert any(("anonymous" if language == "en" else "anónima") in t for t in said)


@pytest.mark.parametrize(("keyword", "language"), [("PRIVACY", "en"), ("PRIVACIDAD", "es")])
async def test_privacy_at_the_contact_question_says_what_we_keep_and_asks_again(keyword: str, language: str) -> None:
    slots, said = await ask(keyword, "is_anonymous", 0.98, AT_CONTACT, language)
    assert asked_again(slots, "tip_anonymous")
    assert "tip_anonymous" in slots and slots["tip_anonymous"] is None  # not taken as anonymous, not sent
    assert said == [privacy("kept", language), privacy("who_sees", language), privacy("phone_ip", language)]
    assert "30" in said[0] and "90" in said[0] and "1095" in said[0]  # the routing service's retention periods


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("¿quién va a ver esto? no quiero problemas con inmigración", "es"),
        ("who is going to see this? i dont want problems with immigration", "en"),
    ],
)
async def test_who_sees_it_and_an_immigration_worry_are_answered_at_the_contact_question(
    text: str, language: str
) -> None:
    slots, said = await ask(text, "report_threat", 0.91, AT_CONTACT, language)
    assert asked_again(slots, "tip_anonymous")
    assert said == [privacy("who_sees", language), privacy("immigration", language)]
    assert ("immigration status" if language == "en" else "situación migratoria") in said[1]


@pytest.mark.parametrize(
    ("text", "intent", "language", "words"),
    [
        ("how do i send you the screenshot?", "inform", "en", "picture message"),
        ("¿cómo le mando la captura de pantalla?", "how_it_works", "es", "mensaje con imagen"),
    ],
)
async def test_how_to_send_a_screenshot_is_answered(text: str, intent: str, language: str, words: str) -> None:
    slots, said = await ask(text, intent, 0.8, AT_WHERE, language)
    assert asked_again(slots, "tip_where")
    assert len(said) == 1 and words in said[0]


@pytest.mark.parametrize(
    ("text", "language", "words"),
    [
        ("I'm sorry, what do you mean?", "en", "I mean the place"),
        ("perdón, ¿qué quiere decir?", "es", "Me refiero al lugar"),
    ],
)
async def test_what_do_you_mean_read_as_a_correction_explains_the_question(
    text: str, language: str, words: str
) -> None:
    # The NLU reads it as `correct`, so the engine runs action_note_correction, then the form.
    events = [user("he said he'd shoot up the gym", "report_threat", 0.9), user(text, "correct", 0.86)]
    tracker = make_tracker(events, AT_WHERE | {"language": language}, active_loop="tip_form")
    dispatcher = CollectingDispatcher()
    result = await ActionNoteCorrection().run(dispatcher, tracker, DOMAIN)
    said = texts(dispatcher, language)
    assert result == []  # what happened is not changed, nothing is "updated"
    assert len(said) == 1 and said[0].startswith(words)
    assert not any("updated" in t or "corregí" in t for t in said)


@pytest.mark.parametrize(
    ("text", "language", "words"), [("what do you mean", "en", "I mean the place"), ("no entiendo", "es", "Me refiero")]
)
async def test_what_do_you_mean_as_an_answer_explains_the_question(text: str, language: str, words: str) -> None:
    slots, said = await ask(text, "deny", 0.9, AT_WHERE, language)
    assert asked_again(slots, "tip_where")
    assert len(said) == 1 and said[0].startswith(words)


# --- privacy answers that answer ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "topics"),
    [
        (
            "do you save my phone number or ip address? can police subpoena this?",
            "en",
            ["kept", "phone_ip", "subpoena"],
        ),
        (
            "¿guardan mi número de teléfono o mi ip? ¿la policía puede pedir esto con una orden judicial?",
            "es",
            ["kept", "phone_ip", "subpoena"],
        ),
        ("wait do you guys keep my phone number?", "en", ["kept", "phone_ip"]),
        ("will my parents find out?", "en", ["family_school"]),
        ("¿mis papás se van a enterar?", "es", ["family_school"]),
        ("i'm undocumented, will this get me deported?", "en", ["immigration"]),
        ("no tengo papeles, ¿me pueden deportar por esto?", "es", ["immigration"]),
    ],
)
async def test_each_privacy_question_gets_the_answer_to_what_it_asks(
    text: str, language: str, topics: list[str]
) -> None:
    slots, said = await ask(text, "what_happens", 0.75, AT_WHERE, language)
    assert asked_again(slots, "tip_where")
    assert said == [privacy(topic, language) for topic in topics]


def test_the_privacy_answers_differ_by_question_and_say_what_the_code_does() -> None:
    phone, parents, immigration = (privacy(t, "en") for t in ("phone_ip", "family_school", "immigration"))
    assert len({phone, parents, immigration}) == 3
    # Phone numbers are hashed and kept encrypted only for replies; contact details encrypted.
    assert "scrambled code" in phone and "encrypted" in phone and "IP address" in phone
    assert "parents" in parents and "school" in parents
    assert "never ask about immigration status" in immigration
    assert "court order" in privacy("subpoena", "en")


async def test_privacy_answers_outside_the_report_answer_the_question_too() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("will my parents find out?", "is_anonymous", 0.9)], {"language": "en"})
    await ActionExplainPrivacy().run(dispatcher, tracker, DOMAIN)
    assert texts(dispatcher) == [privacy("family_school", "en")]


async def test_without_the_routing_service_the_generic_privacy_answer_is_given(use_public_info) -> None:
    use_public_info(None)
    slots, said = await ask("PRIVACY", "is_anonymous", 0.98, AT_CONTACT, "es")
    assert asked_again(slots, "tip_anonymous")
    assert said == [DOMAIN["responses"]["utter_privacy_short"][1]["text"]]


def test_every_answer_fits_the_sms_length() -> None:
    for topic in ("kept", "who_sees", "phone_ip", "subpoena", "family_school", "immigration"):
        for language in ("en", "es"):
            assert split_for_sms(privacy(topic, language)) == [privacy(topic, language)]


# --- answers are still answers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "he keeps the gun in his truck?",
        "my brother? he's 17",
        "i dont know who he is",
        "he sent me a screenshot of the gun",
        "the school parking lot",
        "no",
        "el de la escuela?",
    ],
)
def test_answers_are_not_questions(text: str) -> None:
    assert question_in(text, "inform", 0.9) is None


def test_every_question_of_the_report_form_has_an_explanation_in_both_languages() -> None:
    for name in DOMAIN["forms"]["tip_form"]["required_slots"]:
        variations = DOMAIN["responses"][f"utter_explain_{name}"]
        assert {v.get("condition", [{}])[0].get("value", "en") for v in variations} == {"en", "es"}


# --- a question is not part of the tip ---------------------------------------------------------


def test_questions_in_the_form_are_left_out_of_the_triage_but_danger_in_them_is_not() -> None:
    from actions.conversation import conversation_from_tracker
    from actions.triage.assess import assess

    opening = "my neighbor hasnt left his house in a week and isnt answering"
    events = [
        user(opening, "report_wellness", 0.95),
        slot("requested_slot", "tip_where"),
        user("do you save my phone number or ip address? can police subpoena this?", "is_anonymous", 0.99),
        user("will my parents find out?", "what_happens", 0.75),
        user("214 oak street", "inform", 0.9),
    ]
    conversation = conversation_from_tracker(make_tracker(events, {"tip_what": opening}, active_loop="tip_form"))
    assert [m.text for m in conversation.messages] == [opening, "214 oak street"]
    assert assess(conversation).category == "wellness_concern"
    danger = "will he know i reported him? he said he'd kill me if i told"
    events.append(user(danger, "what_happens", 0.7))
    conversation = conversation_from_tracker(make_tracker(events, {"tip_what": opening}, active_loop="tip_form"))
    assert conversation.messages[-1].text == danger
