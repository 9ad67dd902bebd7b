"""CSRF protection of every console form (the synchronizer-token pattern).

A signed-in person's forms carry the token stored with their session; the login form, before
there is a session, carries a random value that must match its own SameSite=Strict cookie
(double submit). Any POST without the right token is refused before its handler runs.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from routing.console.keys import CONFIG, SESSION

FIELD = "csrf_token"
LOGIN_COOKIE = "tipline_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfRefused(web.HTTPForbidden):
    def __init__(self) -> None:
        super().__init__(reason="The form was stale or did not come from this console; reload the page and try again.")


async def check(request: web.Request) -> None:
    """Raise CsrfRefused unless an unsafe request carries the expected token."""
    if request.method not in UNSAFE_METHODS:
        return
    form = await request.post()
    given = form.get(FIELD)
    session = request.get(SESSION)
    expected = session.csrf_token if session is not None else request.cookies.get(LOGIN_COOKIE)
    if not isinstance(given, str) or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRefused()


def login_token(request: web.Request) -> str:
    """The login form's token: the one its cookie already holds, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        path="/console/",
        httponly=True,
        samesite="Strict",
        secure=request.app[CONFIG].secure_cookies,
        max_age=3600,
    )
