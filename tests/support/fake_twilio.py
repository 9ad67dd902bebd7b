"""A local stand-in for Twilio's Messages API that checks every request against Twilio's own API description.

Run as a process (`python -m tests.support.fake_twilio --port N`) so the engine, the tests of
either environment and the benchmark can all send to it. Each request to create a message is
validated with openapi-core against ../shared/twilio/twilio_api_v2010.json, plus what the
description cannot say (the 1,600-character body, "From or MessagingServiceSid", "Body or
MediaUrl"). `GET /_sent` lists what was received with the problems found (and when, as Unix time);
`GET /_wait?to=NUMBER&count=N` answers once N messages to NUMBER were received (or after `timeout`
seconds, default 30) with those messages, for a load test that paces itself on the replies;
`DELETE /_sent` clears it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters

from tests.support.stack import ROOT

SPEC = ROOT.parent / "shared" / "twilio" / "twilio_api_v2010.json"
SPEC_FALLBACK = Path("/work/shared/twilio/twilio_api_v2010.json")
TWILIO_HOST = "https://api.twilio.com"


@dataclass
class SpecRequest:
    """The request as openapi-core sees it: addressed to api.twilio.com, as the SDK would send it."""

    path: str
    method: str
    body: bytes
    content_type: str
    parameters: RequestParameters
    host_url: str = TWILIO_HOST


def spec_path() -> Path:
    return SPEC if SPEC.exists() else SPEC_FALLBACK


class FakeTwilio:
    def __init__(self) -> None:
        # Loaded as JSON: the YAML loader openapi-core uses for files chokes on its escapes.
        self.openapi = OpenAPI.from_dict(json.loads(spec_path().read_text()))
        self.sent: list[dict[str, Any]] = []
        self.arrived = asyncio.Condition()

    def problems(self, request: web.Request, body: bytes) -> list[str]:
        spec_request = SpecRequest(
            path=request.path,
            method=request.method.lower(),
            body=body,
            content_type=request.content_type,
            parameters=RequestParameters(query=request.query, header=request.headers, cookie=request.cookies, path={}),
        )
        found = [f"{type(e).__name__}: {e}" for e in self.openapi.iter_request_errors(spec_request)]
        form = parse_qsl(body.decode(), keep_blank_values=True)
        fields = {k for k, _ in form}
        text = next((v for k, v in form if k == "Body"), "")
        if len(text) > 1600:
            found.append(f"Body is {len(text)} characters; Twilio accepts at most 1,600")
        if not fields & {"From", "MessagingServiceSid"}:
            found.append("neither From nor MessagingServiceSid")
        if not (text or "MediaUrl" in fields):
            found.append("neither Body nor MediaUrl")
        return found

    async def create_message(self, request: web.Request) -> web.Response:
        body = await request.read()
        form = parse_qsl(body.decode(), keep_blank_values=True)
        fields = dict(form)
        sid = "SM" + secrets.token_hex(16)
        record = {
            "sid": sid,
            "to": fields.get("To"),
            "from": fields.get("From"),
            "messaging_service_sid": fields.get("MessagingServiceSid"),
            "body": fields.get("Body", ""),
            "media_url": [v for k, v in form if k == "MediaUrl"],
            "status_callback": fields.get("StatusCallback"),
            "problems": self.problems(request, body),
            "received_at": time.time(),
        }
        self.sent.append(record)
        async with self.arrived:
            self.arrived.notify_all()
        now = format_datetime(datetime.now(UTC))
        account = request.match_info["account"]
        return web.json_response(
            {
                "sid": sid,
                "account_sid": account,
                "to": record["to"],
                "from": record["from"],
                "messaging_service_sid": record["messaging_service_sid"],
                "body": record["body"],
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": "1",
                "num_media": str(len(record["media_url"])),
                "date_created": now,
                "date_updated": now,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            },
            status=201,
        )

    async def list_sent(self, _: web.Request) -> web.Response:
        return web.json_response(self.sent)

    async def wait_for(self, request: web.Request) -> web.Response:
        to, count = request.query["to"], int(request.query["count"])
        timeout = float(request.query.get("timeout", "30"))

        def to_number() -> list[dict[str, Any]]:
            return [m for m in self.sent if m["to"] == to]

        async with self.arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait_for(lambda: len(to_number()) >= count), timeout)
        return web.json_response(to_number())

    async def clear_sent(self, _: web.Request) -> web.Response:
        self.sent.clear()
        return web.json_response([])

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self.create_message)
        app.router.add_get("/_sent", self.list_sent)
        app.router.add_get("/_wait", self.wait_for)
        app.router.add_delete("/_sent", self.clear_sent)
        return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(FakeTwilio().app(), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
