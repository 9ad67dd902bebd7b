"""A busy shift in headless Chromium, on a desk screen (1440x900) and a phone (390x844): the newest
emergency on the first screen, the facts of a tip above the fold, no sideways scrolling, the
alarm's pause and its one announcement, and axe-core's WCAG 2.1 AA check on every kind of page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from routing import accounts
from routing.domain import new_reference
from routing.settings import Settings, sync_url
from routing.store.tables import tips
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.test_console_browser import log_in, submit
from tests.support.browser import axe_violations, serious
from tests.support.console import PASSWORD

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])


@pytest.fixture
async def open_page(browser: Browser, server: TestServer) -> AsyncIterator[Any]:
    """Pages at a chosen viewport that fail the test on a script error or an offsite request."""
    problems: list[str] = []
    contexts = []

    async def make(viewport: dict[str, int], bypass_csp: bool = False) -> Page:
        # axe-core is added to the page as a script of its own: only its check lifts the CSP
        context = await browser.new_context(viewport=viewport, bypass_csp=bypass_csp)  # type: ignore[arg-type]
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on(
            "request",
            lambda r: None if r.url.startswith(str(server.make_url("/"))) else problems.append(f"outside: {r.url}"),
        )
        return page

    yield make
    for context in contexts:
        await context.close()
    assert not problems, problems


def store_emergencies(settings: Settings, count: int) -> list[str]:
    """`count` open emergencies nobody acknowledged, one a minute apart; the last is the newest."""
    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        at = now - timedelta(minutes=count - i)
        text = f"shift tip {i}: a man with a gun outside the example school"
        rows.append(
            {
                "reference": new_reference(),
                "conversation_id": f"shift-{i}",
                "pin_encrypted": "x",
                "status": "delivered",
                "channel": "sms",
                "language": "en",
                "category": "threat_to_others",
                "urgency": "emergency",
                "destinations": ["911"],
                "triage": {"category": "threat_to_others", "urgency": "emergency", "explanation": text},
                "text": text,
                "answers": {"where": "the example school"},
                "transcript": [],
                "anonymous": True,
                "reported_at": at,
                "created_at": at,
                "updated_at": at,
                "jurisdiction": "example-county",
            }
        )
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        conn.execute(sa.insert(tips), rows)
    engine.dispose()
    return [str(r["reference"]) for r in rows]


async def no_sideways_scroll(page: Page) -> None:
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} scrolls sideways by {wide} px"


async def within_first_screen(page: Page, selector: str, height: int) -> None:
    # Measured in one step in the page: a live refresh may replace the rows between two steps.
    box = await page.evaluate(
        "(s) => { const e = document.querySelector(s); if (!e) return null;"
        " const r = e.getBoundingClientRect(); return {y: r.top + window.scrollY, height: r.height}; }",
        selector,
    )
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} ends at {box['y'] + box['height']} px"


@VIEWPORTS
async def test_with_60_open_emergencies_the_newest_is_on_the_first_screen(
    open_page: Any, server: TestServer, settings: Settings, ctx: Any, viewport: dict[str, int]
) -> None:
    await accounts.create_user(ctx, "dana", "Dana Example", "dispatcher", PASSWORD, actor="test")
    references = store_emergencies(settings, 60)
    page = await open_page(viewport)
    await log_in(page, server, "dana")
    newest = page.locator(f'#queue-rows tr[data-reference="{references[-1]}"]')
    await expect(newest).to_be_visible()
    await expect(page.locator("#queue-rows tr").first).to_have_attribute("data-reference", references[-1])
    await within_first_screen(page, f'#queue-rows tr[data-reference="{references[-1]}"]', viewport["height"])
    await expect(page.locator("#alarm-count")).to_have_text("60")
    await expect(page.locator("#alarm-newest")).to_have_text(references[-1])
    await no_sideways_scroll(page)
    await screenshot(page, f"shift-queue-{viewport['width']}")
    await page.screenshot(path=str(SCREENSHOTS / f"console-shift-queue-{viewport['width']}-first-screen.png"))


@VIEWPORTS
async def test_the_tip_page_shows_what_where_when_and_weapon_above_the_fold(
    open_page: Any, server: TestServer, settings: Settings, ctx: Any, viewport: dict[str, int]
) -> None:
    await accounts.create_user(ctx, "dana", "Dana Example", "dispatcher", PASSWORD, actor="test")
    reference = await submit(
        server,
        settings,
        answers={
            "where": "the warehouse on 5th street, loading dock B",
            "when": "tomorrow at the 7 am shift change",
            "weapons": "a rifle in his truck",
            "who": "a coworker",
            "imminent": "yes",
            "happening_now": True,
        },
    )
    page = await open_page(viewport)
    await log_in(page, server, "dana")
    await page.goto(str(server.make_url(f"/console/tips/{reference}")))
    await expect(page.locator("#fact-where")).to_have_text("the warehouse on 5th street, loading dock B")
    for fact in ("#fact-what", "#fact-where", "#fact-when", "#fact-weapon"):
        await within_first_screen(page, fact, 900)
    await expect(page.locator("#fact-reporter")).to_contain_text("cannot be contacted")
    await no_sideways_scroll(page)
    await screenshot(page, f"shift-tip-{viewport['width']}")
    await page.screenshot(path=str(SCREENSHOTS / f"console-shift-tip-{viewport['width']}-first-screen.png"))


async def test_the_alarm_pauses_its_sound_keeps_its_count_and_announces_each_emergency_once(
    open_page: Any, server: TestServer, settings: Settings, ctx: Any
) -> None:
    await accounts.create_user(ctx, "dana", "Dana Example", "dispatcher", PASSWORD, actor="test")
    page = await open_page(DESK)
    await log_in(page, server, "dana")
    await expect(page.locator("#live-status")).to_have_text("live")
    reference = await submit(server, settings)
    await expect(page.locator("#alarm-announce")).to_have_text(f"New emergency: {reference}", timeout=5000)
    await expect(page.locator("html")).to_have_attribute("data-alarm-sound", "playing")
    await page.get_by_role("button", name="Pause sound 5 min").click()
    await expect(page.locator("html")).to_have_attribute("data-alarm-sound", "paused")
    await expect(page.locator("#alarm-count")).to_have_text("1")
    await expect(page.locator("#alarm-paused")).to_contain_text("sound paused until")
    await page.reload()  # a refresh announces nothing again, and the pause holds
    await expect(page.locator("#alarm-count")).to_have_text("1")
    await expect(page.locator("html")).to_have_attribute("data-alarm-sound", "paused")
    await expect(page.locator("#alarm-announce")).to_have_text("")


async def test_queue_tip_statistics_and_admin_pages_have_no_serious_accessibility_violation(
    open_page: Any, server: TestServer, settings: Settings, ctx: Any
) -> None:
    await accounts.create_user(ctx, "root", "Robin Admin", "admin", PASSWORD, actor="test")
    reference = await submit(server, settings)
    await submit(server, settings, triage={"urgency": "urgent", "category": "self_harm"})
    page = await open_page(DESK, bypass_csp=True)
    await log_in(page, server, "root")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    found = {}
    for path in (
        "/console/",
        f"/console/tips/{reference}",
        "/console/stats",
        "/console/admin/users",
        "/console/admin/jurisdiction",
        "/console/admin/dead-letters",
    ):
        await page.goto(str(server.make_url(path)))
        if path == "/console/stats":
            await expect(page.locator("html")).to_have_attribute("data-charts", "drawn")
        problems = serious(await axe_violations(page))
        if problems:
            found[path] = problems
    assert not found, found
