"""Building blocks for routing tests: settings, a migrated database, tip payloads."""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from routing.__main__ import migrate
from routing.jurisdiction import Jurisdiction
from routing.jurisdiction import load as load_jurisdiction
from routing.settings import DEFAULT_JURISDICTION, OutboxSettings, Settings, sync_url

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
EXAMPLE_SECRETS = {
    name: secrets.token_urlsafe(16)
    for name in ("TIPLINE_SECRET_DISPATCH_CAD", "TIPLINE_SECRET_CRISIS_CENTER", "TIPLINE_SECRET_STATE_TIPLINE")
}
FAKE_TWILIO_SID = "AC" + "0" * 32


def make_settings(database_url: str, **overrides: Any) -> Settings:
    settings = Settings(
        database_url=database_url,
        jurisdiction_path=DEFAULT_JURISDICTION,
        intake_secret=secrets.token_urlsafe(16),
        encryption_keys=(base64.urlsafe_b64encode(os.urandom(32)).decode(),),
        signing_secret=secrets.token_urlsafe(16),
        delivery_secrets=dict(EXAMPLE_SECRETS),
        smtp_url="smtp://127.0.0.1:1",
        twilio_account_sid=FAKE_TWILIO_SID,
        twilio_auth_token="test-token",
        outbox=OutboxSettings(workers=0),
    )
    return replace(settings, **overrides)


def example_jurisdiction() -> Jurisdiction:
    return load_jurisdiction(DEFAULT_JURISDICTION, EXAMPLE_SECRETS)


def sqlite_database(folder: Path) -> str:
    url = f"sqlite:///{folder / f'tipline-{uuid.uuid4().hex[:8]}.db'}"
    migrate(url)
    return url


def fresh_postgres_schema() -> str:
    """A PostgreSQL database URL whose schema is empty and then migrated (one schema per test)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(sync_url(POSTGRES_URL))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    migrate(url)
    return url


def drop_postgres_schema(url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    engine = sa.create_engine(sync_url(POSTGRES_URL))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def tip_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "conversation_id": f"conv-{uuid.uuid4().hex}",
        "channel": "rest",
        "language": "en",
        "text": "my coworker said he is going to shoot everyone at work tomorrow",
        "transcript": [{"role": "resident", "text": "my coworker said ...", "at": "2026-11-27T15:00:00Z"}],
        "answers": {"where": "the warehouse on 5th street", "when": "tomorrow", "weapons": "gun"},
        "triage": {
            "category": "threat_to_others",
            "secondary_categories": [],
            "urgency": "emergency",
            "indicators": ["intent_stated", "timeframe_24h", "mass_casualty"],
            "needs_review": False,
            "explanation": "Stated intent to shoot coworkers tomorrow.",
            "rules": [],
        },
        "anonymous": True,
        "contact": None,
        "media_urls": [],
        "reported_at": datetime.now(UTC).isoformat(),
    }
    for key, value in overrides.items():
        if key == "triage":
            payload["triage"] = payload["triage"] | value
        else:
            payload[key] = value
    return payload
