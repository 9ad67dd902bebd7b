"""The public Report a concern page and a whole web chat conversation, in Debian's headless Chromium."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from tests.e2e.answers import REFERENCE, question_in
from tests.support.browser import ARTIFACTS, axe_violations, chromium, local_context, serious
from tests.support.stack import Stack

FIXTURE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "public_jurisdiction.json").read_text())
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as running:
        yield running


async def bot_messages(page: Page) -> list[str]:
    # Each message starts with who speaks ("Tipline: "): the label has no colon, the message may.
    return [t.split(":", 1)[-1].strip() for t in await page.locator("#messages .from-bot").all_inner_texts()]


async def wait_for_bot(page: Page, more_than: int, settle: float = 1.5) -> list[str]:
    """The bot's messages once there are more than `more_than` and no new one came for `settle` seconds."""
    await page.wait_for_function(
        "n => document.querySelectorAll('#messages .from-bot').length > n", arg=more_than, timeout=60_000
    )
    seen = -1
    while True:
        messages = await bot_messages(page)
        if len(messages) == seen:
            return messages
        seen = len(messages)
        await asyncio.sleep(settle)


@pytest.mark.parametrize("language", ["en", "es"])
async def test_the_page_shows_the_jurisdictions_information_and_passes_axe(
    stack: Stack, browser: Browser, language: str
) -> None:
    context, offsite = await local_context(browser, bypass_csp=True, **PHONE)
    page = await context.new_page()
    response = await page.goto(f"{stack.engine_url}/report/?lang={language}")
    assert response is not None and response.ok
    assert "default-src 'self'" in response.headers["content-security-policy"]

    assert await page.locator("html").get_attribute("lang") == language
    banner = page.locator(".danger-banner")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("911")
    await expect(page.locator("#quick-exit")).to_be_visible()
    for sign in FIXTURE["warning_signs"][language]:
        await expect(page.locator(".signs")).to_contain_text(sign)
    await expect(page.locator(".ways")).to_contain_text("988")
    await expect(page.locator(".ways")).to_contain_text("tips.fbi.gov")
    await expect(page.locator(".ways")).to_contain_text(FIXTURE["state_tipline"]["name"])
    await expect(page.locator("main")).to_contain_text(FIXTURE["coverage"]["message"][language])
    await expect(page.locator("#message")).to_be_enabled(timeout=30_000)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"report-page-{language}-phone.png"), full_page=True)
    problems = serious(await axe_violations(page))
    assert not problems, problems
    assert await context.cookies() == [], "the page and the chat need no cookies"
    assert offsite.urls == [], "nothing may be loaded from elsewhere"
    await context.close()


async def test_the_page_works_with_the_keyboard_alone(stack: Stack, browser: Browser) -> None:
    context, _ = await local_context(browser)
    page = await context.new_page()
    await page.goto(f"{stack.engine_url}/report/")
    await expect(page.locator("#message")).to_be_enabled(timeout=30_000)
    await page.keyboard.press("Tab")
    await expect(page.locator(".skip-link")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.locator(".call-911")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.locator("#quick-exit")).to_be_focused()
    await page.locator("#message").focus()
    await page.keyboard.type("hi")
    greeted = len(await bot_messages(page))
    await page.keyboard.press("Enter")
    await expect(page.locator("#messages .from-me")).to_have_text(re.compile("hi$"))
    await wait_for_bot(page, greeted)
    await context.close()


async def test_a_whole_report_by_web_chat_ends_with_a_reference(stack: Stack, browser: Browser) -> None:
    context, offsite = await local_context(browser, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.engine_url}/report/")
    await expect(page.locator("#message")).to_be_enabled(timeout=30_000)
    before = len(await wait_for_bot(page, 0))  # the coverage notice and the greeting

    async def say(text: str) -> list[str]:
        nonlocal before
        await page.fill("#message", text)
        await page.click("#send")
        messages = await wait_for_bot(page, before)
        new, before = messages[before:], len(messages)
        return new

    replies = await say("my coworker said he is going to shoot everyone at work tomorrow")
    assert "911" in replies[0], "an emergency's very first reply sends the resident to 911"
    answers = {"where": "the warehouse on 5th street", "when": "tomorrow morning", "hurt": "no", "anonymous": "no"}
    for _ in range(8):
        if any(REFERENCE.search(r) for r in replies):
            break
        replies = await say(answers.get(question_in(replies) or "", "skip"))
    assert any(REFERENCE.search(r) for r in replies), replies

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "webchat-conversation.png"), full_page=True)
    assert offsite.urls == []

    # The conversation was kept under the page's session id, with only the page language as metadata.
    session_id = await page.evaluate("sessionStorage.getItem('tipline-session')")
    tracker_url = f"{stack.engine_url}/conversations/{session_id}/tracker"
    async with (
        aiohttp.ClientSession() as session,
        session.get(tracker_url, params={"token": stack.env["TIPLINE_ENGINE_TOKEN"]}) as response,
    ):
        tracker = await response.json()
    user_events = [e for e in tracker["events"] if e["event"] == "user"]
    rasas_own = {"model_id", "assistant_id"}
    assert user_events
    assert all(
        {k: v for k, v in e["metadata"].items() if k not in rasas_own} == {"language": "en"} for e in user_events
    )
    assert {e["input_channel"] for e in user_events} == {"webchat"}
    await context.close()


async def test_quick_exit_leaves_for_a_neutral_site_and_forgets_the_conversation(
    stack: Stack, browser: Browser
) -> None:
    context, offsite = await local_context(browser)
    page = await context.new_page()
    await page.goto(f"{stack.engine_url}/report/")
    await expect(page.locator("#message")).to_be_enabled(timeout=30_000)
    assert await page.evaluate("sessionStorage.getItem('tipline-session')")
    await page.click("#quick-exit")
    await page.wait_for_timeout(1000)
    assert offsite.urls and offsite.urls[0].startswith("https://www.google.com/")
    assert not page.url.startswith(stack.engine_url + "/report")
    await context.close()


async def test_the_embed_snippet_opens_the_page_in_a_dialog(
    stack: Stack, browser: Browser, aiohttp_server: Callable[[web.Application], Awaitable[TestServer]]
) -> None:
    snippet = f'<script src="{stack.engine_url}/report/embed.js" data-lang="es" async></script>'
    city = web.Application()
    city_page = f"<!doctype html><html lang='en'><title>City</title><body><h1>City</h1>{snippet}</body></html>"
    city.router.add_get("/", lambda _: web.Response(text=city_page, content_type="text/html"))
    server = await aiohttp_server(city)

    context, offsite = await local_context(browser)
    page = await context.new_page()
    await page.goto(str(server.make_url("/")))
    await page.get_by_role("button", name="Reportar una preocupación").click()
    frame = page.frame_locator("dialog iframe")
    await expect(frame.locator("h1")).to_contain_text("Reportar una preocupación")
    await expect(frame.locator("#message")).to_be_enabled(timeout=30_000)
    assert offsite.urls == []
    await context.close()
