"""create_app(settings): the one place that wires the routing service together."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from routing import api
from routing.bell import Bell
from routing.console.app import create_console
from routing.crypto import Vault
from routing.destinations.base import Senders
from routing.destinations.email import EmailSender
from routing.destinations.sms import SmsSender
from routing.destinations.webhook import WebhookSender
from routing.headers import security_headers
from routing.jurisdiction import Jurisdiction
from routing.keys import CONTEXT, CONVERSATION_FAILURES, ENGINE, JURISDICTION, OUTBOX_BELL, REFERENCE_FAILURES, SETTINGS
from routing.retention import run_periodically
from routing.service import Context
from routing.settings import Settings
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork
from routing.throttle import FailureLimit
from routing.worker import Links, Worker

log = logging.getLogger(__name__)

# Tips are text; 1 MiB is far above the longest real report and caps abuse.
MAX_REQUEST_BYTES = 1024 * 1024


def link_key(settings: Settings) -> bytes:
    """The key of related-tip digests, derived so it needs no setting of its own."""
    return hmac.new(settings.signing_secret.encode(), b"tipline related-tip keys", hashlib.sha256).digest()


def create_app(settings: Settings, jurisdiction: Jurisdiction) -> web.Application:
    app = web.Application(
        middlewares=[security_headers(settings.production), api.error_middleware, api.auth_middleware],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[SETTINGS] = settings
    app[OUTBOX_BELL] = Bell()
    app[CONVERSATION_FAILURES] = FailureLimit(api.WRONG_LOOKUPS_PER_CONVERSATION)
    app[REFERENCE_FAILURES] = FailureLimit(api.WRONG_LOOKUPS_PER_REFERENCE)
    app[JURISDICTION] = jurisdiction
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_workers)
    app.cleanup_ctx.append(_retention)
    app.add_routes(api.routes())
    app.add_subapp("/console/", create_console(settings, jurisdiction.timezone))
    return app


SANDBOX_ACCOUNT_SID = "AC" + "0" * 32  # the sandbox answers any account


def build_senders(settings: Settings, jurisdiction: Jurisdiction, session: aiohttp.ClientSession) -> Senders:
    """The real senders; with TIPLINE_DELIVERY_SANDBOX, webhooks and SMS go to that local receiver."""
    sandbox = settings.delivery_sandbox
    webhook = WebhookSender(
        session,
        settings.delivery_secrets,
        rewrite=(lambda url: f"{sandbox}/webhook") if sandbox else (lambda url: url),
    )
    email = EmailSender(settings.smtp_url or "smtp://127.0.0.1:25", jurisdiction.sending.email_from)
    # Development needs no Twilio credentials: the sandbox receives SMS.
    sms = SmsSender(
        settings.twilio_account_sid or (SANDBOX_ACCOUNT_SID if sandbox else ""),
        settings.twilio_auth_token or ("sandbox" if sandbox else ""),
        jurisdiction.sending.sms_from,
        api_url=sandbox or settings.twilio_api_url,
    )
    return Senders(webhook=webhook, email=email, sms=sms)


def build_worker(app: web.Application, senders: Senders) -> Worker:
    settings = app[SETTINGS]
    return Worker(
        app[CONTEXT], senders, settings.outbox, Links(settings.public_url, settings.signing_secret), app[OUTBOX_BELL]
    )


async def _workers(app: web.Application) -> AsyncIterator[None]:
    """The outbox workers run as tasks of the service: started with it, cancelled and awaited on shutdown."""
    settings = app[SETTINGS]
    if settings.delivery_sandbox:
        log.warning(
            "deliveries go to the development receiver at %s, not to the real addresses", settings.delivery_sandbox
        )
    async with aiohttp.ClientSession() as session:
        senders = build_senders(settings, app[JURISDICTION], session)
        workers = [build_worker(app, senders) for _ in range(settings.outbox.workers)]
        tasks = [asyncio.create_task(w.run()) for w in workers]
        yield
        # Let each worker finish its round (a cancelled send would only be sent again later),
        # within the lease; cancel what is still running after that.
        for worker in workers:
            worker.stop()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=settings.outbox.lease_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert isinstance(senders.sms, SmsSender)
        await senders.sms.close()


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """The periodic retention purge, unless TIPLINE_RETENTION_INTERVAL_SECONDS=0 leaves it to a command."""
    settings = app[SETTINGS]
    if not settings.retention.interval_seconds:
        yield
        return
    task = asyncio.create_task(run_periodically(app[CONTEXT], settings.retention))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def build_context(settings: Settings, jurisdiction: Jurisdiction) -> tuple[Context, AsyncEngine]:
    engine = create_engine(settings.database_url)
    ctx = Context(
        new_uow=lambda: UnitOfWork(engine),
        vault=Vault(settings.encryption_keys),
        jurisdiction=jurisdiction,
        link_key=link_key(settings),
    )
    return ctx, engine


async def _database(app: web.Application) -> AsyncIterator[None]:
    app[CONTEXT], app[ENGINE] = build_context(app[SETTINGS], app[JURISDICTION])
    yield
    await app[ENGINE].dispose()
