"""Every message is screened first: 911 and 988 come before any other message or question."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import ScreenEveryMessage
from tests.actions.conftest import PUBLIC_JURISDICTION, make_tracker, slot, texts, user

# Every screened message may file the report: with the real routing app on fresh SQLite.
pytestmark = pytest.mark.usefixtures("routing")


async def screen(events: list[dict[str, Any]], domain: dict[str, Any], **slots: Any) -> tuple[list[str], dict]:
    dispatcher = CollectingDispatcher()
    result = await ScreenEveryMessage().run(dispatcher, make_tracker(events, slots), domain)
    return texts(dispatcher), {e["name"]: e["value"] for e in result if e["event"] == "slot"}


async def test_an_emergency_gets_one_direct_message_first(domain, use_public_info) -> None:
    """Call 911 now; what to do when you can't talk (this jurisdiction takes texts); dispatch has it."""
    said, slots = await screen([user("he has a gun in the school right now", "report_emergency")], domain)
    assert said[0] == (
        "This sounds like an emergency. Call 911 now. If you can't talk, text 911: it works here. "
        "I'm passing what you told me to the dispatch team now."
    )
    assert len(said[0]) <= 320
    assert slots["tip_emergency_warned"] is True and slots["tip_dispatch_told"] is True
    assert slots["tip_urgency"] == "emergency"


async def test_where_texting_911_does_not_work_the_resident_is_told_to_leave_the_line_open(
    domain, use_public_info
) -> None:
    use_public_info(PUBLIC_JURISDICTION | {"emergency": PUBLIC_JURISDICTION["emergency"] | {"text_to_911": False}})
    said, _ = await screen([user("hay un hombre con pistola en la escuela ahora", "report_emergency")], domain)
    assert said[0].startswith("Esto parece una emergencia. Llame al 911 ahora.")
    assert "deje la línea abierta" in said[0] and "mensaje de texto" not in said[0]
    assert len(said[0]) <= 320


async def test_without_the_jurisdiction_the_generic_911_message_still_goes_out(domain, use_public_info) -> None:
    use_public_info(None)
    said, _ = await screen([user("my coworker says he will shoot us all today", "report_threat")], domain)
    assert "Call 911 now" in said[0] and "try texting 911" in said[0]


async def test_911_is_said_once_when_the_emergency_is_already_known(domain, use_public_info) -> None:
    events = [user("he said he will shoot up the school tomorrow", "report_threat"), user("lincoln high", "inform")]
    said, _ = await screen(events, domain, tip_emergency_warned=True, tip_dispatch_told=True)
    assert said == []


async def test_dispatch_is_mentioned_once_the_delivery_is_queued(domain, use_public_info) -> None:
    """The routing service was away when 911 was said: the next message files it, and says so then."""
    events = [user("he said he will shoot up the school tomorrow", "report_threat"), user("lincoln high", "inform")]
    said, slots = await screen(events, domain, tip_emergency_warned=True)
    assert said == ["I'm passing what you told me to the dispatch team now."]
    assert slots["tip_dispatch_told"] is True


async def test_an_emergency_is_not_warned_twice_in_a_row(domain, use_public_info) -> None:
    events = [user("he threatened us tomorrow", "report_threat"), user("hes here now with a gun", "report_emergency")]
    said, _ = await screen(events, domain, tip_emergency_warned=True)
    assert not any("911" in t for t in said)


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
