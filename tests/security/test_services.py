"""The three services running as deployed (JSON logs, metrics token), attacked from outside.

The routing service's own inputs are tested in-process (test_intake_input.py and friends); here
are the engine's and the action server's limits and static files, Twilio replays the channels
suite does not cover, /metrics, and what all three services write to their logs.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.e2e.conftest import fake_twilio, public_info_url  # noqa: F401 - session fixtures used below
from tests.security import rawhttp
from tests.support.routing import tip_payload
from tests.support.stack import Stack, free_port, running_stack
from tests.support.texter import ACCOUNT_SID, TIPLINE_NUMBER, Texter, sign, twilio_form

pytestmark = pytest.mark.slow
PHONE = "+15550142"
METRICS_TOKEN = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_twilio: str, public_info_url: str) -> Iterator[Stack]:  # noqa: F811
    workdir: Path = tmp_path_factory.mktemp("secure-stack")
    engine_port = free_port()
    env = {
        "TIPLINE_ENGINE_PORT": str(engine_port),
        "TIPLINE_PUBLIC_URL": f"http://127.0.0.1:{engine_port}",
        "TIPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TIPLINE_TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TIPLINE_TWILIO_NUMBER": TIPLINE_NUMBER,
        "TIPLINE_TWILIO_API_URL": fake_twilio,
        "TIPLINE_PUBLIC_INFO_URL": public_info_url,
        "TIPLINE_LOG_FORMAT": "json",
        "TIPLINE_METRICS_TOKEN": METRICS_TOKEN,
    }
    with running_stack(workdir, env) as running:
        yield running


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def _post(url: str, data: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session, session.post(url, data=data, headers=headers) as response:
        await response.read()
        return response.status


# --- limits and malformed bodies ---------------------------------------------------------------


async def test_every_service_refuses_a_body_over_its_limit(stack: Stack) -> None:
    json_type = {"Content-Type": "application/json"}
    big = json.dumps({"sender": "x", "message": "a" * (2 * 1024 * 1024)}).encode()
    assert await _post(stack.engine_url + "/webhooks/rest/webhook", big, json_type) == 413
    huge = json.dumps({"next_action": "action_submit_tip", "tracker": {"sender_id": "x" * (17 * 1024 * 1024)}}).encode()
    assert await _post(stack.actions_url + "/webhook", huge, json_type) == 413
    assert await _post(stack.routing_url + "/api/v1/tips", big, json_type) in (401, 413)
    # Twilio's forms are small: the SMS channel stops at 64 KB, before it checks anything else.
    form = b"Body=" + b"a" * (65 * 1024)
    webhook = stack.engine_url + "/webhooks/twilio/webhook"
    assert await _post(webhook, form, {"Content-Type": "application/x-www-form-urlencoded"}) == 413


async def test_the_action_server_refuses_compressed_calls(stack: Stack) -> None:
    """rasa-sdk inflates deflate bodies without a bound: a few kilobytes could become gigabytes."""
    import zlib

    bomb = zlib.compress(b"{" + b" " * 50_000_000 + b"}", 9)
    headers = {"Content-Type": "application/json", "Content-Encoding": "deflate"}
    assert await _post(stack.actions_url + "/webhook", bomb, headers) == 415


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b"null", b'{"sender": 1, "message": {"a": 1}}', b"\xff\xfe", b"[" * 100_000],
    ids=["truncated", "array", "null", "wrong types", "not UTF-8", "deep"],
)
async def test_malformed_json_never_crashes_the_engine_or_the_action_server(stack: Stack, body: bytes) -> None:
    json_type = {"Content-Type": "application/json"}
    engine = await _post(stack.engine_url + "/webhooks/rest/webhook", body, json_type)
    actions = await _post(stack.actions_url + "/webhook", body, json_type)
    assert actions in (200, 400), actions  # 200: an object with no action in it gets rasa-sdk's empty answer
    # Rasa's own REST channel answers JSON that is not an object with a 500; what matters is that it stays up.
    assert engine in (200, 400, 500), engine
    async with aiohttp.ClientSession() as session:
        for health in (stack.engine_url + "/", stack.actions_url + "/health"):
            async with session.get(health) as response:
                assert response.status == 200, health


# --- static files ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["/report/assets/", "/report/assets/vendor/", "/report/embed.js/"])
async def test_no_path_leaves_the_public_pages_static_folders(stack: Stack, prefix: str) -> None:
    port = _port(stack.engine_url)
    for target in rawhttp.escapes(prefix, depth_to_root=2):  # web/static is two folders below the root
        response = await rawhttp.request(port, "GET", target)
        assert response.status in (400, 403, 404), (target, response.status)
        for marker in rawhttp.SECRET_FILES.values():
            assert marker not in response.body, target
    assert (await rawhttp.request(port, "GET", "/report/assets/chat.js")).status == 200


# --- Twilio: what the channels suite does not already cover ------------------------------------


async def test_a_valid_twilio_request_replayed_elsewhere_or_altered_is_refused(stack: Stack, fake_twilio: str) -> None:  # noqa: F811
    token, public = stack.env["TIPLINE_TWILIO_AUTH_TOKEN"], stack.env["TIPLINE_PUBLIC_URL"]
    resident = Texter(stack.engine_url, public, token, fake_twilio, "+15550143")
    form = twilio_form(resident.phone, "hello")
    signature = sign(token, resident.signed_url, form)
    status_url = stack.engine_url + "/webhooks/twilio/status"
    form_type = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    encoded = urlencode(form).encode()
    # The webhook's signature at the status callback (and the reverse) is not valid there.
    assert await _post(status_url, encoded, form_type) == 403
    status_form = {"MessageSid": "SM" + "2" * 32, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    status_signature = sign(token, public + "/webhooks/twilio/status", status_form)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            resident.webhook, data=status_form, headers={"X-Twilio-Signature": status_signature}
        ) as response:
            assert response.status == 403
        # One more field, a field repeated, the same form as a query string: each breaks the signature.
        for extra in ({"Body": "hello", "MediaUrl0": "https://evil.example/x.jpg"},):
            async with session.post(
                resident.webhook, data={**form, **extra}, headers={"X-Twilio-Signature": signature}
            ) as response:
                assert response.status == 403
        async with session.post(
            resident.webhook, data=[*form.items(), ("Body", "second")], headers={"X-Twilio-Signature": signature}
        ) as response:
            assert response.status == 403
        async with session.post(resident.webhook, params=form, headers={"X-Twilio-Signature": signature}) as response:
            assert response.status in (400, 403)
        async with session.get(resident.webhook, params=form, headers={"X-Twilio-Signature": signature}) as response:
            assert response.status == 405
    await asyncio.sleep(2)
    assert await resident.sent_to_me() == []


# --- /metrics ----------------------------------------------------------------------------------


async def test_metrics_answer_only_to_the_token_on_every_service(stack: Stack) -> None:
    async with aiohttp.ClientSession() as session:
        for base, expected in (
            (stack.routing_url, "tipline_outbox_deliveries"),
            (stack.actions_url, "tipline_action_calls"),
            (stack.engine_url, "tipline_messages_refused"),
        ):
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
                async with session.get(base + "/metrics", headers=headers) as response:
                    assert response.status == 404, (base, headers)
            auth = {"Authorization": f"Bearer {METRICS_TOKEN}"}
            async with session.get(base + "/metrics", headers=auth) as response:
                assert response.status == 200, base
                assert expected in await response.text(), base


# --- logs ---------------------------------------------------------------------------------------


async def test_no_secret_phone_number_or_address_reaches_any_log(stack: Stack, fake_twilio: str) -> None:  # noqa: F811
    """An SMS report that gives a number and an address, a tip with contact details, an
    acknowledgement link, wrong tokens: then every line of every service's log is read."""
    env = stack.env
    resident = Texter(stack.engine_url, env["TIPLINE_PUBLIC_URL"], env["TIPLINE_TWILIO_AUTH_TOKEN"], fake_twilio, PHONE)
    await resident.texts("a man keeps filming the school doors, call me at (555) 014-2777 or avery@example.invalid")
    await resident.replies()
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bearer {env['TIPLINE_INTAKE_SECRET']}"}
        payload = tip_payload(
            anonymous=False, contact={"name": "Avery Example", "phone": "+15550144", "email": "avery@example.invalid"}
        )
        async with session.post(stack.routing_url + "/api/v1/tips", json=payload, headers=auth) as response:
            assert response.status == 201
        async with session.post(stack.routing_url + "/ack/1?t=" + "a" * 43) as response:
            assert response.status == 404
        async with session.post(
            stack.routing_url + "/api/v1/tips",
            json=payload,
            headers={"Authorization": f"Bearer {env['TIPLINE_SIGNING_SECRET']}"},
        ) as response:
            assert response.status == 401
    await asyncio.sleep(2)
    logs = {name: stack.log(name) for name in ("engine", "actions", "routing")}
    secret_names = [
        "TIPLINE_INTAKE_SECRET",
        "TIPLINE_ENCRYPTION_KEYS",
        "TIPLINE_SENDER_HASH_KEY",
        "TIPLINE_ENGINE_TOKEN",
        "TIPLINE_SIGNING_SECRET",
        "TIPLINE_TWILIO_AUTH_TOKEN",
        "TIPLINE_METRICS_TOKEN",
        "TIPLINE_SECRET_DISPATCH_CAD",
        "TIPLINE_SECRET_CRISIS_CENTER",
        "TIPLINE_SECRET_STATE_TIPLINE",
    ]
    forbidden = {name: env[name] for name in secret_names}
    forbidden |= {"phone": "5550142", "spoken phone": "014-2777", "contact phone": "5550144"}
    forbidden |= {"address": "avery@example.invalid", "name": "Avery Example"}
    for service, text in logs.items():
        assert text.strip(), f"{service} wrote no log at all"
        for what, value in forbidden.items():
            assert value not in text, f"{what} in the {service} log"
    # JSON logs: once each service has set up its logging, every line is one JSON object.
    for service in ("routing", "actions"):
        lines = [line for line in logs[service].splitlines() if line.startswith("{")]
        assert lines and all(isinstance(json.loads(line), dict) for line in lines), service
    engine_lines = logs["engine"].splitlines()
    started = next(i for i, line in enumerate(engine_lines) if line.startswith("{"))
    assert all(json.loads(line)["level"] for line in engine_lines[started:] if line.strip())
