"""One meaning of stopping, against the real model and services: every wording of STOP in English
and Spanish ends a report the same way before it, inside the form and after the receipt, and the
resident is told which of three things happened."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import audit_log, tips
from tests.e2e.answers import REFERENCE, question_in, report
from tests.support.client import Resident
from tests.support.stack import Stack
from tests.support.texter import Texter

ENGLISH = ["STOP", "cancel", "never mind", "nevermind", "forget it", "nevermind, forget it"]
SPANISH = ["ya no", "olvídalo", "cancelar", "déjalo", "no importa", "para", "basta"]
WORDINGS = [("en", w) for w in ENGLISH] + [("es", w) for w in SPANISH]

ROUTINE = {
    "en": "my neighbor hasnt left his house in a week and his mail is piling up",
    "es": "mi vecino no ha salido de su casa en una semana y se le junta el correo",
}
# As told, each holds an emergency or a threat: the stop words must not talk it down.
DANGER = {
    "en": "some guy has been sitting in a car outside the daycare on hawthorne st filming the kids 3 days in a row",
    "es": "mi ex dijo que va a matar a su jefe mañana con la pistola que compró",
}
ANSWERS = {
    "en": {"imminent": "no", "who": "my neighbor", "where": "12 oak st", "when": "this week", "anonymous": "no"},
    "es": {"imminent": "no", "who": "mi vecino", "where": "calle roble 12", "when": "esta semana", "anonymous": "no"},
}
DELETED = {"en": "I've stopped and deleted this report; nothing was sent", "es": "paré y borré esta denuncia"}
KEPT = {"en": "it has been passed on to responders", "es": "se pasó a los equipos de respuesta"}
PASSED_ON = {"en": "already passed on to the team", "es": "ya se pasó al equipo"}
NOTHING = {"en": "Okay, stopped.", "es": "Está bien, paré."}


def stored(stack: Stack, resident: Resident) -> list[Any]:
    """The resident's tips."""
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(tips).where(tips.c.conversation_id.startswith(resident.sender))).all())
    engine.dispose()
    return rows


def audited(stack: Stack, tip_id: int) -> list[str]:
    """What the audit log says about a tip (a deleted tip's record stays)."""
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        actions = [row.action for row in conn.execute(sa.select(audit_log).where(audit_log.c.tip_id == tip_id))]
    engine.dispose()
    return actions


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_inside_the_form_a_report_not_yet_passed_on_is_deleted(stack: Stack, language: str, wording: str) -> None:
    resident = Resident(stack.engine_url)
    replies = await resident.says(ROUTINE[language])
    assert question_in(replies) == "imminent", replies
    replies = await resident.says(ANSWERS[language]["imminent"])
    assert question_in(replies) is not None, replies  # the next question: inside the form
    (tip,) = stored(stack, resident)
    replies = await resident.says(wording)
    assert len(replies) == 1 and DELETED[language] in replies[0], replies
    assert stored(stack, resident) == []
    assert "report_discarded" in audited(stack, tip.id)
    # The form is over: what comes next is a new conversation, not an answer.
    replies = await resident.says("hola" if language == "es" else "hi")
    assert question_in(replies) in (None, "what"), replies


@pytest.mark.parametrize(("language", "wording"), WORDINGS)
async def test_a_report_holding_an_emergency_or_a_threat_is_still_sent_and_the_resident_told(
    stack: Stack, language: str, wording: str
) -> None:
    resident = Resident(stack.engine_url)
    await resident.says(DANGER[language])
    replies = await resident.says(wording)
    assert KEPT[language] in replies[0], replies
    assert REFERENCE.search(" ".join(replies)), replies
    (tip,) = stored(stack, resident)
    assert tip.report_state == "incomplete" and tip.routed_at is not None


