"""python -m routing serve|worker|migrate|check|sandbox|create-user|purge|rotate-keys: start-up problems
are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import sys
import threading
from pathlib import Path

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from routing.accounts import ROLES, AccountError
from routing.jurisdiction import Jurisdiction, JurisdictionError, check_retention
from routing.jurisdiction import load as load_jurisdiction
from routing.settings import (
    PROJECT_ROOT,
    Settings,
    SettingsError,
    database_url_from_env,
    log_format_from_env,
    masked,
    sync_url,
)
from telemetry import logs

log = logging.getLogger("routing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m routing", description="Tipline routing service")
    parser.add_argument(
        "command",
        choices=("serve", "worker", "migrate", "check", "sandbox", "create-user", "purge", "rotate-keys"),
        nargs="?",
        default="serve",
    )
    account = parser.add_argument_group("create-user (a console account; the first one is an admin)")
    account.add_argument("--username")
    account.add_argument("--name", default="", help="the name shown in the console")
    account.add_argument("--role", default="admin", choices=ROLES)
    account.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    try:
        logs.configure(log_format_from_env())
        logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines drown the one that matters
        if args.command == "migrate":
            migrate(database_url_from_env())
            return 0
        settings = Settings.from_env()
        logs.configure(settings.log_format, settings.secrets)
        if args.command == "sandbox":
            sandbox(settings)
            return 0
        jurisdiction = check(settings)
        if args.command == "serve":
            serve(settings, jurisdiction)
        elif args.command == "worker":
            asyncio.run(work(settings, jurisdiction))
        elif args.command == "create-user":
            create_user(settings, jurisdiction, args)
        elif args.command == "purge":
            asyncio.run(purge(settings, jurisdiction))
        elif args.command == "rotate-keys":
            asyncio.run(rotate_keys(settings, jurisdiction))
        return 0
    except (SettingsError, JurisdictionError, AccountError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def migrate(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import SQLAlchemyError

    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    try:
        command.upgrade(config, "head")
    except SQLAlchemyError as e:
        raise SettingsError(
            f"cannot migrate the database at {masked(database_url)}: {_first_line(e)}; check DATABASE_URL"
        ) from None


def check(settings: Settings) -> Jurisdiction:
    """The jurisdiction file is valid and deliverable, the database answers and is migrated."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path, settings.delivery_secrets)
    try:
        check_retention(jurisdiction, settings.retention.days())
    except JurisdictionError as e:
        raise JurisdictionError(f"{settings.jurisdiction_path}: {e}") from None
    check_delivery_settings(settings, jurisdiction)
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(sync_url(settings.database_url))
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as e:
        raise SettingsError(
            f"cannot connect to the database at {masked(settings.database_url)}: {_first_line(e)}; check DATABASE_URL"
        ) from None
    finally:
        engine.dispose()
    head = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()
    if current != head:
        raise SettingsError(
            f"the database at {masked(settings.database_url)} is at revision {current} but the code needs {head}; "
            "run 'make db' (python -m routing migrate)"
        )
    return jurisdiction


def check_delivery_settings(settings: Settings, jurisdiction: Jurisdiction) -> None:
    """A target the jurisdiction uses but nothing can send to would silently lose tips."""
    where = settings.jurisdiction_path
    if jurisdiction.uses("email") and not settings.smtp_url:
        raise SettingsError(f"{where} sends e-mail but TIPLINE_SMTP_URL is not set (e.g. smtp://mail.example:587)")
    twilio = settings.twilio_account_sid and settings.twilio_auth_token
    if jurisdiction.uses("sms") and not twilio and not settings.delivery_sandbox:
        raise SettingsError(
            f"{where} sends SMS but TIPLINE_TWILIO_ACCOUNT_SID and TIPLINE_TWILIO_AUTH_TOKEN are not both set"
        )


