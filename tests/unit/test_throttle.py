"""FailureLimit: a key with `limit` failures is refused until `lock_seconds` after its last one."""

from __future__ import annotations

from routing.throttle import FailureLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_th_failure_locks_that_key_alone_until_the_lock_ends() -> None:
    clock = Clock()
    limit = FailureLimit(3, lock_seconds=900, clock=clock)
    limit.failed("a")
    limit.failed("a")
    assert limit.locked_for("a") == 0
    limit.failed("a")
    assert limit.locked_for("a") == 900
    assert limit.locked_for("b") == 0
    assert limit.locked_for("b", "a") == 900
    clock.now += 600
    assert limit.locked_for("a") == 300
    clock.now += 300
    assert limit.locked_for("a") == 0
    limit.failed("a")  # the lock is over: counting starts again
    assert limit.locked_for("a") == 0


def test_failures_are_forgotten_after_the_lock_time_without_one() -> None:
    clock = Clock()
    limit = FailureLimit(3, lock_seconds=900, clock=clock)
    limit.failed("a")
    limit.failed("a")
    clock.now += 901
    limit.failed("a")
    assert limit.locked_for("a") == 0


def test_clear_forgets_and_forgive_takes_back_one_failure() -> None:
    limit = FailureLimit(2, clock=Clock())
    limit.failed("a")
    limit.clear("a")
    limit.failed("a")
    assert limit.locked_for("a") == 0
    limit.failed("a")
    assert limit.locked_for("a") > 0
    limit.forgive("a")
    assert limit.locked_for("a") == 0
