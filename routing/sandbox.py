"""The development receiver: where `make run` delivers tips instead of the jurisdiction's real
911 CAD, crisis centre, state tipline, mail server and Twilio.

It accepts signed webhooks (and checks the signature with the TIPLINE_SECRET_* keys), Twilio's
Messages API and SMTP, logs one line per delivery and lists everything at its web page, so a new
user sees a tip go from the bot to each destination. Tests use the same receiver.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller

from routing.destinations.email import IDEMPOTENCY_HEADER as EMAIL_KEY_HEADER
from routing.destinations.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature_matches

log = logging.getLogger("routing.sandbox")


@dataclass
class Received:
    kind: str  # webhook, sms, email
    at: datetime
    to: str
    key: str | None
    signed_with: str | None
    body: Any


@dataclass
class Inbox:
    """Everything received, and knobs tests turn: refuse (answer 503) and hold (stall requests)."""

    secrets: Mapping[str, str]
    items: list[Received] = field(default_factory=list)
    refuse: bool = False
    hold: asyncio.Event | None = None
    stalled: list[str] = field(default_factory=list)  # idempotency keys of requests held so far

    def keys(self, kind: str | None = None) -> list[str]:
        return [i.key for i in self.items if i.key and (kind is None or i.kind == kind)]

    def webhooks(self) -> list[Received]:
        return [i for i in self.items if i.kind == "webhook"]

    def add(self, item: Received) -> None:
        repeat = item.key is not None and item.key in self.keys(item.kind)
        self.items.append(item)
        log.info("%s%s", describe(item), " (repeat: same idempotency key)" if repeat else "")


def describe(item: Received) -> str:
    if item.kind == "webhook":
        body = item.body
        check = f"signature ok ({item.signed_with})" if item.signed_with else "BAD SIGNATURE"
        return (
            f"webhook to {item.to}: {body.get('urgency', '?').upper()} {body.get('category')} "
            f"{body.get('reference')} for {body.get('destination')}; {check}"
        )
    if item.kind == "sms":
        return f"SMS to {item.to}: {item.body}"
    return f"e-mail to {item.to}: {item.body['subject']}"


async def _receive_webhook(request: web.Request) -> web.Response:
    inbox = request.app[INBOX]
    if inbox.hold is not None:
        inbox.stalled.append(request.headers.get(IDEMPOTENCY_HEADER, ""))
        await inbox.hold.wait()
    if inbox.refuse:
        raise web.HTTPServiceUnavailable(text="receiver is down")
    raw = await request.read()
    signature = request.headers.get(SIGNATURE_HEADER, "")
    signed_with = next((n for n, s in inbox.secrets.items() if signature_matches(s, raw, signature)), None)
    if signed_with is None:
        raise web.HTTPUnauthorized(text="bad signature")
    inbox.add(
        Received(
            kind="webhook",
            at=datetime.now(UTC),
            to=request.headers.get("X-Tipline-Original-Url", str(request.url)),
            key=request.headers.get(IDEMPOTENCY_HEADER),
            signed_with=signed_with,
            body=json.loads(raw),
        )
    )
    return web.json_response({"reference": f"SANDBOX-{len(inbox.items)}"})


async def _receive_sms(request: web.Request) -> web.Response:
    """Twilio's Messages API, as far as the SDK needs it to answer."""
    inbox = request.app[INBOX]
    if inbox.hold is not None:
        await inbox.hold.wait()
    if inbox.refuse:
        raise web.HTTPServiceUnavailable(text="receiver is down")
    form = await request.post()
    sid = "SM" + secrets.token_hex(16)
    inbox.add(Received("sms", datetime.now(UTC), str(form.get("To")), sid, None, str(form.get("Body"))))
    return web.json_response(
        {
            "sid": sid,
            "account_sid": request.match_info["account"],
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{request.match_info['account']}/Messages/{sid}.json",
        },
        status=201,
    )


async def _page(request: web.Request) -> web.Response:
    rows = "".join(
        f"<tr><td>{i.at:%H:%M:%S}</td><td>{i.kind}</td><td>{html.escape(i.to)}</td>"
        f"<td><pre>{html.escape(_text_of(i))}</pre></td></tr>"
        for i in reversed(request.app[INBOX].items)
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">'
        "<title>Tipline development receiver</title></head><body><h1>Delivered tips</h1>"
        "<p>Everything the routing service delivered in development: webhooks (911 CAD, crisis centre, "
        "state tipline), SMS and e-mail. Refreshes every 5 seconds.</p>"
        f"<table border=1 cellpadding=4><tr><th>at</th><th>how</th><th>to</th><th>what</th></tr>{rows}</table>"
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")


def _text_of(item: Received) -> str:
    if item.kind == "webhook":
        return str(item.body.get("summary", ""))
    if item.kind == "sms":
        return str(item.body)
    return f"{item.body['subject']}\n\n{item.body['text']}"


INBOX = web.AppKey("inbox", Inbox)


def receiver_app(inbox: Inbox) -> web.Application:
    app = web.Application()
    app[INBOX] = inbox
    app.add_routes(
        [
            web.get("/", _page),
            web.post("/webhook", _receive_webhook),
            web.post("/2010-04-01/Accounts/{account}/Messages.json", _receive_sms),
        ]
    )
    return app


class SmtpHandler:
    """aiosmtpd handler that keeps each message in the inbox."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.inbox.refuse:
            return "451 receiver is down"
        message: Message = message_from_bytes(envelope.content)
        payload = message.get_payload(decode=True)
        text = payload.decode() if isinstance(payload, bytes) else str(message.get_payload())
        self.inbox.add(
            Received(
                kind="email",
                at=datetime.now(UTC),
                to=", ".join(envelope.rcpt_tos),
                key=message.get(EMAIL_KEY_HEADER),
                signed_with=None,
                body={"subject": message.get("Subject", ""), "text": text, "from": envelope.mail_from},
            )
        )
        return "250 OK"


def smtp_server(inbox: Inbox, port: int) -> Controller:
    return Controller(SmtpHandler(inbox), hostname="127.0.0.1", port=port)


async def run(http_port: int, smtp_port: int, secrets_by_name: Mapping[str, str]) -> None:
    """Serve until cancelled (Ctrl-C under honcho)."""
    inbox = Inbox(secrets_by_name)
    smtp = smtp_server(inbox, smtp_port)
    smtp.start()
    runner = web.AppRunner(receiver_app(inbox))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    log.info("development receiver: deliveries at http://127.0.0.1:%s/ (SMTP on port %s)", http_port, smtp_port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        smtp.stop()
