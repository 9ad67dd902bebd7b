"""No tip is dropped (issue 12), against the real model and services: an emergency reaches
dispatch at its first message, the imminence question's three answers, and the emergency
conversation, in English and Spanish."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import deliveries, tips
from tests.e2e.answers import question_in
from tests.support.client import Resident
from tests.support.stack import Stack


def stored(stack: Stack, resident: Resident) -> tuple[Any, list[Any]]:
    """The resident's tip (one per conversation) and its deliveries."""
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        (tip,) = conn.execute(sa.select(tips).where(tips.c.conversation_id.startswith(resident.sender))).all()
        queued = list(conn.execute(sa.select(deliveries).where(deliveries.c.tip_id == tip.id)).all())
    engine.dispose()
    return tip, queued


@pytest.mark.parametrize(
    ("opening", "dispatch"),
    [
        (
            "there is a man outside the mosque on 3rd st pouring gasoline by the door, prayers start in 10 minutes",
            "passing what you told me to the dispatch team now",
        ),
        (
            "hay un hombre con una pistola afuera de la escuela ahorita",
            "pasando lo que me contó al equipo de despacho ahora",
        ),
    ],
)
async def test_an_emergency_in_one_message_then_silence_is_queued_for_911_at_once(
    stack: Stack, opening: str, dispatch: str
) -> None:
    resident = Resident(stack.engine_url)
    replies = await resident.says(opening)
    assert "911" in replies[0] and dispatch in replies[0], replies
    tip, queued = stored(stack, resident)
    assert tip.urgency == "emergency" and tip.report_state == "open" and tip.routed_at is not None
    assert tip.text == opening
    assert "911" in {d.destination for d in queued if d.message_id is None}


# Not emergencies as written: each gets the imminence question first.
IMMINENCE = {
    "en": "a man keeps filming the loading gates at the depot on river road and timing the guards",
    "es": "un hombre lleva varios días grabando las puertas de la planta de agua y anotando los turnos de los guardias",
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("answer", ["yes", "not_sure", "no"])
async def test_the_imminence_question_and_its_three_answers(stack: Stack, language: str, answer: str) -> None:
    resident = Resident(stack.engine_url)
    first = await resident.says(IMMINENCE[language])
    assert question_in(first) == "imminent", first
    written = {
        "yes": {"en": "yes", "es": "sí"},
        "not_sure": {"en": "not sure", "es": "no sé"},
        "no": {"en": "no", "es": "no"},
    }
    replies = await resident.says(written[answer][language])
    tip, queued = stored(stack, resident)
    assert tip.answers["imminent"] == answer
    assert tip.language == language
    if answer == "yes":
        assert "911" in replies[0] and tip.urgency == "emergency"
        assert "911" in {d.destination for d in queued}
    elif answer == "not_sure":
        assert any("911" in r for r in replies), replies
        assert tip.urgency in ("urgent", "emergency") and tip.needs_review
    else:
        assert not any("911" in r for r in replies), replies
        assert tip.urgency != "emergency" and queued == [] and tip.report_state == "open"


CONVERSATIONS = {
    "en": (
        "theres a man with a gun outside the grocery store",
        "what do i do",
        "i cant talk he will hear me",
        "hide, lock the door",
        "text 911",
    ),
    "es": (
        "hay un hombre armado afuera de mi casa y me quiere matar",
        "que hago",
        "no puedo llamar el me va a oir",
        "escóndase",
        "mensaje de texto al 911",
    ),
}
ANSWERS = {
    "en": {
        "where": "the foodmart on 9th and pine",
        "hurt": "no",
        "description": "tall guy black hoodie",
        "safe": "yes",
    },
    "es": {"where": "calle roble 12", "hurt": "no", "description": "alto con gorra roja", "safe": "sí"},
}


@pytest.mark.parametrize("language", ["en", "es"])
async def test_an_emergency_conversation_asks_what_dispatch_needs_and_answers_what_to_do(
    stack: Stack, language: str
) -> None:
    opening, what_to_do, cant_talk, guidance, text_911 = CONVERSATIONS[language]
    resident = Resident(stack.engine_url)
    replies = await resident.says(opening)
    assert "911" in replies[0]
    asked = [question_in(replies)]
    # "What do I do?" gets safety guidance, then the same question again, not the next field.
    guided = await resident.says(what_to_do)
    assert guidance in guided[0] and question_in(guided) == asked[0], guided
    cant = await resident.says(cant_talk)
    assert text_911 in cant[0] and question_in(cant) == asked[0], cant
    replies = cant
    for _ in range(6):
        key = question_in(replies)
        if key in (None, "anonymous"):
            break
        replies = await resident.says(ANSWERS[language].get(key, "no se" if language == "es" else "dont know"))
        asked.append(question_in(replies))
    order = ("where", "hurt", "description", "safe")
    dispatch_first = [a for a in asked if a in order]
    assert "hurt" in dispatch_first and dispatch_first == sorted(dispatch_first, key=order.index), asked
    assert set(asked) <= {*order, "anonymous"}, asked
    receipt = await resident.says("no")
    assert any("TL-" in r for r in receipt), receipt
    assert not any("8am-8pm" in r or "8 a 20" in r for r in receipt), "an emergency never ends with the hours"
    tip, _ = stored(stack, resident)
    assert tip.urgency == "emergency" and tip.report_state == "complete"
    assert tip.answers["where"] and tip.answers["hurt"]
