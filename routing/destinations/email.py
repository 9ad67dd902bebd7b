"""E-mail through aiosmtplib (TIPLINE_SMTP_URL: smtp://user:pass@host:port, smtps:// for TLS)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from routing.destinations.base import DeliveryError, Sent

IDEMPOTENCY_HEADER = "X-Tipline-Idempotency-Key"


class EmailSender:
    def __init__(self, smtp_url: str, sender: str, timeout: float = 20) -> None:
        url = urlsplit(smtp_url)
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ValueError("TIPLINE_SMTP_URL must look like smtp://host:port or smtps://user:pass@host:465")
        query = parse_qs(url.query)
        self._options = {
            "hostname": url.hostname,
            "port": url.port or (465 if url.scheme == "smtps" else 25),
            "username": unquote(url.username) if url.username else None,
            "password": unquote(url.password) if url.password else None,
            "use_tls": url.scheme == "smtps",
            # STARTTLS when the server offers it, unless the URL says starttls=false.
            "start_tls": None if query.get("starttls", ["auto"])[0] == "auto" else query["starttls"][0] == "true",
            "timeout": timeout,
        }
        self._sender = sender

    async def send(self, to: list[str], subject: str, text: str, idempotency_key: str) -> Sent:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        # The same Message-ID on every attempt lets mail systems drop a repeat.
        message["Message-ID"] = make_msgid(idstring=idempotency_key, domain="tipline.invalid")
        message[IDEMPOTENCY_HEADER] = idempotency_key
        message.set_content(text)
        try:
            _, reply = await aiosmtplib.send(message, **self._options)  # type: ignore[arg-type]
        except aiosmtplib.SMTPRecipientsRefused as e:
            raise DeliveryError(f"recipients refused: {e}"[:300], permanent=True) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            raise DeliveryError(f"{type(e).__name__}: {e}"[:300]) from None
        return Sent(f"SMTP {reply}"[:200])
