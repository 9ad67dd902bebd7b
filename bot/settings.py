"""Environment -> frozen settings of the engine's channels; nothing else in bot/ reads os.environ.

Read once when Rasa builds the channels from credentials.yml (never at import). Every problem is a
SettingsError whose message is one line that says what is wrong and what to do.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

TWILIO_API_URL = "https://api.twilio.com"
ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is meant for the operator as it is."""


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    # The number replies come from, or a Messaging Service that picks one.
    sender: str
    # Where Twilio's requests are signed for: the public URL, not the one the engine sees behind a proxy.
    public_url: str
    api_url: str = TWILIO_API_URL

    @property
    def webhook_url(self) -> str:
        return self.public_url + "/webhooks/twilio/webhook"

    @property
    def status_url(self) -> str:
        return self.public_url + "/webhooks/twilio/status"


@dataclass(frozen=True)
class FloodLimits:
    """Messages allowed per window; past that a polite reply, unless the message signals an emergency."""

    per_sender: int = 10
    per_sender_window: float = 60.0
    overall: int = 20
    overall_window: float = 1.0
    # Turns waiting for the engine; past that the resident is asked to try again (or call 911).
    waiting_turns: int = 100
    # New web chat sessions from one client address per window.
    sessions_per_address: int = 10
    sessions_per_address_window: float = 600.0


@dataclass(frozen=True)
class Settings:
    sender_hash_key: str
    encryption_keys: tuple[str, ...]
    public_info_url: str
    # None: the SMS channel refuses every request (403) and says so at start-up.
    twilio: TwilioSettings | None = None
    # None: state lives in this process (one engine); a URL shares it between engine replicas.
    redis_url: str | None = None
    flood: FloodLimits = FloodLimits()
    # How long a reply address is kept (encrypted) after the resident's last message.
    reply_window: float = 3600.0
    # After this much silence the next message starts a new conversation (domain.yml's session length).
    conversation_window: float = 3600.0
    quick_exit_url: str = "https://www.google.com/"
    log_format: str = "text"
    metrics_token: str | None = None  # /metrics is off without it
    engine_token: str | None = None  # the engine's HTTP API token: kept only to keep it out of logs
    rest_token: str | None = None  # production's REST channel answers only this bearer token
    # Peers whose X-Forwarded-For is believed (our balancer); anyone else is known by its own address.
    trusted_proxies: frozenset[str] = frozenset()

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a log line."""
        values = (self.sender_hash_key, *self.encryption_keys, self.metrics_token, self.engine_token, self.rest_token)
        if self.twilio is not None:
            values += (self.twilio.auth_token,)
        return tuple(v for v in values if v)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        routing_url = env.get("TIPLINE_ROUTING_URL", "http://127.0.0.1:8080").rstrip("/")
        return cls(
            sender_hash_key=_required(env, "TIPLINE_SENDER_HASH_KEY"),
            encryption_keys=tuple(k.strip() for k in _required(env, "TIPLINE_ENCRYPTION_KEYS").split(",") if k.strip()),
            public_info_url=env.get("TIPLINE_PUBLIC_INFO_URL") or routing_url + "/public/jurisdiction",
            twilio=_twilio(env),
            redis_url=env.get("TIPLINE_REDIS_URL") or None,
            flood=FloodLimits(
                per_sender=_positive_int(env, "TIPLINE_FLOOD_PER_SENDER", 10),
                per_sender_window=float(_positive_int(env, "TIPLINE_FLOOD_PER_SENDER_SECONDS", 60)),
                overall=_positive_int(env, "TIPLINE_FLOOD_OVERALL", 20),
                overall_window=float(_positive_int(env, "TIPLINE_FLOOD_OVERALL_SECONDS", 1)),
                waiting_turns=_positive_int(env, "TIPLINE_FLOOD_WAITING_TURNS", 100),
                sessions_per_address=_positive_int(env, "TIPLINE_WEBCHAT_SESSIONS_PER_ADDRESS", 10),
                sessions_per_address_window=float(
                    _positive_int(env, "TIPLINE_WEBCHAT_SESSIONS_PER_ADDRESS_SECONDS", 600)
                ),
            ),
            reply_window=float(_positive_int(env, "TIPLINE_SMS_REPLY_WINDOW_SECONDS", 3600)),
            quick_exit_url=_url(env, "TIPLINE_QUICK_EXIT_URL", "https://www.google.com/"),
            log_format=_choice(env, "TIPLINE_LOG_FORMAT", LOG_FORMATS),
            metrics_token=env.get("TIPLINE_METRICS_TOKEN", "").strip() or None,
            engine_token=env.get("TIPLINE_ENGINE_TOKEN", "").strip() or None,
            rest_token=env.get("TIPLINE_REST_TOKEN", "").strip() or None,
            trusted_proxies=_addresses(env, "TIPLINE_TRUSTED_PROXIES"),
        )


def _twilio(env: Mapping[str, str]) -> TwilioSettings | None:
    names = ("TIPLINE_TWILIO_ACCOUNT_SID", "TIPLINE_TWILIO_AUTH_TOKEN", "TIPLINE_PUBLIC_URL")
    given = [name for name in names if env.get(name, "").strip()]
    if not given:
        return None
    missing = [name for name in names if name not in given]
    if missing:
        raise SettingsError(f"SMS needs {', '.join(names)}; {', '.join(missing)} not set")
    account_sid = env["TIPLINE_TWILIO_ACCOUNT_SID"].strip()
    if not ACCOUNT_SID.match(account_sid):
        raise SettingsError("TIPLINE_TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits")
    sender = env.get("TIPLINE_TWILIO_NUMBER", "").strip() or env.get("TIPLINE_TWILIO_MESSAGING_SERVICE_SID", "").strip()
    if not sender:
        raise SettingsError("SMS needs TIPLINE_TWILIO_NUMBER (+1...) or TIPLINE_TWILIO_MESSAGING_SERVICE_SID (MG...)")
    if not (sender.startswith("+") or MESSAGING_SERVICE_SID.match(sender)):
        raise SettingsError(f"TIPLINE_TWILIO_NUMBER must be in E.164 form (+15550123), not {sender!r}")
    return TwilioSettings(
        account_sid=account_sid,
        auth_token=env["TIPLINE_TWILIO_AUTH_TOKEN"].strip(),
        sender=sender,
        public_url=_url(env, "TIPLINE_PUBLIC_URL", "").rstrip("/"),
        api_url=_url(env, "TIPLINE_TWILIO_API_URL", TWILIO_API_URL).rstrip("/"),
    )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set (make run generates development secrets in var/secrets.sh)")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, not {value!r}")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _addresses(env: Mapping[str, str], name: str) -> frozenset[str]:
    """A comma-separated list of IP addresses, each written as Python writes it (as peers are compared)."""
    addresses = set()
    for raw in env.get(name, "").split(","):
        if raw.strip():
            try:
                addresses.add(str(ipaddress.ip_address(raw.strip())))
            except ValueError:
                raise SettingsError(f"{name} must list IP addresses separated by commas, not {raw.strip()!r}") from None
    return frozenset(addresses)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise SettingsError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)
