from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from bot.state import ChannelState, MemoryState, RedisState

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
async def state(request: pytest.FixtureRequest) -> AsyncIterator[ChannelState]:
    store: ChannelState = (
        MemoryState() if request.param == "memory" else RedisState(REDIS_URL, prefix=f"test:{secrets.token_hex(4)}:")
    )
    yield store
    await store.close()


async def test_a_key_is_claimed_once_while_it_lives(state: ChannelState) -> None:
    assert await state.claim("sid:1", ttl=0.3)
    assert not await state.claim("sid:1", ttl=0.3)
    await asyncio.sleep(0.4)
    assert await state.claim("sid:1", ttl=0.3)


async def test_concurrent_claims_let_exactly_one_through(state: ChannelState) -> None:
    results = await asyncio.gather(*(state.claim("sid:race", ttl=5) for _ in range(20)))
    assert results.count(True) == 1


async def test_a_counter_counts_within_its_window_then_starts_again(state: ChannelState) -> None:
    assert [await state.count("c", window=0.3) for _ in range(3)] == [1, 2, 3]
    await asyncio.sleep(0.4)
    assert await state.count("c", window=0.3) == 1


async def test_values_expire_and_can_be_deleted(state: ChannelState) -> None:
    await state.put("reply:x", "sealed", ttl=0.3)
    assert await state.get("reply:x") == "sealed"
    await state.delete("reply:x")
    assert await state.get("reply:x") is None
    await state.put("reply:y", "sealed", ttl=0.2)
    await asyncio.sleep(0.3)
    assert await state.get("reply:y") is None
