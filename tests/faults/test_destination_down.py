"""Every destination refuses (HTTP 503, SMTP 451) for more than two minutes: nothing is lost or
dead-lettered, and everything arrives once they are back."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.faults.conftest import Patient, everything_delivered, outbox, report_threat, stored_tips
from tests.support.production import ProductionStack
from tests.support.receivers import Receivers

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOWN_SECONDS = 125


async def test_a_destination_down_for_minutes_gets_everything_later_exactly_once(
    stack: ProductionStack, receivers: Receivers, figures: dict[str, Any]
) -> None:
    receivers.inbox.refuse = True
    down_at = time.monotonic()
    try:
        references = await asyncio.gather(*(report_threat(Patient(stack)) for _ in range(3)))
        await asyncio.sleep(DOWN_SECONDS - (time.monotonic() - down_at))
        rows = await asyncio.to_thread(outbox, stack)
        waiting = [r for r in rows if r.status == "pending"]
        assert waiting, "the destinations were down: deliveries must be waiting"
        assert not [r for r in rows if r.status == "dead"], "an outage of minutes must not dead-letter anything"
    finally:
        receivers.inbox.refuse = False
    back_at = time.monotonic()
    measured = await everything_delivered(stack, receivers, within=120)
    assert len(await asyncio.to_thread(stored_tips, stack, list(references))) == 3
    measured |= {
        "down_seconds": round(back_at - down_at, 1),
        "waiting_when_back": len(waiting),
        "most_attempts": max(r.attempts for r in waiting),
        "all_delivered_after_back_seconds": round(time.monotonic() - back_at, 1),
    }
    figures["destination_down"] = measured
