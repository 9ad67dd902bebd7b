"""Typed application keys: what create_app puts on the app for handlers to use."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from routing.bell import Bell
from routing.jurisdiction import Jurisdiction
from routing.service import Context
from routing.settings import Settings
from routing.throttle import FailureLimit

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
JURISDICTION = web.AppKey("jurisdiction", Jurisdiction)
CONTEXT = web.AppKey("context", Context)
OUTBOX_BELL = web.AppKey("outbox_bell", Bell)
# Wrong reference/PIN tries of the lookups the action server makes (docs/intake-api.md).
CONVERSATION_FAILURES = web.AppKey("conversation_failures", FailureLimit)
REFERENCE_FAILURES = web.AppKey("reference_failures", FailureLimit)
