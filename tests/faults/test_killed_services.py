"""SIGKILL each service of production mode mid-conversation or mid-delivery, start it again:
every conversation resumes where it was (its tracker is in PostgreSQL) and no tip is lost."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.faults.conftest import ANSWERS, Patient, everything_delivered, outbox, report_threat, stored_tips
from tests.support.production import ProductionStack
from tests.support.receivers import Receivers

pytestmark = pytest.mark.asyncio(loop_scope="session")

RESIDENTS = 4
# What Rasa logs when it goes on with a turn whose custom action got no answer (bot/action_retries.py).
LOST = "the actions events are lost"
ENGINES = ("engine1", "engine2")


def worker_holding_a_delivery(stack: ProductionStack) -> str:
    """The worker process whose lease is on a delivery in flight (lease owner: host:pid:n)."""
    owners = {r.lease_owner for r in outbox(stack) if r.status == "delivering" and r.lease_owner}
    pids = {int(owner.split(":")[1]) for owner in owners}
    return next(name for name in ("worker1", "worker2") if stack.processes[name].pid in pids)


async def reports_while_killing(stack: ProductionStack, service: str, after_turns: int) -> dict[str, Any]:
    """Residents report at once; `service` is killed when the first of them has had `after_turns`
    turns (waiting for the slowest would let the fastest finish first on a busy machine), then
    started again. Returns the figures; asserts that every report got its receipt and was stored
    whole."""
    residents = [Patient(stack) for _ in range(RESIDENTS)]
    reports = [asyncio.create_task(report_threat(r)) for r in residents]
    deadline = time.monotonic() + 120
    while max(r.turns for r in residents) < after_turns:
        assert time.monotonic() < deadline, f"the residents did not reach turn {after_turns}"
        await asyncio.sleep(0.05)
    assert not any(task.done() for task in reports), "the kill must come mid-conversation"
    lost_before = sum(stack.log(engine).count(LOST) for engine in ENGINES)
    killed_at = time.monotonic()
    await asyncio.to_thread(stack.kill, service)
    restart = asyncio.create_task(asyncio.to_thread(stack.restart, service))
    references = await asyncio.gather(*reports)
    finished = time.monotonic() - killed_at
    ready = await restart
    rows = await asyncio.to_thread(stored_tips, stack, references)
    assert len(rows) == RESIDENTS, "every receipt a resident got is a stored tip"
    lost = sum(stack.log(engine).count(LOST) for engine in ENGINES) - lost_before
    assert lost == 0, f"{lost} custom action calls went without an answer and the turn went on without them"
    for row in rows:  # resumed, not restarted: the answers from before and after the kill are in one tip
        assert row.answers.get("where"), row.answers  # asked, or read off the first message
        for key in ("hurt", "description", "safe"):
            assert row.answers.get(key) == ANSWERS[key], row.answers
    return {
        "residents": RESIDENTS,
        "tips_stored": len(rows),
        "restart_ready_seconds": round(ready, 1),
        "reports_finished_after_kill_seconds": round(finished, 1),
        "slowest_turn_seconds": round(max(r.slowest for r in residents), 1),
        "messages_sent_again": sum(r.unanswered for r in residents),
    }


async def test_an_engine_replica_killed_mid_conversation(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    figures["engine_replica_killed"] = measured = await reports_while_killing(stack, "engine1", after_turns=2)
    measured |= await everything_delivered(stack, receivers, within=120)


async def test_an_action_server_killed_mid_conversation(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    figures["action_server_killed"] = measured = await reports_while_killing(stack, "actions1", after_turns=2)
    measured |= await everything_delivered(stack, receivers, within=120)


async def test_the_routing_service_killed_mid_submission(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    """The intake is away while the last answers come in: the action servers submit again."""
    figures["routing_serve_killed"] = measured = await reports_while_killing(stack, "routing", after_turns=3)
    measured |= await everything_delivered(stack, receivers, within=120)


async def test_a_worker_killed_mid_delivery(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    """Deliveries stall inside the receivers; a worker holding some is killed; the other takes them over
    once their lease runs out (TIPLINE_OUTBOX_LEASE_SECONDS)."""
    receivers.inbox.hold = asyncio.Event()
    stalled_before = len(receivers.inbox.stalled)
    references = await asyncio.gather(*(report_threat(Patient(stack)) for _ in range(2)))
    await receivers.wait_for(lambda inbox: len(inbox.stalled) > stalled_before, within=30)
    worker = await asyncio.to_thread(worker_holding_a_delivery, stack)
    await asyncio.to_thread(stack.kill, worker)
    killed_at = time.monotonic()
    held, receivers.inbox.hold = receivers.inbox.hold, None
    held.set()  # the dead worker's requests may still land: at least once, de-duplicated by key
    measured = await everything_delivered(stack, receivers, within=120)
    measured["all_delivered_after_kill_seconds"] = round(time.monotonic() - killed_at, 1)
    measured["restart_ready_seconds"] = round(await asyncio.to_thread(stack.restart, worker), 1)
    assert len(await asyncio.to_thread(stored_tips, stack, list(references))) == 2
    figures["worker_killed"] = measured
