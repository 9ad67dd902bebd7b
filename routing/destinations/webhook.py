"""HMAC-signed JSON POSTs (webhook and cad_webhook) through aiohttp, with timeouts."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from routing.destinations.base import DeliveryError, Sent

SIGNATURE_HEADER = "X-Tipline-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Client errors that a later attempt may still get past.
_RETRYABLE_4XX = frozenset({408, 409, 423, 425, 429})


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the raw body with the destination's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    """For receivers: compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header)


class WebhookSender:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        secrets: Mapping[str, str],
        rewrite: Callable[[str], str] = lambda url: url,
    ) -> None:
        self._session = session
        self._secrets = secrets
        self._rewrite = rewrite

    async def post(
        self, url: str, secret_name: str, body: dict[str, Any], idempotency_key: str, seconds: float
    ) -> Sent:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self._secrets[secret_name], raw),
            IDEMPOTENCY_HEADER: idempotency_key,
            "X-Tipline-Original-Url": url,
        }
        try:
            async with self._session.post(
                self._rewrite(url), data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=seconds)
            ) as response:
                text = await response.text()
                if response.status >= 300:
                    permanent = 400 <= response.status < 500 and response.status not in _RETRYABLE_4XX
                    raise DeliveryError(f"HTTP {response.status}: {text[:200]}", permanent=permanent)
                return Sent(f"HTTP {response.status}", _reference_from(text))
        except (aiohttp.ClientError, TimeoutError) as e:
            raise DeliveryError(f"{type(e).__name__}: {e}"[:300]) from None


def _reference_from(text: str) -> str | None:
    """A receiver may answer {"reference": "..."} (a CAD incident number): keep it."""
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    reference = answer.get("reference") if isinstance(answer, dict) else None
    return str(reference)[:128] if reference is not None else None
