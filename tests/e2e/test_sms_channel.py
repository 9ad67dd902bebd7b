"""The signed SMS channel in the running engine, with requests signed the way Twilio signs them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import aiohttp

from tests.support.stack import Stack
from tests.support.texter import Texter, sign, twilio_form


def texter(stack: Stack, fake_twilio: str, phone: str) -> Texter:
    env = stack.env
    return Texter(stack.engine_url, env["TIPLINE_PUBLIC_URL"], env["TIPLINE_TWILIO_AUTH_TOKEN"], fake_twilio, phone)


def assert_valid_for_twilio(messages: list[dict]) -> None:
    for message in messages:
        assert message["problems"] == [], message
        assert len(message["body"]) <= 320


async def test_a_signed_text_is_answered_at_once_and_replied_to_by_sms(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550111")
    loop = asyncio.get_running_loop()
    started = loop.time()
    response = await resident.texts("my coworker said he is going to shoot everyone at work tomorrow")
    assert response.status == 200
    assert loop.time() - started < 2, "Twilio must get its answer before the turn runs"
    assert response.content_type == "text/xml"

    replies = await resident.replies()
    assert_valid_for_twilio(replies)
    assert any("911" in m["body"] for m in replies)
    assert all(m["status_callback"].endswith("/webhooks/twilio/status") for m in replies)


async def test_a_forged_signature_is_refused_and_nothing_is_sent(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550112")
    form = twilio_form(resident.phone, "there is a man with a gun at the mall")
    wrong_key = await resident.post(form, signature=sign("not-the-auth-token", resident.signed_url, form))
    unsigned = await resident.post(form, signature="")
    tampered = dict(form, Body="nothing happening")
    altered = await resident.post(tampered, signature=sign(resident.auth_token, resident.signed_url, form))
    internal_url = await resident.post(form, signature=sign(resident.auth_token, resident.webhook + "x", form))
    assert [r.status for r in (wrong_key, unsigned, altered, internal_url)] == [403, 403, 403, 403]
    await asyncio.sleep(3)
    assert await resident.sent_to_me() == []


async def test_a_replayed_request_gets_the_same_answer_and_no_second_reply(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550113")
    form = twilio_form(resident.phone, "hi")
    first = await resident.post(form)
    again = await asyncio.gather(*(resident.post(form) for _ in range(5)))
    assert first.status == 200 and all(r.status == 200 for r in again)
    replies = await resident.replies(settle=3)
    once = len(replies)
    await resident.post(form)
    await asyncio.sleep(3)
    assert len(await resident.sent_to_me()) == once


async def test_an_image_only_mms_with_a_blank_body_is_answered(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550114")
    response = await resident.texts(
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0",
        MediaContentType0="image/jpeg",
    )
    assert response.status == 200
    replies = await resident.replies()
    assert_valid_for_twilio(replies)
    assert replies


async def test_emoji_and_spanish_text_are_signed_and_answered(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550115")
    response = await resident.texts("¿Hola? mi vecino dijo que va a disparar en la escuela mañana 😨🔫")
    assert response.status == 200
    replies = await resident.replies()
    assert_valid_for_twilio(replies)


async def test_help_gets_the_help_text_with_911_and_988(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550116")
    await resident.texts("HELP")
    replies = await resident.replies()
    assert_valid_for_twilio(replies)
    assert any("911" in m["body"] and "988" in m["body"] for m in replies)


async def test_stop_ends_the_conversation_and_nothing_more_is_sent(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550117")
    await resident.texts("hi")
    before = len(await resident.replies(settle=3))
    await resident.texts("STOP")
    await resident.texts("hello again")
    await asyncio.sleep(5)
    assert len(await resident.sent_to_me()) == before


async def test_the_phone_number_reaches_neither_the_tracker_nor_the_logs(stack: Stack, fake_twilio: str) -> None:
    resident = texter(stack, fake_twilio, "+15550118")
    await resident.texts("my brother is not eating and he is confused")
    await resident.replies()
    conversation = hmac.new(stack.env["TIPLINE_SENDER_HASH_KEY"].encode(), b"+15550118", hashlib.sha256).hexdigest()
    url = f"{stack.engine_url}/conversations/{conversation}/tracker"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"token": stack.env["TIPLINE_ENGINE_TOKEN"]}) as response,
    ):
        tracker = await response.json()
    user_events = [e for e in tracker["events"] if e["event"] == "user"]
    assert user_events and user_events[0]["metadata"]["twilio"]["MessageSid"].startswith("SM")
    everything = json.dumps(tracker) + stack.log("engine") + stack.log("actions") + stack.log("routing")
    for form in ("+15550118", "15550118", "5550118"):
        assert form not in everything


async def test_status_callbacks_are_accepted_when_signed(stack: Stack, fake_twilio: str) -> None:
    url = stack.env["TIPLINE_PUBLIC_URL"] + "/webhooks/twilio/status"
    form = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    token = stack.env["TIPLINE_TWILIO_AUTH_TOKEN"]
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=form, headers={"X-Twilio-Signature": sign(token, url, form)}) as ok:
            assert ok.status == 204
        async with session.post(url, data=form, headers={"X-Twilio-Signature": "forged"}) as forged:
            assert forged.status == 403
