"""Trackers built from event lists (like findemo's conftest) and a real local routing app."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import jurisdiction, settings
from actions.jurisdiction import PublicInfo
from actions.responses import render
from routing.app import create_app
from routing.keys import SETTINGS
from routing.settings import sync_url
from routing.store.tables import tips
from tests.support.routing import example_jurisdiction, make_settings, sqlite_database

ROOT = Path(__file__).resolve().parents[2]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text())

# The example document of docs/intake-api.md, "GET /public/jurisdiction".
PUBLIC_JURISDICTION: dict[str, Any] = {
    "id": "example-county",
    "name": "Example County",
    "timezone": "America/Chicago",
    "languages": ["en", "es"],
    "emergency": {
        "number": "911",
        "text_to_911": True,
        "message": {
            "en": "If anyone is in danger now, call 911 or text 911 in Example County.",
            "es": "Si alguien está en peligro ahora, llame o envíe un texto al 911 en el condado de Example.",
        },
    },
    "crisis": {
        "call": "988",
        "text": "988",
        "chat_url": "https://988lifeline.org/chat/",
        "spanish_call": "988 y luego 2",
        "message": {"en": "Call or text 988.", "es": "Llame o envíe un texto al 988."},
    },
    "fbi": {"url": "https://tips.fbi.gov/", "phone": "1-800-CALL-FBI (1-800-225-5324)"},
    "state_tipline": {"name": "Example State Safe Tipline", "phone": "+15550100", "url": "https://example.org"},
    "coverage": {
        "always_staffed": False,
        "staffed_now": True,
        "hours": [],
        "message": {"en": "This line is watched 8am-8pm on weekdays.", "es": "Esta línea se atiende de 8 a 20 h."},
    },
    "privacy_notice": {"en": "We keep what you write. Staff see it.", "es": "Guardamos lo que escribe."},
    "help_text": {"en": "Tipline help.", "es": "Ayuda."},
}


class FixedPublicInfo:
    """A PublicInfoCache that answers with a given document, or with None (service unreachable)."""

    def __init__(self, doc: dict[str, Any] | None) -> None:
        self._info = PublicInfo.from_json(doc) if doc is not None else None

    async def get(self) -> PublicInfo | None:
        return self._info


@pytest.fixture
def use_public_info(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Any] | None], None]:
    def use(doc: dict[str, Any] | None) -> None:
        fixed = FixedPublicInfo(doc)
        modules = ("screening", "submission", "resources", "questions", "forms")
        for module in (f"actions.{name}" for name in modules):
            monkeypatch.setattr(f"{module}.public_info", lambda: fixed)

    use(PUBLIC_JURISDICTION)
    return use


def user(
    text: str, intent: str, entities: list[dict[str, Any]] | None = None, at: float | None = None
) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": at if at is not None else time.time(),
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []},
    }


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


def entity(kind: str, value: str, start: int = 0) -> dict[str, Any]:
    return {"entity": kind, "value": value, "start": start, "end": start + len(value)}


def make_tracker(
    events: list[dict[str, Any]], slots: dict[str, Any] | None = None, active_loop: str | None = None
) -> Tracker:
    """A tracker whose latest message is the last user event; `slots` are its current values."""
    latest = next((e for e in reversed(events) if e["event"] == "user"), {})
    all_slots = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}
    all_slots.update({"requested_slot": None})
    all_slots.update(slots or {})
    return Tracker.from_dict(
        {
            "sender_id": "test-conversation",
            "slots": all_slots,
            "latest_message": latest.get("parse_data", {}) | {"text": latest.get("text")},
            "events": [{"event": "session_started", "timestamp": 1.0}, *events],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def texts(dispatcher: CollectingDispatcher, language: str = "en", crisis_voice: bool = False) -> list[str]:
    """What the resident would read: responses rendered the way the engine renders them."""
    out = []
    for message in dispatcher.messages:
        if message.get("text"):
            out.append(message["text"])
        elif message.get("response"):
            values = {k: v for k, v in message.items() if k not in ("response", "text")}
            slots = {"language": language, "crisis_voice": crisis_voice}
            out.append(render(DOMAIN, message["response"], slots, **values))
    return out


@pytest.fixture
def domain() -> dict[str, Any]:
    return DOMAIN


@pytest.fixture
async def routing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestServer]:
    """The real routing app (routing.app.create_app) with the example jurisdiction, on fresh SQLite."""
    routing_settings = make_settings(sqlite_database(tmp_path))
    server = TestServer(create_app(routing_settings, example_jurisdiction()))
    await server.start_server()
    test_settings = settings.Settings(
        routing_url=str(server.make_url("")).rstrip("/"), intake_secret=routing_settings.intake_secret
    )
    monkeypatch.setattr(settings, "current", lambda: test_settings)
    jurisdiction.public_info.cache_clear()
    yield server
    await server.close()
    jurisdiction.public_info.cache_clear()


def stored(server: TestServer, table: sa.Table = tips) -> list[Any]:
    """Every row of `table` in the test routing service's database."""
    engine = sa.create_engine(sync_url(server.app[SETTINGS].database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(table)))
    engine.dispose()
    return rows
