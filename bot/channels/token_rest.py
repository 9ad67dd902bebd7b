"""Rasa's REST channel behind a bearer token: production's channel for tools and our own tests.

Rasa's own `rest` channel takes any request and lets the caller choose the conversation id and
the channel recorded on the tip, so production (credentials.prod.yml) lists this one instead:
same path (/webhooks/rest/webhook), same JSON, but only for `Authorization: Bearer
$TIPLINE_REST_TOKEN` (compared in constant time; 401 otherwise), and the recorded channel is
always `rest`. Residents use web chat and SMS, never this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings, SettingsError
from telemetry.metrics import authorized


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        token = Settings.from_env().rest_token
        if token is None:
            raise SettingsError("TIPLINE_REST_TOKEN is not set (make run-prod generates it in var/secrets.sh)")
        return cls(token)

    def __init__(self, token: str) -> None:
        self.token = token

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # not the caller's choice

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            if authorized(request.headers.get("Authorization"), self.token):
                return None
            return response.json({"error": "a bearer token is required"}, status=401)

        return webhook
