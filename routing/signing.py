"""Signed acknowledgement links: whoever holds the link may acknowledge that one delivery."""

from __future__ import annotations

import hashlib
import hmac


def ack_token(secret: str, delivery_id: int) -> str:
    return hmac.new(secret.encode(), f"ack:{delivery_id}".encode(), hashlib.sha256).hexdigest()[:32]


def ack_url(public_url: str, secret: str, delivery_id: int) -> str:
    return f"{public_url}/ack/{delivery_id}?t={ack_token(secret, delivery_id)}"


def ack_token_valid(secret: str, delivery_id: int, token: str) -> bool:
    return hmac.compare_digest(ack_token(secret, delivery_id), token)