@pytest.mark.parametrize(("language", "wording"), [("en", "nevermind, forget it"), ("en", "STOP"), ("es", "olvídalo")])
async def test_after_the_receipt_the_report_stays_and_the_resident_is_told(
    stack: Stack, language: str, wording: str
) -> None:
    resident = Resident(stack.engine_url)
    _, reference = await report(resident, ROUTINE[language], ANSWERS[language])
    assert reference
    replies = await resident.says(wording)
    assert len(replies) == 1 and PASSED_ON[language] in replies[0], replies
    (tip,) = stored(stack, resident)
    assert tip.reference == reference


@pytest.mark.parametrize(("language", "wording"), [("en", "forget it"), ("es", "déjalo")])
async def test_before_any_report_it_says_only_that_it_stopped(stack: Stack, language: str, wording: str) -> None:
    resident = Resident(stack.engine_url)
    await resident.says("hola" if language == "es" else "hi")
    replies = await resident.says(wording)
    assert len(replies) == 1 and replies[0].startswith(NOTHING[language]), replies
    assert stored(stack, resident) == []


# --- over SMS: STOP is also Twilio's opt-out --------------------------------------------------


def texter(stack: Stack, fake_twilio: str, phone: str) -> Texter:
    env = stack.env
    return Texter(stack.engine_url, env["TIPLINE_PUBLIC_URL"], env["TIPLINE_TWILIO_AUTH_TOKEN"], fake_twilio, phone)


async def stored_by_sms(stack: Stack, phone: str, until: Callable[[list[Any]], bool]) -> list[Any]:
    """The tips of this phone's conversation, once `until` holds (the turn runs after Twilio's answer)."""
    conversation = hmac.new(stack.env["TIPLINE_SENDER_HASH_KEY"].encode(), phone.encode(), hashlib.sha256).hexdigest()
    engine = sa.create_engine(sync_url(stack.database_url))
    try:
        for _ in range(60):
            with engine.connect() as conn:
                rows = list(conn.execute(sa.select(tips).where(tips.c.conversation_id.startswith(conversation))).all())
            if until(rows):
                return rows
            await asyncio.sleep(0.5)
        return rows
    finally:
        engine.dispose()


async def test_sms_stop_deletes_a_report_not_yet_passed_on_and_sends_nothing_more(
    stack: Stack, fake_twilio: str
) -> None:
    """STOP is Twilio's opt-out: after it Twilio delivers nothing from us (its own confirmation is
    what the resident reads), so the report is handled as for any stop, silently."""
    resident = texter(stack, fake_twilio, "+15550160")
    await resident.texts(ROUTINE["en"])
    await resident.replies()
    (tip,) = await stored_by_sms(stack, resident.phone, lambda rows: len(rows) == 1)
    before = len(await resident.sent_to_me())
    await resident.texts("STOP")
    assert await stored_by_sms(stack, resident.phone, lambda rows: rows == []) == []
    await asyncio.sleep(2)
    assert len(await resident.sent_to_me()) == before
    assert "report_discarded" in audited(stack, tip.id)


async def test_sms_stop_still_sends_a_threat(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550161")
    await resident.texts(DANGER["es"])
    await resident.replies()
    await resident.texts("STOP")
    (tip,) = await stored_by_sms(stack, resident.phone, lambda rows: bool(rows) and rows[0].report_state != "open")
    assert tip.report_state == "incomplete" and tip.routed_at is not None


@pytest.mark.parametrize(
    ("phone", "language", "wording"), [("+15550162", "en", "nevermind, forget it"), ("+15550163", "es", "olvídalo")]
)
async def test_sms_never_mind_deletes_the_report_and_says_so(
    stack: Stack, fake_twilio: str, phone: str, language: str, wording: str
) -> None:
    resident = texter(stack, fake_twilio, phone)
    await resident.texts(ROUTINE[language])
    before = len(await resident.replies())
    await resident.texts(wording)
    replies = await resident.replies(at_least=before + 1)
    assert DELETED[language] in replies[-1]["body"], replies
    assert await stored_by_sms(stack, phone, lambda rows: rows == []) == []
