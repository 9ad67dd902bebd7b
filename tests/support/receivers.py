"""The development receiver (routing/sandbox.py) started in-process for tests: webhooks and
Twilio over aiohttp, e-mail over a real aiosmtpd server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from routing.sandbox import Inbox, receiver_app, smtp_server
from tests.support.routing import EXAMPLE_SECRETS
from tests.support.stack import free_port


@dataclass
class Receivers:
    inbox: Inbox
    url: str
    smtp_url: str

    async def wait_for(self, check: Callable[[Inbox], bool], within: float = 10) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not check(self.inbox):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"receivers did not get what was expected in {within} s: {self.inbox.items}")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running_receivers() -> AsyncIterator[Receivers]:
    inbox = Inbox(EXAMPLE_SECRETS)
    smtp_port, http_port = free_port(), free_port()
    smtp = smtp_server(inbox, smtp_port)
    smtp.start()
    runner = web.AppRunner(receiver_app(inbox))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    try:
        yield Receivers(inbox, f"http://127.0.0.1:{http_port}", f"smtp://127.0.0.1:{smtp_port}")
    finally:
        if inbox.hold is not None:
            inbox.hold.set()
        await runner.cleanup()
        smtp.stop()
