from __future__ import annotations

import random
from datetime import UTC, datetime

from routing.outbox import CircuitBreaker, plan_deliveries, retry_delay
from tests.support.routing import example_jurisdiction


def test_retry_delays_grow_but_never_pass_the_cap() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, base=1, cap=60, rng=rng) for n in range(1, 30)]
    assert all(0.5 <= d <= 60 for d in delays)
    assert max(retry_delay(1, 1, 60, random.Random(s)) for s in range(50)) <= 1
    assert max(retry_delay(8, 1, 60, random.Random(s)) for s in range(50)) > 30


def test_jitter_spreads_retries_that_failed_together() -> None:
    rng = random.Random(1)
    assert len({round(retry_delay(6, 1, 60, rng), 3) for _ in range(20)}) == 20


def test_the_breaker_opens_after_failures_in_a_row_and_closes_on_success() -> None:
    breaker = CircuitBreaker(failures=3, cooldown=10)
    for _ in range(2):
        breaker.record("cad", False, now=0)
    assert breaker.open_targets(now=0) == set()
    breaker.record("cad", False, now=1)
    assert breaker.open_targets(now=5) == {"cad"}
    assert breaker.open_targets(now=12) == set()  # cooldown over: one try is let through
    breaker.record("cad", True, now=12)
    breaker.record("cad", False, now=13)
    assert breaker.open_targets(now=13) == set()


def test_each_sms_number_is_its_own_delivery_with_a_stable_key() -> None:
    j = example_jurisdiction()
    first = plan_deliveries("TL-AAAA-BBBB", "emergency", ("911",), j, crisis_centre_needed=True)
    again = plan_deliveries("TL-AAAA-BBBB", "emergency", ("911",), j, crisis_centre_needed=True)
    assert [p.address for p in first] == ["https://cad.example-county.invalid/api/tipline", "+15550110", "+15550111"]
    assert [p.idempotency_key for p in first] == [p.idempotency_key for p in again]
    assert len({p.idempotency_key for p in first}) == 3 and all(p.priority == 0 for p in first)
    assert datetime.now(UTC)  # plans carry no time: the store stamps them


def test_a_self_report_kept_anonymous_is_not_sent_to_the_crisis_centre() -> None:
    j = example_jurisdiction()
    assert plan_deliveries("TL-1", "urgent", ("988",), j, crisis_centre_needed=False) == []
    assert [p.target for p in plan_deliveries("TL-1", "urgent", ("988",), j, crisis_centre_needed=True)] == [
        "crisis-center"
    ]
