"""A resident who comes back to a report they sent: status, added information, a new report only
when they say it is new; in English and Spanish, against the real model and services."""

from __future__ import annotations

import re

from tests.e2e.answers import question_in, report
from tests.support.client import Resident
from tests.support.stack import Stack

PIN = re.compile(r"PIN: (\d{6})")

ENGLISH = (
    "my neighbor hasnt left his house in a week and isnt answering",
    {
        "imminent": "no",
        "who": "my neighbor",
        "where": "14 birch lane",
        "how_known": "i live next door",
        "anonymous": "no",
    },
)
SPANISH = (
    "mi vecina no contesta la puerta desde hace días",
    {"imminent": "no", "who": "mi vecina", "where": "calle pino 8", "how_known": "vivo al lado", "anonymous": "no"},
)


async def receipt(resident: Resident, spanish: bool = False) -> tuple[str, str]:
    opening, answers = SPANISH if spanish else ENGLISH
    turns, reference = await report(resident, opening, answers)
    assert reference is not None, turns
    pin = next(m.group(1) for r in turns[-1][1] if (m := PIN.search(r)))
    return reference, pin


async def test_status_asked_in_passing_words_after_the_receipt_is_shown_not_added(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    reference, _ = await receipt(resident)
    replies = await resident.says("nothing i just want to know whats happening with it")
    # (The safety screen may speak first: its model reads these words alone as a possible crisis.)
    assert any(r.startswith(f"Report {reference}: received") for r in replies), replies
    assert not any("added" in r for r in replies), replies


async def test_status_asked_in_spanish_after_the_receipt_is_shown(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    reference, _ = await receipt(resident, spanish=True)
    replies = await resident.says("quiero saber que paso con mi reporte")
    assert replies[0].startswith(f"Denuncia {reference}: recibida"), replies


async def test_new_facts_a_minute_after_the_receipt_join_the_same_report(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    reference, _ = await receipt(resident)
    replies = await resident.says("he just posted that hes going to hurt people at the game saturday")
    assert replies[-1].startswith(f"Thanks, I added that to your report {reference}."), replies
    assert question_in(replies) is None, replies


async def test_new_facts_in_spanish_after_the_receipt_join_the_same_report(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    reference, _ = await receipt(resident, spanish=True)
    replies = await resident.says("ahora vi que su carro no está y hay cartas acumuladas en la puerta")
    assert replies[-1].startswith(f"Gracias, lo agregué a su denuncia {reference}."), replies
    assert question_in(replies) is None, replies


async def test_a_new_report_starts_only_when_the_resident_says_it_is_new(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    first, _ = await receipt(resident)
    replies = await resident.says("i have something else to report, its a new thing")
    assert question_in(replies) == "what", replies
    turns, second = await report(
        resident, "a man keeps filming the gate of the water plant", {"where": "river road", "anonymous": "no"}
    )
    assert second is not None and second != first, "\n".join(f"{said!r} -> {replies}" for said, replies in turns)
    assert turns[-1][1][0].startswith(f"Thank you, your report is sent. Reference: {second}"), turns[-1]


async def test_inside_a_new_report_status_and_add_to_my_report_are_not_answers(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    first, _ = await receipt(resident)
    await resident.says("i have something new to report")
    asked = await resident.says("a man keeps filming the gate of the water plant")
    assert question_in(asked) is not None, asked
    status = await resident.says("STATUS")
    assert status[0].startswith(f"Report {first}: received"), status
    moved = await resident.says(f"wait i meant add that to my report {first}")
    assert moved[-1].startswith(f"Thank you, I added that to report {first}."), moved


async def test_add_to_my_report_with_reference_and_pin_in_a_new_conversation(stack: Stack) -> None:
    reference, pin = await receipt(Resident(stack.engine_url))
    later = Resident(stack.engine_url)
    asked = await later.says("he came back last night and was yelling at the windows")
    assert question_in(asked) is not None, asked
    replies = await later.says(f"wait i meant add that to my report {reference}")
    assert "PIN" in replies[-1], replies
    added = await later.says(pin)
    assert added[-1].startswith(f"Thank you, I added that to report {reference}."), added
    status = await later.says("STATUS")
    assert status[0].startswith(f"Report {reference}:"), status


async def test_no_it_is_not_a_new_report_goes_back_to_the_report_sent(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    first, _ = await receipt(resident, spanish=True)
    started = await resident.says("tengo otra denuncia nueva")
    assert question_in(started) == "what", started
    replies = await resident.says("no, no es un reporte nuevo")
    assert question_in(replies) is None, replies
    assert first in replies[-1] or "agregar" in replies[-1], replies


async def test_inside_a_new_report_in_spanish_estado_and_agregalo_a_mi_denuncia_are_not_answers(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    first, _ = await receipt(resident, spanish=True)
    started = await resident.says("tengo algo nuevo que denunciar")
    assert question_in(started) == "what", started
    asked = await resident.says("un hombre graba la entrada de la planta de agua")
    assert question_in(asked) is not None, asked
    status = await resident.says("ESTADO")
    assert status[0].startswith(f"Denuncia {first}: recibida"), status
    assert question_in(status) is not None, status  # then the question again
    moved = await resident.says(f"espera, quise decir que lo agregues a mi denuncia {first}")
    assert moved[-1].startswith(f"Gracias, lo agregué a la denuncia {first}."), moved


async def test_spanish_reference_and_pin_in_a_new_conversation(stack: Stack) -> None:
    reference, pin = await receipt(Resident(stack.engine_url), spanish=True)
    later = Resident(stack.engine_url)
    asked = await later.says("anoche volvió y gritaba frente a las ventanas")
    assert question_in(asked) is not None, asked
    replies = await later.says(f"espera, quise decir que lo agregues a mi denuncia {reference}")
    assert "PIN" in replies[-1], replies
    added = await later.says(pin)
    assert added[-1].startswith(f"Gracias, lo agregué a la denuncia {reference}."), added


async def test_no_its_not_a_new_report_in_english(stack: Stack) -> None:
    resident = Resident(stack.engine_url)
    first, _ = await receipt(resident)
    started = await resident.says("i have something new to report")
    assert question_in(started) == "what", started
    replies = await resident.says("no, its not a new report")
    assert question_in(replies) is None, replies
    assert replies[-1] == "What would you like to add to your report?", replies
    added = await resident.says("his mail is piling up at the door")
    assert added[-1].startswith(f"Thank you, I added that to report {first}."), added
