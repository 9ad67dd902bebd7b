"""Production mode's public port (the balancer), probed as an outsider would: the REST channel only
with its token, none of Rasa's HTTP API, CORS only for the public page's own origin, HSTS."""

from __future__ import annotations

import aiohttp
import pytest

from tests.support.client import Resident
from tests.support.production import ProductionStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

FOREIGN_ORIGIN = "https://attacker.example.com"


async def test_the_rest_channel_answers_only_its_bearer_token(stack: ProductionStack) -> None:
    url = stack.engine_url + "/webhooks/rest/webhook"
    message = {"sender": "probe-no-token", "message": "there is a fire at the school"}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Authorization": stack.rest_token}):
            async with session.post(url, json=message, headers=headers) as response:
                assert response.status == 401, headers
        # The engine's admin token is not the REST channel's.
        engine_token = {"Authorization": f"Bearer {stack.env['TIPLINE_ENGINE_TOKEN']}"}
        async with session.post(url, json=message, headers=engine_token) as response:
            assert response.status == 401
    assert await Resident(stack.engine_url, token=stack.rest_token).says("hello")


async def test_rasas_http_api_is_not_on_the_public_port(stack: ProductionStack) -> None:
    token = {"token": stack.env["TIPLINE_ENGINE_TOKEN"]}  # even with the engine's admin token
    replica = f"http://127.0.0.1:{stack.env['TIPLINE_ENGINE1_PORT']}"
    async with aiohttp.ClientSession() as session:
        # On a replica's own port the API is there (with its token), so a 404 below is the balancer's.
        async with session.get(replica + "/status", params=token) as response:
            assert response.status == 200
        probes = [
            ("GET", "/status"),
            ("GET", "/version"),
            ("GET", "/domain"),
            ("POST", "/model/parse"),
            ("GET", "/conversations/probe/tracker"),
            ("POST", "/conversations/probe/tracker/events"),
            ("GET", "/metrics"),
        ]
        for method, path in probes:
            async with session.request(method, stack.engine_url + path, params=token, json={"text": "hi"}) as response:
                assert response.status == 404, f"{method} {path}"
        # What residents use is still there.
        async with session.get(stack.engine_url + "/report/") as response:
            assert response.status == 200
            assert response.headers["Strict-Transport-Security"].startswith("max-age=")


async def preflight(session: aiohttp.ClientSession, url: str, origin: str) -> aiohttp.ClientResponse:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    async with session.options(url, headers=headers) as response:
        await response.read()
        return response


async def test_cors_only_for_the_public_pages_own_origin(stack: ProductionStack) -> None:
    url = stack.engine_url + "/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as session:
        foreign = await preflight(session, url, FOREIGN_ORIGIN)
        assert "Access-Control-Allow-Origin" not in foreign.headers
        own = await preflight(session, url, stack.public_origin)
        assert own.headers.get("Access-Control-Allow-Origin") == stack.public_origin
        # A simple request from a foreign page: its script may not read the answer.
        message = {"sender": "probe-cors", "message": "hello"}
        headers = {"Origin": FOREIGN_ORIGIN, "Authorization": f"Bearer {stack.rest_token}"}
        async with session.post(url, json=message, headers=headers) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


async def test_the_routing_service_sends_hsts_in_production(stack: ProductionStack) -> None:
    async with aiohttp.ClientSession() as session, session.get(stack.routing_url + "/console/login") as response:
        assert response.status == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Secure" in response.headers["Set-Cookie"]
