"""Messages per second and reply latency of whole report conversations, on this machine.

Starts the engine, the action server and the routing service on free ports (tests/support/stack.py),
then runs CONCURRENCY residents at once, each reporting a routine concern to its receipt, for
ROUNDS rounds. Every message passes the per-message safety screen (one action call) and, in the
form, its validation (a second one): this measures the conversation as it really runs.

    .venvs/app/bin/python bench/conversation_throughput.py [--concurrency 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.answers import question_in, rest_stack  # noqa: E402
from tests.support.client import Resident  # noqa: E402

OPENING = "my neighbor hasnt left his house in a week and isnt answering"
ANSWERS = {"who": "my neighbor", "where": "214 oak street", "how_known": "i live next door", "anonymous": "no"}
MAX_TURNS = 10


async def one_conversation(engine_url: str, latencies: list[float]) -> int:
    resident = Resident(engine_url)
    text: str | None = OPENING
    turns = 0
    while text is not None and turns < MAX_TURNS:
        started = time.perf_counter()
        replies = await resident.says(text)
        latencies.append(time.perf_counter() - started)
        turns += 1
        asked = question_in(replies)
        text = ANSWERS.get(asked, "skip") if asked else None
    return turns


async def run(engine_url: str, concurrency: int, rounds: int) -> None:
    await one_conversation(engine_url, [])  # warm-up: the first call loads models and caches
    latencies: list[float] = []
    started = time.perf_counter()
    messages = 0
    for _ in range(rounds):
        turns = await asyncio.gather(*(one_conversation(engine_url, latencies) for _ in range(concurrency)))
        messages += sum(turns)
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{messages} messages in {elapsed:.1f} s at {concurrency} concurrent conversations")
    print(f"throughput {messages / elapsed:.1f} messages/s")
    print(f"latency p50 {statistics.median(latencies):.2f} s, p99 {p99:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, rest_stack(Path(workdir)) as stack:
        asyncio.run(run(stack.engine_url, args.concurrency, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
