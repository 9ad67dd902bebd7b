"""Benchmark: the console's first queue page with 10,000 tips stored (target: at most 300 ms).

Stores the tips (with their deliveries, as the intake does) straight into a fresh database, starts
the routing service in this process on a free port, signs in like a browser and times full HTTP
requests of the queue's first page: open tips (the default view), all tips, and filtered by a
destination. Prints p50 / p95 / max per view and exits non-zero when a p95 misses the target.

    python -m bench.console_queue [--tips 10000] [--requests 40] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer

from routing import accounts
from routing.app import create_app
from routing.casework import PAGE_SIZE
from routing.domain import CATEGORIES, new_reference
from routing.keys import CONTEXT
from routing.settings import sync_url
from routing.store.tables import deliveries, tips
from tests.support.console import PASSWORD, Console
from tests.support.routing import (
    drop_postgres_schema,
    example_jurisdiction,
    fresh_postgres_schema,
    make_settings,
    sqlite_database,
)

TARGET_MS = 300.0
ROUTES = {
    "emergency": ["911", "state_tipline", "fbi"],
    "urgent": ["state_tipline", "fbi"],
    "routine": ["state_tipline"],
    "none": [],
}


def store_tips(database_url: str, count: int, seed: int = 7) -> None:
    """`count` tips over the last 90 days: most closed out, the recent ones still open."""
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not secrets
    now = datetime.now(UTC)
    tip_rows: list[dict[str, Any]] = []
    delivery_rows: list[dict[str, Any]] = []
    for i in range(count):
        urgency = rng.choices(list(ROUTES), weights=[5, 15, 70, 10])[0]
        category = "not_a_tip" if urgency == "none" else rng.choice(CATEGORIES[:-1])
        created = now - timedelta(minutes=rng.uniform(0, 90 * 24 * 60))
        recent = now - created < timedelta(days=3)
        status = rng.choice(["received", "delivered", "acknowledged", "in_progress"]) if recent else "closed"
        reference = f"{new_reference()}"
        text = f"bench tip {i}: someone said something worrying near the example mall"
        tip_rows.append(
            {
                "id": i + 1,
                "reference": reference,
                "conversation_id": f"bench-{i}",
                "pin_encrypted": "x",
                "status": status,
                "channel": "sms",
                "language": "en",
                "category": category,
                "urgency": urgency,
                "destinations": ROUTES[urgency],
                "triage": {"category": category, "urgency": urgency, "indicators": ["leakage"], "explanation": text},
                "text": text,
                "answers": {"where": "example mall"},
                "transcript": [{"role": "resident", "text": text}],
                "anonymous": True,
                "reported_at": created,
                "created_at": created,
                "updated_at": created,
                "jurisdiction": "example-county",
            }
        )
        for destination in ROUTES[urgency]:
            delivery_rows.append(
                {
                    "tip_id": i + 1,
                    "destination": destination,
                    "target": f"{destination}-target",
                    "via": "webhook",
                    "address": "http://127.0.0.1:9/",
                    "urgency": urgency,
                    "priority": 0,
                    "status": "delivered",
                    "idempotency_key": f"{reference}-{destination}",
                    "next_attempt_at": created,
                    "created_at": created,
                    "updated_at": created,
                    "acknowledged_at": None if recent else created + timedelta(minutes=rng.uniform(1, 30)),
                }
            )
    engine = sa.create_engine(sync_url(database_url))
    with engine.begin() as conn:
        conn.execute(sa.insert(tips), tip_rows)
        conn.execute(sa.insert(deliveries), delivery_rows)
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
    engine.dispose()


async def measure(database_url: str, requests: int) -> dict[str, list[float]]:
    settings = make_settings(database_url)
    server = TestServer(create_app(settings, example_jurisdiction()), host="127.0.0.1")
    client = TestClient(server)
    await client.start_server()
    try:
        await accounts.create_user(client.app[CONTEXT], "bench", "Bench", "dispatcher", PASSWORD, actor="bench")
        console = Console(client)
        if (await console.log_in("bench")).status != 200:
            raise SystemExit("could not sign in")
        views = {
            "open tips": "/console/",
            "all tips": "/console/?status=all",
            "all to 911": "/console/?status=all&destination=911",
        }
        timings: dict[str, list[float]] = {name: [] for name in views}
        for name, path in views.items():
            await (await console.get(path)).text()  # warm the connection pool and template cache
            for _ in range(requests):
                started = time.perf_counter()
                response = await console.get(path)
                body = await response.text()
                timings[name].append((time.perf_counter() - started) * 1000)
                if response.status != 200 or body.count('<tr class="urgency-') != PAGE_SIZE:
                    raise SystemExit(f"{path}: HTTP {response.status}, not a full first page")
        return timings
    finally:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = fresh_postgres_schema() if args.postgres else sqlite_database(Path(folder))
        try:
            started = time.perf_counter()
            store_tips(database_url, args.tips)
            database = "PostgreSQL" if args.postgres else "SQLite"
            print(f"stored {args.tips} tips in {time.perf_counter() - started:.1f} s ({database})")
            timings = asyncio.run(measure(database_url, args.requests))
        finally:
            if args.postgres:
                drop_postgres_schema(database_url)
    ok = True
    for name, samples in timings.items():
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        ok = ok and p95 <= TARGET_MS
        print(
            f"first queue page, {name:10}: p50 {statistics.median(ordered):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms  ({len(ordered)} requests)"
        )
    print(f"target: p95 <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
