"""The routing intake API (docs/intake-api.md), as the action server calls it."""

from __future__ import annotations

from typing import Any

import aiohttp

from actions.settings import Settings

# A tip must not wait long on a slow service, but the first call after a start may be slower.
TIMEOUT = aiohttp.ClientTimeout(total=10)


class RoutingError(Exception):
    """The routing service refused a request or could not be reached."""


class RoutingClient:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.routing_url
        self._headers = {"Authorization": f"Bearer {settings.intake_secret}"}

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT, headers=self._headers) as session,
                session.post(self._base + path, json=body) as response,
            ):
                payload = await response.json(content_type=None)
                if response.status >= 400:
                    detail = payload.get("error", {}) if isinstance(payload, dict) else {}
                    raise RoutingError(f"{path}: HTTP {response.status} {detail}")
                if not isinstance(payload, dict):
                    raise RoutingError(f"{path}: answer is not a JSON object")
                return payload
        except (aiohttp.ClientError, TimeoutError) as e:
            raise RoutingError(f"{path}: {type(e).__name__}: {e}") from e

    async def submit_tip(self, submission: dict[str, Any]) -> dict[str, Any]:
        return await self._post("/api/v1/tips", submission)

    async def route(self, assessment: dict[str, Any]) -> dict[str, Any]:
        return await self._post("/api/v1/route", assessment)
