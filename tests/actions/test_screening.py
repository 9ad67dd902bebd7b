"""Every message is screened first: 911 and 988 come before any other message or question."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.screening import ScreenEveryMessage
from tests.actions.conftest import make_tracker, slot, texts, user


async def screen(events: list[dict[str, Any]], domain: dict[str, Any], **slots: Any) -> tuple[list[str], dict]:
    dispatcher = CollectingDispatcher()
    result = await ScreenEveryMessage().run(dispatcher, make_tracker(events, slots), domain)
    return texts(dispatcher), {e["name"]: e["value"] for e in result if e["event"] == "slot"}


async def test_an_emergency_gets_the_jurisdictions_911_wording_first(domain, use_public_info) -> None:
    said, slots = await screen([user("he has a gun in the school right now", "report_emergency")], domain)
    assert said[0] == "If anyone is in danger now, call 911 or text 911 in Example County."
    assert slots["tip_emergency_warned"] is True
    assert slots["tip_urgency"] == "emergency"


async def test_without_the_jurisdiction_the_generic_911_message_still_goes_out(domain, use_public_info) -> None:
    use_public_info(None)
    said, _ = await screen([user("my coworker says he will shoot us all today", "report_threat")], domain)
    assert "call 911" in said[0]


async def test_911_is_said_once_when_the_emergency_is_already_known(domain, use_public_info) -> None:
    events = [user("he said he will shoot up the school tomorrow", "report_threat"), user("lincoln high", "inform")]
    said, _ = await screen(events, domain, tip_emergency_warned=True)
    assert said == []


async def test_a_new_it_is_happening_now_message_warns_again(domain, use_public_info) -> None:
    events = [user("he threatened us tomorrow", "report_threat"), user("hes here now with a gun", "report_emergency")]
    said, _ = await screen(events, domain, tip_emergency_warned=True)
    assert "911" in said[0]


async def test_self_harm_gets_988_at_once_with_the_jurisdictions_chat_link(domain, use_public_info) -> None:
    said, slots = await screen([user("i dont want to be alive anymore", "report_self_harm")], domain)
    assert said[0].startswith("I'm really glad you told me") and "Call or text 988." in said[0]
    assert slots["crisis_voice"] is True and slots["tip_crisis_offered"] is True


async def test_pills_taken_get_911_then_988(domain, use_public_info) -> None:
    said, _ = await screen([user("i took all my pills right now", "report_self_harm")], domain)
    assert "911" in said[0]
    assert "988" in said[1]


async def test_988_is_offered_once(domain, use_public_info) -> None:
    events = [user("i want to die", "report_self_harm"), user("at home", "inform")]
    said, _ = await screen(events, domain, tip_crisis_offered=True, crisis_voice=True)
    assert said == []


async def test_a_spanish_resident_is_answered_in_spanish_from_the_first_message(domain, use_public_info) -> None:
    said, slots = await screen([user("ya no quiero vivir", "report_self_harm")], domain)
    assert slots["language"] == "es"
    assert said[0].startswith("Me alegra mucho") and "Llame o envíe un texto al 988." in said[0]


async def test_a_short_answer_does_not_flip_the_language(domain, use_public_info) -> None:
    events = [user("mi vecino no sale de su casa", "report_wellness"), user("walmart", "inform")]
    _, slots = await screen(events, domain, language="es")
    assert slots["language"] == "es"


async def test_asking_for_english_switches(domain, use_public_info) -> None:
    events = [user("hola", "greet"), user("can we do this in english", "switch_language")]
    _, slots = await screen(events, domain, language="es")
    assert slots["language"] == "en"


async def test_saying_you_do_not_speak_english_switches_to_spanish(domain, use_public_info) -> None:
    events = [user("hi", "greet"), user("no hablo inglés", "switch_language")]
    _, slots = await screen(events, domain, language="en")
    assert slots["language"] == "es"


async def test_a_discarded_report_no_longer_counts(domain, use_public_info) -> None:
    events = [user("my friend wants to kill himself", "report_self_harm", at=10.0), slot("tip_started_at", 20.0)]
    events.append(user("hi", "greet", at=30.0))
    _, slots = await screen(events, domain, tip_started_at=20.0)
    assert slots["tip_category"] == "not_a_tip"
