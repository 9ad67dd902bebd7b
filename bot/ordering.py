"""Run each sender's work in arrival order, different senders side by side."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class PerSenderQueue:
    """One worker task per sender with pending work; it ends when the sender's queue is empty."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, sender: str, job: Job) -> None:
        self._queues.setdefault(sender, deque()).append(job)
        if sender not in self._workers:
            self._workers[sender] = asyncio.create_task(self._work(sender))

    async def _work(self, sender: str) -> None:
        queue = self._queues[sender]
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except Exception:
                    log.exception("a queued message failed; the sender's next messages go on")
        finally:
            # No await since the queue was last seen empty, so nothing can have been added.
            del self._workers[sender]
            del self._queues[sender]

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._workers)

    async def drain(self, timeout: float) -> None:
        """Let work in hand finish (on shutdown), up to `timeout` seconds."""
        if self._workers:
            await asyncio.wait(list(self._workers.values()), timeout=timeout)
