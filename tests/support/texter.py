"""Text the engine the way Twilio does: a signed form POST per message, replies read from the fake Twilio."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import aiohttp
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TIPLINE_NUMBER = "+15550100"


def twilio_form(phone: str, body: str, message_sid: str | None = None, **extra: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS (a fictional +1 555 01xx number)."""
    sid = message_sid or "SM" + secrets.token_hex(16)
    return {
        "ToCountry": "US",
        "ToState": "IL",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "60601",
        "SmsSid": sid,
        "FromState": "IL",
        "SmsStatus": "received",
        "FromCity": "CHICAGO",
        "Body": body,
        "FromCountry": "US",
        "To": TIPLINE_NUMBER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": phone,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def sign(auth_token: str, url: str, form: dict[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, form))


class Texter:
    """One resident's phone; `replies()` waits for what the bot sent back to it."""

    def __init__(self, engine_url: str, public_url: str, auth_token: str, twilio_url: str, phone: str) -> None:
        self.webhook = engine_url + "/webhooks/twilio/webhook"
        self.signed_url = public_url + "/webhooks/twilio/webhook"
        self.auth_token = auth_token
        self.twilio_url = twilio_url
        self.phone = phone

    async def post(self, form: dict[str, str], signature: str | None = None) -> aiohttp.ClientResponse:
        headers = {
            "X-Twilio-Signature": sign(self.auth_token, self.signed_url, form) if signature is None else signature
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook, data=form, headers=headers) as response,
        ):
            await response.read()
            return response

    async def texts(self, body: str, **extra: str) -> aiohttp.ClientResponse:
        return await self.post(twilio_form(self.phone, body, **extra))

    async def sent_to_me(self) -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as session, session.get(self.twilio_url + "/_sent") as response:
            sent: list[dict[str, Any]] = await response.json()
        return [m for m in sent if m["to"] == self.phone]

    async def replies(self, at_least: int = 1, within: float = 60, settle: float = 1.0) -> list[dict[str, Any]]:
        """Every message sent to this phone so far, once at least `at_least` arrived and no more came for `settle` s."""
        deadline = time.monotonic() + within
        seen = -1
        while time.monotonic() < deadline:
            sent = await self.sent_to_me()
            if len(sent) >= at_least and len(sent) == seen:
                return sent
            seen = len(sent)
            await asyncio.sleep(settle)
        raise AssertionError(f"expected {at_least} replies to {self.phone}, got {seen} in {within} s")
