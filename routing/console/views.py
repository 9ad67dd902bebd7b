"""Handlers of the dispatch console: they parse the request, call one use case, render or redirect.

Every form posts and then redirects back (POST/redirect/GET), so a reload never repeats an action.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import math
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import yaml
from aiohttp import web
from aiohttp_sse import sse_response

from routing import accounts, casework
from routing.accounts import ROLES, AccountError
from routing.console import csrf
from routing.console.keys import CLOSING, CONFIG, LOGIN_FAILURES, SESSION
from routing.console.middlewares import SESSION_COOKIE, requires, set_session_cookie
from routing.domain import CATEGORIES, DESTINATIONS, DISPOSITIONS, TIP_STATUSES, URGENCIES
from routing.jurisdiction import JurisdictionError
from routing.jurisdiction import load as load_jurisdiction
from routing.keys import CONTEXT, OUTBOX_BELL, SETTINGS
from routing.storable import storable

log = logging.getLogger(__name__)

PULSE_SECONDS = 1.0  # how often a live stream looks for changes: an emergency shows within a second
STATS_DAYS = (7, 30, 90, 365)


def _ctx(request: web.Request) -> casework.Context:
    return request.config_dict[CONTEXT]


def _render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    session = request[SESSION]
    base = {"session": session, "staff": session.staff, "csrf_token": session.csrf_token, "nav": request.path}
    return aiohttp_jinja2.render_template(template, request, base | context, status=status)


async def _form(request: web.Request) -> dict[str, str]:
    return {k: storable(v) for k, v in (await request.post()).items() if isinstance(v, str)}


def _back_to_tip(request: web.Request, done: str) -> web.HTTPSeeOther:
    # The confirmation heads the page, above the tip's facts (and below the alarm bar, never under it).
    return web.HTTPSeeOther(f"/console/tips/{request.match_info['reference']}?done={done}")


# --- signing in ---------------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    if SESSION in request:
        raise web.HTTPSeeOther("/console/")
    return _login(request, None)


def _login(request: web.Request, error: str | None, status: int = 200) -> web.Response:
    token = csrf.login_token(request)
    context = {"error": error, "session": None, "csrf_token": token}
    response = aiohttp_jinja2.render_template("login.html", request, context, status=status)
    csrf.set_login_cookie(request, response, token)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    config = request.app[CONFIG]
    # The peer address: the console trusts no proxy header to name the client (README, Dispatch console).
    address = request.remote or ""
    failures = request.app[LOGIN_FAILURES]
    wait = failures.locked_for(address)
    if wait:
        minutes = math.ceil(wait / 60)
        return _login(request, f"Too many failed sign-ins from this address. Try again in {minutes} minutes.", 429)
    failures.failed(address)  # counted before the password is checked, so tries sent at once all count
    result = await accounts.log_in(
        _ctx(request), config.session_key, form.get("username", ""), form.get("password", ""), address
    )
    if result is None:
        return _login(
            request,
            "Wrong username or password, or the account is locked. "
            f"After {accounts.MAX_FAILED_LOGINS} failed tries an account is locked for "
            f"{int(accounts.LOCKOUT.total_seconds() // 60)} minutes.",
            status=401,
        )
    failures.forgive(address)
    _, token = result
    response = web.HTTPSeeOther("/console/")
    set_session_cookie(request, response, token, int(accounts.SESSION_LIFETIME.total_seconds()))
    response.del_cookie(csrf.LOGIN_COOKIE, path="/console/")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    session = request[SESSION]
    await accounts.log_out(
        _ctx(request), request.app[CONFIG].session_key, request.cookies[SESSION_COOKIE], session.staff
    )
    response = web.HTTPSeeOther("/console/login")
    response.del_cookie(SESSION_COOKIE, path="/console/")
    raise response


# --- the queue ----------------------------------------------------------------------------------


def _queue_filter(request: web.Request) -> casework.QueueFilter:
    query = request.query
    category = query.get("category") or None
    destination = query.get("destination") or None
    status = query.get("status") or "open"
    if category not in (None, *CATEGORIES):
        raise casework.CaseError(f"unknown category {category!r}")
    if destination not in (None, *DESTINATIONS):
        raise casework.CaseError(f"unknown destination {destination!r}")
    if status not in ("open", "all", *TIP_STATUSES):
        raise casework.CaseError(f"unknown status {status!r}")
    urgency = query.get("urgency") or None
    if urgency not in (None, *URGENCIES):
        raise casework.CaseError(f"unknown urgency {urgency!r}")
    search = "".join(query.get("q", "").split()).upper()[:16]
    page = query.get("page", "1")
    return casework.QueueFilter(category, status, destination, int(page) if page.isdigit() else 1, urgency, search)


def _queue_query(wanted: casework.QueueFilter) -> str:
    """The filters as a query string, for the page links."""
    values = {
        "urgency": wanted.urgency or "",
        "category": wanted.category or "",
        "status": wanted.status,
        "destination": wanted.destination or "",
        "q": wanted.search,
    }
    return urlencode({k: v for k, v in values.items() if v})


@requires("view_tips")
async def queue(request: web.Request) -> web.Response:
    wanted = _queue_filter(request)
    page = await casework.queue(_ctx(request), wanted)
    return _render(
        request,
        "queue.html",
        {
            "page": page,
            "wanted": wanted,
            "categories": CATEGORIES,
            "destinations": DESTINATIONS,
            "statuses": TIP_STATUSES,
            "urgencies": ("emergency", "urgent", "routine", "none"),
            "query": request.query_string,
            "filters": _queue_query(wanted),
        },
    )


@requires("view_tips")
async def queue_live(request: web.Request) -> web.Response:
    """The queue's table alone, which the page fetches when the live stream says something changed."""
    wanted = _queue_filter(request)
    page = await casework.queue(_ctx(request), wanted)
    return _render(request, "_queue.html", {"page": page, "wanted": wanted, "filters": _queue_query(wanted)})


