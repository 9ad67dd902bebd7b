"""The Rasa engine's HTTP API (`/model/parse`), as `tipline triage` calls it."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import aiohttp

from actions.settings import EngineSettings

# Parsing one message takes tens of milliseconds; a stuck engine must not hang the command.
TIMEOUT = aiohttp.ClientTimeout(total=30)


class EngineError(Exception):
    """The engine refused a request or could not be reached."""


class EngineClient:
    """One HTTP session for many parses; use as `async with EngineClient(settings) as engine`."""

    def __init__(self, settings: EngineSettings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> EngineClient:
        self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def check(self) -> None:
        """The engine answers, has a model loaded and accepts our token."""
        status = await self._get("/status")
        if not status.get("model_file"):
            raise EngineError("the engine has no model loaded")

    async def parse(self, text: str) -> dict[str, Any]:
        return await self._request("POST", "/model/parse", {"text": text})

    async def _get(self, path: str) -> dict[str, Any]:
        return await self._request("GET", path, None)

    async def _request(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        assert self._session is not None, "use EngineClient as an async context manager"
        url = self._settings.url + path
        try:
            async with self._session.request(method, url, json=body, params={"token": self._settings.token}) as r:
                if r.status in (401, 403):
                    raise EngineError(f"the engine at {self._settings.url} refused TIPLINE_ENGINE_TOKEN")
                if r.status == 404:
                    # Production's balancer does not pass the HTTP API: TIPLINE_ENGINE_URL names a replica.
                    raise EngineError(
                        f"no engine HTTP API at {self._settings.url}; set TIPLINE_ENGINE_URL to an engine"
                    )
                if r.status == 409:
                    raise EngineError(f"the engine at {self._settings.url} has no model loaded yet")
                payload = await r.json(content_type=None)
                if r.status >= 400 or not isinstance(payload, dict):
                    raise EngineError(f"{path}: HTTP {r.status}")
                return payload
        except (aiohttp.ClientError, TimeoutError) as e:
            raise EngineError(f"{path}: {type(e).__name__}: {e}") from e
