"""The security headers of every response of the routing service: the console, /ack, the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Everything the pages load comes from this origin; no inline script, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Production is served over https only (TIPLINE_PUBLIC_URL): browsers never try plain http again.
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/console/static/"


def security_headers(production: bool) -> Middleware:
    def add(request: web.Request, headers: MutableMapping[str, str]) -> None:
        headers.update(SECURITY_HEADERS)
        if production:
            headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith(STATIC_PREFIX):
            headers["Cache-Control"] = "no-store"  # tip details never stay in a browser cache

    @web.middleware
    async def add_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as e:  # a 404 of the router, a redirect: answers all the same
            add(request, e.headers)
            raise
        add(request, response.headers)
        return response

    return add_headers
