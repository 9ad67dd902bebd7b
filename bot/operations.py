"""The engine's operations hooks: request limits, logging and /metrics.

Not a channel for residents: a custom channel (listed in credentials.yml) is Rasa's way to add
routes and start-up hooks to its Sanic server, and this one adds
- a request body limit (Sanic's default is 100 MB; nothing the engine serves needs more than a
  few kilobytes, and socket.io keeps its own 1 MB limit per message);
- the log set-up of telemetry/logs.py (TIPLINE_LOG_FORMAT), once the server starts;
- GET /metrics, for `Authorization: Bearer $TIPLINE_METRICS_TOKEN` only (404 otherwise);
- the engine's own speed-ups (bot/action_results.py, bot/model_loading.py) and the retry of an
  action call no action server answered (bot/action_retries.py), installed when the channels are
  loaded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import action_results, action_retries, model_loading
from bot.settings import Settings
from telemetry import logs
from telemetry.metrics import authorized

MAX_REQUEST_BYTES = 1024 * 1024


class OperationsChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "operations"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        action_results.install()  # before the first turn: Rasa loads the channels before the model
        action_retries.install()
        model_loading.install()
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def url_prefix(self) -> str:
        # An absolute prefix: Rasa joins it to /webhooks/, which keeps it as it is.
        return "/metrics"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        operations = Blueprint("tipline_operations", __name__)

        @operations.listener("before_server_start")
        async def configure(app: Any, _loop: Any) -> None:
            # Runs before Rasa loads the model, so everything after this line is in our format.
            logs.configure(self.settings.log_format, self.settings.secrets)
            app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

        @operations.route("/", methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            if not authorized(request.headers.get("authorization"), self.settings.metrics_token):
                return response.json({"error": "not found"}, status=404)
            return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

        return operations
