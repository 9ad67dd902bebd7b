"""Production mode's https public URL and HSTS, and the console's security headers on every page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient

from routing.app import create_app
from routing.settings import Settings, SettingsError
from routing.signing import ack_token
from tests.security.conftest import AiohttpClient
from tests.support.production import procfile
from tests.support.routing import example_jurisdiction

PAGE_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
REQUIRED = {
    "TIPLINE_INTAKE_SECRET": "intake",
    "TIPLINE_ENCRYPTION_KEYS": "a-key",
    "TIPLINE_SIGNING_SECRET": "signing",
}


def test_production_mode_will_not_start_without_an_https_public_url() -> None:
    production = {**REQUIRED, "TIPLINE_PRODUCTION": "1"}
    for public_url in (None, "http://tips.example.org", "http://127.0.0.1:8080"):
        env = production if public_url is None else {**production, "TIPLINE_PUBLIC_URL": public_url}
        with pytest.raises(SettingsError, match="production mode needs an https TIPLINE_PUBLIC_URL"):
            Settings.from_env(env)
    settings = Settings.from_env({**production, "TIPLINE_PUBLIC_URL": "https://tips.example.org"})
    assert settings.production and settings.public_url == "https://tips.example.org"
    with pytest.raises(SettingsError, match="TIPLINE_PRODUCTION"):
        Settings.from_env({**production, "TIPLINE_PRODUCTION": "yes", "TIPLINE_PUBLIC_URL": "https://tips.example.org"})
    # Development runs over plain http on one machine.
    assert not Settings.from_env({**REQUIRED, "TIPLINE_PUBLIC_URL": "http://127.0.0.1:8080"}).production


def test_every_routing_process_of_production_mode_runs_in_production_mode() -> None:
    commands = procfile()
    for name in ("routing", "worker1", "worker2"):
        assert "TIPLINE_PRODUCTION=1 " in commands[name], name


async def test_production_sends_hsts_and_a_secure_session_cookie(
    aiohttp_client: AiohttpClient, settings: Settings, client: TestClient
) -> None:
    production = replace(settings, production=True, public_url="https://tips.example.org")
    secure = await aiohttp_client(create_app(production, example_jurisdiction()))
    for path in ("/console/login", "/healthz", f"/ack/1?t={ack_token(settings.signing_secret, 1)}", "/nowhere"):
        response = await secure.get(path, allow_redirects=False)
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", path
        # Development (http) sends none: a browser would pin a name that has no https.
        assert "Strict-Transport-Security" not in (await client.get(path, allow_redirects=False)).headers, path
    login = await secure.get("/console/login")
    assert "Secure" in login.headers["Set-Cookie"]


async def test_the_acknowledgement_page_has_the_consoles_security_headers(
    client: TestClient, settings: Settings
) -> None:
    console = await client.get("/console/login")
    ack = await client.get(f"/ack/1?t={ack_token(settings.signing_secret, 1)}")
    assert ack.status == 200 and "<form" in await ack.text()
    for name in PAGE_HEADERS:
        assert console.headers[name], name
        assert ack.headers.get(name) == console.headers[name], name
    assert ack.headers.get("Cache-Control") == "no-store"