def serve(settings: Settings, jurisdiction: Jurisdiction) -> None:
    import socket

    from aiohttp import web

    from routing.app import create_app

    # Claim the port before the app starts its workers, so a port in use stops everything at once.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise SettingsError(
                f"port {settings.port} is already in use; stop what uses it or set TIPLINE_ROUTING_PORT"
            ) from None
        raise
    web.run_app(create_app(settings, jurisdiction), sock=sock, print=None, access_log_class=AccessLog)


class AccessLog(AbstractAccessLogger):
    """One line per request without the query string: acknowledgement links carry their token there."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %s %.1f ms", request.remote, request.method, request.path, response.status, time * 1000
        )


async def work(settings: Settings, jurisdiction: Jurisdiction) -> None:
    """Outbox workers without the HTTP service: more delivery capacity beside `serve`."""
    import aiohttp

    from routing.app import build_context, build_senders
    from routing.worker import Links, Worker

    ctx, engine = build_context(settings, jurisdiction)
    links = Links(settings.public_url, settings.signing_secret)
    async with aiohttp.ClientSession() as session:
        senders = build_senders(settings, jurisdiction, session)
        workers = [Worker(ctx, senders, settings.outbox, links) for _ in range(max(1, settings.outbox.workers))]
        try:
            await asyncio.gather(*(w.run() for w in workers))
        finally:
            await engine.dispose()


async def purge(settings: Settings, jurisdiction: Jurisdiction) -> None:
    """One retention purge now (what `serve` runs every TIPLINE_RETENTION_INTERVAL_SECONDS)."""
    from dataclasses import asdict

    from routing.app import build_context
    from routing.retention import purge as purge_now

    ctx, engine = build_context(settings, jurisdiction)
    try:
        purged = await purge_now(ctx, settings.retention)
    finally:
        await engine.dispose()
    print("purged: " + ", ".join(f"{k} {v}" for k, v in asdict(purged).items()))


async def rotate_keys(settings: Settings, jurisdiction: Jurisdiction) -> None:
    """Re-encrypt every encrypted column with the first key of TIPLINE_ENCRYPTION_KEYS (README, key rotation)."""
    from routing.app import build_context
    from routing.key_rotation import rotate_keys as rotate_now

    ctx, engine = build_context(settings, jurisdiction)
    try:
        done = await rotate_now(ctx)
    finally:
        await engine.dispose()
    print(
        "re-encrypted with the newest key: "
        + ", ".join(f"{name} {count}" for name, count in done.rotated.items())
        + f"; already on it: {done.current}"
    )
    if done.unreadable:
        where = ", ".join(f"{name} {count}" for name, count in done.unreadable.items())
        raise SettingsError(
            f"values no key in TIPLINE_ENCRYPTION_KEYS can read ({where}): add back the key that encrypted "
            "them (after the newest) and run rotate-keys again before retiring any key"
        )


def sandbox(settings: Settings) -> None:
    """The development receiver at TIPLINE_DELIVERY_SANDBOX, with SMTP at TIPLINE_SMTP_URL's port."""
    from urllib.parse import urlsplit

    from routing.sandbox import run

    if not settings.delivery_sandbox:
        # Still a process of the Procfile, where any exit stops everything: stay up, idle.
        print("development receiver off (TIPLINE_DELIVERY_SANDBOX is empty): deliveries go to the real addresses")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
        return
    if not settings.smtp_url:
        raise SettingsError("the development receiver needs TIPLINE_SMTP_URL (e.g. smtp://127.0.0.1:8025)")
    http_port = urlsplit(settings.delivery_sandbox).port or 80
    smtp_port = urlsplit(settings.smtp_url).port or 25
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(http_port, smtp_port, settings.delivery_secrets))


def create_user(settings: Settings, jurisdiction: Jurisdiction, args: argparse.Namespace) -> None:
    from routing.console import commands

    if not args.username:
        raise AccountError("create-user needs --username")
    password = commands.read_password(args.password_stdin)
    staff = commands.create_user(settings, jurisdiction, args.username, args.name, args.role, password)
    print(f"created {staff.role} {staff.username!r}; sign in at {settings.public_url}/console/")


def _first_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None) or e
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


if __name__ == "__main__":
    sys.exit(main())
