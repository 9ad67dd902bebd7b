"""Slow down guessing of reference and PIN pairs: each failure from a client makes its next
lookups wait longer. In memory, per process: it raises the cost of guessing a 40-bit reference
with a 6-digit PIN, which is already out of reach, and keeps the logs quiet."""

from __future__ import annotations

import time
from collections.abc import Callable


class FailureThrottle:
    def __init__(
        self,
        free_failures: int = 3,
        max_delay: float = 30.0,
        forget_after: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._free = free_failures
        self._max_delay = max_delay
        self._forget_after = forget_after
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}

    def delay(self, *keys: str) -> float:
        """Seconds to wait before answering a lookup from these keys (client, reference)."""
        now = self._clock()
        worst = 0
        for key in keys:
            count, last = self._failures.get(key, (0, now))
            if now - last > self._forget_after:
                self._failures.pop(key, None)
                continue
            worst = max(worst, count)
        if worst < self._free:
            return 0.0
        return float(min(self._max_delay, 2 ** (worst - self._free)))

    def failed(self, *keys: str) -> None:
        now = self._clock()
        if len(self._failures) > 100_000:  # a flood of keys must not eat the memory
            self._failures = {k: v for k, v in self._failures.items() if now - v[1] <= self._forget_after}
        for key in keys:
            count, _ = self._failures.get(key, (0, now))
            self._failures[key] = (count + 1, now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
