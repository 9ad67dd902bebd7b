"""A local stand-in for Twilio's Messages API that checks every request against Twilio's own
OpenAPI description (../shared/twilio/twilio_api_v2010.json) with openapi-core."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.contrib.aiohttp import AIOHTTPOpenAPIWebRequest

SPEC = Path(__file__).resolve().parents[3] / "shared" / "twilio" / "twilio_api_v2010.json"
for candidate in (SPEC, Path("/work/shared/twilio/twilio_api_v2010.json")):
    if candidate.exists():
        SPEC = candidate
        break


@cache
def twilio_openapi() -> Any:
    # json, not the YAML loader openapi-core would use: the file has escapes YAML rejects.
    return OpenAPI.from_dict(json.loads(SPEC.read_text()))


class _AsIfTwilio(AIOHTTPOpenAPIWebRequest):
    """The request as Twilio would see it: the spec's server is https://api.twilio.com."""

    @property
    def host_url(self) -> str:
        return "https://api.twilio.com"


@dataclass
class TwilioApi:
    requests: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def messages(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            twilio_openapi().validate_request(_AsIfTwilio(request, body=body))
        except Exception as e:  # any validation error is a request Twilio would refuse
            self.errors.append(f"{type(e).__name__}: {e}")
            return web.json_response({"code": 20001, "message": str(e), "status": 400}, status=400)
        form = {k: str(v) for k, v in (await request.post()).items()}
        problems = _beyond_the_spec(form)
        if problems:
            self.errors.append(problems)
            return web.json_response({"code": 21602, "message": problems, "status": 400}, status=400)
        self.requests.append(form)
        sid = "SM" + secrets.token_hex(16)
        account = request.match_info["account"]
        return web.json_response(
            {"sid": sid, "account_sid": account, "status": "queued", "to": form["To"], "body": form.get("Body")},
            status=201,
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self.messages)
        return app


def _beyond_the_spec(form: dict[str, str]) -> str:
    """What the description does not check (shared/twilio/README.md) but Twilio does."""
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return "From or MessagingServiceSid is required"
    if not (form.get("Body") or form.get("MediaUrl")):
        return "Body or MediaUrl is required"
    if len(form.get("Body", "")) > 1600:
        return "Body is over 1600 characters"
    return ""
