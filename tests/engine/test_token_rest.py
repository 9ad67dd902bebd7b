"""Production's REST channel (credentials.prod.yml): nothing without its bearer token."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.token_rest import TokenRestInput
from bot.settings import SettingsError
from tests.engine.conftest import settings_env
from tests.support.stack import free_port

TOKEN = "the-rest-token"


class Bot:
    """Stands in for Rasa: records each message and answers it."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Where is this happening?")


@asynccontextmanager
async def served(channel: TokenRestInput, bot: Bot) -> AsyncIterator[str]:
    """The channel on a Sanic server of its own, mounted where Rasa mounts it (/webhooks/rest/)."""
    app = Sanic(f"token_rest_{uuid.uuid4().hex}")
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    finally:
        await server.close()


async def post(url: str, body: dict[str, Any], authorization: str | None) -> tuple[int, Any]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with aiohttp.ClientSession() as session, session.post(url, json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def test_only_the_right_bearer_token_reaches_rasa_and_the_caller_cannot_pick_the_channel() -> None:
    # One server per process: Sanic 21.12 cannot start a second app in the same process.
    bot = Bot()
    async with served(TokenRestInput(TOKEN), bot) as url:
        message = {"sender": "someone", "message": "there is a fire at the school"}
        wrong = (None, "", "Bearer", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}")
        for authorization in wrong:
            status, _ = await post(url, message, authorization)
            assert status == 401, authorization
        assert bot.received == []

        body = {"sender": "tool-1", "message": "hello", "input_channel": "twilio"}
        status, replies = await post(url, body, f"Bearer {TOKEN}")
    assert status == 200
    assert replies == [{"recipient_id": "tool-1", "text": "Where is this happening?"}]
    assert [(m.sender_id, m.text, m.input_channel) for m in bot.received] == [("tool-1", "hello", "rest")]


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in settings_env(TIPLINE_REST_TOKEN=TOKEN).items():
        monkeypatch.setenv(name, value)
    channel = TokenRestInput.from_credentials(None)
    assert isinstance(channel, TokenRestInput) and channel.token == TOKEN


def test_the_channel_will_not_start_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in settings_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TIPLINE_REST_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="TIPLINE_REST_TOKEN"):
        TokenRestInput.from_credentials(None)
