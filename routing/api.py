"""Intake JSON handlers (docs/intake-api.md) and /healthz."""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from routing import domain, metrics, service
from routing.jurisdiction import public_view
from routing.keys import CONTEXT, CONVERSATION_FAILURES, ENGINE, OUTBOX_BELL, REFERENCE_FAILURES, SETTINGS
from routing.policy import route
from routing.signing import ack_token_valid
from routing.storable import storable
from telemetry.metrics import authorized

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Wrong reference/PIN tries after which a conversation, or a reference, is refused for 15 minutes.
# One conversation is refused before it alone could lock a reference: that takes several.
WRONG_LOOKUPS_PER_CONVERSATION = 5
WRONG_LOOKUPS_PER_REFERENCE = 20


class NotFound(Exception):
    """The thing asked for does not exist, or the caller may not know that it does."""


class TooManyFailures(Exception):
    """Too many wrong references or PINs from this conversation, or for this reference."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many wrong references or PINs; try again later")
        self.retry_after = math.ceil(retry_after)


class InvalidField(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def error(status: int, code: str, message: str, field: str | None = None) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return web.json_response({"error": body}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """JSON errors that name the field and never show internals."""
    try:
        return await handler(request)
    except InvalidField as e:
        return error(400, "invalid", e.message, e.field)
    except NotFound as e:
        return error(404, "not_found", str(e))
    except TooManyFailures as e:
        response = error(429, "too_many_failures", str(e))
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except web.HTTPException as e:
        if e.status >= 400 and request.path.startswith("/api/"):
            return error(e.status, "http", e.reason)
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error(500, "internal", "internal error; the request was not processed")


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/"):
        expected = f"Bearer {request.app[SETTINGS].intake_secret}"
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return error(401, "unauthorized", "missing or wrong bearer token")
    return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return web.json_response({"status": "ok"})


async def submit_tip(request: web.Request) -> web.Response:
    submission = parse_submission(await _json_object(request))
    accepted = await service.accept_tip(request.app[CONTEXT], submission)
    receipt = accepted.receipt
    if accepted.delivery_ids:
        request.app[OUTBOX_BELL].ring()  # emergencies leave now, not at the next poll
    if receipt.created:
        metrics.TIPS.labels(submission.channel, submission.triage.category, accepted.urgency).inc()
    log.info("tip %s %s (%s)", receipt.reference, "stored" if receipt.created else "repeated", accepted.urgency)
    return web.json_response(
        {
            "reference": receipt.reference,
            "pin": receipt.pin,
            "status": receipt.status,
            "destinations": list(receipt.destinations),
            "created": receipt.created,
            "report_state": receipt.report_state,
            "routed": receipt.routed,
        },
        status=201 if receipt.created else 200,
    )


async def discard_report(request: web.Request) -> web.Response:
    """STOP on a report not yet sent: it is deleted (the audit log says so); a sent one stays."""
    body = await _json_object(request)
    conversation_id = _str(body, "conversation_id", "", max_len=128)
    discarded = await service.discard_report(request.app[CONTEXT], conversation_id)
    if discarded is None:
        raise NotFound("this conversation filed no report")
    return web.json_response({"discarded": discarded})


async def route_preview(request: web.Request) -> web.Response:
    triage = parse_triage(await _json_object(request), "")
    routed = route(triage, request.app[CONTEXT].jurisdiction)
    return web.json_response(
        {"destinations": list(routed.destinations), "rules": list(routed.rules), "urgency": routed.urgency}
    )


async def tip_status(request: web.Request) -> web.Response:
    body = await _json_object(request)
    reference, pin = _str(body, "reference", "", max_len=32), _str(body, "pin", "", max_len=16)
    conversation_id = _str(body, "conversation_id", "", max_len=128)
    ctx = request.app[CONTEXT]
    status = await _limited(request, reference, conversation_id, lambda: service.tip_status(ctx, reference, pin))
    return web.json_response(
        {
            "reference": status.reference,
            "status": status.status,
            "updated_at": status.updated_at.isoformat(),
            "replies": [{"at": r.at.isoformat(), "text": r.text} for r in status.replies],
        }
    )


async def add_information(request: web.Request) -> web.Response:
    body = await _json_object(request)
    reference, pin = _str(body, "reference", "", max_len=32), _str(body, "pin", "", max_len=16)
    text = _str(body, "text", "")
    conversation_id = _str(body, "conversation_id", "", max_len=128)
    ctx = request.app[CONTEXT]
    status = await _limited(
        request, reference, conversation_id, lambda: service.add_information(ctx, reference, pin, text, conversation_id)
    )
    request.app[OUTBOX_BELL].ring()
    return web.json_response({"reference": status.reference, "status": status.status}, status=201)


async def metrics_page(request: web.Request) -> web.Response:
    """Prometheus metrics, for the metrics token only: to anyone else there is nothing here."""
    if not authorized(request.headers.get("Authorization"), request.app[SETTINGS].metrics_token):
        raise web.HTTPNotFound()
    ctx = request.app[CONTEXT]
    async with ctx.new_uow() as uow:
        body = await metrics.exposition(uow, ctx.clock())
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def public_jurisdiction(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    retention = request.app[SETTINGS].retention.days()
    return web.json_response(public_view(ctx.jurisdiction, ctx.clock(), retention))


_ACK_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acknowledge tip</title></head>
<body><h1>{title}</h1><p>{text}</p>{form}</body></html>"""


