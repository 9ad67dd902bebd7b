"""Typed application keys: what create_app puts on the app for handlers to use."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from routing.crypto import Vault
from routing.settings import Settings
from routing.store.uow import UnitOfWork

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
VAULT = web.AppKey("vault", Vault)
NEW_UOW: web.AppKey[Callable[[], UnitOfWork]] = web.AppKey("new_uow")
