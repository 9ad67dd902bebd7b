"""Environment -> frozen Settings, read once at start-up and checked there.

Nothing else in routing/ reads os.environ. Every problem is reported as a SettingsError whose
message is one line that says what is wrong and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tipline.db'}"
DEFAULT_JURISDICTION = PROJECT_ROOT / "jurisdictions" / "example-county.yml"
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is meant for the operator as it is."""


@dataclass(frozen=True)
class OutboxSettings:
    """How the outbox workers retry; the defaults suit production, tests shorten them."""

    workers: int = 1  # delivery loops inside `serve`; 0 leaves delivery to `python -m routing worker`
    poll_seconds: float = 1.0
    lease_seconds: float = 60.0  # longer than any adapter's timeout
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 60.0
    max_attempts: int = 15
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 15.0
    # A report the resident stops answering is filed as incomplete after this long (a
    # jurisdiction's `report_idle_seconds` overrides it).
    report_idle_seconds: float = 600.0


@dataclass(frozen=True)
class RetentionSettings:
    """How long each kind of data is kept; None keeps it. Tips count from when they were closed
    (their latest disposition), so nothing of an open tip is ever purged."""

    contacts_days: float | None = 30  # the reporter's contact details, after the tip is closed
    transcripts_days: float | None = 90  # the conversation transcript, after the tip is closed
    closed_tips_days: float | None = 3 * 365  # the whole tip, after it is closed; the audit log stays
    trackers_days: float | None = 30  # Rasa's tracker store, after a conversation's last event
    # Free text in the audit log: reopen reasons (once the tip is closed again, or deleted) and the
    # names typed at failed sign-ins (often a password typed in the wrong box), after they were written.
    audit_text_days: float | None = 30
    tracker_store_url: str | None = None  # Rasa's SQL tracker store (production); None: nothing to purge there
    interval_seconds: float = 3600.0  # how often `serve` purges; 0 leaves it to `python -m routing purge`

    def days(self) -> dict[str, float | None]:
        """The periods residents are told about (the privacy answers' placeholders)."""
        return {
            "contacts_days": self.contacts_days,
            "transcripts_days": self.transcripts_days,
            "closed_tips_days": self.closed_tips_days,
        }


