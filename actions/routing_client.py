"""The routing intake API (docs/intake-api.md), as the action server calls it."""

from __future__ import annotations

from typing import Any

import aiohttp

from actions.settings import Settings

# A tip must not wait long on a slow service, but the first call after a start may be slower.
TIMEOUT = aiohttp.ClientTimeout(total=10)
# The jurisdiction's wording is needed before the 911 message goes out: never wait long for it.
PUBLIC_TIMEOUT = aiohttp.ClientTimeout(total=3)


class RoutingError(Exception):
    """The routing service refused a request or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RoutingClient:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.routing_url
        self._headers = {"Authorization": f"Bearer {settings.intake_secret}"}

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, limit: aiohttp.ClientTimeout = TIMEOUT
    ) -> dict[str, Any]:
        try:
            async with (
                aiohttp.ClientSession(timeout=limit, headers=self._headers) as session,
                session.request(method, self._base + path, json=body) as response,
            ):
                payload = await response.json(content_type=None)
                if response.status >= 400:
                    detail = payload.get("error", {}) if isinstance(payload, dict) else {}
                    raise RoutingError(f"{path}: HTTP {response.status} {detail}", response.status)
                if not isinstance(payload, dict):
                    raise RoutingError(f"{path}: answer is not a JSON object")
                return payload
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise RoutingError(f"{path}: {type(e).__name__}: {e}") from e

    async def submit_tip(self, submission: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "/api/v1/tips", submission)

    async def discard_report(self, conversation_id: str) -> bool:
        """True when the unsent report was deleted; False when it was already sent (it stays)."""
        answer = await self._request("POST", "/api/v1/tips/discard", {"conversation_id": conversation_id})
        return bool(answer.get("discarded"))

    async def route(self, assessment: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "/api/v1/route", assessment)

    async def tip_status(self, reference: str, pin: str, conversation_id: str) -> dict[str, Any]:
        """The conversation is named so that its wrong tries are counted against it alone."""
        body = {"reference": reference, "pin": pin, "conversation_id": conversation_id}
        return await self._request("POST", "/api/v1/tips/status", body)

    async def add_information(self, reference: str, pin: str, text: str, conversation_id: str) -> dict[str, Any]:
        body = {"reference": reference, "pin": pin, "text": text, "conversation_id": conversation_id}
        return await self._request("POST", "/api/v1/tips/information", body)

    async def public_jurisdiction(self) -> dict[str, Any]:
        return await self._request("GET", "/public/jurisdiction", limit=PUBLIC_TIMEOUT)
