"""The report form asks what the category needs, takes skips and corrections, and screens answers."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import contact_from_text
from actions.conversation import SKIPPED
from actions.forms import ValidateInformationForm, ValidateTipForm, about_a_stranger, pin_in, reference_in
from tests.actions.conftest import entity, make_tracker, slot, texts, user

# Every screened message may file the report: with the real routing app on fresh SQLite.
pytestmark = pytest.mark.usefixtures("routing")


async def validate(
    events: list[dict[str, Any]], domain: dict[str, Any], **slots: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events, slots, active_loop="tip_form")
    result = await ValidateTipForm().run(dispatcher, tracker, domain)
    return {e["name"]: e["value"] for e in result if e["event"] == "slot"}, dispatcher


async def test_the_first_message_is_what_happened_and_its_entities_answer_ahead(domain, use_public_info) -> None:
    text = "my coworker said he will bring his rifle to the warehouse friday"
    message = user(
        text,
        "report_threat",
        [
            entity("relationship", "coworker", text.index("coworker")),
            entity("weapon", "rifle", text.index("rifle")),
            entity("time", "friday", text.index("friday")),
        ],
    )
    slots, _ = await validate([message], domain, tip_category="threat_to_others")
    assert slots["tip_what"] == text
    assert slots["tip_who"] == "coworker"
    assert slots["tip_weapons"] == "his rifle"
    assert slots["tip_when"] == "friday"
    # Not an emergency yet: whether someone could be hurt soon is asked first.
    assert slots["requested_slot"] == "tip_imminent"


async def questions_asked(opening: dict[str, Any], domain: dict[str, Any], **slots: Any) -> list[str]:
    """The questions the form asks in turn when every answer is "no idea"."""
    events, asked, state = [opening], [], dict(slots)
    for _ in range(8):
        found, _ = await validate(events, domain, **state)
        state.update(found)
        if state["requested_slot"] is None:
            break
        asked.append(state["requested_slot"])
        events = [*events, user("no idea", "dont_know"), slot(state["requested_slot"], "no idea")]
    return asked


async def test_a_wellness_concern_is_never_asked_about_weapons(domain, use_public_info) -> None:
    opening = user("my neighbor hasnt left his house in a week", "report_wellness")
    asked = await questions_asked(opening, domain, tip_category="wellness_concern")
    assert asked == ["tip_imminent", "tip_who", "tip_where", "tip_how_known", "tip_anonymous"]


@pytest.mark.parametrize(
    ("opening", "stranger"),
    [
        ("some guy been sittin at the skatepark every day watchin the little kids", True),
        ("theres a man who hangs around the bus stop where my kids wait", True),
        ("un señor borracho en el parque le dijo a mi hijo que le va a dar un balazo", True),
        ("hay alguien que toma fotos de la entrada de la bodega cada noche", True),
        ("my neighbor said some guy offered him cash to buy a gun", False),
        ("one of my 7th graders told another kid hes going to bring a rifle", False),
        ("un compañero de trabajo le dice a los viejitos que los va a envenenar", False),
        ("can someone check on my neighbor, her mail is piling up", False),
    ],
)
def test_a_report_about_a_stranger_is_told_apart(opening: str, stranger: bool) -> None:
    assert about_a_stranger(opening) is stranger


async def test_a_stranger_is_described_not_asked_how_the_resident_knows_them(domain, use_public_info) -> None:
    opening = user("some guy keeps filming the gates of the water plant", "report_surveillance")
    asked = await questions_asked(opening, domain, tip_category="site_surveillance", tip_imminent="no")
    assert asked == ["tip_where", "tip_when", "tip_description", "tip_how_known", "tip_anonymous"]


async def test_skip_moves_on_and_is_sent_as_null(domain, use_public_info) -> None:
    events = [user("x", "report_threat"), user("skip", "skip"), slot("tip_who", "skip")]
    slots, _ = await validate(
        events, domain, tip_category="threat_to_others", tip_what="x", tip_imminent="no", requested_slot="tip_who"
    )
    assert slots["tip_who"] == SKIPPED
    assert slots["requested_slot"] == "tip_where"


async def test_now_as_the_answer_to_when_sets_happening_now_and_sends_911_before_the_next_question(
    domain, use_public_info
) -> None:
    events = [
        user("someone is filming the gates", "report_surveillance"),
        user("NOW", "inform"),
        slot("tip_when", "NOW"),
    ]
    slots, dispatcher = await validate(
        events,
        domain,
        tip_category="site_surveillance",
        tip_what="someone is filming the gates",
        tip_where="stadium",
        requested_slot="tip_when",
    )
    assert slots["tip_happening_now"] is True
    assert "911" in texts(dispatcher)[0]
    # Now an emergency: the next question is what dispatch needs (the place is known).
    assert slots["requested_slot"] == "tip_hurt"


async def test_a_correction_changes_an_earlier_answer_and_says_so(domain, use_public_info) -> None:
    events = [user("actually it was thursday", "correct", [entity("time", "thursday", 16)])]
    slots, dispatcher = await validate(
        events,
        domain,
        tip_category="site_surveillance",
        tip_what="man filming",
        tip_imminent="no",
        tip_where="stadium",
        tip_when="monday",
        requested_slot="tip_who",
    )
    assert slots["tip_when"] == "thursday"
    assert texts(dispatcher) == ["Thanks, I've updated your report."]


async def test_a_passing_mention_does_not_overwrite_an_answer(domain, use_public_info) -> None:
    events = [user("my friend told me", "inform", [entity("relationship", "friend", 3)])]
    events.append(slot("tip_how_known", "my friend told me"))
    slots, _ = await validate(
        events,
        domain,
        tip_category="wellness_concern",
        tip_what="x",
        tip_imminent="no",
        tip_who="brother",
        tip_where="home",
        requested_slot="tip_how_known",
    )
    assert "tip_who" not in slots


@pytest.mark.parametrize(
    ("answer", "intent", "anonymous"),
    [("no", "deny", True), ("call me +15550123", "inform", False), ("yes", "affirm", False), ("skip", "skip", True)],
)
async def test_the_anonymity_answer(domain, use_public_info, answer: str, intent: str, anonymous: bool) -> None:
    events = [user("x", "report_wellness"), user(answer, intent), slot("tip_anonymous", answer)]
    slots, _ = await validate(
        events,
        domain,
        tip_category="wellness_concern",
        tip_what="x",
        tip_imminent="no",
        tip_who="dad",
        tip_where="home",
        tip_how_known="saw",
        requested_slot="tip_anonymous",
    )
    assert slots["tip_anonymous"] is anonymous
    # Contact details given at once are not asked for again; a bare "yes" asks for them.
    assert slots["requested_slot"] == ("tip_contact" if answer == "yes" else None)


async def test_someone_at_risk_writing_about_themselves_is_not_asked_who(domain, use_public_info) -> None:
    slots, _ = await validate(
        [user("i want to kill myself", "report_self_harm")], domain, tip_category="self_harm", crisis_voice=True
    )
    assert slots["tip_who"] == "self"
    assert slots["requested_slot"] == "tip_imminent"


def test_contact_details_are_read_from_free_text() -> None:
    assert contact_from_text("text me at +1 555 0142 or a@example.org") == {
        "email": "a@example.org",
        "phone": "+15550142",
    }
    assert contact_from_text("no thanks") == {}


def test_references_and_pins_are_read_from_free_text() -> None:
    assert reference_in("status tl-7k3m-9q2p pin 482913") == "TL-7K3M-9Q2P"
    assert pin_in("status tl-7k3m-9q2p pin 482913") == "482913"
    assert reference_in("my report from monday") is None


async def test_a_receipt_written_with_the_request_fills_both_slots(domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("add info to TL-7K3M-9Q2P 482913", "add_information")], active_loop="information_form")
    result = await ValidateInformationForm().run(dispatcher, tracker, domain)
    slots = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert slots["receipt_reference"] == "TL-7K3M-9Q2P"
    assert slots["receipt_pin"] == "482913"


async def test_a_question_instead_of_an_answer_is_answered_and_asked_again(domain, use_public_info) -> None:
    events = [user("x", "report_threat"), user("is this anonymous?", "is_anonymous")]
    events.append(slot("tip_where", "is this anonymous?"))
    slots, dispatcher = await validate(
        events, domain, tip_category="threat_to_others", tip_what="x", tip_who="ex", requested_slot="tip_where"
    )
    assert texts(dispatcher) == ["We keep what you write. Staff see it."]
    assert slots == {"tip_where": None, "requested_slot": "tip_where"}


async def test_an_answer_the_nlu_took_for_a_question_is_kept(domain, use_public_info) -> None:
    events = [user("x", "report_surveillance"), user("a tall man in a grey van", "what_happens")]
    events.append(slot("tip_who", "a tall man in a grey van"))
    slots, _ = await validate(
        events,
        domain,
        tip_category="site_surveillance",
        tip_what="x",
        tip_imminent="no",
        tip_where="plant",
        tip_when="monday",
        requested_slot="tip_who",
    )
    assert slots["tip_who"] == "a tall man in a grey van"
    assert slots["requested_slot"] == "tip_how_known"


@pytest.mark.parametrize(
    ("answer", "intent", "expected"),
    [
        ("YES", "affirm", "yes"),
        ("si", "affirm", "yes"),
        ("no", "deny", "no"),
        ("NOT SURE", "dont_know", "not_sure"),
        ("no se", "deny", "not_sure"),
        ("he lives on elm street", "inform", SKIPPED),
    ],
)
async def test_the_imminence_answer(domain, use_public_info, answer: str, intent: str, expected: str) -> None:
    """YES, NO, NOT SURE in either language; changing the subject is no answer, never a NO."""
    events = [user("my coworker keeps saying he hates everyone", "report_threat"), user(answer, intent)]
    events.append(slot("tip_imminent", answer))
    slots, dispatcher = await validate(
        events, domain, tip_category="threat_to_others", tip_what="x", requested_slot="tip_imminent"
    )
    assert slots["tip_imminent"] == expected
    said = texts(dispatcher)
    if expected == "yes":
        assert slots["tip_urgency"] == "emergency" and "911" in said[0]
        assert slots["requested_slot"] == "tip_where"
    elif expected == "not_sure":
        assert any("call 911" in t for t in said)
        assert slots["tip_urgency"] == "urgent"
    else:
        assert not any("911" in t for t in said)


async def test_an_emergency_asks_only_what_dispatch_needs_in_order(domain, use_public_info) -> None:
    events = [user("theres a man with a gun outside the store", "report_emergency")]
    asked = []
    state: dict[str, Any] = {"tip_category": "threat_to_others", "tip_urgency": "emergency"}
    for answer in ("walmart on 5th", "no", "tall guy red hoodie with a pistol", "yes im in my car", "no"):
        slots, _ = await validate(events, domain, **state)
        state.update(slots)
        if state["requested_slot"] is None:
            break
        asked.append(state["requested_slot"])
        events = [*events, user(answer, "inform"), slot(state["requested_slot"], answer)]
    assert asked == ["tip_where", "tip_hurt", "tip_description", "tip_safe", "tip_anonymous"]


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("what do i do", "en", "hide, lock the door"),
        ("should i call 911??", "en", "call 911 now"),
        ("i cant talk he will hear me", "en", "text 911"),
        ("no puedo llamar el me va a oir", "es", "mensaje de texto al 911"),
        ("que hago", "es", "escóndase"),
    ],
)
async def test_in_an_emergency_what_to_do_is_answered_before_the_next_question(
    domain, use_public_info, message: str, language: str, expected: str
) -> None:
    events = [user("hay un hombre armado afuera", "report_emergency"), user(message, "ask_resources")]
    events.append(slot("tip_where", message))
    slots, dispatcher = await validate(
        events,
        domain,
        language=language,
        tip_category="threat_to_others",
        tip_urgency="emergency",
        tip_what="x",
        requested_slot="tip_where",
    )
    said = texts(dispatcher, language)
    assert expected in said[0]
    assert slots == {"tip_where": None, "requested_slot": "tip_where"}
