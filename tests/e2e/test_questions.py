"""Questions in the middle of a report, against the real model, actions and routing service: each is
answered and the pending question asked again; none is filed as an answer or ends the report."""

from __future__ import annotations

from tests.e2e.answers import REFERENCE, question_in
from tests.support.client import Resident
from tests.support.stack import Stack


async def asks_again(resident: Resident, text: str, pending: str, *words: str) -> list[str]:
    """`text` gets an answer holding `words` ("a|b": either), then the same question `pending` again."""
    replies = await resident.says(text)
    assert question_in(replies) == pending, (text, replies)
    said = " ".join(replies[:-1]).lower()
    for word in words:  # "a|b": either
        assert any(w.lower() in said for w in word.split("|")), (text, word, replies)
    assert not REFERENCE.search(" ".join(replies)), replies
    assert not any("updated your report" in r or "corregí" in r for r in replies), replies
    return replies


async def report_with_questions(
    resident: Resident,
    opening: str,
    replies_to: dict[str, str],
    questions: list[tuple[str, tuple[str, ...]]],
    at_contact: list[tuple[str, tuple[str, ...]]],
) -> None:
    """Opens a report, asks each of `questions` at whatever question is pending (then answers it;
    the form may reach the contact question first), asks `at_contact` at the contact question,
    then answers NO and gets the receipt."""
    pending = question_in(await resident.says(opening))
    for text, words in questions:
        assert pending is not None, text
        await asks_again(resident, text, pending, *words)
        if pending != "anonymous":  # the contact question is answered last
            pending = question_in(await resident.says(replies_to[pending]))
    for _ in range(6):
        if pending == "anonymous":
            break
        assert pending is not None
        pending = question_in(await resident.says(replies_to[pending]))
    assert pending == "anonymous"
    for text, words in at_contact:
        await asks_again(resident, text, "anonymous", *words)
    receipt = await resident.says("no")
    assert REFERENCE.search(" ".join(receipt)), receipt


async def test_questions_in_an_english_report_are_answered_and_the_question_asked_again(stack: Stack) -> None:
    await report_with_questions(
        Resident(stack.engine_url),
        "my neighbor hasnt left his house in a week and isnt answering",
        {
            "imminent": "no",
            "who": "my neighbor",
            "where": "214 oak street",
            "when": "last week",
            "how_known": "i live next door",
            # The triage may read this as an emergency; then dispatch's questions come.
            "hurt": "i dont know",
            "description": "an old man, grey hair",
            "safe": "yes",
        },
        [
            ("is this anonymous?? i dont want ppl knowing i snitched", ("anonymous",)),
            ("how do i send you the screenshot?", ("picture message",)),
            ("I'm sorry, what do you mean?", ("I mean|I'm asking",)),
            (
                "do you save my phone number or ip address? can police subpoena this?",
                ("phone number is not stored", "court order"),
            ),
            ("will my parents find out?", ("never tell your parents",)),
        ],
        [("PRIVACY", ("we keep your report", "days", "phone number"))],
    )


async def test_questions_in_a_spanish_report_are_answered_in_spanish_and_the_question_asked_again(
    stack: Stack,
) -> None:
    await report_with_questions(
        Resident(stack.engine_url),
        "mi vecina no contesta la puerta desde hace días",
        {
            "imminent": "no",
            "who": "mi vecina",
            "where": "calle roble 12",
            "when": "esta semana",
            "how_known": "vivo al lado",
            "hurt": "no sé",
            "description": "un señor mayor de pelo gris",
            "safe": "sí",
        },
        [
            ("¿es anónimo?? no quiero que sepan que yo avisé", ("anónim",)),
            ("¿cómo le mando la captura de pantalla?", ("mensaje con imagen",)),
            ("perdón, ¿qué quiere decir?", ("me refiero|le pregunto",)),
            ("¿mis papás se van a enterar?", ("nunca le decimos a sus padres",)),
        ],
        [
            ("PRIVACIDAD", ("guardamos su reporte", "días")),
            (
                "¿quién va a ver esto? no quiero problemas con inmigración",
                ("situación migratoria", "personal capacitado"),
            ),
        ],
    )
