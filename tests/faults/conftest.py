"""One production-mode stack for the fault tests (tests/support/production.py): its own PostgreSQL
cluster and Redis, every destination received in this process (tests/support/receivers.py), the
SMS channel's replies at a fake Twilio. Tests leave the stack whole: what they kill, they restart.

The figures each test measures are written to var/results/faults.json.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import deliveries, tips
from tests.e2e.answers import report
from tests.support.client import Resident
from tests.support.production import ProductionStack, running_production_stack
from tests.support.receivers import Receivers, running_receivers
from tests.support.stack import ROOT, running_fake_twilio
from tests.support.texter import ACCOUNT_SID

THREAT = "my coworker said he is going to shoot everyone at work tomorrow"
# An emergency: the bot asks what dispatch needs (where, anyone hurt, what he looks like and has,
# is the resident safe), then whether staff may call back.
ANSWERS = {
    "where": "the warehouse on 5th street",
    "hurt": "not yet",
    "description": "tall guy in a green jacket, he has a rifle at home",
    "safe": "yes im at home",
    "anonymous": "no",
}
FINAL = ("delivered", "awaiting_filing")
RESULTS = ROOT / "var" / "results" / "faults.json"


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    """What each test measured (seconds, counts), written out when the session ends."""
    measured: dict[str, Any] = {}
    yield measured
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def receivers() -> AsyncIterator[Receivers]:
    async with running_receivers() as running:
        yield running


@pytest.fixture(scope="session")
def fake_twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_fake_twilio(tmp_path_factory.mktemp("twilio") / "fake-twilio.log") as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, receivers: Receivers, fake_twilio: str, figures: dict[str, Any]
) -> AsyncIterator[ProductionStack]:
    workdir: Path = tmp_path_factory.mktemp("production")
    env = {
        "TIPLINE_DELIVERY_SANDBOX": receivers.url,
        "TIPLINE_SMTP_URL": receivers.smtp_url,
        "TIPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TIPLINE_TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TIPLINE_TWILIO_API_URL": fake_twilio,
        # Knobs that exist (README, Configuration): a dead worker's claims return after 15 s, and a
        # destination that comes back is tried within 15 s, with patience for a long outage.
        "TIPLINE_OUTBOX_POLL_SECONDS": "0.5",
        "TIPLINE_OUTBOX_LEASE_SECONDS": "15",
        "TIPLINE_RETRY_CAP_SECONDS": "15",
        "TIPLINE_RETRY_MAX_ATTEMPTS": "40",
        # A report the resident stops answering is filed after 5 s (test_abandoned_reports.py).
        "TIPLINE_REPORT_IDLE_SECONDS": "5",
    }
    started = time.monotonic()
    context = running_production_stack(workdir, env)
    running = await asyncio.to_thread(context.__enter__)
    figures["stack_start_seconds"] = round(time.monotonic() - started, 1)
    try:
        yield running
    finally:
        await asyncio.to_thread(context.__exit__, None, None, None)


class Patient(Resident):
    """A resident who writes again when a message gets no answer (an error, or nothing at all).

    They wait as long as the balancer does (haproxy.cfg, `timeout server`): a turn may wait up to
    TICKET_LOCK_LIFETIME for the lock a killed replica left, and a message sent again while the
    first is still waiting would run twice.
    """

    TIMEOUT = aiohttp.ClientTimeout(total=130)

    def __init__(self, stack: ProductionStack) -> None:
        super().__init__(stack.engine_url, token=stack.rest_token)
        self.turns = 0
        self.unanswered = 0
        self.slowest = 0.0

    async def says(self, text: str) -> list[str]:
        for attempt in range(6):
            started = time.monotonic()
            try:
                async with (
                    aiohttp.ClientSession(timeout=self.TIMEOUT) as session,
                    session.post(
                        self.url, json={"sender": self.sender, "message": text}, headers=self.headers
                    ) as response,
                ):
                    response.raise_for_status()
                    replies = [r["text"] for r in await response.json() if "text" in r]
            except (aiohttp.ClientError, TimeoutError):
                replies = []
            self.slowest = max(self.slowest, time.monotonic() - started)
            if replies:
                self.turns += 1
                return replies
            self.unanswered += 1
            await asyncio.sleep(2 * (attempt + 1))
        raise AssertionError(f"{self.sender}: no answer to {text!r} after 6 tries")


async def report_threat(resident: Patient) -> str:
    """A whole threat report; the reference of its receipt."""
    turns, reference = await report(resident, THREAT, ANSWERS)
    assert reference is not None, f"{resident.sender}: no receipt after {len(turns)} turns: {turns}"
    return reference


def stored_tips(stack: ProductionStack, references: list[str]) -> list[Any]:
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(tips).where(tips.c.reference.in_(references))))
    engine.dispose()
    return rows


def outbox(stack: ProductionStack) -> list[Any]:
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(deliveries)))
    engine.dispose()
    return rows


async def everything_delivered(stack: ProductionStack, receivers: Receivers, within: float) -> dict[str, int]:
    """Wait until every delivery in the outbox is done and the receivers hold each one; the counts.

    Exactly once as a destination sees it: each idempotency key arrives (a repeat of a key is the
    at-least-once redelivery the receiver discards); SMS have no key and are counted per number.
    """
    deadline = time.monotonic() + within
    while True:
        rows = await asyncio.to_thread(outbox, stack)
        # An FBI packet with no one to notify is only queued for the liaison: nothing is sent.
        keyed = {r.idempotency_key for r in rows if r.via != "sms" and (r.address or r.via != "fbi_packet")}
        sms = Counter(r.address for r in rows if r.via == "sms")
        received = [i.key for i in receivers.inbox.items if i.kind != "sms" and i.key]
        # Two texts may read the same (a resident who sent a message twice): count them per number.
        texts = [(i.to, i.body) for i in receivers.inbox.items if i.kind == "sms"]
        texted = Counter(to for to, _ in texts)
        done = all(r.status in FINAL for r in rows) and keyed <= set(received) and texted >= sms
        if done:
            assert not [r for r in rows if r.status == "dead"], "a delivery was dead-lettered"
            return {
                "deliveries": len(rows),
                "received_unique": len(set(received)) + len(set(texts)),
                "received_repeats": len(received) - len(set(received)),
            }
        if time.monotonic() > deadline:
            pending = [(r.id, r.destination, r.status, r.attempts, r.last_error) for r in rows if r.status not in FINAL]
            missing = keyed - set(received)
            unseen = [(r.id, r.destination, r.via) for r in rows if r.idempotency_key in missing]
            raise AssertionError(
                f"not everything delivered in {within} s: pending {pending[:10]}, delivered but not received"
                f" {unseen[:10]}, SMS queued per number {dict(sms)} and received {dict(texted)}"
            )
        await asyncio.sleep(0.5)
