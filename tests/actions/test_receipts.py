"""Receipts against the real routing app: the jurisdiction's wording, status, added information."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.conversation import conversation_from_tracker, report_id
from actions.filing import FILED_SLOT, is_a_report
from actions.forms import ValidateInformationForm, ValidateTipForm
from actions.jurisdiction import PublicInfoCache
from actions.receipts import ActionAddInformation, ActionAfterReceipt, ActionCheckStatus
from actions.routing_client import RoutingClient
from actions.submission import ActionSubmitTip
from actions.triage import assess
from tests.actions.conftest import make_tracker, slot, texts, user

REPORT = {"tip_category": "wellness_concern", "tip_what": "my dad isnt answering", "tip_anonymous": True}


async def submitted(domain: dict[str, Any]) -> tuple[str, str]:
    events = await ActionSubmitTip().run(
        CollectingDispatcher(), make_tracker([user("my dad isnt answering", "report_wellness")], REPORT), domain
    )
    values = {e["name"]: e["value"] for e in events}
    return values["tip_reference"], values["tip_pin"]


async def test_the_routing_services_public_document_has_all_the_bot_needs(routing: TestServer) -> None:
    info = await PublicInfoCache(RoutingClient(settings.current())).get()
    assert info is not None
    assert "911" in info.emergency_message.get("en") and "911" in info.emergency_message.get("es")
    assert "988" in info.crisis_message.get("es")


async def test_a_resident_with_the_receipt_reads_the_status(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": pin})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert said[0].startswith(f"Report {reference}: received (last update ")
    assert said[1].startswith("No replies from staff yet.")


async def test_a_wrong_pin_is_refused_and_asked_again(routing: TestServer, domain, use_public_info) -> None:
    reference, _ = await submitted(domain)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": "000000"})
    events = await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [
        "I couldn't find a report with that reference and PIN. Please check both and try again."
    ]
    assert {e["name"]: e["value"] for e in events} == {"receipt_reference": None, "receipt_pin": None}


async def test_one_conversations_wrong_pins_do_not_block_another_residents_status(
    routing: TestServer, domain, use_public_info
) -> None:
    reference, pin = await submitted(domain)
    guesser = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": "000000"})
    guesser.sender_id = "someone-guessing"
    for _ in range(8):
        await ActionCheckStatus().run(CollectingDispatcher(), guesser, domain)
    refused = CollectingDispatcher()
    await ActionCheckStatus().run(refused, guesser, domain)
    assert texts(refused)[0].startswith("Sorry, I can't reach the report system right now.")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": pin})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(f"Report {reference}: received (last update ")


async def test_information_added_with_the_receipt_reaches_the_tip(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    slots = {"receipt_reference": reference, "receipt_pin": pin, "added_information": "his car is gone too"}
    events = await ActionAddInformation().run(dispatcher, make_tracker([user("x", "inform")], slots), domain)
    assert texts(dispatcher) == [f"Thank you, I added that to report {reference}. Staff will see it."]
    # From now on the report added to is the one meant, as after a receipt.
    assert {e["name"]: e["value"] for e in events} == {
        "added_information": None,
        "tip_reference": reference,
        "tip_pin": pin,
        "receipt_given": True,
    }


async def test_more_told_after_the_receipt_goes_to_the_same_tip(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    events = [
        user("my dad isnt answering", "report_wellness", at=10.0),
        {"event": "action", "name": "action_submit_tip", "timestamp": 20.0},
        user("oh and his dog is barking nonstop", "inform", at=30.0),
        slot("tip_reference", reference),
    ]
    dispatcher = CollectingDispatcher()
    slots = REPORT | {"tip_reference": reference, "tip_pin": pin}
    await ActionSubmitTip().run(dispatcher, make_tracker(events, slots), domain)
    assert texts(dispatcher) == [
        f"Thanks, I added that to your report {reference}. If it's about something else, say NEW REPORT."
    ]


# --- after the receipt, the report just sent is the one meant ------------------------------


def after_receipt(text: str, intent: str, reference: str, pin: str, language: str = "en") -> Tracker:
    events = [
        user("my dad isnt answering", "report_wellness", at=10.0),
        {"event": "action", "name": "action_submit_tip", "timestamp": 20.0},
        user(text, intent, at=30.0),
    ]
    slots = REPORT | {"tip_reference": reference, "tip_pin": pin, "receipt_given": True, "language": language}
    return make_tracker(events, slots)


@pytest.mark.parametrize(
    ("text", "intent", "language", "shown"),
    [
        ("nothing i just want to know whats happening with it", "inform", "en", "Report {}: received (last update "),
        ("STATUS", "inform", "en", "Report {}: received (last update "),
        ("quiero saber que paso con mi reporte", "greet", "es", "Denuncia {}: recibida (última actualización "),
        ("y q paso con lo q mande? alguien lo vio?", "inform", "es", "Denuncia {}: recibida (última actualización "),
        (
            "buenas otra vez, ya vieron lo que mandé? en qué va eso?",
            "greet",
            "es",
            "Denuncia {}: recibida (última actualización ",
        ),
        ("hay novedades?", "deny", "es", "Denuncia {}: recibida (última actualización "),
    ],
)
async def test_after_the_receipt_a_status_request_in_any_words_shows_the_status(
    routing: TestServer, domain, use_public_info, text: str, intent: str, language: str, shown: str
) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    events = await ActionAfterReceipt().run(dispatcher, after_receipt(text, intent, reference, pin, language), domain)
    said = texts(dispatcher, language)
    assert said[0].startswith(shown.format(reference)), said
    assert not any("agregué" in s or "added" in s for s in said), said
    assert events == []


@pytest.mark.parametrize(("text", "filed"), [("not yet", True), ("STATUS", False), ("add that to my report", False)])
def test_an_answer_the_nlu_misread_as_a_status_request_is_filed_with_the_report(text: str, filed: bool) -> None:
    """ "not yet" to "is anyone hurt?" read as check_status is the answer, and the report grows with
    it; a request about a report sent files nothing into the report under way."""
    opening = "theres a man with a knife yelling at people outside the laundromat on elm st"
    events = [
        user(opening, "report_emergency", at=10.0),
        {"event": "active_loop", "name": "tip_form", "timestamp": 11.0},
        user(text, "check_status", at=30.0),
    ]
    slots = {"tip_what": opening, FILED_SLOT: "filed before", "requested_slot": "tip_hurt"}
    tracker = make_tracker(events, slots, "tip_form")
    assert is_a_report(tracker, assess(conversation_from_tracker(tracker))) is filed


@pytest.mark.parametrize(
    ("text", "intent", "language", "said"),
    [
        ("he just posted that hes going to hurt people at the game", "report_threat", "en", "Thanks, I added that"),
        ("oh and his car has been gone since monday", "inform", "en", "Thanks, I added that"),
        ("ahora vi que su carro no está y hay cartas en la puerta", "report_wellness", "es", "Gracias, lo agregué"),
        ("another thing, he has a gun in his truck", "report_threat", "en", "Thanks, I added that"),
        ("no, he's not alone, there's another guy with him", "deny", "en", "Thanks, I added that"),
        ("the same thing happened again last night", "inform", "en", "Thanks, I added that"),
        ("otra cosa: tiene un arma en la camioneta", "report_threat", "es", "Gracias, lo agregué"),
    ],
)
async def test_after_the_receipt_new_facts_join_the_same_report_without_questions(
    routing: TestServer, domain, use_public_info, text: str, intent: str, language: str, said: str
) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    events = await ActionAfterReceipt().run(dispatcher, after_receipt(text, intent, reference, pin, language), domain)
    where = f"to your report {reference}." if language == "en" else f"a su denuncia {reference}."
    assert texts(dispatcher, language) == [texts(dispatcher, language)[0]]
    assert texts(dispatcher, language)[0].startswith(f"{said} {where}")
    assert events == []  # no form, no question


@pytest.mark.parametrize(
    ("text", "intent", "language", "said"),
    [
        (
            "no, no es un reporte nuevo",
            "deny",
            "es",
            "Está bien, no es una denuncia nueva: lo que me cuente va a la denuncia {}.",
        ),
        ("no its the same thing", "deny", "en", "Okay, not a new report: what you tell me goes to report {}."),
        ("no", "deny", "en", "Okay. Your report {} is with staff."),
        ("ok", "affirm", "es", "Está bien. Su denuncia {} ya la tiene el personal."),
        ("", "inform", "en", "Okay. Your report {} is with staff."),  # an image-only MMS: no words to add
    ],
)
async def test_after_the_receipt_no_and_not_new_add_nothing_and_start_nothing(
    routing: TestServer, domain, use_public_info, text: str, intent: str, language: str, said: str
) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    events = await ActionAfterReceipt().run(dispatcher, after_receipt(text, intent, reference, pin, language), domain)
    assert texts(dispatcher, language)[0].startswith(said.format(reference))
    assert events == []


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("i have something else to report, its a new thing", "start_report", "en"),
        ("this is about a new report: a man keeps filming the water plant", "report_surveillance", "en"),
        ("tengo otra denuncia nueva", "check_status", "es"),
        ("ok this is a diff thing tho, theres a dude at my bus stop showing ppl a gun", "report_threat", "en"),
        (
            "ahora es otra cosa distinta, no tiene que ver con el colegio: un señor vende armas en la feria",
            "inform",
            "es",
        ),
        ("otro asunto: unos tipos se meten al parqueo de noche", "report_suspicious", "es"),
    ],
)
async def test_a_new_report_starts_only_when_the_resident_says_it_is_new(
    routing: TestServer, domain, use_public_info, text: str, intent: str, language: str
) -> None:
    reference, pin = await submitted(domain)
    tracker = after_receipt(text, intent, reference, pin, language)
    dispatcher = CollectingDispatcher()
    events = await ActionAfterReceipt().run(dispatcher, tracker, domain)
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert {"event": "followup", "name": "tip_form"} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert values["tip_reference"] is None and values["tip_what"] is None and values["receipt_given"] is False
    assert (values["receipt_reference"], values["receipt_pin"]) == (reference, pin)  # the report sent, at hand
    tracker.add_slots(events)
    assert report_id(tracker) != report_id(after_receipt(text, intent, reference, pin))  # a tip of its own
    assert texts(dispatcher, language)[0].startswith(("Okay, a new report", "Está bien, una denuncia nueva"))


# --- inside a report: status and "add that to my report" are not answers --------------------


def interrupted(request: str, intent: str, form: str | None, slots: dict[str, Any]) -> Tracker:
    """A report under way, then a request; `form` took over (None: it is being activated)."""
    events = [
        user("he came back last night and was yelling at the windows", "report_suspicious", at=10.0),
        {"event": "active_loop", "name": "tip_form", "timestamp": 11.0},
        slot("requested_slot", "tip_where"),
        user(request, intent, at=30.0),
    ]
    if form:
        events.append({"event": "active_loop", "name": form, "timestamp": 31.0})
    requested = "tip_where" if form is None else None
    return make_tracker(
        events, {"tip_what": "he came back last night", "requested_slot": requested} | slots, form or "tip_form"
    )


async def test_add_that_to_my_report_takes_what_was_told_and_the_reference_named(domain) -> None:
    # At the information form's activation the report form is still the active one.
    tracker = interrupted("wait i meant add that to my report TL-4H2K-8P3D", "add_information", None, {})
    tracker.slots["requested_slot"] = None  # the engine asks with the report form's question left out
    form = ValidateInformationForm()
    dispatcher = CollectingDispatcher()
    assert await form.extract_added_information(dispatcher, tracker, domain) == {
        "added_information": "he came back last night and was yelling at the windows"
    }
    assert await form.extract_receipt_reference(dispatcher, tracker, domain) == {
        "receipt_reference": "TL-4H2K-8P3D",
        "receipt_pin": None,
    }
    assert texts(dispatcher) == []


async def test_information_moved_from_a_report_under_way_drops_that_report(
    routing: TestServer, domain, use_public_info
) -> None:
    reference, pin = await submitted(domain)
    slots = {"receipt_reference": reference, "receipt_pin": pin, "added_information": "he came back last night"}
    tracker = interrupted("add that to my report", "add_information", "information_form", slots)
    dispatcher = CollectingDispatcher()
    events = await ActionAddInformation().run(dispatcher, tracker, domain)
    values = {e["name"]: e["value"] for e in events}
    assert texts(dispatcher) == [f"Thank you, I added that to report {reference}. Staff will see it."]
    assert values["tip_what"] is None and values["tip_reference"] == reference and values["receipt_given"] is True


async def test_status_in_the_middle_of_a_report_goes_back_to_its_question(
    routing: TestServer, domain, use_public_info
) -> None:
    reference, pin = await submitted(domain)
    tracker = interrupted("STATUS", "check_status", "status_form", {"receipt_reference": reference, "receipt_pin": pin})
    dispatcher = CollectingDispatcher()
    events = await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(f"Report {reference}: received")
    assert events[-1] == FollowupAction("tip_form")


async def test_a_new_report_told_within_the_second_of_the_first_is_a_tip_of_its_own(domain) -> None:
    events = [
        user("my dad isnt answering", "report_wellness", at=1.1),
        {"event": "action", "name": "action_submit_tip", "timestamp": 1.3},
        user("new report", "start_report", at=1.5),
    ]
    tracker = make_tracker(
        events, REPORT | {"tip_reference": "TL-4H2K-8P3D", "tip_pin": "112233", "receipt_given": True}
    )
    first = report_id(tracker)
    tracker.add_slots(await ActionAfterReceipt().run(CollectingDispatcher(), tracker, domain))
    assert first == "test-conversation:1" and report_id(tracker) == "test-conversation:2"


@pytest.mark.parametrize(
    ("text", "intent", "answer"),
    [
        ("STATUS", "check_status", None),
        ("wait i meant add that to my report TL-4H2K-8P3D", "add_information", None),
        ("no, no es un reporte nuevo", "add_information", None),
        ("vivo al lado", "check_status", "vivo al lado"),  # an answer the NLU misread
    ],
)
async def test_inside_a_report_a_request_about_a_report_sent_is_no_answer(
    routing: TestServer, domain, use_public_info, text: str, intent: str, answer: str | None
) -> None:
    events = [
        user("mi vecino no sale de su casa hace una semana", "report_wellness", at=10.0),
        {"event": "active_loop", "name": "tip_form", "timestamp": 11.0},
        user(text, intent, at=30.0),
    ]
    slots = {"tip_what": "mi vecino no sale de su casa", "tip_category": "wellness_concern", "tip_imminent": "no"}
    tracker = make_tracker(events, slots | {"requested_slot": "tip_who", "language": "es"}, "tip_form")
    result = await ValidateTipForm().run(CollectingDispatcher(), tracker, domain)
    answered = {e["name"]: e["value"] for e in result if e.get("event") == "slot"}.get("tip_who")
    assert answered == answer


@pytest.mark.parametrize(
    ("text", "intent", "language", "said"),
    [
        ("qué ha pasado con mi denuncia", "what_happens", "es", "Denuncia {}: recibida"),
        ("quiero saber que paso con mi reporte", "greet", "es", "Denuncia {}: recibida"),
        ("hola otra vez", "greet", "es", "Está bien. Su denuncia {} ya la tiene el personal."),
        ("who reads these", "what_happens", "en", "Trained staff read every report."),
    ],
)
async def test_after_the_receipt_a_misread_status_request_still_shows_the_status(
    routing: TestServer, domain, use_public_info, text: str, intent: str, language: str, said: str
) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    await ActionAfterReceipt().run(dispatcher, after_receipt(text, intent, reference, pin, language), domain)
    assert texts(dispatcher, language)[0].startswith(said.format(reference))
