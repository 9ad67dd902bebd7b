"""What the worker asks of the three ways to send (webhook, e-mail, SMS), as small Protocols.

Only app.py names the concrete senders; tests hand in their own or point real ones at local
servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class DeliveryError(Exception):
    """One attempt failed. `permanent` means retrying the same request cannot succeed."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    detail: str
    external_reference: str | None = None


class WebhookPort(Protocol):
    async def post(
        self, url: str, secret_name: str, body: dict[str, Any], idempotency_key: str, seconds: float
    ) -> Sent: ...


class EmailPort(Protocol):
    async def send(self, to: list[str], subject: str, text: str, idempotency_key: str) -> Sent: ...


class SmsPort(Protocol):
    async def send(self, to: str, body: str) -> Sent: ...


@dataclass(frozen=True)
class Senders:
    webhook: WebhookPort
    email: EmailPort
    sms: SmsPort
