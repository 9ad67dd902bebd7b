"""Benchmark: from the submission of a tip to its arrival at its first destination, by urgency; throughput.

Starts the routing service as a real process (`python -m routing serve`) on PostgreSQL
(127.0.0.1:5432, database `test`, a throwaway schema) with a local receiver standing in for every
webhook destination (TIPLINE_DELIVERY_SANDBOX), then
1. latency: submits tips one after another, emergency, urgent and routine in turn, with background
   load (a routine tip) in between, and times each until its signed webhook arrives: emergency at
   the 911 CAD webhook, urgent and routine at the state tipline's webhook. Target: emergency p99 < 1 s.
2. throughput: BURST tips submitted by 20 clients at once: tips accepted per second by the intake
   API, and tips delivered per second until the last one's webhook arrived.

    make bench-routing            # or: .venvs/app/bin/python -m bench.deliveries [--tips N] [--burst N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

from routing.destinations.webhook import signature_matches
from tests.support.routing import (
    EXAMPLE_SECRETS,
    FAKE_TWILIO_SID,
    drop_postgres_schema,
    fresh_postgres_schema,
    make_settings,
    tip_payload,
)
from tests.support.stack import ROOT, free_port, wait_healthy

URGENCIES = ("emergency", "urgent", "routine")
# The destination each urgency is timed to (jurisdictions/example-county.yml): its webhook's host and secret.
FIRST_DESTINATION = {
    "emergency": ("https://cad.", "TIPLINE_SECRET_DISPATCH_CAD"),
    "urgent": ("https://tipline.example-state.", "TIPLINE_SECRET_STATE_TIPLINE"),
    "routine": ("https://tipline.example-state.", "TIPLINE_SECRET_STATE_TIPLINE"),
}
INDICATORS = {"emergency": ["intent_stated", "timeframe_24h"], "urgent": ["intent_stated"], "routine": []}
CLIENTS = 20
TARGET_EMERGENCY_P99 = 1.0


def payload(urgency: str) -> dict[str, Any]:
    return tip_payload(triage={"urgency": urgency, "indicators": INDICATORS[urgency]})


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "tips": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000),
        "max_ms": round(ordered[-1] * 1000),
    }


async def measure(tips: int, burst: int) -> dict[str, Any]:
    """`tips` tips of each urgency one after another, then a burst of `burst`; the figures."""
    database_url = fresh_postgres_schema()
    arrivals: dict[tuple[str, str], float] = {}  # (reference, destination host) -> when its webhook arrived

    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        original = request.headers.get("X-Tipline-Original-Url", "")
        for host, secret in FIRST_DESTINATION.values():
            if original.startswith(host) and signature_matches(
                EXAMPLE_SECRETS[secret], raw, request.headers.get("X-Tipline-Signature", "")
            ):
                arrivals.setdefault((json.loads(raw)["reference"], host), time.perf_counter())
        return web.json_response({"ok": True})

    async def sms(request: web.Request) -> web.Response:
        return web.json_response({"sid": "SM" + "0" * 32, "status": "queued"}, status=201)

    receiver = web.Application()
    receiver.router.add_post("/webhook", webhook)
    receiver.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", sms)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    receiver_port, routing_port = free_port(), free_port()
    await web.TCPSite(runner, "127.0.0.1", receiver_port).start()

    settings = make_settings(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_") and k != "DATABASE_URL"}
    env |= EXAMPLE_SECRETS | {
        "DATABASE_URL": database_url,
        "TIPLINE_INTAKE_SECRET": settings.intake_secret,
        "TIPLINE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "TIPLINE_SIGNING_SECRET": settings.signing_secret,
        "TIPLINE_ROUTING_PORT": str(routing_port),
        "TIPLINE_DELIVERY_SANDBOX": f"http://127.0.0.1:{receiver_port}",
        "TIPLINE_SMTP_URL": "smtp://127.0.0.1:9",  # e-mail fails and retries: load, not measured
        "TIPLINE_TWILIO_ACCOUNT_SID": FAKE_TWILIO_SID,
        "TIPLINE_TWILIO_AUTH_TOKEN": "bench",
        "TIPLINE_OUTBOX_WORKERS": "2",
    }
    log = ROOT / "var" / "bench-routing.log"
    log.parent.mkdir(exist_ok=True)
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, before the clock runs
        [sys.executable, "-m", "routing", "serve"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{routing_port}"
    latencies: dict[str, list[float]] = {u: [] for u in URGENCIES}
    background: list[asyncio.Task[Any]] = []

    async def submit(session: aiohttp.ClientSession, tip: dict[str, Any]) -> str:
        async with session.post(base + "/api/v1/tips", json=tip) as response:
            if response.status >= 300:
                raise RuntimeError(f"the intake API answered {response.status}: {await response.text()}")
            return str((await response.json())["reference"])

    async def arrived(reference: str, urgency: str, within: float) -> float:
        key = (reference, FIRST_DESTINATION[urgency][0])
        deadline = time.perf_counter() + within
        while key not in arrivals and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        return arrivals.get(key, float("inf"))

    try:
        wait_healthy(base + "/healthz", process, 30, log)
        headers = {"Authorization": f"Bearer {settings.intake_secret}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            for i in range(tips * len(URGENCIES)):
                urgency = URGENCIES[i % len(URGENCIES)]
                if i % 2:  # background load: a routine tip, not timed
                    background.append(asyncio.create_task(submit(session, payload("routine"))))
                started = time.perf_counter()
                reference = await submit(session, payload(urgency))
                latencies[urgency].append(await arrived(reference, urgency, 10) - started)
                await asyncio.sleep(0.05)
            await asyncio.gather(*background)

            queue = [URGENCIES[i % len(URGENCIES)] for i in range(burst)]
            submitted: list[tuple[str, str]] = []

            async def client() -> None:
                while queue:
                    urgency = queue.pop()
                    submitted.append((await submit(session, payload(urgency)), urgency))

            started = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(CLIENTS)))
            accepted = time.perf_counter() - started
            last = max([await arrived(reference, urgency, 120) for reference, urgency in submitted])
            delivered = last - started
    finally:
        process.terminate()
        process.wait(timeout=20)
        await runner.cleanup()
        drop_postgres_schema(database_url)
    return {
        "database": "PostgreSQL",
        "outbox_workers": 2,
        "tip_to_destination": {u: percentiles_ms(latencies[u]) for u in URGENCIES},
        "burst": {
            "tips": burst,
            "clients": CLIENTS,
            "accepted_per_second": round(burst / accepted, 1),
            "delivered_per_second": round(burst / delivered, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tips", type=int, default=100, help="timed tips of each urgency")
    parser.add_argument("--burst", type=int, default=300)
    args = parser.parse_args()
    result = asyncio.run(measure(args.tips, args.burst))
    print(json.dumps(result, indent=2))
    p99 = result["tip_to_destination"]["emergency"]["p99_ms"] / 1000
    print(f"target: emergency p99 < {TARGET_EMERGENCY_P99:.0f} s:", "met" if p99 < TARGET_EMERGENCY_P99 else "NOT met")
    return 0 if p99 < TARGET_EMERGENCY_P99 else 1


if __name__ == "__main__":
    sys.exit(main())
