"""A signed Twilio webhook replayed days later is refused: after a restart and by the other replica (Redis)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import UserMessage
from redis import asyncio as aioredis

from bot.channels.twilio_sms import EMPTY_TWIML, TwilioSMSInput
from bot.public_info import PublicInfo
from bot.settings import Settings
from tests.support.texter import sign, twilio_form

REDIS_URL = "redis://127.0.0.1:6379/0"
DAY_MS = 86400 * 1000


class Bot:
    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.close()


@pytest.fixture
def shared(settings: Settings) -> Settings:
    return replace(settings, redis_url=REDIS_URL)


async def started(settings: Settings, jurisdiction: dict[str, Any]) -> TwilioSMSInput:
    channel = TwilioSMSInput(settings)
    await channel.start()
    channel.public_info.current = PublicInfo(jurisdiction)
    return channel


def signed_webhook(settings: Settings, body: str) -> tuple[bytes, str, str]:
    assert settings.twilio is not None
    form = twilio_form("+15550141", body)
    signature = sign(settings.twilio.auth_token, settings.twilio.webhook_url, form)
    return urlencode(form).encode(), signature, form["MessageSid"]


async def deliver(channel: TwilioSMSInput, body: bytes, signature: str, bot: Bot) -> None:
    answer = await channel.receive(body, signature, bot)
    assert answer.status == 200 and answer.body == EMPTY_TWIML.encode()
    await channel.queues.drain(timeout=5)


async def days_pass(redis: aioredis.Redis, key: str, days: float) -> None:
    """What `days` of waiting does to a key in Redis: its remaining life shrinks, and it goes at zero."""
    left = await redis.pttl(key)
    if left - days * DAY_MS <= 0:
        await redis.delete(key)
    else:
        await redis.pexpire(key, int(left - days * DAY_MS))


async def test_a_replay_two_days_later_is_refused_after_a_restart(
    shared: Settings, jurisdiction: dict[str, Any], redis: aioredis.Redis
) -> None:
    bot = Bot()
    body, signature, sid = signed_webhook(shared, "someone is following my daughter home")
    first = await started(shared, jurisdiction)
    await deliver(first, body, signature, bot)
    await first.stop()
    await days_pass(redis, f"tipline:bot:sid:{sid}", 2)

    restarted = await started(shared, jurisdiction)
    try:
        await deliver(restarted, body, signature, bot)
    finally:
        await restarted.stop()
    assert [m.message_id for m in bot.received] == [sid]


async def test_a_replay_sent_to_the_other_replica_is_refused(
    shared: Settings, jurisdiction: dict[str, Any], redis: aioredis.Redis
) -> None:
    bot = Bot()
    body, signature, sid = signed_webhook(shared, "he said he will bring a gun to the game")
    one, two = await started(shared, jurisdiction), await started(shared, jurisdiction)
    try:
        await deliver(one, body, signature, bot)
        await days_pass(redis, f"tipline:bot:sid:{sid}", 6)
        await asyncio.gather(deliver(two, body, signature, bot), deliver(one, body, signature, bot))
    finally:
        await one.stop()
        await two.stop()
    assert [m.message_id for m in bot.received] == [sid]


async def test_a_seen_message_sid_expires_after_seven_days(
    shared: Settings, jurisdiction: dict[str, Any], redis: aioredis.Redis
) -> None:
    bot = Bot()
    body, signature, sid = signed_webhook(shared, "is anyone there")
    channel = await started(shared, jurisdiction)
    try:
        await deliver(channel, body, signature, bot)
        left = await redis.pttl(f"tipline:bot:sid:{sid}")
        assert 7 * DAY_MS - 60_000 < left <= 7 * DAY_MS  # kept a week, then Redis forgets it
        await days_pass(redis, f"tipline:bot:sid:{sid}", 7)
        await deliver(channel, body, signature, bot)
    finally:
        await channel.stop()
    assert [m.message_id for m in bot.received] == [sid, sid]


async def test_only_the_twilio_fields_the_conversation_needs_reach_the_tracker(
    settings: Settings, jurisdiction: dict[str, Any]
) -> None:
    assert settings.twilio is not None
    form = twilio_form(
        "+15550142",
        "hello",
        FromState="IL",
        FromCountry="US",
        FromCity="CHICAGO",
        FromZip="60601",
        CallerName="Avery Example",  # a field Twilio might add one day
        FromLocation="41.88,-87.63",
    )
    signature = sign(settings.twilio.auth_token, settings.twilio.webhook_url, form)
    bot = Bot()
    channel = await started(settings, jurisdiction)
    try:
        await deliver(channel, urlencode(form).encode(), signature, bot)
    finally:
        await channel.stop()
    [message] = bot.received  # its metadata is what Rasa keeps in the tracker's user event
    assert message.metadata["twilio"] == {
        "MessageSid": form["MessageSid"],
        "To": "+15550100",
        "NumMedia": "0",
        "NumSegments": "1",
    }
    stored = json.dumps(message.metadata)
    for value in ("IL", "CHICAGO", "60601", "Avery Example", "41.88", "5550142"):
        assert value not in stored
