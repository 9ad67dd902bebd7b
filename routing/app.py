"""create_app(settings): the one place that wires the routing service together."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import create_async_engine

from routing import api
from routing.crypto import Vault
from routing.keys import ENGINE, NEW_UOW, SETTINGS, VAULT
from routing.settings import Settings, async_url
from routing.store.uow import UnitOfWork

# Tips are text; 1 MiB is far above the longest real report and caps abuse.
MAX_REQUEST_BYTES = 1024 * 1024


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[api.error_middleware, api.auth_middleware], client_max_size=MAX_REQUEST_BYTES)
    app[SETTINGS] = settings
    app[VAULT] = Vault(settings.encryption_keys)
    app.cleanup_ctx.append(_database)
    app.add_routes(api.routes())
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = create_async_engine(async_url(app[SETTINGS].database_url), pool_pre_ping=True)
    app[ENGINE] = engine
    app[NEW_UOW] = lambda: UnitOfWork(engine)
    yield
    await engine.dispose()
