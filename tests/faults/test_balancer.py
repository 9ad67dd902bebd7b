"""haproxy.cfg itself, with small stand-in servers for the engines and action servers: each
conversation stays on one replica (REST by `sender`, Twilio by `From`, web chat by cookie), a
replica that is gone is skipped, and the public port passes only the public paths."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from asyncio.subprocess import STDOUT
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from tests.support.stack import ROOT, free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")


def stand_in(name: str) -> web.Application:
    """Answers every request with its own name (and 200 on the health check paths), and shows the
    X-Forwarded-For it was sent."""

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        forwarded = ", ".join(request.headers.getall("X-Forwarded-For", []))  # the balancer may add a header line
        return web.Response(text=name, headers={"X-Seen-Forwarded-For": forwarded})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


@dataclass
class Balanced:
    url: str
    actions_url: str
    runners: dict[str, web.AppRunner]
    log: Path  # the balancer's output: its request log


@pytest_asyncio.fixture(loop_scope="session")
async def balanced(tmp_path: Path) -> AsyncIterator[Balanced]:
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
    log = tmp_path / "balancer.log"
    with log.open("wb") as out:
        haproxy = await asyncio.create_subprocess_exec(
            "haproxy", "-db", "-f", "haproxy.cfg", cwd=ROOT, env=env, stdout=out, stderr=STDOUT
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
        yield Balanced(url, f"http://127.0.0.1:{ports['actions']}", runners, log)
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


async def test_the_engines_learn_the_clients_address_last_in_x_forwarded_for(balanced: Balanced) -> None:
    """The engines believe only the last entry (bot/flood.py, client_address): the one the balancer appends."""
    async with aiohttp.ClientSession() as browser:
        for claimed, seen in [(None, "127.0.0.1"), ("198.51.100.1", "198.51.100.1, 127.0.0.1")]:
            headers = {"X-Forwarded-For": claimed} if claimed else {}
            async with browser.get(balanced.url + "/report/", headers=headers) as response:
                assert response.headers["X-Seen-Forwarded-For"] == seen


async def test_action_calls_alternate_and_skip_a_replica_that_is_gone(balanced: Balanced) -> None:
    async with aiohttp.ClientSession() as session:
        served = [await served_by(session, balanced.actions_url + "/webhook", json={}) for _ in range(4)]
        assert set(served) == {"actions1", "actions2"}
        await balanced.runners["actions1"].cleanup()  # gone: refused connections, then failed checks
        served = [await served_by(session, balanced.actions_url + "/webhook", json={}) for _ in range(6)]
    assert set(served) == {"actions2"}


# Rasa's HTTP API and the engine's /metrics: only on a replica's own port, never on the public one.
PRIVATE = [
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("POST", "/model/train"),
    ("GET", "/conversations/someone/tracker"),
    ("POST", "/conversations/someone/tracker/events"),
    ("POST", "/conversations/someone/trigger_intent"),
    ("GET", "/metrics"),
    ("GET", "/webhooks/rest/"),
    ("GET", "/webhooks/socketio/"),
    ("GET", "/Status"),
    ("GET", "/report/../status"),
    ("GET", "/reportx"),
]
PUBLIC = [
    ("GET", "/"),
    ("GET", "/report/"),
    ("GET", "/report/assets/chat.js"),
    ("GET", "/report/embed.js"),
    ("GET", "/socket.io/?EIO=4&transport=polling"),
    ("POST", "/webhooks/rest/webhook"),
    ("POST", "/webhooks/twilio/webhook"),
    ("POST", "/webhooks/twilio/status"),
]


async def test_the_public_port_passes_only_the_public_paths(balanced: Balanced) -> None:
    async with aiohttp.ClientSession() as session:
        for method, path in PRIVATE:
            async with session.request(method, balanced.url + path, json={}) as response:
                assert response.status == 404, f"{method} {path} reached a replica"
                assert await response.text() not in ("engine1", "engine2"), f"{method} {path}"
        for method, path in PUBLIC:
            async with session.request(method, balanced.url + path, json={"sender": "x"}) as response:
                assert response.status == 200, f"{method} {path}"
                assert await response.text() in ("engine1", "engine2")
                assert response.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_a_token_in_a_url_never_reaches_the_balancers_log(balanced: Balanced) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/report/?token=SECRET-IN-A-PAGE-URL", "/status?token=SECRET-IN-AN-API-URL"):
            async with session.get(balanced.url + path) as response:
                await response.read()
    await asyncio.sleep(0.5)  # the log line is written once the request is done
    log = balanced.log.read_text()
    assert "GET /report/" in log and "GET /status" in log  # the requests are logged ...
    assert "SECRET" not in log  # ... without their query strings
