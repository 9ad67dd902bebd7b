"""The signed Twilio SMS channel at /webhooks/twilio/webhook (credentials.yml names it by module path).

Rasa's built-in Twilio channel checks no signature, answers only after the whole turn, sends
synchronously, drops MessageSid and media and crashes on an image-only MMS. This one:
- checks X-Twilio-Signature (the twilio SDK's RequestValidator) over the raw form body with blank
  fields kept, against the public URL Twilio signed; anything else gets 403;
- drops Twilio's retries and replays by MessageSid (kept 7 days in the shared state), answers at
  once with empty TwiML and runs the turn in the background, in arrival order per sender;
- keys the conversation by a keyed hash of the phone number and keeps the number only encrypted,
  only while a reply may be due;
- honours STOP (nothing more is sent) and answers HELP with the jurisdiction's help text;
- says, at the start of a conversation, when the line is not watched around the clock;
- replies through the twilio SDK's async client, split for SMS (sms_text.py);
- runs Rasa's turn on the turn thread (turns.py), so Twilio's answer never waits for TensorFlow.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from multidict import MultiDict
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot import metrics
from bot.channels import replies
from bot.channels.sms_text import split_for_sms
from bot.flood import FloodControl, Verdict
from bot.identity import SenderIdentity
from bot.language import guess_language
from bot.ordering import PerSenderQueue
from bot.public_info import PublicInfoSource
from bot.settings import Settings, TwilioSettings
from bot.state import ChannelState, open_state
from bot.turns import TURNS, LineFull, freeze_startup_objects, on_server_loop

log = logging.getLogger(__name__)

# Twilio's own opt-out, opt-in and help words (and their Spanish counterparts), as whole messages.
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke", "parar"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
HELP_WORDS = {"help": "en", "info": "en", "ayuda": "es"}

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MESSAGE_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>{}</Message></Response>'
MAX_BODY = 64 * 1024  # Twilio's webhook forms are a few kilobytes even with ten media URLs
# A signed webhook replayed later (a captured request sent again) is refused by its MessageSid for
# this long, in the shared state: across an engine restart and by every replica (README, SMS).
REPLAY_WINDOW = 7 * 86400.0
OPT_OUT_KEPT = 400 * 86400.0  # opt-outs outlive any conversation
STATUS_KEPT = 86400.0
# The only Twilio fields the conversation keeps (in the tracker, as long as its retention): the rest
# (From, FromCity, FromState, FromZip, FromCountry, any field Twilio adds later) says where the
# resident is or who they are. The number travels only sealed.
TWILIO_FIELDS_KEPT = frozenset({"MessageSid", "To", "NumMedia", "NumSegments"})
MEDIA_FIELD = re.compile(r"^Media(Url|ContentType)(\d+)$")


# --- the signature check: pure --------------------------------------------------------------


def form_params(raw_body: bytes) -> MultiDict[str]:
    """The form exactly as Twilio signed it: every field, blank ones included (Sanic drops those)."""
    return MultiDict(parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, errors="strict"))


def signature_is_valid(auth_token: str, url: str, params: MultiDict[str], signature: str) -> bool:
    """Twilio's scheme: HMAC-SHA1 over the public URL and the sorted form fields, base64."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


def keyword(text: str) -> str:
    return re.sub(r"[^\w]", "", text.strip().lower())


# --- one inbound message ----------------------------------------------------------------------


@dataclass(frozen=True)
class InboundSMS:
    message_sid: str
    conversation_id: str
    sealed_number: str
    text: str
    media: tuple[dict[str, str], ...]
    twilio_fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: MultiDict[str], identity: SenderIdentity) -> InboundSMS:
        phone = params["From"]
        media: dict[int, dict[str, str]] = {}
        fields: dict[str, str] = {}
        for name, value in params.items():
            if match := MEDIA_FIELD.match(name):
                kind = "url" if match.group(1) == "Url" else "content_type"
                media.setdefault(int(match.group(2)), {})[kind] = value
            elif name in TWILIO_FIELDS_KEPT:
                fields[name] = value
        return cls(
            message_sid=params.get("MessageSid") or params["SmsSid"],
            conversation_id=identity.conversation_id(phone),
            sealed_number=identity.seal(phone),
            text=params.get("Body", ""),
            media=tuple(media[i] for i in sorted(media)),
            twilio_fields=fields,
        )

    def metadata(self, language_guess: str) -> dict[str, Any]:
        return {"twilio": self.twilio_fields, "media": list(self.media), "language_guess": language_guess}


