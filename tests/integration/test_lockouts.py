"""Limits on guessing, against the real app: wrong reference/PIN tries lock only the conversation
(and a reference tried from many), wrong passwords lock the account even when sent at once, and
one address cannot try many usernames."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import aiohttp
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.accounts import MAX_FAILED_LOGINS_PER_ADDRESS
from routing.api import WRONG_LOOKUPS_PER_CONVERSATION, WRONG_LOOKUPS_PER_REFERENCE
from routing.app import create_app
from routing.settings import Settings, sync_url
from routing.store.tables import staff_users
from tests.integration.conftest import AiohttpClient
from tests.support.console import PASSWORD, add_user, csrf_of
from tests.support.routing import example_jurisdiction, make_settings, tip_payload

# Before the change every lookup counted against the action server's address and a locked one
# waited up to 30 s: a lookup that must not be held back is given less than that.
QUICK = aiohttp.ClientTimeout(total=5)


async def lookup(client: TestClient, conversation: str, reference: str, pin: str) -> int:
    body = {"reference": reference, "pin": pin, "conversation_id": conversation}
    response = await client.post("/api/v1/tips/status", json=body, timeout=QUICK)
    return response.status


async def new_tip(client: TestClient) -> tuple[str, str]:
    receipt = await (await client.post("/api/v1/tips", json=tip_payload())).json()
    return receipt["reference"], receipt["pin"]


def wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


async def test_one_conversations_wrong_tries_do_not_lock_out_another(client: TestClient) -> None:
    reference, pin = await new_tip(client)
    guesses = [await lookup(client, "guesser:1", f"TL-0000-{n:04d}", "123456") for n in range(8)]
    assert guesses == [404] * WRONG_LOOKUPS_PER_CONVERSATION + [429] * (8 - WRONG_LOOKUPS_PER_CONVERSATION)
    assert await lookup(client, "guesser:1", reference, pin) == 429  # refused, even with the right PIN
    assert await lookup(client, "guesser:2", reference, pin) == 429  # a new session of the same sender too
    assert await lookup(client, "resident:1", reference, pin) == 200
    added = {"reference": reference, "pin": pin, "text": "The car is blue.", "conversation_id": "resident:1"}
    assert (await client.post("/api/v1/tips/information", json=added, timeout=QUICK)).status == 201


async def test_a_reference_tried_from_many_conversations_is_locked(client: TestClient) -> None:
    reference, pin = await new_tip(client)
    other_reference, other_pin = await new_tip(client)
    for n in range(WRONG_LOOKUPS_PER_REFERENCE):
        assert await lookup(client, f"guesser-{n}:1", reference, wrong(pin)) == 404
    response = await client.post(
        "/api/v1/tips/status", json={"reference": reference, "pin": pin, "conversation_id": "resident:1"}, timeout=QUICK
    )
    assert response.status == 429
    assert 0 < int(response.headers["Retry-After"]) <= 900
    assert (await response.json())["error"]["code"] == "too_many_failures"
    assert await lookup(client, "resident:1", other_reference, other_pin) == 200  # other tips are not locked


async def test_a_success_clears_the_conversations_count(client: TestClient) -> None:
    reference, pin = await new_tip(client)
    for _ in range(3):
        for _ in range(WRONG_LOOKUPS_PER_CONVERSATION - 1):
            assert await lookup(client, "resident:1", reference, wrong(pin)) == 404
        assert await lookup(client, "resident:1", reference, pin) == 200


async def test_lookups_name_their_conversation(client: TestClient) -> None:
    reference, pin = await new_tip(client)
    response = await client.post("/api/v1/tips/status", json={"reference": reference, "pin": pin})
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "conversation_id"


# --- signing in to the console --------------------------------------------------------------------


def locked_until(settings: Settings, username: str) -> datetime | None:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        value = conn.scalar(sa.select(staff_users.c.locked_until).where(staff_users.c.username == username))
    engine.dispose()
    return None if value is None else value.replace(tzinfo=UTC)


def end_lock(settings: Settings, username: str) -> None:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(seconds=1)
        conn.execute(sa.update(staff_users).where(staff_users.c.username == username).values(locked_until=past))
    engine.dispose()


class Browser:
    """A browser of its own, from a loopback address of its own (127.0.0.0/8 all reaches this host)."""

    def __init__(self, client: TestClient, address: str) -> None:
        self.client = client
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(address, 0)), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        self.csrf = ""

    async def open_sign_in(self) -> None:
        async with self.session.get(self.client.make_url("/console/login")) as page:
            self.csrf = csrf_of(await page.text())

    async def sign_in(self, username: str, password: str) -> int:
        form = {"username": username, "password": password, "csrf_token": self.csrf}
        url = self.client.make_url("/console/login")
        async with self.session.post(url, data=form, allow_redirects=False) as response:
            return response.status

    async def close(self) -> None:
        await self.session.close()


async def test_wrong_passwords_sent_at_once_lock_the_account(aiohttp_client: AiohttpClient, database_url: str) -> None:
    settings = make_settings(database_url)
    client = await aiohttp_client(create_app(settings, example_jurisdiction()))
    await add_user(client, "dana", "dispatcher")
    attacker, dana = Browser(client, "127.0.0.2"), Browser(client, "127.0.0.3")
    try:
        await attacker.open_sign_in()
        answers = await asyncio.gather(*(attacker.sign_in("dana", f"guess number {n:02d}") for n in range(40)))
        assert set(answers) <= {401, 429} and 401 in answers
        assert (locked_until(settings, "dana") or datetime.min.replace(tzinfo=UTC)) > datetime.now(UTC)
        await dana.open_sign_in()
        assert await dana.sign_in("dana", PASSWORD) == 401  # locked, from any address
        end_lock(settings, "dana")
        assert await dana.sign_in("dana", PASSWORD) == 303
    finally:
        await attacker.close()
        await dana.close()


async def test_one_address_cannot_try_many_usernames(client: TestClient) -> None:
    await add_user(client, "dana", "dispatcher")
    attacker, colleague = Browser(client, "127.0.0.2"), Browser(client, "127.0.0.3")
    try:
        await attacker.open_sign_in()
        for n in range(MAX_FAILED_LOGINS_PER_ADDRESS):
            assert await attacker.sign_in(f"user{n}", "not the password") == 401
        assert await attacker.sign_in("dana", PASSWORD) == 429  # refused without a look at the password
        await colleague.open_sign_in()
        assert await colleague.sign_in("dana", PASSWORD) == 303  # other addresses sign in as before
    finally:
        await attacker.close()
        await colleague.close()
