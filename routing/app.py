"""create_app(settings): the one place that wires the routing service together."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator

from aiohttp import web

from routing import api
from routing.bell import Bell
from routing.crypto import Vault
from routing.jurisdiction import Jurisdiction
from routing.keys import CONTEXT, ENGINE, JURISDICTION, OUTBOX_BELL, SETTINGS, THROTTLE
from routing.service import Context
from routing.settings import Settings
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork
from routing.throttle import FailureThrottle

# Tips are text; 1 MiB is far above the longest real report and caps abuse.
MAX_REQUEST_BYTES = 1024 * 1024


def link_key(settings: Settings) -> bytes:
    """The key of related-tip digests, derived so it needs no setting of its own."""
    return hmac.new(settings.signing_secret.encode(), b"tipline related-tip keys", hashlib.sha256).digest()


def create_app(settings: Settings, jurisdiction: Jurisdiction) -> web.Application:
    app = web.Application(middlewares=[api.error_middleware, api.auth_middleware], client_max_size=MAX_REQUEST_BYTES)
    app[SETTINGS] = settings
    app[OUTBOX_BELL] = Bell()
    app[THROTTLE] = FailureThrottle()
    app[JURISDICTION] = jurisdiction
    app.cleanup_ctx.append(_database)
    app.add_routes(api.routes())
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    app[ENGINE] = engine
    app[CONTEXT] = Context(
        new_uow=lambda: UnitOfWork(engine),
        vault=Vault(settings.encryption_keys),
        jurisdiction=app[JURISDICTION],
        link_key=link_key(settings),
    )
    yield
    await engine.dispose()
