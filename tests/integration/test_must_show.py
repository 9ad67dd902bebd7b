"""What issue 5 must show, on the real PostgreSQL at 127.0.0.1:5432 with real local receivers.

These take a minute or more each, so they carry the `slow` mark (`-m "not slow"` skips them
while working; `make test` runs them).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.api import parse_submission
from routing.app import build_context, create_app
from routing.service import accept_tip
from routing.settings import OutboxSettings, Settings, sync_url
from routing.store.tables import deliveries, tips
from tests.integration.conftest import AiohttpClient
from tests.support.receivers import Receivers, running_receivers
from tests.support.routing import (
    EXAMPLE_SECRETS,
    FAKE_TWILIO_SID,
    drop_postgres_schema,
    example_jurisdiction,
    fresh_postgres_schema,
    make_settings,
    tip_payload,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = fresh_postgres_schema()
    yield url
    drop_postgres_schema(url)


@pytest.fixture
async def receivers() -> AsyncIterator[Receivers]:
    async with running_receivers() as running:
        yield running


def statuses(settings: Settings) -> dict[str, int]:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        counts = dict(conn.execute(sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)).all())
    engine.dispose()
    return {str(k): int(v) for k, v in counts.items()}


def delivery_keys(settings: Settings) -> set[str]:
    """Idempotency keys of webhook and e-mail deliveries (Twilio has no such key: SMS are counted)."""
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        query = sa.select(deliveries.c.idempotency_key).where(deliveries.c.via != "sms")
        keys = {str(k) for k in conn.execute(query).scalars()}
    engine.dispose()
    return keys


async def service(aiohttp_client: AiohttpClient, settings: Settings) -> TestClient:
    client = await aiohttp_client(create_app(settings, example_jurisdiction()))
    client.session.headers["Authorization"] = f"Bearer {settings.intake_secret}"
    return client


async def test_a_thousand_concurrent_tips_are_all_stored_and_every_delivery_received_once(
    aiohttp_client: AiohttpClient, postgres_url: str, receivers: Receivers
) -> None:
    outbox = OutboxSettings(workers=4, poll_seconds=0.2, lease_seconds=20, retry_base_seconds=0.2, retry_cap_seconds=2)
    settings = make_settings(postgres_url, delivery_sandbox=receivers.url, smtp_url=receivers.smtp_url, outbox=outbox)
    client = await service(aiohttp_client, settings)
    # A mix of routes: self-harm to the crisis centre's webhook, threats to the state tipline's
    # webhook and e-mail and to the FBI liaison.
    payloads = [
        tip_payload(triage={"category": "self_harm", "urgency": "urgent", "indicators": []}, answers={})
        if i % 4
        else tip_payload(triage={"urgency": "urgent", "indicators": []}, answers={"where": f"{i} Example Road"})
        for i in range(1000)
    ]
    answers = await asyncio.gather(*(client.post("/api/v1/tips", json=p) for p in payloads))
    assert [a.status for a in answers] == [201] * 1000
    references = {(await a.json())["reference"] for a in answers}
    assert len(references) == 1000

    engine = sa.create_engine(sync_url(postgres_url))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tips)).scalar_one() == 1000
    engine.dispose()
    expected = delivery_keys(settings)
    assert len(expected) == 750 + 250 * 3
    await receivers.wait_for(lambda inbox: set(inbox.keys()) >= expected, within=900)
    await receivers.wait_for(lambda _: statuses(settings).get("pending", 0) == 0, within=30)
    received = receivers.inbox.keys()
    assert set(received) == expected  # nothing lost, nothing unknown
    # at least once, and acted on once: a receiver that de-duplicates by key sees each key once
    assert len(set(received)) == len(expected)
    assert statuses(settings).get("dead", 0) == 0


async def test_a_receiver_down_for_60_seconds_gets_everything_after_it_returns(
    aiohttp_client: AiohttpClient, postgres_url: str, receivers: Receivers
) -> None:
    outbox = OutboxSettings(workers=2, poll_seconds=0.5, retry_base_seconds=1, retry_cap_seconds=10)
    settings = make_settings(postgres_url, delivery_sandbox=receivers.url, smtp_url=receivers.smtp_url, outbox=outbox)
    client = await service(aiohttp_client, settings)
    receivers.inbox.refuse = True
    for urgency in ("emergency", "urgent", "routine"):
        for _ in range(5):
            assert (await client.post("/api/v1/tips", json=tip_payload(triage={"urgency": urgency}))).status == 201
    await asyncio.sleep(60)
    assert receivers.inbox.items == []
    assert statuses(settings).get("dead", 0) == 0, "a minute of downtime must not dead-letter anything"
    receivers.inbox.refuse = False
    expected = delivery_keys(settings)
    await receivers.wait_for(lambda inbox: set(inbox.keys()) >= expected, within=40)
    await receivers.wait_for(lambda _: set(statuses(settings)) <= {"delivered", "awaiting_filing"}, within=20)
    sms = [i for i in receivers.inbox.items if i.kind == "sms"]
    assert len({(i.to, i.body) for i in sms}) == 5 * 2  # each emergency to both supervisors


def worker_process(settings: Settings, receivers: Receivers, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_") and k != "DATABASE_URL"}
    env |= EXAMPLE_SECRETS | {
        "DATABASE_URL": settings.database_url,
        "TIPLINE_INTAKE_SECRET": settings.intake_secret,
        "TIPLINE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "TIPLINE_SIGNING_SECRET": settings.signing_secret,
        "TIPLINE_SMTP_URL": receivers.smtp_url,
        "TIPLINE_TWILIO_ACCOUNT_SID": FAKE_TWILIO_SID,
        "TIPLINE_TWILIO_AUTH_TOKEN": "test-token",
        "TIPLINE_DELIVERY_SANDBOX": receivers.url,
        "TIPLINE_OUTBOX_LEASE_SECONDS": "15",
        "TIPLINE_OUTBOX_POLL_SECONDS": "0.2",
        "TIPLINE_RETRY_BASE_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "routing", "worker"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


async def test_a_worker_killed_mid_delivery_leaves_the_delivery_to_another(
    postgres_url: str, receivers: Receivers, tmp_path: Path
) -> None:
    settings = make_settings(postgres_url, delivery_sandbox=receivers.url, smtp_url=receivers.smtp_url)
    receivers.inbox.hold = asyncio.Event()  # every request stalls inside the receiver
    first = worker_process(settings, receivers, tmp_path / "first.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        ctx, engine = build_context(settings, example_jurisdiction())
        # the state tipline's webhook (stalled at the receiver) and its e-mail
        payload = tip_payload(triage={"category": "wellness_concern", "urgency": "routine", "indicators": []})
        await accept_tip(ctx, parse_submission(payload))
        await engine.dispose()
        await receivers.wait_for(lambda inbox: len(inbox.stalled) > 0, within=30)
        first.send_signal(signal.SIGKILL)  # mid-delivery: the webhook request is in flight
        first.wait()
        assert receivers.inbox.webhooks() == []
        held, receivers.inbox.hold = receivers.inbox.hold, None
        held.set()  # the dead worker's request may still land: at least once
        second = worker_process(settings, receivers, tmp_path / "second.log")
        expected = delivery_keys(settings)
        await receivers.wait_for(lambda inbox: set(inbox.keys()) >= expected, within=60)
        await receivers.wait_for(lambda _: statuses(settings).get("delivering", 0) == 0, within=30)
        assert set(statuses(settings)) == {"delivered"}
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