@requires("view_tips")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: a `pulse` whenever anything changed (the audit log's newest id moved),
    with the emergencies nobody has acknowledged, for the alarm on every page."""
    ctx = _ctx(request)
    closing = request.app[CLOSING]
    key = request.app[CONFIG].session_key
    token = request.cookies[SESSION_COOKIE]
    async with sse_response(request) as stream:
        last: casework.Pulse | None = None
        while stream.is_connected() and not closing.is_set():
            if await accounts.session_for(ctx, key, token) is None:
                await stream.send("signed out", event="signed_out")
                break
            pulse = await casework.pulse(ctx)
            if pulse != last:
                await stream.send(json.dumps({"cursor": pulse.cursor, "alarms": pulse.alarms}), event="pulse")
                last = pulse
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closing.wait(), PULSE_SECONDS)
    return stream


# --- a tip ----------------------------------------------------------------------------------------


_DONE = {
    "acknowledged": "Acknowledged.",
    "assigned": "Assignment saved.",
    "note": "Note added.",
    "follow_up": "Follow-up set.",
    "follow_up_done": "Follow-up recorded as done.",
    "disposition": "Disposition recorded; the tip is closed.",
    "reply": "Reply saved; the reporter sees it when they check the tip.",
    "fbi_filed": "FBI filing recorded.",
    "reopened": "Tip reopened.",
}


@requires("view_tips")
async def tip(request: web.Request) -> web.Response:
    file = await casework.tip_file(_ctx(request), request.match_info["reference"], request[SESSION].staff)
    return _render(
        request,
        "tip.html",
        {
            "file": file,
            "packets": file.packets,
            "done": _DONE.get(request.query.get("done", "")),
            "done_key": request.query.get("done", ""),
            "dispositions": DISPOSITIONS,
            "follow_up_kinds": casework.FOLLOW_UP_KINDS,
            "now": _ctx(request).clock(),
        },
    )


@requires("work_tips")
async def acknowledge(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.acknowledge(
        _ctx(request), request.match_info["reference"], form.get("destination", ""), request[SESSION].staff
    )
    raise _back_to_tip(request, "acknowledged")


@requires("work_tips")
async def assign(request: web.Request) -> web.Response:
    form = await _form(request)
    raw = form.get("user_id", "")
    if raw and not raw.isdigit():
        raise casework.CaseError("choose someone from the list")
    await casework.assign(
        _ctx(request), request.match_info["reference"], int(raw) if raw else None, request[SESSION].staff
    )
    raise _back_to_tip(request, "assigned")


@requires("work_tips")
async def add_note(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.add_note(
        _ctx(request), request.match_info["reference"], form.get("text", ""), request[SESSION].staff
    )
    raise _back_to_tip(request, "note")


@requires("work_tips")
async def add_follow_up(request: web.Request) -> web.Response:
    form = await _form(request)
    due = _due(form.get("due", ""), _ctx(request).jurisdiction.timezone)
    await casework.add_follow_up(
        _ctx(request),
        request.match_info["reference"],
        form.get("kind", ""),
        form.get("action", ""),
        form.get("owner", ""),
        due,
        request[SESSION].staff,
    )
    raise _back_to_tip(request, "follow_up")


def _due(raw: str, timezone: str) -> datetime | None:
    """A datetime-local field, read in the jurisdiction's time zone."""
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        raise casework.CaseError("the due date is not a date and time") from None


@requires("work_tips")
async def complete_follow_up(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.complete_follow_up(
        _ctx(request),
        request.match_info["reference"],
        int(request.match_info["follow_up_id"]),
        form.get("findings", ""),
        request[SESSION].staff,
    )
    raise _back_to_tip(request, "follow_up_done")


@requires("work_tips")
async def record_disposition(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.record_disposition(
        _ctx(request),
        request.match_info["reference"],
        form.get("disposition", ""),
        form.get("outcome", ""),
        form.get("destination") or None,
        request[SESSION].staff,
        close_unfiled=form.get("close_unfiled") == "yes",
    )
    raise _back_to_tip(request, "disposition")


@requires("reply_to_reporter")
async def reply(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.reply_to_reporter(
        _ctx(request), request.match_info["reference"], form.get("text", ""), request[SESSION].staff
    )
    raise _back_to_tip(request, "reply")


@requires("file_fbi_packet")
async def fbi_filed(request: web.Request) -> web.Response:
    form = await _form(request)
    delivery_id = form.get("delivery_id", "")
    if not delivery_id.isdigit():
        raise casework.CaseError("no such FBI packet on this tip")
    await casework.record_fbi_filing(
        _ctx(request),
        request.match_info["reference"],
        int(delivery_id),
        form.get("confirmation", ""),
        request[SESSION].staff,
    )
    raise _back_to_tip(request, "fbi_filed")


@requires("work_tips")
async def reopen(request: web.Request) -> web.Response:
    form = await _form(request)
    await casework.reopen(
        _ctx(request), request.match_info["reference"], form.get("reason", ""), request[SESSION].staff
    )
    raise _back_to_tip(request, "reopened")


# --- administration -----------------------------------------------------------------------------


@requires("manage_users")
async def users(request: web.Request) -> web.Response:
    return await _users_page(request, None)


async def _users_page(request: web.Request, error: str | None, done: str | None = None) -> web.Response:
    rows = await accounts.users(_ctx(request))
    return _render(
        request,
        "users.html",
        {
            "users": rows,
            "roles": ROLES,
            "role_labels": accounts.ROLE_LABELS,
            "error": error,
            "done": done,
            "now": _ctx(request).clock(),
            "min_password": accounts.MIN_PASSWORD_LENGTH,
        },
        status=400 if error else 200,
    )


@requires("manage_users")
async def create_user(request: web.Request) -> web.Response:
    form = await _form(request)
    try:
        await accounts.create_user(
            _ctx(request),
            form.get("username", ""),
            form.get("display_name", ""),
            form.get("role", ""),
            form.get("password", ""),
            request[SESSION].staff.actor,
        )
    except AccountError as e:
        return await _users_page(request, str(e))
    raise web.HTTPSeeOther("/console/admin/users?done=created")


@requires("manage_users")
async def change_user(request: web.Request) -> web.Response:
    form = await _form(request)
    action = form.get("action", "")
    choices: dict[str, dict[str, Any]] = {
        "role": {"role": form.get("role")},
        "activate": {"active": True},
        "deactivate": {"active": False},
        "unlock": {"unlock": True},
        "password": {"password": form.get("password", "")},
    }
    changes = choices.get(action)
    if not changes:
        raise casework.CaseError("unknown change")
    try:
        await accounts.change_user(_ctx(request), int(request.match_info["user_id"]), request[SESSION].staff, **changes)
    except AccountError as e:
        return await _users_page(request, str(e))
    raise web.HTTPSeeOther("/console/admin/users?done=changed")


@requires("view_configuration")
async def jurisdiction(request: web.Request) -> web.Response:
    """The running configuration, and the file on disk checked again (as the next start would)."""
    settings = request.config_dict[SETTINGS]
    path = settings.jurisdiction_path
    problem = None
    try:
        load_jurisdiction(path, settings.delivery_secrets)
    except JurisdictionError as e:
        problem = str(e)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as e:
        source = f"(cannot read {path}: {e.strerror})"
    running = _ctx(request).jurisdiction
    return _render(
        request,
        "jurisdiction.html",
        {
            "j": running,
            "path": path,
            "problem": problem,
            "source": source,
            "running_yaml": yaml.safe_dump(running.model_dump(mode="json"), sort_keys=False, allow_unicode=True),
        },
    )


@requires("retry_deliveries")
async def dead_letters(request: web.Request) -> web.Response:
    rows = await casework.dead_letters(_ctx(request))
    return _render(request, "dead_letters.html", {"rows": rows, "done": request.query.get("done") == "retried"})


@requires("retry_deliveries")
async def retry(request: web.Request) -> web.Response:
    await casework.retry_delivery(_ctx(request), int(request.match_info["delivery_id"]), request[SESSION].staff)
    request.config_dict[OUTBOX_BELL].ring()  # a worker of this process picks it up now
    raise web.HTTPSeeOther("/console/admin/dead-letters?done=retried")


# --- statistics -----------------------------------------------------------------------------------


def _days(request: web.Request) -> int:
    raw = request.query.get("days", "30")
    if not raw.isdigit() or int(raw) not in STATS_DAYS:
        raise casework.CaseError(f"days must be one of {', '.join(map(str, STATS_DAYS))}")
    return int(raw)


@requires("view_statistics")
async def stats(request: web.Request) -> web.Response:
    figures = await casework.tip_statistics(_ctx(request), _days(request), request[SESSION].staff)
    return _render(
        request,
        "stats.html",
        {"stats": figures, "choices": STATS_DAYS},
    )


@requires("view_statistics")
async def stats_json(request: web.Request) -> web.Response:
    days = _days(request)
    figures = await casework.tip_statistics(_ctx(request), days, request[SESSION].staff, exported="json")
    return web.json_response(
        figures.as_dict(),
        headers={"Content-Disposition": f'attachment; filename="tipline-statistics-{days}d.json"'},
        dumps=lambda obj: json.dumps(obj, indent=2),
    )


@requires("view_statistics")
async def stats_csv(request: web.Request) -> web.Response:
    days = _days(request)
    figures = await casework.tip_statistics(_ctx(request), days, request[SESSION].staff, exported="csv")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("section", "key", "value"))
    writer.writerows(figures.as_rows())
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="tipline-statistics-{days}d.csv"'},
    )
