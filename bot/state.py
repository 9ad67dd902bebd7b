"""Short-lived state the channels share: seen message ids, counters, reply addresses, opt-outs.

In this process by default (one engine); in Redis when TIPLINE_REDIS_URL is set, so several engine
replicas see the same duplicates, limits and opt-outs. Every key expires: nothing is kept longer
than the channel needs it.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis import asyncio as aioredis


class ChannelState(Protocol):
    async def claim(self, key: str, ttl: float) -> bool:
        """True for the first caller only while the key lives (a set-if-absent)."""

    async def count(self, key: str, window: float) -> int:
        """Add one to a counter that starts at the first hit and resets after `window` seconds."""

    async def put(self, key: str, value: str, ttl: float) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryState:
    """Expiring keys in a dict; expired keys are swept as new ones arrive, so memory stays bounded."""

    SWEEP_EVERY = 1000

    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float]] = {}
        self._writes = 0

    def _live(self, key: str, now: float) -> str | None:
        item = self._values.get(key)
        if item is None:
            return None
        if item[1] <= now:
            del self._values[key]
            return None
        return item[0]

    def _set(self, key: str, value: str, expires: float) -> None:
        self._values[key] = (value, expires)
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            now = time.monotonic()
            for stale in [k for k, (_, at) in self._values.items() if at <= now]:
                del self._values[stale]

    async def claim(self, key: str, ttl: float) -> bool:
        now = time.monotonic()
        if self._live(key, now) is not None:
            return False
        self._set(key, "1", now + ttl)
        return True

    async def count(self, key: str, window: float) -> int:
        now = time.monotonic()
        current = self._live(key, now)
        if current is None:
            self._set(key, "1", now + window)
            return 1
        expires = self._values[key][1]
        self._values[key] = (str(int(current) + 1), expires)
        return int(current) + 1

    async def put(self, key: str, value: str, ttl: float) -> None:
        self._set(key, value, time.monotonic() + ttl)

    async def get(self, key: str) -> str | None:
        return self._live(key, time.monotonic())

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def close(self) -> None:
        self._values.clear()


class RedisState:
    """The same operations on Redis, each one atomic (SET NX; a counter created with its expiry, then INCR)."""

    def __init__(self, url: str, prefix: str = "tipline:bot:") -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def claim(self, key: str, ttl: float) -> bool:
        return bool(await self._redis.set(self._prefix + key, "1", nx=True, px=int(ttl * 1000)))

    async def count(self, key: str, window: float) -> int:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, nx=True, px=int(window * 1000))
            pipe.incr(name)  # INCR keeps the expiry the first SET gave
            _, hits = await pipe.execute()
        return int(hits)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._redis.set(self._prefix + key, value, px=int(ttl * 1000))

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return None if value is None else str(value)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def close(self) -> None:
        await self._redis.close()


def open_state(redis_url: str | None) -> ChannelState:
    return RedisState(redis_url) if redis_url else MemoryState()
