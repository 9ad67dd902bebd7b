"""Getting past the intake API's token, the console's sign-in, roles and CSRF, or out of a static folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.keys import SETTINGS
from routing.settings import sync_url
from routing.store.tables import staff_sessions, staff_users
from tests.security import rawhttp
from tests.support.console import PASSWORD, Console, add_user
from tests.support.routing import tip_payload


def _port(client: TestClient) -> int:
    port = client.server.port
    assert port is not None
    return port


def _execute(client: TestClient, statement: sa.Executable) -> None:
    engine = sa.create_engine(sync_url(client.app[SETTINGS].database_url))
    with engine.begin() as conn:
        conn.execute(statement)
    engine.dispose()


# --- the intake API ---------------------------------------------------------------------------


def _wrong_credentials(secret: str) -> list[dict[str, str]]:
    return [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": secret},  # no scheme
        {"Authorization": f"bearer {secret}x"},
        {"Authorization": f"Bearer {secret[:-1]}"},  # a prefix of the token
        {"Authorization": f"Bearer {secret}x"},  # the token and more
        {"Authorization": f"Bearer  {secret}"},
        {"Authorization": f"Basic {secret}"},
        {"Authorization": f"Bearer {secret.upper()}"},
        {"X-Authorization": f"Bearer {secret}"},
        {"Cookie": f"token={secret}"},
    ]


async def test_every_api_route_refuses_a_missing_or_wrong_token(client: TestClient) -> None:
    secret = client.app[SETTINGS].intake_secret
    for path in ("/api/v1/tips", "/api/v1/route", "/api/v1/tips/status", "/api/v1/tips/information"):
        for headers in _wrong_credentials(secret):
            response = await client.post(path, json=tip_payload(), headers=headers)
            assert response.status == 401, (path, headers)
        response = await client.post(path + f"?token={secret}", json=tip_payload())
        assert response.status == 401, "a token in the query string is not a credential"


async def test_no_spelling_of_an_api_path_skips_the_token_check(client: TestClient) -> None:
    """The check is on the path prefix: whatever a path normalises to, it either 401s or matches nothing."""
    body = b'{"category": "threat_to_others", "urgency": "routine"}'
    for target in (
        "/api/v1/route",
        "//api/v1/route",
        "/api//v1/route",
        "/API/v1/route",
        "/api/v1/route/",
        "/api/v1/./route",
        "/api/v1/x/../route",
        "/console/../api/v1/route",
        "/public/../api/v1/route",
        "/%61pi/v1/route",
        "/api%2fv1%2froute",
        "/api/v1/route%00",
        "/api/v1/route;x=1",
        "/api/v1/route?x=/healthz",
    ):
        for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "GET"):
            response = await rawhttp.request(_port(client), method, target, {"Content-Type": "application/json"}, body)
            assert response.status in (303, 400, 401, 404, 405), (method, target, response.status)
            assert b"destinations" not in response.body, (method, target)


async def test_an_acknowledgement_link_works_only_with_its_own_token(client: TestClient) -> None:
    from routing.signing import ack_token

    secret = client.app[SETTINGS].signing_secret
    response = await client.post(
        "/api/v1/tips", json=tip_payload(), headers={"Authorization": f"Bearer {client.app[SETTINGS].intake_secret}"}
    )
    assert response.status == 201
    other = ack_token(secret, 2)
    for target in (f"/ack/1?t={other}", "/ack/1?t=", "/ack/1", f"/ack/1?t={ack_token('not the secret', 1)}"):
        assert (await client.post(target)).status == 404, target
    assert (await client.post(f"/ack/1?t={ack_token(secret, 1)}")).status == 200


# --- the console ------------------------------------------------------------------------------


CONSOLE_PAGES = (
    "/console/",
    "/console/queue/live",
    "/console/stats",
    "/console/stats.json",
    "/console/stats.csv",
    "/console/admin/users",
    "/console/admin/jurisdiction",
    "/console/admin/dead-letters",
)


async def test_forged_expired_and_ended_sessions_get_only_the_sign_in_page(client: TestClient) -> None:
    await add_user(client, "dana", "dispatcher")
    console = Console(client)
    await console.log_in("dana")
    real = console.client.session.cookie_jar.filter_cookies(client.make_url("/console/"))["tipline_session"].value

    async def refused(token: str, why: str) -> None:
        for path in CONSOLE_PAGES:
            response = await client.get(path, headers={"Cookie": f"tipline_session={token}"}, allow_redirects=False)
            assert response.status == 303 and response.headers["Location"] == "/console/login", (why, path)

    client.session.cookie_jar.clear()
    for forged in ("", "x", real[:-1], real + "x", real.upper(), "' OR '1'='1", "../" * 10, "%00"):
        await refused(forged, f"forged {forged!r}")
    # The stored digest is not a credential either.
    engine = sa.create_engine(sync_url(client.app[SETTINGS].database_url))
    with engine.connect() as conn:
        digest = conn.scalar(sa.select(staff_sessions.c.token_digest))
    engine.dispose()
    await refused(str(digest), "the stored digest")
    # Expired.
    _execute(client, sa.update(staff_sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    await refused(real, "expired")
    # Of a user who was disabled.
    _execute(client, sa.update(staff_sessions).values(expires_at=datetime.now(UTC) + timedelta(hours=1)))
    _execute(client, sa.update(staff_users).values(active=False))
    await refused(real, "disabled user")


async def test_a_session_cookie_set_before_sign_in_is_never_adopted(client: TestClient) -> None:
    """Session fixation: signing in issues a new random token, whatever cookie the browser had."""
    await add_user(client, "dana", "dispatcher")
    planted = "planted-by-the-attacker-000000000000"
    client.session.cookie_jar.update_cookies({"tipline_session": planted})
    await Console(client).log_in("dana")
    issued = client.session.cookie_jar.filter_cookies(client.make_url("/console/"))["tipline_session"].value
    assert issued != planted
    client.session.cookie_jar.clear()
    response = await client.get("/console/", headers={"Cookie": f"tipline_session={planted}"}, allow_redirects=False)
    assert response.status == 303


@pytest.mark.parametrize(
    ("role", "forbidden"),
    [
        ("dispatcher", ["/console/admin/users", "/console/admin/dead-letters", "/console/stats", "/console/stats.csv"]),
        ("fbi_liaison", ["/console/admin/users", "/console/stats.json", "/console/admin/jurisdiction"]),
        ("analyst", ["/console/admin/users", "/console/admin/jurisdiction", "/console/admin/dead-letters"]),
    ],
)
async def test_a_role_cannot_reach_pages_beyond_it(client: TestClient, role: str, forbidden: list[str]) -> None:
    await add_user(client, "someone", role)
    console = Console(client)
    await console.log_in("someone")
    for path in forbidden:
        assert (await console.get(path, allow_redirects=False)).status == 403, (role, path)


async def test_a_dispatcher_cannot_make_themself_an_admin(client: TestClient) -> None:
    dana = await add_user(client, "dana", "dispatcher")
    console = Console(client)
    await console.log_in("dana")
    attempts = [
        ("/console/admin/users", {"username": "eve", "name": "Eve", "role": "admin", "password": PASSWORD}),
        (f"/console/admin/users/{dana.id}", {"role": "admin", "active": "on"}),
    ]
    for path, form in attempts:
        assert (await console.post(path, **form)).status == 403, path
    engine = sa.create_engine(sync_url(client.app[SETTINGS].database_url))
    with engine.connect() as conn:
        roles = dict(conn.execute(sa.select(staff_users.c.username, staff_users.c.role)).all())
    engine.dispose()
    assert roles == {"dana": "dispatcher"}


async def test_a_form_needs_the_csrf_token_of_its_own_session(client: TestClient) -> None:
    reference = (
        await (
            await client.post(
                "/api/v1/tips",
                json=tip_payload(),
                headers={"Authorization": f"Bearer {client.app[SETTINGS].intake_secret}"},
            )
        ).json()
    )["reference"]
    await add_user(client, "dana", "dispatcher")
    await add_user(client, "eric", "dispatcher")
    eric = Console(client)
    await eric.log_in("eric")
    erics_token = eric.csrf
    client.session.cookie_jar.clear()
    dana = Console(client)
    await dana.log_in("dana")
    path = f"/console/tips/{reference}/notes"
    for form in ({"csrf_token": erics_token}, {"csrf_token": ""}, {}, {"csrf_token": dana.csrf + "x"}):
        response = await client.post(path, data={"text": "note", **form}, allow_redirects=False)
        assert response.status == 403, form
    # Only in the form body: a header or the query string is not where the token is read.
    response = await client.post(
        path + f"?csrf_token={dana.csrf}", data={"text": "note"}, headers={"X-CSRF-Token": dana.csrf}
    )
    assert response.status == 403
    assert (await client.get(path)).status == 405, "a GET never changes anything"


async def test_the_live_stream_is_refused_without_a_session(client: TestClient) -> None:
    for cookie in ("", "tipline_session=forged"):
        response = await client.get("/console/events", headers={"Cookie": cookie} if cookie else {})
        assert response.status == 401


# --- static files -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/console/static/", "/console/static/vendor/"])
async def test_no_path_leaves_the_consoles_static_folders(client: TestClient, prefix: str) -> None:
    # routing/console/static lies three folders below the project root.
    for target in rawhttp.escapes(prefix, depth_to_root=4):
        response = await rawhttp.request(_port(client), "GET", target)
        assert response.status in (400, 403, 404, 303), (target, response.status)
        for marker in rawhttp.SECRET_FILES.values():
            assert marker not in response.body, target
    # ... while the files that are there are served.
    assert (await rawhttp.request(_port(client), "GET", "/console/static/console.css")).status == 200


async def test_static_files_do_not_open_the_signed_in_pages(client: TestClient) -> None:
    """Static files skip the session check; no path under them may reach a page that needs one."""
    for target in (
        "/console/static/../admin/users",
        "/console/static/%2e%2e/admin/users",
        "/console/static/..%2fstats.csv",
    ):
        response = await rawhttp.request(_port(client), "GET", target)
        assert response.status in (303, 404), (target, response.status)
        assert b"Users" not in response.body and b"section,key,value" not in response.body
