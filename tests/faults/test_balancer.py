"""haproxy.cfg itself, with small stand-in servers for the engines and action servers: each
conversation stays on one replica (REST by `sender`, Twilio by `From`, web chat by cookie), and a
replica that is gone is skipped."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from asyncio.subprocess import DEVNULL
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")


def stand_in(name: str) -> web.Application:
    """Answers every request with its own name (and 200 on the health check paths)."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text=name)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


@dataclass
class Balanced:
    url: str
    actions_url: str
    runners: dict[str, web.AppRunner]


@pytest_asyncio.fixture(loop_scope="session")
async def balanced() -> AsyncIterator[Balanced]:
    if shutil.which("haproxy") is None:
        raise RuntimeError("haproxy is missing: run 'make haproxy'")
    ports = {name: free_port() for name in ("engine", "engine1", "engine2", "actions", "actions1", "actions2")}
    runners = {}
    for name in ("engine1", "engine2", "actions1", "actions2"):
        runners[name] = web.AppRunner(stand_in(name))
        await runners[name].setup()
        await web.TCPSite(runners[name], "127.0.0.1", ports[name]).start()
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "TIPLINE_BALANCER_HOST": "127.0.0.1",
        **{f"TIPLINE_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    haproxy = await asyncio.create_subprocess_exec(
        "haproxy", "-db", "-f", "haproxy.cfg", cwd=ROOT, env=env, stdout=DEVNULL, stderr=DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{ports['engine']}"
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(url + "/") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield Balanced(url, f"http://127.0.0.1:{ports['actions']}", runners)
    finally:
        haproxy.terminate()
        await haproxy.wait()
        for runner in runners.values():
            await runner.cleanup()


async def served_by(session: aiohttp.ClientSession, url: str, **kwargs: object) -> str:
    async with session.post(url, **kwargs) as response:  # type: ignore[arg-type]
        assert response.status == 200
        return await response.text()


async def test_each_sender_and_each_phone_stays_on_one_replica(balanced: Balanced) -> None:
    rest, sms = balanced.url + "/webhooks/rest/webhook", balanced.url + "/webhooks/twilio/webhook"
    async with aiohttp.ClientSession() as session:
        by_sender = {
            sender: {await served_by(session, rest, json={"sender": sender, "message": f"turn {i}"}) for i in range(5)}
            for sender in (f"resident-{n}" for n in range(12))
        }
        by_phone = {
            phone: {await served_by(session, sms, data={"From": phone, "Body": f"turn {i}"}) for i in range(5)}
            for phone in (f"+155501{n:02d}" for n in range(12))
        }
    assert all(len(replicas) == 1 for replicas in (*by_sender.values(), *by_phone.values()))
    # Hashing spreads conversations over both replicas.
    assert set().union(*by_sender.values()) == {"engine1", "engine2"}
    assert set().union(*by_phone.values()) == {"engine1", "engine2"}


async def test_web_chat_stays_where_its_cookie_says(balanced: Balanced) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:  # keeps cookies of an IP
        first = await served_by(browser, balanced.url + "/socket.io/?EIO=4&transport=polling")
        again = {await served_by(browser, balanced.url + "/socket.io/?EIO=4&transport=polling") for _ in range(5)}
    assert again == {first}


async def test_action_calls_alternate_and_skip_a_replica_that_is_gone(balanced: Balanced) -> None:
    async with aiohttp.ClientSession() as session:
        served = [await served_by(session, balanced.actions_url + "/webhook", json={}) for _ in range(4)]
        assert set(served) == {"actions1", "actions2"}
        await balanced.runners["actions1"].cleanup()  # gone: refused connections, then failed checks
        served = [await served_by(session, balanced.actions_url + "/webhook", json={}) for _ in range(6)]
    assert set(served) == {"actions2"}
