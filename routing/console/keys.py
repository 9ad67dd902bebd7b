"""Typed keys of the console sub-application and of its requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from routing.accounts import Session
from routing.throttle import FailureLimit


@dataclass(frozen=True)
class ConsoleConfig:
    session_key: bytes  # keys the stored digests of session tokens
    secure_cookies: bool  # behind https: cookies only ever travel encrypted
    vendor_assets: Path  # npm packages the pages use (Chart.js), installed by the Makefile


CONFIG = web.AppKey("console_config", ConsoleConfig)
CLOSING = web.AppKey("console_closing", asyncio.Event)  # set on shutdown: live-update streams end
LOGIN_FAILURES = web.AppKey("console_login_failures", FailureLimit)  # failed sign-ins per client address
SESSION = web.RequestKey("console_session", Session)