# --- sending ----------------------------------------------------------------------------------


class SMSSender:
    """Sends to a conversation through Twilio, if a reply address is kept and the resident has not opted out."""

    def __init__(self, twilio: TwilioSettings, state: ChannelState, identity: SenderIdentity) -> None:
        self.twilio = twilio
        self.state = state
        self.identity = identity
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        # The SDK logs every request at INFO; its own logger stays at WARNING so nothing about a send is logged.
        quiet = logging.getLogger("bot.twilio_http")
        quiet.setLevel(logging.WARNING)
        self._http = AsyncTwilioHttpClient(timeout=10, max_retries=3, logger=quiet)
        self._client = Client(self.twilio.account_sid, self.twilio.auth_token, http_client=self._http)
        self._client.api.base_url = self.twilio.api_url

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def send(self, conversation_id: str, text: str = "", media_url: str | None = None) -> int:
        """Send `text` (split for SMS) and/or one media URL; the number of messages Twilio accepted."""
        if self._client is None:
            raise RuntimeError("the SMS sender is not started")
        if await self.state.get(f"optout:{conversation_id}"):
            return 0
        sealed = await self.state.get(f"reply:{conversation_id}")
        if sealed is None:
            log.warning("no reply address kept for conversation %s…; nothing sent", conversation_id[:12])
            return 0
        phone = self.identity.unseal(sealed)
        origin = (
            {"messaging_service_sid": self.twilio.sender}
            if self.twilio.sender.startswith("MG")
            else {"from_": self.twilio.sender}
        )
        parts: list[dict[str, Any]] = [{"body": part} for part in split_for_sms(text)] if text.strip() else []
        if media_url:
            if parts:
                parts[-1]["media_url"] = [media_url]
            else:
                parts.append({"media_url": [media_url]})
        sent = 0
        for part in parts:
            try:
                message = await self._client.messages.create_async(
                    to=phone, status_callback=self.twilio.status_url, **origin, **part
                )
            except TwilioRestException as e:
                log.error("Twilio refused a reply to %s…: %s %s", conversation_id[:12], e.status, e.code)
                metrics.REPLIES.labels("sms", "refused").inc()
                return sent
            log.info("reply %s queued for %s…", message.sid, conversation_id[:12])
            metrics.REPLIES.labels("sms", "sent").inc()
            sent += 1
        return sent


class TwilioSMSOutput(OutputChannel):
    """Rasa's view of a conversation's SMS replies; `silent` after STOP: nothing more is sent.

    Used from the turn thread (bot/turns.py): each send is handed to the server's loop, where the
    Twilio client and the channel state live.
    """

    def __init__(self, sender: SMSSender, server_loop: asyncio.AbstractEventLoop, silent: bool = False) -> None:
        self.sender = sender
        self.server_loop = server_loop
        self.silent = silent
        self.sent = 0

    @classmethod
    def name(cls) -> str:
        return "twilio"

    async def _send(self, recipient_id: str, text: str = "", media_url: str | None = None) -> None:
        if not self.silent:
            self.sent += await on_server_loop(self.server_loop, self.sender.send(recipient_id, text, media_url))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, media_url=image)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        # One SMS with the choices listed, not one SMS per button as Rasa's default does.
        choices = " / ".join(str(b.get("title", "")) for b in buttons if b.get("title"))
        await self._send(recipient_id, f"{text}\n{choices}" if choices else text)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if isinstance(json_message.get("text"), str):
            await self._send(recipient_id, json_message["text"])


# --- the input channel ------------------------------------------------------------------------


class TwilioSMSInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.twilio = settings.twilio
        self.identity = SenderIdentity(settings.sender_hash_key, settings.encryption_keys)
        self.public_info = PublicInfoSource(settings.public_info_url)
        self.queues = PerSenderQueue()
        # Redis connects lazily, so its connections belong to the server's event loop.
        self.state = open_state(settings.redis_url)
        self.flood = FloodControl(self.state, settings.flood, "sms")
        TURNS.line.max_waiting = settings.flood.waiting_turns
        # Started with the server: the SDK's HTTP session belongs to its event loop.
        self._sender: SMSSender | None = None
        self._server_loop: asyncio.AbstractEventLoop | None = None

    @property
    def sender(self) -> SMSSender:
        if self._sender is None:
            raise RuntimeError("the SMS channel has no Twilio account configured")
        return self._sender

    @property
    def server_loop(self) -> asyncio.AbstractEventLoop:
        if self._server_loop is None:
            raise RuntimeError("the SMS channel is not started")
        return self._server_loop

    def output(self, silent: bool = False) -> TwilioSMSOutput:
        return TwilioSMSOutput(self.sender, self.server_loop, silent=silent)

    async def start(self) -> None:
        self._server_loop = asyncio.get_running_loop()
        await self.public_info.start()
        if self.twilio is None:
            log.warning(
                "SMS channel off: set TIPLINE_TWILIO_ACCOUNT_SID, TIPLINE_TWILIO_AUTH_TOKEN, TIPLINE_PUBLIC_URL and "
                "TIPLINE_TWILIO_NUMBER to receive texts; until then every request to it gets 403"
            )
            return
        self._sender = SMSSender(self.twilio, self.state, self.identity)
        await self._sender.start()
        log.info("SMS channel: Twilio requests are checked against %s", self.twilio.webhook_url)

    async def stop(self) -> None:
        await self.queues.drain(timeout=20)
        TURNS.stop()
        await self.public_info.stop()
        if self._sender is not None:
            await self._sender.close()
        await self.state.close()

    def get_output_channel(self) -> OutputChannel:
        return self.output()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("tipline_twilio_sms", __name__)

        @webhook.listener("before_server_start")
        async def start(_app: Any, _loop: Any) -> None:
            await self.start()

        @webhook.listener("after_server_start")
        async def settle(_app: Any, _loop: Any) -> None:
            freeze_startup_objects()  # the model is loaded by now (Rasa loads it before the server starts)

        @webhook.listener("after_server_stop")
        async def stop(_app: Any, _loop: Any) -> None:
            await self.stop()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.twilio else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request.body, request.headers.get("X-Twilio-Signature", ""), on_new_message)

        @webhook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            params = self._verified_form(request.body, request.headers.get("X-Twilio-Signature", ""), "status")
            if isinstance(params, HTTPResponse):
                return params
            message_sid, state = params.get("MessageSid", ""), params.get("MessageStatus", "")
            if message_sid and state:
                await self.state.put(f"status:{message_sid}", state, STATUS_KEPT)
                if state in ("failed", "undelivered"):
                    log.warning("reply %s %s (Twilio error %s)", message_sid, state, params.get("ErrorCode", "-"))
                else:
                    log.info("reply %s %s", message_sid, state)
            return response.empty()

        return webhook

    async def receive(
        self, body: bytes, signature: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Twilio's POST of an incoming message: checked, taken once by MessageSid, its turn queued."""
        params = self._verified_form(body, signature, "webhook")
        if isinstance(params, HTTPResponse):
            return params
        message_sid = params.get("MessageSid") or params.get("SmsSid")
        if not message_sid or not params.get("From"):
            metrics.REFUSED.labels("sms", "malformed").inc()
            return response.text("MessageSid and From are required", status=400)
        try:
            fresh = await self.state.claim(f"sid:{message_sid}", REPLAY_WINDOW)
        except RedisError as e:
            # Redis holds the channel's state and, with several replicas, the engine's locks: no turn
            # can run. The webhook's own answer needs nothing stored, so the resident is told.
            log.error("message %s not taken, Redis is unreachable (%s): told the resident", message_sid, e)
            metrics.REFUSED.labels("sms", "unavailable").inc()
            language = guess_language(params.get("Body", ""))
            text = replies.with_emergency(replies.TROUBLE, self.public_info.current, language)
            return response.text(MESSAGE_TWIML.format(escape(text)), content_type="text/xml")
        if fresh:
            inbound = InboundSMS.from_params(params, self.identity)
            self.queues.submit(inbound.conversation_id, partial(self.handle, inbound, on_new_message))
        # A retry or replay of a message already taken gets the same empty answer, and nothing else happens.
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def _verified_form(self, body: bytes, signature: str, kind: str) -> MultiDict[str] | HTTPResponse:
        """The signed form of a Twilio request, or the response that refuses it."""
        if self.twilio is None:
            return response.text("SMS is not configured", status=403)
        if len(body) > MAX_BODY:
            metrics.REFUSED.labels("sms", "too_large").inc()
            return response.text("request too large", status=413)
        try:
            params = form_params(body)
        except UnicodeDecodeError:
            metrics.REFUSED.labels("sms", "malformed").inc()
            return response.text("the form is not UTF-8", status=400)
        url = self.twilio.webhook_url if kind == "webhook" else self.twilio.status_url
        if not signature_is_valid(self.twilio.auth_token, url, params, signature):
            log.warning("refused a %s request with a missing or wrong Twilio signature", kind)
            metrics.REFUSED.labels("sms", "signature").inc()
            return response.text("invalid signature", status=403)
        return params

    # --- the turn, in the background -----------------------------------------------------------

    async def handle(self, sms: InboundSMS, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        language = guess_language(sms.text)
        conversation = sms.conversation_id
        info = self.public_info.current
        try:
            word = keyword(sms.text)
            if word in OPT_OUT_WORDS:
                await self._opt_out(sms, on_new_message)
                return
            opted_out = await self.state.get(f"optout:{conversation}") is not None
            if opted_out and word in OPT_IN_WORDS:
                await self.state.delete(f"optout:{conversation}")
                opted_out = False
            if not opted_out:
                await self.state.put(f"reply:{conversation}", sms.sealed_number, self.settings.reply_window)

            verdict = await self.flood.judge(conversation, sms.text)
            if verdict not in (Verdict.URGENT, Verdict.ADMIT):
                log.warning("flood control (%s): message %s not taken", verdict.value, sms.message_sid)
                metrics.REFUSED.labels("sms", "flood").inc()
                if await self.flood.first_notice(conversation):
                    await self.sender.send(conversation, replies.with_emergency(replies.BUSY, info, language))
                return

            if word in HELP_WORDS:
                await self.sender.send(conversation, info.help_text(info.language(HELP_WORDS[word])))
                return

            if await self._starts_conversation(conversation):
                notice = info.coverage_notice(info.language(language), datetime.now(timezone.utc))
                if notice:
                    await self.sender.send(conversation, notice)

            output = self.output(silent=opted_out)
            metrics.MESSAGES.labels("sms").inc()
            started = time.perf_counter()
            await TURNS.run(
                on_new_message(
                    UserMessage(
                        sms.text,
                        output,
                        conversation,
                        input_channel=self.name(),
                        message_id=sms.message_sid,
                        metadata=sms.metadata(language),
                    )
                ),
                sender="sms:" + conversation,
                urgent=verdict is Verdict.URGENT,
            )
            metrics.TURN_SECONDS.labels("sms").observe(time.perf_counter() - started)
            if sms.media and output.sent == 0 and not opted_out:
                await self.sender.send(conversation, replies.MEDIA_RECEIVED[info.language(language)])
        except LineFull:
            log.warning("flood control (line full): message %s not taken", sms.message_sid)
            metrics.REFUSED.labels("sms", "line_full").inc()
            await self.sender.send(conversation, replies.with_emergency(replies.BUSY, info, language))
        except Exception:
            log.exception("message %s could not be handled", sms.message_sid)
            await self.sender.send(conversation, replies.with_emergency(replies.TROUBLE, info, language))

    async def _starts_conversation(self, conversation: str) -> bool:
        key = f"active:{conversation}"
        fresh = await self.state.get(key) is None
        await self.state.put(key, "1", self.settings.conversation_window)
        return fresh

    async def _opt_out(self, sms: InboundSMS, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """STOP: forget the reply address, end the conversation in Rasa, send nothing more."""
        conversation = sms.conversation_id
        await self.state.put(f"optout:{conversation}", "1", OPT_OUT_KEPT)
        await self.state.delete(f"reply:{conversation}")
        log.info("conversation %s… opted out", conversation[:12])
        # The conversation's own `stop` intent decides what happens to a report in progress.
        await TURNS.run(
            on_new_message(
                UserMessage(
                    "/stop",
                    self.output(silent=True),
                    conversation,
                    input_channel=self.name(),
                    message_id=sms.message_sid,
                    metadata={**sms.metadata("en"), "opt_out": True},
                )
            ),
            sender="sms:" + conversation,
        )
