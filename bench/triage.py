"""Triage speed: time `assess` per conversation, NLU excluded (issue 4: median <= 20 ms).

The conversations are the labelled set, each as a one-message tip and as a longer exchange
(the tip, then form answers and a few more messages), as the live bot triages on every turn.
Run with `make bench-triage` (python -m bench.triage); exits 1 when the median is over the target.
"""

from __future__ import annotations

import statistics
import sys
import time

from actions.triage.assess import load
from actions.triage.indicators import UNIT_FINDINGS
from actions.triage.model import Conversation, Message
from tests.triage.cases import load_cases

TARGET_MEDIAN_MS = 20.0
ROUNDS = 5
FOLLOW_UPS = (
    Message("it happened near the main entrance", intent="inform", intent_confidence=0.8),
    Message("I don't know his name", intent="dont_know", intent_confidence=0.9),
    Message("yes", intent="affirm", intent_confidence=0.95),
)
ANSWERS: dict[str, str | bool | None] = {
    "where": "the main entrance",
    "when": "I am not sure",
    "weapons": "I don't know",
    "happening_now": False,
}


def conversations() -> list[Conversation]:
    built = []
    for case in load_cases():
        first = Message(case.text, intent="report_threat", intent_confidence=0.7)
        built.append(Conversation(case.id, (first,), dict(case.answers), reported_at=case.reported_at_datetime))
        built.append(Conversation(case.id + "-long", (first, *FOLLOW_UPS), {**ANSWERS, **case.answers}))
    return built


def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Milliseconds: median, p95 and max of one `assess`, and the one-off load of the rules."""
    started = time.perf_counter()
    triage = load()
    load_ms = (time.perf_counter() - started) * 1000
    sample = conversations()
    for conversation in sample[:20]:  # warm caches before measuring
        triage.assess(conversation)
    timings = []
    for _ in range(rounds):
        for conversation in sample:
            # Timed as if every message were new (the live bot keeps earlier ones' findings and
            # readings).
            UNIT_FINDINGS.clear()
            triage.forget_readings()
            begin = time.perf_counter()
            triage.assess(conversation)
            timings.append((time.perf_counter() - begin) * 1000)
    timings.sort()
    return {
        "conversations": len(sample) * rounds,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 2),
        "max_ms": round(timings[-1], 2),
        "load_ms": round(load_ms),
    }


def main() -> int:
    result = measure()
    print(f"triage of one conversation, NLU excluded ({result['conversations']} conversations)")
    print(
        f"  median {result['median_ms']:.2f} ms   p95 {result['p95_ms']:.2f} ms   max {result['max_ms']:.2f} ms"
        f"   (target: median <= {TARGET_MEDIAN_MS:.0f} ms)"
    )
    print(f"  loading and checking the phrase lists and rules once at start: {result['load_ms']:.0f} ms")
    return 0 if result["median_ms"] <= TARGET_MEDIAN_MS else 1


if __name__ == "__main__":
    sys.exit(main())
