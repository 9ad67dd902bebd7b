"""create_console(settings): the dispatch console as a sub-application of the routing service.

Its cookies, CSRF checks and HTML error pages apply to its own routes only; the intake API keeps
its JSON errors and bearer token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from routing.accounts import LOCKOUT, MAX_FAILED_LOGINS_PER_ADDRESS
from routing.console import middlewares
from routing.console.keys import CLOSING, CONFIG, LOGIN_FAILURES, ConsoleConfig
from routing.console.routes import routes
from routing.settings import Settings, SettingsError
from routing.summary import category_label
from routing.throttle import FailureLimit

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "node_modules"
# What the pages load from npm packages: (URL under /console/static/vendor/, file in node_modules).
VENDOR_FILES = {"chart.umd.min.js": "chart.js/dist/chart.umd.min.js"}


class AssetsMissing(SettingsError):
    """The console's npm packages are not installed (`make setup` installs them)."""


def session_key(settings: Settings) -> bytes:
    """The key of stored session digests, derived so it needs no setting of its own."""
    return hmac.new(settings.signing_secret.encode(), b"tipline console sessions", hashlib.sha256).digest()


def create_console(settings: Settings, timezone: str, vendor: Path = VENDOR) -> web.Application:
    missing = [f for f in VENDOR_FILES.values() if not (vendor / f).is_file()]
    if missing:
        raise AssetsMissing(f"the console's assets are not installed ({vendor / missing[0]}); run 'make setup'")
    console = web.Application(
        middlewares=[
            middlewares.error_pages,
            middlewares.sign_in,
            middlewares.csrf_protect,
        ]
    )
    console[CONFIG] = ConsoleConfig(
        session_key=session_key(settings),
        secure_cookies=settings.public_url.startswith("https://"),
        vendor_assets=vendor,
    )
    console[CLOSING] = asyncio.Event()
    console[LOGIN_FAILURES] = FailureLimit(MAX_FAILED_LOGINS_PER_ADDRESS, LOCKOUT.total_seconds())
    zone = ZoneInfo(timezone)
    filters: dict[str, Callable[..., str]] = {
        "local": lambda moment: _local(moment, zone),
        "age": _age,
        "minutes": _minutes,
        "phone": phone_number,
        "category": category_label,
    }
    templates = aiohttp_jinja2.setup(
        console,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        filters=filters,
    )
    templates.policies["json.dumps_kwargs"] = {"sort_keys": False}  # charts keep the order of the figures
    console.add_routes(routes())
    console.router.add_static("/static/", HERE / "static")
    for url, file in VENDOR_FILES.items():
        console.router.add_get(f"/static/vendor/{url}", _file(vendor / file))
    console.on_shutdown.append(_close_streams)
    return console


def _file(path: Path) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def handler(request: web.Request) -> web.FileResponse:
        return web.FileResponse(path)

    return handler


async def _close_streams(console: web.Application) -> None:
    """Live-update streams never end by themselves: end them so shutdown need not wait them out."""
    console[CLOSING].set()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite keeps UTC without a zone


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _age(moment: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - _aware(moment)).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d"


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} d {minutes % 1440 // 60} h"


def phone_number(raw: str) -> str:
    """A North American number grouped as people read it (+1 555 010 0199); others as given."""
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10:
        return f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if len(digits) == 7:
        return f"{digits[:3]}-{digits[3:]}"
    return raw
