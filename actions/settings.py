"""Environment -> frozen settings for the action server; nothing else in actions/ reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache


class SettingsError(Exception):
    """A setting is missing or invalid; the message is meant for the operator as it is."""


LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    routing_url: str
    intake_secret: str
    port: int = 5055
    # Only the engine calls the action server: loopback unless a deployment spreads the services out.
    host: str = "127.0.0.1"
    log_format: str = "text"
    metrics_token: str | None = None  # /metrics is off without it

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a log line."""
        return tuple(s for s in (self.intake_secret, self.metrics_token) if s)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        secret = env.get("TIPLINE_INTAKE_SECRET", "").strip()
        if not secret:
            raise SettingsError("TIPLINE_INTAKE_SECRET is not set (make run generates it in var/secrets.sh)")
        port = env.get("TIPLINE_ACTIONS_PORT", "5055")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"TIPLINE_ACTIONS_PORT must be a port number, not {port!r}")
        log_format = env.get("TIPLINE_LOG_FORMAT", "").strip() or "text"
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"TIPLINE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
        return cls(
            routing_url=env.get("TIPLINE_ROUTING_URL", "http://127.0.0.1:8080").rstrip("/"),
            intake_secret=secret,
            port=int(port),
            host=env.get("TIPLINE_ACTIONS_HOST", "").strip() or "127.0.0.1",
            log_format=log_format,
            metrics_token=env.get("TIPLINE_METRICS_TOKEN", "").strip() or None,
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
