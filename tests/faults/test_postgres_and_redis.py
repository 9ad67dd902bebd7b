"""The stack's own PostgreSQL restarted under load; its own Redis down, then back."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from tests.e2e.answers import report
from tests.faults.conftest import ANSWERS, THREAT, Patient, everything_delivered, stored_tips
from tests.support.client import Resident
from tests.support.production import ProductionStack
from tests.support.receivers import Receivers
from tests.support.texter import Texter

pytestmark = pytest.mark.asyncio(loop_scope="session")

RESIDENTS = 4
DOWN_SECONDS = 5


def submissions_tried_again(stack: ProductionStack) -> int:
    return sum(stack.log(name).count("tip submission failed, trying again") for name in ("actions1", "actions2"))


async def test_postgres_restarted_under_load(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    """Down for DOWN_SECONDS (an immediate stop: crash recovery at start) while residents are near the
    end of their reports: every report is stored and delivered.

    Rasa's FailSafeTrackerStore answers a turn whose tracker it cannot read from a new, empty tracker
    (in memory): that answer is out of context and the conversation in PostgreSQL stays where it was.
    A resident who got such an answer writes the last message again once PostgreSQL is back, and the
    report carries on from there; the test counts them."""
    retries_before = submissions_tried_again(stack)
    back = asyncio.Event()
    residents = [Patient(stack) for _ in range(RESIDENTS)]

    async def resident_reports(resident: Patient) -> tuple[str, int]:
        turns, reference = await report(resident, THREAT, ANSWERS)
        again = 0
        while reference is None and again < 3:
            await back.wait()
            again += 1
            turns, reference = await report(resident, turns[-1][0], ANSWERS)
        assert reference is not None, f"{resident.sender}: no receipt: {turns}"
        return reference, again

    reports = [asyncio.create_task(resident_reports(r)) for r in residents]
    deadline = time.monotonic() + 120
    while min(r.turns for r in residents) < 3:
        assert time.monotonic() < deadline, "the residents did not reach their third turn"
        await asyncio.sleep(0.05)
    stopped_at = time.monotonic()
    await asyncio.to_thread(stack.postgres.stop, "immediate")
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(stack.postgres.start)
    back.set()
    downtime = time.monotonic() - stopped_at
    results = await asyncio.gather(*reports)
    finished = time.monotonic() - stopped_at
    references = [reference for reference, _ in results]
    assert len(await asyncio.to_thread(stored_tips, stack, references)) == RESIDENTS
    measured: dict[str, Any] = {
        "residents": RESIDENTS,
        "postgres_down_seconds": round(downtime, 1),
        "reports_finished_after_stop_seconds": round(finished, 1),
        "messages_sent_again": sum(r.unanswered for r in residents),
        "messages_answered_out_of_context": sum(again for _, again in results),
        "submissions_tried_again": submissions_tried_again(stack) - retries_before,
    }
    measured |= await everything_delivered(stack, receivers, within=120)
    figures["postgres_restarted"] = measured


async def test_redis_down_is_said_to_the_resident_and_logged_then_recovers(
    stack: ProductionStack, fake_twilio: str, figures: dict[str, Any]
) -> None:
    texter = Texter(
        stack.engine_url,
        stack.env["TIPLINE_PUBLIC_URL"],
        stack.env["TIPLINE_TWILIO_AUTH_TOKEN"],
        fake_twilio,
        "+15550142",
    )
    await asyncio.to_thread(stack.redis.stop)
    try:
        answer = await texter.texts("someone at school said he will bring a gun tomorrow")
        twiml = await answer.text()
        assert answer.status == 200
        assert "<Message>" in twiml and "911" in twiml, twiml  # told at once, in the webhook's own answer
        logs = stack.log("engine1") + stack.log("engine2")
        assert "Redis is unreachable" in logs
        # The REST channel (integrations, not residents) has no reply to give while Redis is away.
        try:
            rest = f"{len(await Resident(stack.engine_url, token=stack.rest_token).says('hello'))} replies"
        except aiohttp.ClientResponseError as e:
            rest = f"HTTP {e.status}"
    finally:
        await asyncio.to_thread(stack.redis.start)
    back_at = time.monotonic()
    await texter.texts("someone at school said he will bring a gun tomorrow")
    replies = await texter.replies(at_least=1, within=60)
    assert any("911" in r["body"] for r in replies)
    figures["redis_down"] = {
        "sms_told_to_call_911": True,
        "rest_channel_while_down": rest,
        "first_sms_reply_after_redis_back_seconds": round(time.monotonic() - back_at, 1),
    }
