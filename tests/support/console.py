"""Drive the dispatch console as a signed-in person would: pages, forms with their CSRF token."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from routing import accounts
from routing.keys import CONTEXT

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def add_user(client: TestClient, username: str, role: str, password: str = PASSWORD) -> accounts.Staff:
    ctx = client.app[CONTEXT]
    return await accounts.create_user(ctx, username, username.title(), role, password, actor="test")


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Console:
    """One person's browser session against the console of a test app."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    async def log_in(self, username: str, password: str = PASSWORD) -> ClientResponse:
        page = await self.client.get("/console/login")
        response = await self.client.post(
            "/console/login",
            data={"username": username, "password": password, "csrf_token": csrf_of(await page.text())},
        )
        text = await response.text()
        if response.status == 200 and "csrf_token" in text:
            self.csrf = csrf_of(text)
        return response

    async def get(self, path: str, **options: Any) -> ClientResponse:
        return await self.client.get(path, **options)

    async def post(self, path: str, **form: Any) -> ClientResponse:
        return await self.client.post(path, data={"csrf_token": self.csrf, **form})
