"""The action server: rasa-sdk's Sanic app, with our limits, logs and /metrics.

rasa-sdk's own `run` builds the app in each Sanic worker from a factory; this factory wraps its
`create_app_for_serve`, so what we add is there in every worker.
"""

from __future__ import annotations

import json
import time

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import metrics
from actions.settings import Settings
from actions.triage import default_triage
from telemetry import logs
from telemetry.metrics import authorized

# Rasa sends the whole tracker on every call: a long conversation is a few megabytes of events.
MAX_REQUEST_BYTES = 16 * 1024 * 1024


def create_app(settings: Settings) -> Sanic:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from rasa_sdk.endpoint import create_app_for_serve
    from rasa_sdk.executor import ActionExecutor

    logs.configure(settings.log_format, settings.secrets)
    default_triage()  # each worker loads the phrase lists and rules now, not during a resident's turn
    executor = ActionExecutor()
    executor.register_package("actions")
    # Only the engine calls the action server (no browser), so no CORS origin is allowed.
    app = create_app_for_serve(executor, cors_origins=[])
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    @app.on_request
    async def refuse_compressed(request: Request) -> HTTPResponse | None:
        # rasa-sdk inflates a deflate body with no bound (a small body can become gigabytes); the
        # engine sends plain JSON unless COMPRESS_ACTION_SERVER_REQUEST is set, which we never do.
        if request.headers.get("content-encoding", "identity").lower() != "identity":
            return response.json({"error": "compressed requests are not accepted"}, status=415)
        if request.method == "POST" and request.path == "/webhook":
            await request.receive_body()  # middleware runs before Sanic reads it; the size limit applies here
            try:
                call = json.loads(request.body)
            except (ValueError, RecursionError):
                return response.json({"error": "the body is not JSON"}, status=400)
            if not isinstance(call, dict):  # rasa-sdk would fail on it with a 500
                return response.json({"error": "the body must be a JSON object"}, status=400)
        return None

    @app.on_request
    async def start_clock(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def count(request: Request, reply: HTTPResponse) -> None:
        if request.path == "/webhook" and request.method == "POST":
            seconds = time.perf_counter() - getattr(request.ctx, "started", time.perf_counter())
            metrics.observe(
                metrics.action_name(request.body, executor.actions), reply.status, seconds, reply.body or b""
            )

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exception: PayloadTooLarge) -> HTTPResponse:
        # rasa-sdk answers every exception with a 500 that echoes the request; this one is the caller's.
        return response.json({"error": "request too large"}, status=413)

    @app.get("/metrics")
    async def metrics_page(request: Request) -> HTTPResponse:
        if not authorized(request.headers.get("authorization"), settings.metrics_token):
            return response.json({"error": "not found"}, status=404)
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    return app
