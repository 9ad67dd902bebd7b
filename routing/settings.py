"""Environment -> frozen Settings, read once at start-up and checked there.

Nothing else in routing/ reads os.environ. Every problem is reported as a SettingsError whose
message is one line that says what is wrong and what to do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tipline.db'}"
DEFAULT_JURISDICTION = PROJECT_ROOT / "jurisdictions" / "example-county.yml"


class SettingsError(Exception):
    """A setting is missing or invalid; the message is meant for the operator as it is."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    jurisdiction_path: Path
    intake_secret: str
    encryption_keys: tuple[str, ...]
    signing_secret: str
    host: str = "127.0.0.1"
    port: int = 8080

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=database_url_from_env(env),
            jurisdiction_path=Path(env.get("TIPLINE_JURISDICTION") or DEFAULT_JURISDICTION),
            intake_secret=_required(env, "TIPLINE_INTAKE_SECRET"),
            encryption_keys=tuple(k.strip() for k in _required(env, "TIPLINE_ENCRYPTION_KEYS").split(",") if k.strip()),
            signing_secret=_required(env, "TIPLINE_SIGNING_SECRET"),
            host=env.get("TIPLINE_ROUTING_HOST", "127.0.0.1"),
            port=_port(env, "TIPLINE_ROUTING_PORT", 8080),
        )


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL, checked; SQLite under var/ when unset."""
    env = os.environ if environ is None else environ
    raw = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(
            f"DATABASE_URL is not a database URL: {raw!r} "
            "(expected e.g. postgresql://user@127.0.0.1:5432/tipline or sqlite:///var/tipline.db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"DATABASE_URL names an unsupported database {url.get_backend_name()!r}; "
            "use postgresql://... or sqlite:///..."
        )
    return raw


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
