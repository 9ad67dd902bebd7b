"""Web chat: Rasa's socket.io protocol at /socket.io and the public page at /report/, from one origin.

The engine serves the "Report a concern" page itself, so the chat's socket.io connection is
same-origin (no CORS to open) and a municipal site embeds it with one script tag (/report/embed.js,
which opens the page in a dialog). Compared with Rasa's own socket.io channel this one:
- accepts only well-formed session ids and only from the socket that holds the session;
- keeps from the browser's metadata only the page language, so nothing else reaches the tracker;
- applies the same flood control as SMS (an emergency is served first, never turned away), and
  limits the sessions started from one client address (taken from X-Forwarded-For only when the
  peer is a trusted proxy);
- says at the start of a session when the line is not watched around the clock;
- runs Rasa's turns on the turn thread (bot/turns.py), like the SMS channel.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import metrics
from bot.channels import replies
from bot.flood import FloodControl, Verdict, client_address
from bot.public_info import PublicInfoSource
from bot.settings import Settings
from bot.state import open_state
from bot.turns import TURNS, LineFull, on_server_loop
from bot.web_page import WEB, PageOptions, ReportPage

log = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_MESSAGE = 2000  # characters: a long report fits, a pasted book does not
LANGUAGES = ("en", "es")
SOCKET_PATH = "/socket.io"
SOCKET_IO_CLIENT = WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

SECURITY_HEADERS = {
    # Everything from this origin: no CDN, no third-party script, no inline code.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class WebChatOutput(SocketIOOutput):
    """Emits on the server's loop, where socket.io lives, though the turn runs on the turn thread."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, server_loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(sio, bot_message_evt)
        self.server_loop = server_loop

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await on_server_loop(self.server_loop, self.sio.emit(self.bot_message_evt, response, room=socket_id))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        json_message.setdefault("room", recipient_id)
        await on_server_loop(self.server_loop, self.sio.emit(self.bot_message_evt, **json_message))


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        super().__init__(session_persistence=True, socketio_path=SOCKET_PATH)
        self.settings = settings
        self.public_info = PublicInfoSource(settings.public_info_url)
        self.page = ReportPage(PageOptions(quick_exit_url=settings.quick_exit_url, socket_path=SOCKET_PATH))
        self.state = open_state(settings.redis_url)
        self.flood = FloodControl(self.state, settings.flood, "webchat")
        TURNS.line.max_waiting = settings.flood.waiting_turns

    def url_prefix(self) -> str:
        # An absolute prefix: Rasa joins it to /webhooks/, which keeps it as it is.
        return "/report"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        # cors_allowed_origins=None: python-engineio accepts only this server's own origin.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=None)
        self.sio = sio
        page = SocketBlueprint(sio, SOCKET_PATH, "tipline_webchat", __name__)

        @page.listener("before_server_start")
        async def start(_app: Any, _loop: Any) -> None:
            if not SOCKET_IO_CLIENT.exists():
                log.error("web chat assets missing (%s); run 'make web'", SOCKET_IO_CLIENT)
            await self.public_info.start()

        @page.listener("after_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await self.public_info.stop()
            await self.state.close()

        @page.middleware("request")
        async def no_nul_in_paths(request: Request) -> HTTPResponse | None:
            # Sanic's static files fail with a 500 on an encoded NUL; it is never part of a real path.
            if "%00" in request.raw_url.decode("latin-1") or "\x00" in request.path:
                return response.text("bad path", status=400)
            return None

        @page.middleware("response")
        async def security_headers(request: Request, reply: HTTPResponse) -> None:
            reply.headers.update(SECURITY_HEADERS)

        @page.route("/", methods=["GET"])
        async def report(request: Request) -> HTTPResponse:
            info = self.public_info.current
            language = self.page.language(info, request.args.get("lang"), request.headers.get("accept-language", ""))
            html = self.page.render(info, language, embedded=request.args.get("embed") == "1")
            return response.html(html, headers={"Cache-Control": "no-store", "Content-Language": language})

        page.static("/embed.js", str(WEB / "static" / "embed.js"), name="embed")
        page.static("/assets/vendor/socket.io.min.js", str(SOCKET_IO_CLIENT), name="socketio_client")
        page.static("/assets", str(WEB / "static"), name="assets")

        @sio.on("connect")
        async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None = None) -> bool:
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not await self.flood.new_session(self._address(sid)):
                metrics.REFUSED.labels("webchat", "sessions").inc()
                info = self.public_info.current
                too_many = replies.with_emergency(replies.TOO_MANY_CHATS, info, _language(data))
                await sio.emit(self.bot_message_evt, {"text": too_many}, room=sid)
                return
            asked = data.get("session_id")
            resumed = isinstance(asked, str) and SESSION_ID.fullmatch(asked) is not None
            session_id = asked if resumed else uuid.uuid4().hex
            sio.enter_room(sid, session_id)  # a plain call in python-socketio 5.9.0, which the engine pins
            await sio.emit("session_confirm", session_id, room=sid)
            if not resumed:
                notice = self._coverage_notice(_language(data))
                if notice:
                    await sio.emit(self.bot_message_evt, {"text": notice}, room=session_id)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id, text = data.get("session_id"), data.get("message")
            if not isinstance(session_id, str) or session_id not in sio.rooms(sid):
                return  # only the socket that requested a session speaks in it
            if not isinstance(text, str) or not text.strip():
                return
            text = text[:MAX_MESSAGE]
            metadata = data.get(self.metadata_key)
            language = _language(metadata if isinstance(metadata, dict) else {})
            output = WebChatOutput(sio, self.bot_message_evt, asyncio.get_running_loop())
            info = self.public_info.current
            verdict = await self.flood.judge(session_id, text)
            if verdict not in (Verdict.URGENT, Verdict.ADMIT):
                metrics.REFUSED.labels("webchat", "flood").inc()
                if await self.flood.first_notice(session_id):
                    await output.send_text_message(session_id, replies.with_emergency(replies.BUSY, info, language))
                return
            metrics.MESSAGES.labels("webchat").inc()
            started = time.perf_counter()
            try:
                await TURNS.run(
                    on_new_message(
                        UserMessage(
                            text, output, session_id, input_channel=self.name(), metadata={"language": language}
                        )
                    ),
                    sender="webchat:" + self._address(sid),  # one address's sessions share one place
                    urgent=verdict is Verdict.URGENT,
                )
                metrics.TURN_SECONDS.labels("webchat").observe(time.perf_counter() - started)
            except LineFull:
                metrics.REFUSED.labels("webchat", "line_full").inc()
                await output.send_text_message(session_id, replies.with_emergency(replies.BUSY, info, language))
            except Exception:
                log.exception("a web chat message could not be handled")
                await output.send_text_message(session_id, replies.with_emergency(replies.TROUBLE, info, language))

        return page

    def _address(self, sid: str) -> str:
        """The client address of a socket, as the request that opened it showed it."""
        environ = self.sio.get_environ(sid) or {}
        request = environ.get("sanic.request")
        peer = request.ip if request is not None else environ.get("REMOTE_ADDR", "")
        return client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.settings.trusted_proxies)

    def _coverage_notice(self, language: str) -> str | None:
        info = self.public_info.current
        return info.coverage_notice(info.language(language), datetime.now(timezone.utc))


def _language(data: dict[str, Any]) -> str:
    language = data.get("language")
    return language if language in LANGUAGES else "en"