@dataclass(frozen=True)
class Settings:
    database_url: str
    jurisdiction_path: Path
    intake_secret: str
    encryption_keys: tuple[str, ...]
    signing_secret: str
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    # Production mode (Procfile.prod): the public URL must be https, and pages send HSTS.
    production: bool = False
    # TIPLINE_SECRET_* variables: the keys the jurisdiction file names for signing webhooks.
    delivery_secrets: Mapping[str, str] = field(default_factory=dict)
    smtp_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_url: str | None = None  # Twilio's own when unset; a local server in tests
    # Development: webhooks and SMS go to this local receiver instead of the real addresses.
    delivery_sandbox: str | None = None
    outbox: OutboxSettings = OutboxSettings()
    log_format: str = "text"
    metrics_token: str | None = None  # /metrics is off without it
    retention: RetentionSettings = RetentionSettings()

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a log line."""
        values = (
            self.intake_secret,
            self.signing_secret,
            *self.encryption_keys,
            *self.delivery_secrets.values(),
            self.twilio_auth_token,
            self.metrics_token,
            make_url(self.database_url).password,
        )
        return tuple(str(v) for v in values if v)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        port = _port(env, "TIPLINE_ROUTING_PORT", 8080)
        defaults = OutboxSettings()
        public_url = _url(env, "TIPLINE_PUBLIC_URL", f"http://127.0.0.1:{port}")
        production = _production(env)
        if production and not public_url.startswith("https://"):
            # Console cookies are Secure only behind https; acknowledgement links carry a token.
            raise SettingsError(f"production mode needs an https TIPLINE_PUBLIC_URL, not {public_url!r}")
        return cls(
            database_url=database_url_from_env(env),
            jurisdiction_path=Path(env.get("TIPLINE_JURISDICTION") or DEFAULT_JURISDICTION),
            intake_secret=_required(env, "TIPLINE_INTAKE_SECRET"),
            encryption_keys=tuple(k.strip() for k in _required(env, "TIPLINE_ENCRYPTION_KEYS").split(",") if k.strip()),
            signing_secret=_required(env, "TIPLINE_SIGNING_SECRET"),
            host=env.get("TIPLINE_ROUTING_HOST", "127.0.0.1"),
            port=port,
            public_url=public_url,
            production=production,
            delivery_secrets={k: v for k, v in env.items() if k.startswith("TIPLINE_SECRET_") and v},
            smtp_url=env.get("TIPLINE_SMTP_URL") or None,
            twilio_account_sid=env.get("TIPLINE_TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TIPLINE_TWILIO_AUTH_TOKEN") or None,
            twilio_api_url=_url(env, "TIPLINE_TWILIO_API_URL", "") or None,
            delivery_sandbox=_url(env, "TIPLINE_DELIVERY_SANDBOX", "") or None,
            outbox=OutboxSettings(
                workers=_int(env, "TIPLINE_OUTBOX_WORKERS", defaults.workers),
                poll_seconds=_seconds(env, "TIPLINE_OUTBOX_POLL_SECONDS", defaults.poll_seconds),
                lease_seconds=_seconds(env, "TIPLINE_OUTBOX_LEASE_SECONDS", defaults.lease_seconds),
                retry_base_seconds=_seconds(env, "TIPLINE_RETRY_BASE_SECONDS", defaults.retry_base_seconds),
                retry_cap_seconds=_seconds(env, "TIPLINE_RETRY_CAP_SECONDS", defaults.retry_cap_seconds),
                max_attempts=_int(env, "TIPLINE_RETRY_MAX_ATTEMPTS", defaults.max_attempts),
                breaker_failures=_int(env, "TIPLINE_BREAKER_FAILURES", defaults.breaker_failures),
                breaker_cooldown_seconds=_seconds(
                    env, "TIPLINE_BREAKER_COOLDOWN_SECONDS", defaults.breaker_cooldown_seconds
                ),
                report_idle_seconds=_seconds(env, "TIPLINE_REPORT_IDLE_SECONDS", defaults.report_idle_seconds),
            ),
            log_format=log_format_from_env(env),
            metrics_token=env.get("TIPLINE_METRICS_TOKEN", "").strip() or None,
            retention=_retention(env),
        )


def database_url_from_env(environ: Mapping[str, str] | None = None, name: str = "DATABASE_URL") -> str:
    """DATABASE_URL (or another variable holding a database URL), checked; SQLite under var/ when unset."""
    env = os.environ if environ is None else environ
    raw = env.get(name) or DEFAULT_DATABASE_URL
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(
            f"{name} is not a database URL: {raw!r} "
            "(expected e.g. postgresql://user@127.0.0.1:5432/tipline or sqlite:///var/tipline.db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"{name} names an unsupported database {url.get_backend_name()!r}; use postgresql://... or sqlite:///..."
        )
    return raw


def log_format_from_env(environ: Mapping[str, str] | None = None) -> str:
    """TIPLINE_LOG_FORMAT: text (the default, for people) or json (one object per line, for collectors)."""
    env = os.environ if environ is None else environ
    value = env.get("TIPLINE_LOG_FORMAT", "").strip() or "text"
    if value not in LOG_FORMATS:
        raise SettingsError(f"TIPLINE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value


def async_url(database_url: str) -> URL:
    """The URL with the async driver the service uses (aiosqlite or psycopg)."""
    url = make_url(database_url)
    driver = "aiosqlite" if url.get_backend_name() == "sqlite" else "psycopg"
    return url.set(drivername=f"{url.get_backend_name()}+{driver}")


def sync_url(database_url: str) -> URL:
    """The URL with the blocking driver Alembic uses (sqlite3 or psycopg)."""
    url = make_url(database_url)
    driver = "pysqlite" if url.get_backend_name() == "sqlite" else "psycopg"
    return url.set(drivername=f"{url.get_backend_name()}+{driver}")


def masked(database_url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(database_url).render_as_string(hide_password=True)


def _production(env: Mapping[str, str]) -> bool:
    """TIPLINE_PRODUCTION: 1 in production mode (Procfile.prod sets it), unset or 0 otherwise."""
    value = env.get("TIPLINE_PRODUCTION", "").strip() or "0"
    if value not in ("0", "1"):
        raise SettingsError(f"TIPLINE_PRODUCTION must be 1 or 0, not {value!r}")
    return value == "1"


def _retention(env: Mapping[str, str]) -> RetentionSettings:
    defaults = RetentionSettings()
    tracker_store = env.get("TIPLINE_TRACKER_STORE_URL", "").strip() or None
    if tracker_store is not None:
        database_url_from_env(env, "TIPLINE_TRACKER_STORE_URL")
    interval = env.get("TIPLINE_RETENTION_INTERVAL_SECONDS", "").strip()
    return RetentionSettings(
        contacts_days=_days(env, "TIPLINE_RETAIN_CONTACTS_DAYS", defaults.contacts_days),
        transcripts_days=_days(env, "TIPLINE_RETAIN_TRANSCRIPTS_DAYS", defaults.transcripts_days),
        closed_tips_days=_days(env, "TIPLINE_RETAIN_CLOSED_TIPS_DAYS", defaults.closed_tips_days),
        trackers_days=_days(env, "TIPLINE_RETAIN_TRACKERS_DAYS", defaults.trackers_days),
        audit_text_days=_days(env, "TIPLINE_RETAIN_AUDIT_TEXT_DAYS", defaults.audit_text_days),
        tracker_store_url=tracker_store,
        interval_seconds=0.0
        if interval == "0"
        else _seconds(env, "TIPLINE_RETENTION_INTERVAL_SECONDS", defaults.interval_seconds),
    )


def _days(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    """A number of days (0 purges as soon as the job runs), or `never`."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw == "never":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise SettingsError(f"{name} must be a number of days or 'never', not {raw!r}")
    return value


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set (make run generates development secrets in var/secrets.sh)")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number between 1 and 65535, not {raw!r}")
    return int(raw)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SettingsError(f"{name} must be a positive number of seconds, not {raw!r}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, default).rstrip("/")
    if raw and not raw.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, not {raw!r}")
    return raw
