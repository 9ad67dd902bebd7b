"""Headless Chromium from Debian's `chromium` package, driven by Playwright (no browser download)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Flags that work as root in this sandbox (see pitfalls.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "var" / "test-artifacts"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():  # noqa: ASYNC240 - one stat before a browser starts
        raise RuntimeError("no /usr/bin/chromium: run 'make test-web' (it installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class OffsiteRequests:
    """Aborts and records every request that leaves this machine: the page must need nothing from elsewhere."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def __call__(self, route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            self.urls.append(route.request.url)
            await route.abort()


async def local_context(browser: Browser, **options: Any) -> tuple[BrowserContext, OffsiteRequests]:
    context = await browser.new_context(**options)
    offsite = OffsiteRequests()
    await context.route("**/*", offsite)
    return context, offsite


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core (from npm, web/node_modules) run inside the page against WCAG 2.1 A and AA."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return list(result["violations"])


def serious(violations: list[dict[str, Any]]) -> str:
    """The serious and critical violations, readable in an assertion message ('' when there are none)."""
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    return json.dumps(found, indent=1) if found else ""
