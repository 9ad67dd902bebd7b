"""One meaning of stopping: every wording of STOP, in English and Spanish, ends a report the same
way at every point, and the resident is told which of three things happened (deleted; sent anyway
because it held an emergency or a threat; already passed on, so it stays)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_from_tracker
from actions.filing import FILED_SLOT
from actions.forms import ValidateTipForm
from actions.responses import render
from actions.screening import ScreenEveryMessage
from actions.submission import ActionStopReport
from actions.triage import Urgency, assess
from routing import service
from routing.keys import CONTEXT
from routing.store.tables import audit_log
from tests.actions.conftest import make_tracker, stored, texts, user

ENGLISH = ["STOP", "cancel", "never mind", "nevermind", "forget it", "nevermind, forget it"]
SPANISH = ["ya no", "olvídalo", "cancelar", "déjalo", "no importa", "para", "basta", "ya no, olvídalo"]
WORDINGS = [("en", w) for w in ENGLISH] + [("es", w) for w in SPANISH]

# A routine report in each language, and one that is an emergency as told (someone filming
# children at a daycare, the report the stop words must not talk down).
ROUTINE = {
    "en": "my neighbor hasnt left his house in a week and his mail is piling up",
    "es": "mi vecino no ha salido de su casa en una semana y se le junta el correo",
}
DANGER = {
    "en": "some guy has been sitting in a car outside the daycare on hawthorne st filming the kids 3 days in a row",
    "es": "mi ex dijo que va a matar a su jefe mañana con la pistola que compró",
}
DANGER_INTENT = {"en": "report_surveillance", "es": "report_threat"}
DELETED = {
    "en": "Okay, I've stopped and deleted this report; nothing was sent. You can write here again any time.",
    "es": "Está bien, paré y borré esta denuncia; no se envió nada. Puede volver a escribir aquí cuando quiera.",
}
KEPT = {
    "en": "Okay, I've stopped. Because what you told me may put someone in danger, it has been passed on",
    "es": "Está bien, paré. Como lo que me contó puede poner a alguien en peligro, se pasó",
}
PASSED_ON = {
    "en": "Okay, I've stopped. This report was already passed on to the team, so it can't be taken back",
    "es": "Está bien, paré. Este reporte ya se pasó al equipo, así que no se puede retirar",
}
NOTHING = {
    "en": "Okay, stopped. You can write here again any time.",
    "es": "Está bien, paré. Puede volver a escribir aquí cuando quiera.",
}


async def file_early(domain: dict[str, Any], events: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """Screen each message as the engine does once the form took the first one as what happened."""
    slots: dict[str, Any] = {"tip_what": events[0]["text"], "language": language}
    for i in range(1, len(events) + 1):
        tracker = make_tracker(events[:i], slots, active_loop="tip_form")
        result = await ScreenEveryMessage().run(CollectingDispatcher(), tracker, domain)
        slots.update({e["name"]: e["value"] for e in result if e["event"] == "slot"})
    return slots


async def stop(
    domain: dict[str, Any], events: list[dict[str, Any]], slots: dict[str, Any], language: str
) -> tuple[list[str], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    result = await ActionStopReport().run(dispatcher, make_tracker(events, slots, active_loop="tip_form"), domain)
    return texts(dispatcher, language), result


# --- inside the form: a stop is never taken as an answer ------------------------------------------


@pytest.mark.usefixtures("routing")
@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_inside_the_form_a_stop_sets_nothing_so_the_rules_end_the_report(
    domain, use_public_info, language: str, wording: str
) -> None:
    """The form must be rejected for the stop rule to run: any slot set (a triage moved by the stop
    words, the filing screened again) would make it go on to its next question instead."""
    opening = user(DANGER[language], DANGER_INTENT[language])
    events = [opening, user(wording, "stop")]
    slots = await file_early(domain, events, language)
    slots |= {"tip_category": "site_surveillance", "tip_urgency": "emergency", "requested_slot": "tip_where"}
    dispatcher = CollectingDispatcher()
    result = await ValidateTipForm().run(dispatcher, make_tracker(events, slots, active_loop="tip_form"), domain)
    assert result == [] and dispatcher.messages == []


@pytest.mark.usefixtures("routing")
async def test_inside_the_form_goodbye_is_not_an_answer_either(domain, use_public_info) -> None:
    events = [user(ROUTINE["en"], "report_wellness"), user("bye", "goodbye")]
    slots = await file_early(domain, events, "en") | {"requested_slot": "tip_who"}
    result = await ValidateTipForm().run(CollectingDispatcher(), make_tracker(events, slots, "tip_form"), domain)
    assert result == []


# --- outcome 1: a report not yet passed on is deleted, on the record ------------------------------


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_a_report_not_yet_passed_on_is_deleted_and_the_audit_log_says_so(
    routing: TestServer, domain, use_public_info, language: str, wording: str
) -> None:
    events = [user(ROUTINE[language], "report_wellness"), user(wording, "stop")]
    slots = await file_early(domain, events, language)
    assert slots[FILED_SLOT] and len(stored(routing)) == 1
    said, result = await stop(domain, events, slots, language)
    assert said == [DELETED[language]]
    assert stored(routing) == []
    assert "report_discarded" in [row.action for row in stored(routing, audit_log)]
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in result]


# --- outcome 2: a report holding an emergency or a threat is still sent, and the resident told ---


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_a_report_holding_an_emergency_or_a_threat_is_still_sent_and_the_resident_told(
    routing: TestServer, domain, use_public_info, language: str, wording: str
) -> None:
    """Read without the stop words too: "nevermind, forget it" after the daycare report made the
    triage of the whole conversation only urgent, and the report was deleted."""
    events = [user(DANGER[language], DANGER_INTENT[language]), user(wording, "stop")]
    said, _ = await stop(domain, events, {"tip_what": DANGER[language], "language": language}, language)
    assert said[0].startswith(KEPT[language]), said
    assert "TL-" in said[1]
    (row,) = stored(routing)
    assert row.report_state == "incomplete"


# --- outcome 3: a report already passed on stays, and the resident is told so -------------------


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_a_report_filed_after_the_idle_window_stays_and_the_resident_is_told(
    routing: TestServer, domain, use_public_info, language: str, wording: str
) -> None:
    opening = [user(ROUTINE[language], "report_wellness")]
    slots = await file_early(domain, opening, language)
    later = replace(routing.app[CONTEXT], clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    await service.file_idle_reports(later, 600)
    said, _ = await stop(domain, [*opening, user(wording, "stop")], slots, language)
    assert said[0].startswith(PASSED_ON[language]), said
    assert len(stored(routing)) == 1


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_after_the_receipt_the_report_stays_and_the_resident_is_told(
    routing: TestServer, domain, use_public_info, language: str, wording: str
) -> None:
    """It used to say only "Okay, stopped." about a report it had just sent."""
    events = [user(ROUTINE[language], "report_wellness"), user(wording, "stop")]
    slots = {"tip_what": ROUTINE[language], "tip_reference": "TL-ABCD-EFGH", "tip_pin": "123456"}
    dispatcher = CollectingDispatcher()
    await ActionStopReport().run(dispatcher, make_tracker(events, slots | {"language": language}), domain)
    passed_on = render(domain, "utter_report_already_sent", {"language": language, "crisis_voice": False})
    assert texts(dispatcher, language) == [passed_on]


@pytest.mark.parametrize("language", ["en", "es"])
async def test_an_emergency_delivered_before_any_answer_stays_and_the_resident_is_told(
    routing: TestServer, domain, use_public_info, language: str
) -> None:
    """Filed (and delivered) at its first message, before the form took what happened."""
    emergency = {
        "en": "a man is stabbing people at the bus stop on 5th right now",
        "es": "un hombre está apuñalando a la gente en la parada del autobús ahorita",
    }[language]
    opening = [user(emergency, "report_emergency")]
    slots: dict[str, Any] = {"language": language}
    result = await ScreenEveryMessage().run(CollectingDispatcher(), make_tracker(opening, slots), domain)
    slots |= {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert slots[FILED_SLOT] and slots.get("tip_what") is None
    said, _ = await stop(domain, [*opening, user("forget it", "stop")], slots, language)
    assert said[0].startswith((KEPT[language], PASSED_ON[language])), said
    assert len(stored(routing)) == 1


@pytest.mark.usefixtures("routing")
async def test_a_goodbye_the_nlu_is_unsure_of_does_not_end_an_emergency_report(domain, use_public_info) -> None:
    """'que hago' read as goodbye at 0.47 is a resident asking what to do: guidance, the same
    question again, and the report goes on."""
    unsure = user("que hago", "goodbye")
    unsure["parse_data"]["intent"]["confidence"] = 0.47
    events = [user(DANGER["es"], DANGER_INTENT["es"]), unsure]
    slots = await file_early(domain, events, "es")
    slots |= {"tip_category": "threat_to_others", "tip_urgency": "emergency", "requested_slot": "tip_where"}
    dispatcher = CollectingDispatcher()
    result = await ValidateTipForm().run(dispatcher, make_tracker(events, slots, active_loop="tip_form"), domain)
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "tip_where"} in result
    assert "escóndase" in texts(dispatcher, "es")[0]


# --- before any report: nothing to delete, and it says only that ---------------------------------


@pytest.mark.usefixtures("routing")
@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_before_any_report_it_says_it_stopped(domain, use_public_info, language: str, wording: str) -> None:
    events = [user("hola" if language == "es" else "hi", "greet"), user(wording, "stop")]
    said, _ = await stop(domain, events, {"language": language}, language)
    assert said == [NOTHING[language]]


async def test_the_stop_words_change_neither_the_category_nor_the_urgency_of_a_report_kept(
    routing: TestServer, domain, use_public_info
) -> None:
    """Read with "nevermind, forget it", the daycare report is no longer an emergency: it is filed
    as what was told, as the triage reads the report without the stop words."""
    report = user(DANGER["en"], "report_surveillance")
    told = assess(conversation_from_tracker(make_tracker([report], {"tip_what": DANGER["en"]})))
    assert told.urgency is Urgency.EMERGENCY
    await stop(
        domain, [report, user("nevermind, forget it", "stop")], {"tip_what": DANGER["en"], "language": "en"}, "en"
    )
    (row,) = stored(routing)
    assert (row.category, row.urgency) == (str(told.category), str(told.urgency))