async def acknowledge_link(request: web.Request) -> web.Response:
    """GET shows a button, POST acknowledges: mail scanners that follow links must not acknowledge."""
    delivery_id, token = _ack_params(request)
    form = (
        f'<form method="post" action="/ack/{delivery_id}?t={token}"><button type="submit">'
        "Acknowledge: we have this tip</button></form>"
    )
    page = _ACK_PAGE.format(title="Acknowledge this tip", text="Press the button to stop escalation.", form=form)
    return web.Response(text=page, content_type="text/html")


async def acknowledge(request: web.Request) -> web.Response:
    delivery_id, _ = _ack_params(request)
    ctx = request.app[CONTEXT]
    reference = await service.acknowledge(ctx, delivery_id, f"link:{delivery_id}")
    if reference is None:
        raise NotFound("no such delivery")
    if "text/html" in request.headers.get("Accept", ""):
        page = _ACK_PAGE.format(title="Acknowledged", text=f"Tip {reference} is acknowledged. Thank you.", form="")
        return web.Response(text=page, content_type="text/html")
    return web.json_response({"reference": reference, "acknowledged": True})


def _ack_params(request: web.Request) -> tuple[int, str]:
    raw, token = request.match_info["delivery_id"], request.query.get("t", "")
    settings = request.app[SETTINGS]
    if not raw.isdigit() or not ack_token_valid(settings.signing_secret, int(raw), token):
        raise NotFound("this acknowledgement link is not valid")
    return int(raw), token


async def _limited(
    request: web.Request, reference: str, conversation_id: str, lookup: Callable[[], Awaitable[T | None]]
) -> T:
    """The same 404 for a wrong reference and a wrong PIN. Wrong tries are counted per conversation
    (its sender: a new session does not start again from zero) and per reference, never per client
    address, since every lookup comes from the action server. A locked one gets 429 at once."""
    conversation = service.sender_of(conversation_id)
    reference = reference.strip().upper()
    by_conversation, by_reference = request.app[CONVERSATION_FAILURES], request.app[REFERENCE_FAILURES]
    wait = max(by_conversation.locked_for(conversation), by_reference.locked_for(reference))
    if wait:
        raise TooManyFailures(wait)
    found = await lookup()
    if found is None:
        by_conversation.failed(conversation)
        by_reference.failed(reference)
        raise NotFound("no tip with this reference and PIN")
    by_conversation.clear(conversation)
    return found


def routes() -> list[web.RouteDef]:
    return [
        web.get("/healthz", healthz),
        web.get("/metrics", metrics_page),
        web.get("/public/jurisdiction", public_jurisdiction),
        web.post("/api/v1/tips", submit_tip),
        web.post("/api/v1/route", route_preview),
        web.post("/api/v1/tips/status", tip_status),
        web.post("/api/v1/tips/information", add_information),
        web.post("/api/v1/tips/discard", discard_report),
        web.get("/ack/{delivery_id}", acknowledge_link),
        web.post("/ack/{delivery_id}", acknowledge),
    ]


# --- request parsing: every failure names its field ---------------------------------------


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise InvalidField("body", "is not valid JSON") from None
    except RecursionError:
        raise InvalidField("body", "is nested too deeply") from None
    if not isinstance(body, dict):
        raise InvalidField("body", "must be a JSON object")
    return storable(body)


