"""The dispatch console in headless Chromium: the dispatcher's path through a tip, the alarm, charts."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, expect

from routing import accounts
from routing.settings import Settings
from tests.browser.conftest import screenshot
from tests.support.console import PASSWORD
from tests.support.routing import tip_payload


async def submit(server: TestServer, settings: Settings, **overrides: Any) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.make_url("/api/v1/tips"),
            json=tip_payload(**overrides),
            headers={"Authorization": f"Bearer {settings.intake_secret}"},
        ) as response,
    ):
        assert response.status == 201
        return str((await response.json())["reference"])


async def log_in(page: Page, server: TestServer, username: str) -> None:
    await page.goto(str(server.make_url("/console/")))
    await expect(page.get_by_role("heading", name="Tipline console")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()


async def test_login_queue_tip_acknowledge_and_disposition(
    page: Page, server: TestServer, settings: Settings, ctx: Any
) -> None:
    await accounts.create_user(ctx, "dana", "Dana Example", "dispatcher", PASSWORD, actor="test")
    await submit(server, settings, triage={"urgency": "routine", "category": "wellness_concern"})
    reference = await submit(server, settings)
    await page.goto(str(server.make_url("/console/login")))
    await screenshot(page, "1-login")
    await log_in(page, server, "dana")
    rows = page.locator("#queue-rows tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text(reference)  # the emergency comes first
    await expect(page.locator("#alarm")).to_be_visible()
    await screenshot(page, "2-queue")

    await page.get_by_role("link", name=reference).first.click()
    await expect(page.get_by_role("heading", name=f"emergency {reference}")).to_be_visible()
    await expect(page.locator(".explanation")).to_have_text("Stated intent to shoot coworkers tomorrow.")
    await screenshot(page, "3-tip")

    await page.get_by_role("button", name="Acknowledge for 911").click()
    await expect(page.get_by_role("status")).to_contain_text("Acknowledged.")
    await expect(page.locator("#tip-status")).to_have_text("acknowledged")
    await expect(page.locator("#alarm")).to_be_hidden()

    form = page.locator("form[action$='/disposition']")
    await form.get_by_label("Disposition").select_option("valid")
    await form.get_by_label("Outcome").fill("Deputies spoke with the coworker; no weapon at work.")
    unfiled = form.get_by_label("Close without the FBI filing")
    if await unfiled.count():  # the worker may have queued the FBI packet for filing meanwhile
        await unfiled.check()
    await form.get_by_role("button", name="Record disposition").click()
    await expect(page.locator("#tip-status")).to_have_text("closed")
    await expect(page.get_by_text("Deputies spoke with the coworker; no weapon at work.")).to_be_visible()
    await expect(page.locator(".timeline")).to_contain_text("disposition recorded by Dana Example")
    await screenshot(page, "4-closed")


async def test_an_emergency_raises_the_alarm_live_until_acknowledged(
    page: Page, server: TestServer, settings: Settings, ctx: Any
) -> None:
    await accounts.create_user(ctx, "dana", "Dana Example", "dispatcher", PASSWORD, actor="test")
    await log_in(page, server, "dana")
    await expect(page.locator("#live-status")).to_have_text("live")
    await expect(page.locator("#alarm")).to_be_hidden()

    reference = await submit(server, settings)  # arrives while the queue is open
    await expect(page.locator("#alarm")).to_be_visible(timeout=5000)
    await expect(page.locator("#alarm-newest")).to_have_text(reference)
    await expect(page.locator("#alarm-count")).to_have_text("1")
    await expect(page.locator("#alarm-announce")).to_have_text(f"New emergency: {reference}")
    await expect(page.locator("#queue-rows tr.alarming")).to_contain_text(reference)
    await expect(page.locator("#queue-count")).to_have_text("1 tip")
    await expect(page.locator("html")).to_have_attribute("data-alarm-sound", "playing")
    await screenshot(page, "5-alarm")

    await page.locator("#alarm-newest").click()
    await page.get_by_role("button", name="Acknowledge for 911").click()
    await expect(page.locator("#alarm")).to_be_hidden()
    await expect(page.locator("html")).to_have_attribute("data-alarm", "off")


async def test_statistics_draw_their_charts_and_admin_pages_render(
    page: Page, server: TestServer, settings: Settings, ctx: Any
) -> None:
    await accounts.create_user(ctx, "root", "Robin Admin", "admin", PASSWORD, actor="test")
    await accounts.create_user(ctx, "ana", "Ana Analyst", "analyst", PASSWORD, actor="test")
    for urgency, category in (("emergency", "threat_to_others"), ("urgent", "self_harm"), ("routine", "gun_diversion")):
        await submit(server, settings, triage={"urgency": urgency, "category": category})
    await log_in(page, server, "root")
    await page.get_by_role("link", name="Statistics").click()
    await expect(page.locator("html")).to_have_attribute("data-charts", "drawn")
    await expect(page.locator("canvas")).to_have_count(5)
    await screenshot(page, "6-statistics")
    await page.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("cell", name="ana", exact=True)).to_be_visible()
    await screenshot(page, "7-users")
    await page.get_by_role("link", name="Jurisdiction").click()
    await expect(page.get_by_text("The file on disk passes validation")).to_be_visible()
    await screenshot(page, "8-jurisdiction")
