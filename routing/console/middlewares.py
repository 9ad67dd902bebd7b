"""The console's middlewares: they touch only the console's routes (it is a sub-application).

Order, outermost first: error pages, sign-in, CSRF (the security headers are the whole service's,
routing/headers.py). An anonymous request gets the login page and nothing else; a POST without its
CSRF token never reaches a handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps

import aiohttp_jinja2
from aiohttp import web

from routing import accounts
from routing.casework import CaseError, TipNotFound
from routing.console import csrf
from routing.console.keys import CONFIG, SESSION
from routing.keys import CONTEXT

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION_COOKIE = "tipline_session"
PUBLIC_PATHS = ("/console/login", "/console/static/")


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except TipNotFound as e:
        return _error_page(request, 404, "Not found", str(e))
    except CaseError as e:
        return _error_page(request, 400, "That could not be done", str(e))
    except web.HTTPException as e:
        if e.status < 400:
            raise
        return _error_page(request, e.status, e.reason, "")
    except Exception:
        log.exception("console error on %s %s", request.method, request.path)
        return _error_page(request, 500, "Something went wrong", "The request was not completed. Try again.")


def _error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    session = request.get(SESSION)
    context = {
        "title": title,
        "message": message,
        "session": session,
        "staff": session.staff if session else None,
        "csrf_token": session.csrf_token if session else "",
        "nav": request.path,
    }
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


@web.middleware
async def sign_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the session of the cookie; without one, anything but the login page redirects to it."""
    if request.path.startswith("/console/static/"):
        return await handler(request)  # stylesheets and scripts: no session, no database
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        session = await accounts.session_for(request.config_dict[CONTEXT], request.app[CONFIG].session_key, token)
        if session is not None:
            request[SESSION] = session
    if SESSION not in request and not request.path.startswith(PUBLIC_PATHS):
        if request.path == "/console/events":
            raise web.HTTPUnauthorized()
        raise web.HTTPSeeOther("/console/login")
    return await handler(request)


@web.middleware
async def csrf_protect(request: web.Request, handler: Handler) -> web.StreamResponse:
    await csrf.check(request)
    return await handler(request)


def requires(permission: str) -> Callable[[Handler], Handler]:
    """Refuse (403) a signed-in person whose role lacks the permission (accounts.PERMISSIONS)."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            if not request[SESSION].staff.can(permission):
                raise web.HTTPForbidden(reason="Your role does not allow this.")
            return await handler(request)

        return checked

    return decorate


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/console/",
        httponly=True,
        samesite="Strict",
        secure=request.app[CONFIG].secure_cookies,
        max_age=max_age,
    )
