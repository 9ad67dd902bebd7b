"""Facts keep the resident's words: places, times and weapons as written; an answer to another
question is not taken as this one's; happening now and the language read from the whole report;
the routed summary and the FBI packet show those words under their headings."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import conversation_from_tracker
from actions.filing import COMPLETE, file_report, report_payload
from actions.forms import ASK_AGAIN, ValidateTipForm
from actions.triage import assess
from routing.destinations.fbi import packet, packet_text
from routing.keys import CONTEXT
from routing.service import routed_tip
from routing.summary import full_summary, sms_summary
from tests.actions.conftest import make_tracker, slot, texts, user

pytestmark = pytest.mark.usefixtures("routing")


def at(text: str, kind: str, words: str, value: str | None = None) -> dict[str, Any]:
    """An entity as the NLU gives it: its place in the text, and its value (a synonym may differ)."""
    start = text.index(words)
    return {"entity": kind, "value": value or words, "start": start, "end": start + len(words)}


async def validate(
    events: list[dict[str, Any]], domain: dict[str, Any], **slots: Any
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events, slots, active_loop="tip_form")
    result = await ValidateTipForm().run(dispatcher, tracker, domain)
    return {e["name"]: e["value"] for e in result if e["event"] == "slot"}, dispatcher


EN_SCHOOL = "a kid said he will shoot up Maple Grove Elementary, 1200 Elm Street in Oakridge"
ES_SCHOOL = "un chico dijo que va a disparar en la Escuela Primaria Benito Juárez, Calle Olmo 1200 en Oakridge"
EN_CENTER = "a man keeps filming the doors at Riverside Community Center, 45 Mill Road in Oakridge"
ES_CENTER = "un hombre graba las puertas del Centro Comunitario Riverside, Calle Molino 45 en Oakridge"


@pytest.mark.parametrize(
    ("text", "intent", "category", "places", "where"),
    [
        (
            EN_SCHOOL,
            "report_threat",
            "threat_to_others",
            ["Elementary", "Elm", "Oakridge"],
            "Maple Grove Elementary, 1200 Elm Street in Oakridge",
        ),
        (
            ES_SCHOOL,
            "report_threat",
            "threat_to_others",
            ["Escuela", "Olmo", "Oakridge"],
            "Escuela Primaria Benito Juárez, Calle Olmo 1200 en Oakridge",
        ),
        (
            EN_CENTER,
            "report_surveillance",
            "site_surveillance",
            ["Oakridge"],
            "Riverside Community Center, 45 Mill Road in Oakridge",
        ),
        (
            ES_CENTER,
            "report_surveillance",
            "site_surveillance",
            ["Oakridge"],
            "Centro Comunitario Riverside, Calle Molino 45 en Oakridge",
        ),
    ],
)
async def test_a_place_in_the_first_message_is_kept_as_written(
    domain, use_public_info, text: str, intent: str, category: str, places: list[str], where: str
) -> None:
    message = user(text, intent, [at(text, "location", p) for p in places])
    slots, _ = await validate([message], domain, tip_category=category)
    assert slots["tip_where"] == where


@pytest.mark.parametrize(
    ("text", "words", "value", "expected"),
    [
        ("my cousin just bought a glock off a guy online", "glock", "gun", "a glock (gun)"),
        ("mi primo compró una glock a un tipo por internet", "glock", "pistola", "una glock (pistola)"),
        ("he is going to bring his dads rifle and shoot them", "rifle", "rifle", "his dads rifle"),
        ("he bought a Glock 19 last friday", "Glock", "gun", "a Glock 19 (gun)"),
        ("tiene una escopeta calibre 12 en la casa", "escopeta", "escopeta", "una escopeta calibre 12"),
        ("he owns 3 AR-15s. his dad", "AR-15s", "rifle", "3 AR-15s (rifle)"),
    ],
)
async def test_a_weapon_is_kept_as_named(domain, use_public_info, text: str, words: str, value: str, expected) -> None:
    message = user(text, "report_gun_purchase", [at(text, "weapon", words, value)])
    slots, _ = await validate([message], domain, tip_category="gun_diversion")
    assert slots["tip_weapons"] == expected


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("he said it again this morning standing in his driveway w a gas can", "gas", None),
        ("hay un señor que pasa frente al negocio, me da mala espina", "mala", None),
        ("a guy keeps filming the doors of Harbor Point Mall at night", "Harbor Point Mall", "Harbor Point Mall"),
        ("unos tipos se juntan en la esquina de mi casa", "esquina", "esquina"),
    ],
)
async def test_a_word_the_nlu_took_for_a_place_is_not_kept_and_the_place_is_asked(
    domain, use_public_info, text: str, words: str, kept: str | None
) -> None:
    message = user(text, "report_surveillance", [at(text, "location", words)])
    slots, _ = await validate([message], domain, tip_category="site_surveillance", tip_imminent="no")
    assert slots.get("tip_where") == kept
    if kept is None:
        assert slots["requested_slot"] == "tip_where"


async def test_a_weapon_named_in_an_emergency_is_kept_though_not_asked(domain, use_public_info) -> None:
    """An emergency asks where, not with what; the weapon told in the first message is kept."""
    text = "a guy just pulled a hunting knife on the driver of the 14 bus"
    message = user(text, "report_emergency", [at(text, "weapon", "knife")])
    slots, _ = await validate([message], domain, tip_category="threat_to_others", tip_urgency="emergency")
    assert slots["tip_weapons"] == "a hunting knife"


async def test_a_weapon_told_instead_of_the_place_is_kept_and_not_asked_again(domain, use_public_info) -> None:
    opening = user("my neighbor says he will hurt his ex", "report_threat")
    answer = "he has a machete in his truck, idk where he is"
    events = [opening, slot("requested_slot", "tip_where"), user(answer, "inform", [at(answer, "weapon", "machete")])]
    slots, _ = await validate(events, domain, tip_category="threat_to_others", tip_urgency="urgent")
    assert slots["tip_weapons"] == "a machete"


async def test_a_weapon_already_answered_is_not_replaced_in_passing(domain, use_public_info) -> None:
    opening = user("my neighbor says he will hurt his ex", "report_threat")
    answer = "at his moms house, she keeps a rifle there too"
    events = [opening, slot("requested_slot", "tip_where"), user(answer, "inform", [at(answer, "weapon", "rifle")])]
    slots, _ = await validate(
        events, domain, tip_category="threat_to_others", tip_urgency="urgent", tip_weapons="a machete"
    )
    assert "tip_weapons" not in slots


@pytest.mark.parametrize(
    ("text", "words", "value", "expected"),
    [
        (
            "he said hes bringing it to school tmrw after lunch",
            "tmrw after lunch",
            "tomorrow",
            "tmrw after lunch (tomorrow)",
        ),
        (
            "dijo que lo trae a la escuela el viernes en la tarde",
            "el viernes en la tarde",
            "viernes",
            "el viernes en la tarde",
        ),
    ],
)
async def test_a_time_is_kept_as_written_plus_its_value(
    domain, use_public_info, text: str, words: str, value: str, expected: str
) -> None:
    message = user(text, "report_threat", [at(text, "time", words, value)])
    slots, _ = await validate([message], domain, tip_category="threat_to_others")
    assert slots["tip_when"] == expected


async def test_a_correction_keeps_the_whole_place(domain, use_public_info) -> None:
    text = "actually it was at Riverside Community Center, 45 Mill Road"
    events = [
        user("a man keeps filming the doors", "report_surveillance"),
        user(text, "correct", [at(text, "location", "Riverside")]),
    ]
    slots, _ = await validate(
        events, domain, tip_category="site_surveillance", tip_what="x", tip_where="Oakridge", requested_slot="tip_when"
    )
    assert slots["tip_where"] == "Riverside Community Center, 45 Mill Road"


WEAPONS_ASKED: dict[str, Any] = {
    "tip_category": "threat_to_others",
    "tip_what": "x",
    "tip_imminent": "no",
    "tip_who": "a classmate",
    "tip_where": "school",
    "tip_when": "friday",
    "requested_slot": "tip_weapons",
}


@pytest.mark.parametrize(("answer", "language"), [("he's like 16", "en"), ("tiene como 16 años", "es")])
async def test_an_age_is_not_a_weapon_and_the_question_is_asked_again_once(
    domain, use_public_info, answer: str, language: str
) -> None:
    events = [user("x", "report_threat"), user(answer, "inform"), slot("tip_weapons", answer)]
    slots, dispatcher = await validate(events, domain, language=language, **WEAPONS_ASKED)
    assert slots["tip_weapons"] is None
    assert slots["requested_slot"] == "tip_weapons"
    assert ASK_AGAIN[language] in texts(dispatcher, language)
    # Asked once: the same kind of answer a second time is kept as written.
    said = {"event": "bot", "timestamp": 0.0 + 2e9, "text": ASK_AGAIN[language]}
    again = [user("x", "report_threat"), slot("requested_slot", "tip_weapons"), said, user(answer, "inform")]
    slots, dispatcher = await validate(
        [*again, slot("tip_weapons", answer)], domain, language=language, **WEAPONS_ASKED
    )
    assert slots["tip_weapons"] == answer
    assert ASK_AGAIN[language] not in texts(dispatcher, language)


@pytest.mark.parametrize(
    ("answer", "intent", "entities"),
    [
        ("no", "deny", []),
        ("none", "inform", []),
        ("nope", "deny", []),
        ("a knife", "inform", [{"entity": "weapon", "value": "knife", "start": 2, "end": 7}]),
        ("ninguna", "inform", []),
        ("un cuchillo", "inform", [{"entity": "weapon", "value": "cuchillo", "start": 3, "end": 11}]),
        ("16 rifles", "inform", [{"entity": "weapon", "value": "rifles", "start": 3, "end": 9}]),
    ],
)
async def test_short_weapons_answers_are_accepted_as_written(
    domain, use_public_info, answer: str, intent: str, entities: list[dict[str, Any]]
) -> None:
    events = [user("x", "report_threat"), user(answer, intent, entities), slot("tip_weapons", answer)]
    slots, dispatcher = await validate(events, domain, **WEAPONS_ASKED)
    assert slots["tip_weapons"] == answer
    assert not any(ASK_AGAIN[lang] in texts(dispatcher) for lang in ASK_AGAIN)


CONTACT_ASKED: dict[str, Any] = {
    "tip_category": "wellness_concern",
    "tip_what": "x",
    "tip_imminent": "no",
    "tip_who": "dad",
    "tip_where": "home",
    "tip_how_known": "saw",
    "requested_slot": "tip_anonymous",
}


@pytest.mark.parametrize(("answer", "language"), [("his dad has alot", "en"), ("su papá tiene muchas", "es")])
async def test_an_answer_about_something_else_is_not_a_no_to_contact(
    domain, use_public_info, answer: str, language: str
) -> None:
    events = [user("x", "report_wellness"), user(answer, "inform"), slot("tip_anonymous", answer)]
    slots, dispatcher = await validate(events, domain, language=language, **CONTACT_ASKED)
    assert slots["tip_anonymous"] is None
    assert slots["requested_slot"] == "tip_anonymous"
    assert ASK_AGAIN[language] in texts(dispatcher, language)


@pytest.mark.parametrize(
    ("answer", "intent"), [("no", "inform"), ("nope", "inform"), ("none", "inform"), ("no gracias", "inform")]
)
async def test_a_plain_no_to_contact_is_accepted(domain, use_public_info, answer: str, intent: str) -> None:
    events = [user("x", "report_wellness"), user(answer, intent), slot("tip_anonymous", answer)]
    slots, _ = await validate(events, domain, **CONTACT_ASKED)
    assert slots["tip_anonymous"] is True


@pytest.mark.parametrize(
    "text",
    [
        "my ex keeps following my sister, he's in her parking lot right now",
        "mi ex sigue a mi hermana, está en el estacionamiento de ella ahora mismo",
    ],
)
def test_a_report_in_progress_is_filed_as_happening_now(text: str) -> None:
    # "When" was answered without NOW: the report's own words say it is under way.
    tracker = make_tracker([user(text, "report_threat")], {"tip_what": text, "tip_when": "since last month"})
    payload = report_payload(tracker, assess(conversation_from_tracker(tracker)), "open")
    assert payload["answers"]["happening_now"] is True


def test_a_spanish_report_is_filed_as_spanish_even_before_the_language_slot_follows() -> None:
    text = "hay un señor tomando fotos de la entrada de la escuela todos los días"
    # The first message: the language slot still holds its initial value.
    tracker = make_tracker([user(text, "report_surveillance")], {"tip_what": text, "language": "en"})
    payload = report_payload(tracker, assess(conversation_from_tracker(tracker)), "open")
    assert payload["language"] == "es"


def test_an_english_report_is_filed_as_english() -> None:
    text = "there is a man taking pictures of the school entrance every day"
    tracker = make_tracker([user(text, "report_surveillance")], {"tip_what": text, "language": "es"})
    payload = report_payload(tracker, assess(conversation_from_tracker(tracker)), "open")
    assert payload["language"] == "en"


@pytest.mark.parametrize(
    ("text", "places", "where", "language"),
    [
        (EN_SCHOOL, ["Elementary", "Elm", "Oakridge"], "Maple Grove Elementary, 1200 Elm Street in Oakridge", "en"),
        (
            ES_SCHOOL,
            ["Escuela", "Olmo", "Oakridge"],
            "Escuela Primaria Benito Juárez, Calle Olmo 1200 en Oakridge",
            "es",
        ),
    ],
)
async def test_the_routed_summary_and_fbi_packet_show_the_words_as_written(
    domain, use_public_info, routing: TestServer, text: str, places: list[str], where: str, language: str
) -> None:
    weapons = "his dad's AR-15"
    message = user(text, "report_threat", [at(text, "location", p) for p in places])
    slots, _ = await validate([message], domain, tip_category="threat_to_others")
    answered = {**slots, "tip_weapons": weapons, "requested_slot": None}
    tracker = make_tracker([message], answered)
    filed = await file_report(tracker, assess(conversation_from_tracker(tracker)), COMPLETE)
    assert filed is not None
    ctx = routing.app[CONTEXT]
    async with ctx.new_uow() as uow:
        tip = await uow.repo.tip_by_reference(filed.reference)
        assert tip is not None
        routed = await routed_tip(ctx, uow, tip, "fbi")
    summary = full_summary(routed)
    assert f"\nWhere: {where}\n" in summary
    assert f"\nWeapons or means: {weapons}\n" in summary
    assert f"({language})" in summary.splitlines()[1]
    assert f"Where: {where}." in sms_summary(routed)
    fbi = packet_text(packet(routed))
    assert f"Where: {where}" in fbi
    assert where in str(packet(routed)["sections"][1]["fields"]["Location"])
