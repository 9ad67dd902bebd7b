"""The routing service on a free port and Debian's Chromium driven by Playwright, in one event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright

from routing.app import create_app
from routing.keys import CONTEXT
from routing.settings import PROJECT_ROOT, Settings
from tests.support.routing import example_jurisdiction, make_settings, sqlite_database

SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The alarm's sound may start without a click, as it would once the dispatcher clicked anything.
    "--autoplay-policy=no-user-gesture-required",
]

AiohttpServer = Callable[..., Awaitable[TestServer]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(sqlite_database(tmp_path))


@pytest.fixture
async def server(aiohttp_server: AiohttpServer, settings: Settings) -> TestServer:
    app: web.Application = create_app(settings, example_jurisdiction())
    return await aiohttp_server(app, host="127.0.0.1")


@pytest.fixture
def ctx(server: TestServer) -> Any:
    return server.app[CONTEXT]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser, server: TestServer) -> AsyncIterator[Page]:
    """A page that fails the test on any script error and on any request that leaves this machine."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} for {r.url}") if r.status >= 400 else None)
    page.on(
        "request",
        lambda r: None if r.url.startswith(str(server.make_url("/"))) else problems.append(f"outside request: {r.url}"),
    )
    yield page
    await context.close()
    assert not problems, problems


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)
