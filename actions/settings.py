"""Environment -> frozen settings for the action server; nothing else in actions/ reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache


class SettingsError(Exception):
    """A setting is missing or invalid; the message is meant for the operator as it is."""


@dataclass(frozen=True)
class Settings:
    routing_url: str
    intake_secret: str
    port: int = 5055

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        secret = env.get("TIPLINE_INTAKE_SECRET", "").strip()
        if not secret:
            raise SettingsError("TIPLINE_INTAKE_SECRET is not set (make run generates it in var/secrets.sh)")
        port = env.get("TIPLINE_ACTIONS_PORT", "5055")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"TIPLINE_ACTIONS_PORT must be a port number, not {port!r}")
        return cls(
            routing_url=env.get("TIPLINE_ROUTING_URL", "http://127.0.0.1:8080").rstrip("/"),
            intake_secret=secret,
            port=int(port),
        )


@cache
def current() -> Settings:
    """The settings of this process, read on first use (rasa-sdk imports actions/ at start)."""
    return Settings.from_env()


@dataclass(frozen=True)
class EngineSettings:
    """Where the Rasa engine's HTTP API is (`tipline triage` asks it for the NLU parse)."""

    url: str
    token: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> EngineSettings:
        env = os.environ if environ is None else environ
        token = env.get("TIPLINE_ENGINE_TOKEN", "").strip()
        if not token:
            raise SettingsError("TIPLINE_ENGINE_TOKEN is not set (make run generates it in var/secrets.sh)")
        port = env.get("TIPLINE_ENGINE_PORT", "5005")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"TIPLINE_ENGINE_PORT must be a port number, not {port!r}")
        url = env.get("TIPLINE_ENGINE_URL") or f"http://127.0.0.1:{port}"
        return cls(url=url.rstrip("/"), token=token)