def _str(
    obj: dict[str, Any], key: str, path: str, *, choices: tuple[str, ...] | None = None, max_len: int = 20000
) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(path + key, "is required and must be a non-empty string")
    if len(value) > max_len:
        raise InvalidField(path + key, f"must be at most {max_len} characters")
    if choices is not None and value not in choices:
        raise InvalidField(path + key, f"must be one of {', '.join(choices)}")
    return value


def _optional_str(obj: dict[str, Any], key: str, path: str, max_len: int = 20000) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(path + key, "must be a string or null")
    if len(value) > max_len:
        raise InvalidField(path + key, f"must be at most {max_len} characters")
    return value or None


def _str_list(obj: dict[str, Any], key: str, path: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidField(path + key, "must be a list of strings")
    for v in value:
        if choices is not None and v not in choices:
            raise InvalidField(path + key, f"{v!r} is not one of {', '.join(choices)}")
    return tuple(value)


def parse_triage(obj: dict[str, Any], path: str) -> domain.Triage:
    return domain.Triage(
        category=_str(obj, "category", path, choices=domain.CATEGORIES),
        urgency=_str(obj, "urgency", path, choices=domain.URGENCIES),
        secondary_categories=_str_list(obj, "secondary_categories", path, domain.CATEGORIES),
        indicators=_str_list(obj, "indicators", path),
        needs_review=bool(obj.get("needs_review", False)),
        explanation=str(obj.get("explanation", "")),
        rules=_str_list(obj, "rules", path),
    )


def parse_submission(body: dict[str, Any]) -> domain.Submission:
    triage = body.get("triage")
    if not isinstance(triage, dict):
        raise InvalidField("triage", "is required and must be an object")
    answers = body.get("answers", {})
    if not isinstance(answers, dict):
        raise InvalidField("answers", "must be an object")
    transcript = body.get("transcript", [])
    if not isinstance(transcript, list) or not all(isinstance(t, dict) for t in transcript):
        raise InvalidField("transcript", "must be a list of objects")
    for key, value in answers.items():
        if key == "happening_now":
            if value is not None and not isinstance(value, bool):
                raise InvalidField("answers.happening_now", "must be true, false or null")
        elif value is not None and not isinstance(value, str):
            raise InvalidField(f"answers.{key}", "must be a string or null")
    anonymous = body.get("anonymous", True)
    if not isinstance(anonymous, bool):
        raise InvalidField("anonymous", "must be true or false")
    about_reporter = body.get("about_reporter")
    if about_reporter is not None and not isinstance(about_reporter, bool):
        raise InvalidField("about_reporter", "must be true, false or null")
    reported_raw = _str(body, "reported_at", "")
    try:
        reported_at = datetime.fromisoformat(reported_raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidField("reported_at", "must be an ISO 8601 timestamp") from None
    if reported_at.tzinfo is None:
        raise InvalidField("reported_at", "must include a time zone")
    revision = body.get("revision")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int | float)):
        raise InvalidField("revision", "must be a number or null")
    return domain.Submission(
        conversation_id=_str(body, "conversation_id", "", max_len=128),
        channel=_str(body, "channel", "", choices=domain.CHANNELS),
        language=_str(body, "language", "", choices=domain.LANGUAGES),
        text=_str(body, "text", ""),
        triage=parse_triage(triage, "triage."),
        anonymous=anonymous,
        reported_at=reported_at,
        transcript=tuple(transcript),
        answers=answers,
        contact=parse_contact(body.get("contact")),
        media_urls=_str_list(body, "media_urls", ""),
        about_reporter=about_reporter,
        report_state=_str(body, "report_state", "", choices=domain.REPORT_STATES)
        if "report_state" in body
        else domain.REPORT_COMPLETE,
        unanswered=_str_list(body, "unanswered", ""),
        revision=None if revision is None else float(revision),
    )


def parse_contact(value: Any) -> domain.Contact | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidField("contact", "must be an object or null")
    unknown = set(value) - {"phone", "email", "name", "preferred"}
    if unknown:
        raise InvalidField(f"contact.{sorted(unknown)[0]}", "is not a contact field (phone, email, name, preferred)")
    contact = domain.Contact(
        phone=_optional_str(value, "phone", "contact.", max_len=32),
        email=_optional_str(value, "email", "contact.", max_len=254),
        name=_optional_str(value, "name", "contact.", max_len=200),
        preferred=_optional_str(value, "preferred", "contact.", max_len=32),
    )
    return contact if contact.as_dict() else None
