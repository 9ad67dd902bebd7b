"""python -m routing serve|worker|migrate|check|sandbox: start-up problems are one line and a
non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import sys
from pathlib import Path

from routing.jurisdiction import Jurisdiction, JurisdictionError
from routing.jurisdiction import load as load_jurisdiction
from routing.settings import PROJECT_ROOT, Settings, SettingsError, database_url_from_env, masked, sync_url

log = logging.getLogger("routing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m routing", description="Tipline routing service")
    parser.add_argument(
        "command", choices=("serve", "worker", "migrate", "check", "sandbox"), nargs="?", default="serve"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines drown the one that matters
    try:
        if args.command == "migrate":
            migrate(database_url_from_env())
            return 0
        settings = Settings.from_env()
        if args.command == "sandbox":
            sandbox(settings)
            return 0
        jurisdiction = check(settings)
        if args.command == "serve":
            serve(settings, jurisdiction)
        elif args.command == "worker":
            asyncio.run(work(settings, jurisdiction))
        return 0
    except (SettingsError, JurisdictionError) as e:
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
    if jurisdiction.uses("sms") and not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise SettingsError(
            f"{where} sends SMS but TIPLINE_TWILIO_ACCOUNT_SID and TIPLINE_TWILIO_AUTH_TOKEN are not both set"
        )


def serve(settings: Settings, jurisdiction: Jurisdiction) -> None:
    from aiohttp import web

    from routing.app import create_app

    try:
        web.run_app(create_app(settings, jurisdiction), host=settings.host, port=settings.port, print=None)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise SettingsError(
                f"port {settings.port} is already in use; stop what uses it or set TIPLINE_ROUTING_PORT"
            ) from None
        raise


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


def sandbox(settings: Settings) -> None:
    """The development receiver at TIPLINE_DELIVERY_SANDBOX, with SMTP at TIPLINE_SMTP_URL's port."""
    from urllib.parse import urlsplit

    from routing.sandbox import run

    if not settings.delivery_sandbox or not settings.smtp_url:
        raise SettingsError("the development receiver needs TIPLINE_DELIVERY_SANDBOX and TIPLINE_SMTP_URL")
    http_port = urlsplit(settings.delivery_sandbox).port or 80
    smtp_port = urlsplit(settings.smtp_url).port or 25
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(http_port, smtp_port, settings.delivery_secrets))


def _first_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None) or e
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


if __name__ == "__main__":
    sys.exit(main())
