"""The SMS and e-mail adapters against real local servers: Twilio's API description, aiosmtpd."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from routing.destinations.base import DeliveryError
from routing.destinations.email import EmailSender
from routing.destinations.sms import SmsSender
from tests.support.receivers import running_receivers
from tests.support.routing import FAKE_TWILIO_SID
from tests.support.twilio_api import TwilioApi


async def test_sms_requests_are_ones_twilio_would_accept() -> None:
    api = TwilioApi()
    async with TestServer(api.app()) as server:
        sender = SmsSender(FAKE_TWILIO_SID, "test-token", "+15550199", api_url=str(server.make_url("")).rstrip("/"))
        sent = await sender.send("+15550110", "TIPLINE EMERGENCY: Threat to others. Ref TL-0000-0000")
        await sender.close()
    assert api.errors == []
    assert api.requests == [
        {"To": "+15550110", "From": "+15550199", "Body": "TIPLINE EMERGENCY: Threat to others. Ref TL-0000-0000"}
    ]
    assert sent.external_reference and sent.external_reference.startswith("SM")


async def test_the_twilio_check_refuses_what_twilio_would_refuse() -> None:
    api = TwilioApi()
    async with TestServer(api.app()) as server, aiohttp.ClientSession() as session:
        url = server.make_url(f"/2010-04-01/Accounts/{FAKE_TWILIO_SID}/Messages.json")
        auth = aiohttp.BasicAuth(FAKE_TWILIO_SID, "x")
        missing_to = await session.post(url, data={"From": "+15550199", "Body": "hi"}, auth=auth)
        no_body = await session.post(url, data={"To": "+15550110", "From": "+15550199"}, auth=auth)
    assert missing_to.status == 400 and no_body.status == 400
    assert len(api.errors) == 2


async def test_an_sms_over_twilios_limit_fails_without_calling_twilio() -> None:
    sender = SmsSender(FAKE_TWILIO_SID, "test-token", "+15550199", api_url="http://127.0.0.1:9")
    with pytest.raises(DeliveryError) as failure:
        await sender.send("+15550110", "x" * 1601)
    await sender.close()
    assert failure.value.permanent


async def test_email_arrives_at_a_real_smtp_server_with_the_idempotency_key() -> None:
    async with running_receivers() as receivers:
        sender = EmailSender(receivers.smtp_url, "tipline@example-county.invalid")
        await sender.send(["analysts@tipline.example-state.invalid"], "[Tipline URGENT] test", "body text", "key-1")
    (mail,) = receivers.inbox.items
    assert mail.to == "analysts@tipline.example-state.invalid"
    assert mail.key == "key-1" and mail.body["subject"] == "[Tipline URGENT] test"
    assert "body text" in mail.body["text"]


async def test_an_unreachable_mail_server_is_a_retryable_failure() -> None:
    sender = EmailSender("smtp://127.0.0.1:9", "tipline@example-county.invalid", timeout=2)
    with pytest.raises(DeliveryError) as failure:
        await sender.send(["a@b.example"], "s", "t", "k")
    assert not failure.value.permanent
