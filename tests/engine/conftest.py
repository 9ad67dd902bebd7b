from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.public_info import PublicInfo
from bot.settings import Settings
from tests.support.stack import running_fake_twilio

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def fake_twilio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_fake_twilio(tmp_path_factory.mktemp("twilio") / "fake-twilio.log") as url:
        yield url


@pytest.fixture
def jurisdiction() -> dict[str, Any]:
    """GET /public/jurisdiction as docs/intake-api.md shows it."""
    return json.loads((FIXTURES / "public_jurisdiction.json").read_text())


@pytest.fixture
def public_info(jurisdiction: dict[str, Any]) -> PublicInfo:
    return PublicInfo(jurisdiction)


def settings_env(**extra: str) -> dict[str, str]:
    return {
        "TIPLINE_SENDER_HASH_KEY": "test-hash-key",
        "TIPLINE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        **extra,
    }


@pytest.fixture
def twilio_env(fake_twilio: str) -> dict[str, str]:
    return settings_env(
        TIPLINE_TWILIO_ACCOUNT_SID="AC" + "0123456789abcdef" * 2,
        TIPLINE_TWILIO_AUTH_TOKEN="test-auth-token",
        TIPLINE_TWILIO_NUMBER="+15550100",
        TIPLINE_PUBLIC_URL="https://tips.example.gov",
        TIPLINE_TWILIO_API_URL=fake_twilio,
        TIPLINE_PUBLIC_INFO_URL="http://127.0.0.1:9/public/jurisdiction",
    )


@pytest.fixture
def settings(twilio_env: dict[str, str]) -> Settings:
    return Settings.from_env(twilio_env)
