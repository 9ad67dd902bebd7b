"""Unacknowledged emergency deliveries go up the jurisdiction's chain after its delays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from routing.api import parse_submission
from routing.app import build_context
from routing.destinations.base import Senders
from routing.service import accept_tip, acknowledge
from routing.settings import OutboxSettings
from routing.worker import Links, Worker
from tests.support.routing import example_jurisdiction, make_settings, sqlite_database, tip_payload


async def test_an_unacknowledged_emergency_escalates_step_by_step_until_acknowledged(tmp_path: Path) -> None:
    settings = make_settings(sqlite_database(tmp_path))
    ctx, engine = build_context(settings, example_jurisdiction())
    start = datetime.now(UTC)
    ctx = replace(ctx, clock=lambda: start)
    accepted = await accept_tip(ctx, parse_submission(tip_payload()))

    async def escalations_at(minutes: float) -> list[str]:
        worker = Worker(
            replace(ctx, clock=lambda: start + timedelta(minutes=minutes)),
            Senders(webhook=None, email=None, sms=None),  # type: ignore[arg-type] - escalate() sends nothing
            OutboxSettings(),
            Links("http://127.0.0.1", settings.signing_secret),
        )
        await worker.escalate()
        async with ctx.new_uow() as uow:
            rows = await uow.repo.deliveries_of(1)
        return sorted(f"{r['target']} {r['address']}" for r in rows if r["destination"] == "escalation")

    assert await escalations_at(1) == []
    after_two = await escalations_at(2.5)
    # once for each destination waiting: 911, the state tipline and the FBI packet not yet filed
    assert after_two.count("esc-shift-supervisor +15550112") == 3
    assert await escalations_at(3) == after_two  # the same step is never sent twice
    await acknowledge(ctx, accepted.delivery_ids[0], "staff:1")  # dispatch acknowledges the 911 delivery
    after_fifteen = await escalations_at(16)
    # 911 is acknowledged: only the state tipline and the FBI packet go up to step 2
    assert after_fifteen.count("esc-duty-commander +15550113") == 2
    assert after_fifteen.count("esc-director-email director@example-county.invalid") == 2
    await engine.dispose()
