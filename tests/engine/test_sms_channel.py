"""The SMS channel's handling of a message, with its replies sent through the twilio SDK to the fake Twilio."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import aiohttp
import pytest
from multidict import MultiDict
from rasa.core.channels.channel import UserMessage

from bot.channels.twilio_sms import InboundSMS, TwilioSMSInput
from bot.public_info import PublicInfo
from bot.settings import FloodLimits, Settings, SettingsError
from tests.support.texter import twilio_form


class Bot:
    """Stands in for Rasa: records each message and answers with a fixed text (or fails)."""

    def __init__(self, answer: str | None = "Where is this happening?", delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.received: list[UserMessage] = []
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the engine failed")
        if self.answer:
            await message.output_channel.send_text_message(message.sender_id, self.answer)


@pytest.fixture
async def channel(settings: Settings, jurisdiction: dict[str, Any]) -> AsyncIterator[TwilioSMSInput]:
    sms = TwilioSMSInput(settings)
    await sms.start()
    sms.public_info.current = PublicInfo(jurisdiction)
    yield sms
    await sms.stop()


async def sent_to(fake_twilio: str, phone: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(fake_twilio + "/_sent") as response:
        return [m for m in await response.json() if m["to"] == phone]


def inbound(channel: TwilioSMSInput, phone: str, body: str, **extra: str) -> InboundSMS:
    return InboundSMS.from_params(MultiDict(twilio_form(phone, body, **extra)), channel.identity)


async def test_a_message_reaches_rasa_under_a_hash_with_twilios_fields_and_no_number(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    bot = Bot()
    sms = inbound(
        channel,
        "+15550131",
        "look at this",
        NumMedia="2",
        MediaUrl0="https://api.twilio.com/m/ME0",
        MediaContentType0="image/jpeg",
        MediaUrl1="https://api.twilio.com/m/ME1",
        MediaContentType1="video/mp4",
    )
    await channel.handle(sms, bot)

    [message] = bot.received
    assert message.sender_id == channel.identity.conversation_id("+15550131")
    assert message.message_id == sms.message_sid
    assert message.input_channel == "twilio"
    assert message.metadata["media"] == [
        {"url": "https://api.twilio.com/m/ME0", "content_type": "image/jpeg"},
        {"url": "https://api.twilio.com/m/ME1", "content_type": "video/mp4"},
    ]
    assert message.metadata["twilio"]["MessageSid"] == sms.message_sid
    assert "5550131" not in json.dumps(message.metadata)
    assert "CHICAGO" not in json.dumps(message.metadata) and "60601" not in json.dumps(message.metadata)

    replies = await sent_to(fake_twilio, "+15550131")
    assert [m["problems"] for m in replies] == [[]] * len(replies)
    assert replies[-1]["body"] == "Where is this happening?"
    assert replies[-1]["from"] == "+15550100"
    assert replies[-1]["status_callback"] == "https://tips.example.gov/webhooks/twilio/status"


async def test_the_first_message_of_a_conversation_says_when_the_line_is_watched(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    bot = Bot()
    await channel.handle(inbound(channel, "+15550132", "hello"), bot)
    await channel.handle(inbound(channel, "+15550132", "my friend posted a threat"), bot)
    bodies = [m["body"] for m in await sent_to(fake_twilio, "+15550132")]
    assert bodies[0].startswith("This line is watched 8am-8pm on weekdays.")
    assert bodies[1:] == ["Where is this happening?", "Where is this happening?"]


async def test_help_gets_the_jurisdictions_help_text_and_no_turn(channel: TwilioSMSInput, fake_twilio: str) -> None:
    bot = Bot()
    await channel.handle(inbound(channel, "+15550133", "HELP"), bot)
    await channel.handle(inbound(channel, "+15550134", "Ayuda"), bot)
    assert bot.received == []
    [english] = await sent_to(fake_twilio, "+15550133")
    [spanish] = await sent_to(fake_twilio, "+15550134")
    assert (
        english["body"].startswith("Example County Tipline") and "911" in english["body"] and "988" in english["body"]
    )
    assert spanish["body"].startswith("Tipline del Condado")


async def test_stop_ends_the_conversation_in_rasa_and_nothing_more_is_sent(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    bot = Bot(answer="Are you sure?")
    phone = "+15550135"
    await channel.handle(inbound(channel, phone, "hi"), bot)
    before = len(await sent_to(fake_twilio, phone))
    await channel.handle(inbound(channel, phone, "Stop"), bot)
    await channel.handle(inbound(channel, phone, "one more thing"), bot)
    assert [m.text for m in bot.received] == ["hi", "/stop", "one more thing"]
    assert bot.received[1].metadata["opt_out"] is True
    assert len(await sent_to(fake_twilio, phone)) == before
    assert await channel.state.get(f"reply:{channel.identity.conversation_id(phone)}") is None

    await channel.handle(inbound(channel, phone, "START"), bot)
    assert len(await sent_to(fake_twilio, phone)) == before + 1


async def test_flood_control_replies_once_politely_and_lets_an_emergency_through(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    channel.flood.limits = FloodLimits(per_sender=2, overall=1000)
    bot = Bot(answer=None)
    phone = "+15550136"
    for text in ["hello", "hello", "hello", "hello", "he has a gun, he is here"]:
        await channel.handle(inbound(channel, phone, text), bot)
    assert [m.text for m in bot.received] == ["hello", "hello", "he has a gun, he is here"]
    bodies = [m["body"] for m in await sent_to(fake_twilio, phone)]
    busy = [b for b in bodies if b.startswith("We are getting more messages")]
    assert len(busy) == 1 and "911" in busy[0]


async def test_an_image_only_mms_is_acknowledged_when_the_bot_says_nothing(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    bot = Bot(answer=None)
    phone = "+15550137"
    sms = inbound(
        channel, phone, "", NumMedia="1", MediaUrl0="https://api.twilio.com/m/ME9", MediaContentType0="image/png"
    )
    await channel.handle(sms, bot)
    assert bot.received[0].text is None or bot.received[0].text == ""
    assert bot.received[0].metadata["media"][0]["url"] == "https://api.twilio.com/m/ME9"
    bodies = [m["body"] for m in await sent_to(fake_twilio, phone)]
    assert bodies[-1].startswith("We received your photo")


async def test_when_the_turn_fails_the_resident_still_gets_911(channel: TwilioSMSInput, fake_twilio: str) -> None:
    bot = Bot()
    bot.fail = True
    await channel.handle(inbound(channel, "+15550138", "something odd"), bot)
    bodies = [m["body"] for m in await sent_to(fake_twilio, "+15550138")]
    assert bodies[-1].startswith("Sorry, something went wrong") and "911" in bodies[-1]


async def test_a_long_reply_is_split_for_sms_and_every_part_is_valid_for_twilio(
    channel: TwilioSMSInput, fake_twilio: str
) -> None:
    bot = Bot(answer="Thank you for telling us, this helps a lot. " * 12)
    await channel.handle(inbound(channel, "+15550139", "hi"), bot)
    replies = (await sent_to(fake_twilio, "+15550139"))[1:]
    assert len(replies) >= 2
    assert all(len(m["body"]) <= 320 and m["problems"] == [] for m in replies)


async def test_one_senders_messages_run_in_order_while_others_run_beside_them(channel: TwilioSMSInput) -> None:
    bot = Bot(answer=None, delay=0.2)
    first, second = "+15550140", "+15550141"
    for phone, text in [(first, "a0"), (first, "a1"), (first, "a2"), (second, "b0")]:
        channel.queues.submit(
            channel.identity.conversation_id(phone), partial(channel.handle, inbound(channel, phone, text), bot)
        )
    started = asyncio.get_running_loop().time()
    await channel.queues.drain(timeout=5)
    elapsed = asyncio.get_running_loop().time() - started
    texts = [m.text for m in bot.received]
    assert [t for t in texts if t.startswith("a")] == ["a0", "a1", "a2"]
    assert texts.index("b0") < texts.index("a2"), "another sender does not wait behind the first"
    assert elapsed < 0.2 * 4


def test_settings_refuse_half_a_twilio_configuration(twilio_env: dict[str, str]) -> None:
    partial = {k: v for k, v in twilio_env.items() if k != "TIPLINE_PUBLIC_URL"}
    with pytest.raises(SettingsError, match="TIPLINE_PUBLIC_URL not set"):
        Settings.from_env(partial)
    no_sms = {k: v for k, v in twilio_env.items() if "TWILIO" not in k and k != "TIPLINE_PUBLIC_URL"}
    assert Settings.from_env(no_sms).twilio is None
