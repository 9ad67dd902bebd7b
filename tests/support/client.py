"""Talk to the engine the way a resident's channel does, so tests read as conversations."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp


class Resident:
    """One resident writing to the bot over the REST channel (production's needs its token)."""

    def __init__(self, engine_url: str, sender: str | None = None, token: str | None = None) -> None:
        self.url = engine_url + "/webhooks/rest/webhook"
        self.sender = sender or f"test-{uuid.uuid4().hex}"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def says(self, text: str) -> list[str]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
            session.post(self.url, json={"sender": self.sender, "message": text}, headers=self.headers) as response,
        ):
            response.raise_for_status()
            replies: list[dict[str, Any]] = await response.json()
        return [r["text"] for r in replies if "text" in r]
