"""The jurisdiction's public information, read from the routing service's GET /public/jurisdiction.

Numbers, wording, warning signs and hours of coverage come from there (docs/intake-api.md) and are
refreshed while the engine runs; bot/ keeps no copy of a jurisdiction's texts. Until the first
read succeeds, only the national numbers (911, 988) are offered, so HELP and the emergency
pointer never go missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp

log = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Only the national numbers, for the minutes before the routing service first answers.
NATIONAL_FALLBACK: dict[str, Any] = {
    "id": "national",
    "name": "Tipline",
    "timezone": "UTC",
    "languages": ["en", "es"],
    "emergency": {
        "number": "911",
        "message": {
            "en": "If anyone is in danger now, call 911.",
            "es": "Si alguien está en peligro ahora, llame al 911.",
        },
    },
    "crisis": {"call": "988", "text": "988", "chat_url": "https://988lifeline.org/chat/"},
    "coverage": {"always_staffed": True, "hours": []},
    "warning_signs": {"en": [], "es": []},
    "help_text": {
        "en": "Tipline: report a safety concern. Emergency: call 911. Crisis: call or text 988. Reply STOP to end.",
        "es": "Tipline: reporte un riesgo. Emergencia: llame al 911. Crisis: llame o escriba al 988. STOP: terminar.",
    },
}


class PublicInfo:
    """One snapshot of GET /public/jurisdiction with the lookups the channels need."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.languages: tuple[str, ...] = tuple(data.get("languages") or ("en",))
        try:
            self.zone = ZoneInfo(str(data.get("timezone") or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r in the jurisdiction; using UTC", data.get("timezone"))
            self.zone = ZoneInfo("UTC")

    @property
    def is_fallback(self) -> bool:
        return self.data is NATIONAL_FALLBACK

    def language(self, wanted: str) -> str:
        return wanted if wanted in self.languages else self.languages[0]

    def localized(self, value: Any, language: str) -> Any:
        """A {"en": ..., "es": ...} value in the wanted language, else the jurisdiction's first."""
        if not isinstance(value, Mapping):
            return value
        return value.get(language) or value.get(self.languages[0]) or next(iter(value.values()), None)

    def text(self, section: str, language: str, key: str = "message") -> str:
        node = self.data.get(section)
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        value = self.localized(node, language)
        return value if isinstance(value, str) else ""

    def help_text(self, language: str) -> str:
        return self.text("help_text", language) or self.localized(NATIONAL_FALLBACK["help_text"], language)

    def emergency_message(self, language: str) -> str:
        return self.text("emergency", language) or self.localized(NATIONAL_FALLBACK["emergency"]["message"], language)

    @property
    def always_staffed(self) -> bool:
        return bool((self.data.get("coverage") or {}).get("always_staffed", False))

    def staffed_at(self, moment: datetime) -> bool:
        coverage = self.data.get("coverage") or {}
        if coverage.get("always_staffed"):
            return True
        local = moment.astimezone(self.zone)
        today, yesterday = DAYS[local.weekday()], DAYS[(local.weekday() - 1) % 7]
        for span in coverage.get("hours") or []:
            days, start, end = set(span.get("days") or ()), _clock(span["start"]), _clock(span["end"])
            now = local.time()
            if start < end or end == time(0):
                if today in days and start <= now and (end == time(0) or now < end):
                    return True
            elif (today in days and now >= start) or (yesterday in days and now < end):  # past midnight
                return True
        return False

    def coverage_notice(self, language: str, moment: datetime) -> str | None:
        """What to say at the start of a conversation where the line is not watched around the clock."""
        if self.always_staffed:
            return None
        notice = self.text("coverage", language)
        emergency = self.emergency_message(language)
        if not self.staffed_at(moment) or "911" not in notice:
            # The text-to-911 bounce-back principle: off hours, point to 911 in the same breath.
            notice = f"{notice} {emergency}".strip()
        return notice


def _clock(value: str) -> time:
    if value == "24:00":
        return time(0)
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class PublicInfoSource:
    """Keeps the latest PublicInfo, re-read every `refresh` seconds (sooner after a failure)."""

    def __init__(self, url: str, refresh: float = 300.0, retry: float = 30.0) -> None:
        self.url = url
        self.refresh = refresh
        self.retry = retry
        self.current = PublicInfo(NATIONAL_FALLBACK)
        self._task: asyncio.Task[None] | None = None

    async def load(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
                session.get(self.url) as response,
            ):
                response.raise_for_status()
                data = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
            log.warning("could not read the jurisdiction's public information from %s: %s", self.url, e)
            return False
        if not isinstance(data, dict) or not isinstance(data.get("languages"), list):
            log.warning("the jurisdiction's public information from %s is not in the documented shape", self.url)
            return False
        self.current = PublicInfo(data)
        return True

    async def start(self) -> None:
        await self.load()
        self._task = asyncio.create_task(self._keep_fresh())

    async def _keep_fresh(self) -> None:
        ok = not self.current.is_fallback
        while True:
            await asyncio.sleep(self.refresh if ok else self.retry)
            ok = await self.load()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
