"""Limits on guessing: a key (a conversation, a reference, a client address) with `limit` failures
is refused until `lock_seconds` after its last failure, and only that key is. In memory, per
process: the routing service runs as one process, and a restart forgetting the counts is harmless
next to guessing a 40-bit reference with a 6-digit PIN, or a password, within the limits."""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_KEYS = 100_000  # a flood of keys must not eat the memory


class FailureLimit:
    def __init__(self, limit: int, lock_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.lock_seconds = lock_seconds  # the lock, and how long any failure is remembered
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key: (failures, time of the last one)

    def locked_for(self, *keys: str) -> float:
        """Seconds until none of these keys is refused; 0 when none is."""
        now = self._clock()
        waits = [0.0]
        for key in keys:
            count, last = self._failures.get(key, (0, now))
            if count >= self.limit:
                waits.append(last + self.lock_seconds - now)
        return max(waits)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        if len(self._failures) > MAX_KEYS:
            self._failures = {k: v for k, v in self._failures.items() if now - v[1] < self.lock_seconds}
        for key in keys:
            count, last = self._failures.get(key, (0, now))
            self._failures[key] = (1 if now - last >= self.lock_seconds else count + 1, now)

    def forgive(self, key: str) -> None:
        """One failure fewer: an attempt counted before it was checked turned out right."""
        count, last = self._failures.get(key, (0, 0.0))
        if count > 1:
            self._failures[key] = (count - 1, last)
        else:
            self._failures.pop(key, None)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)
