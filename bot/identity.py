"""A resident's phone number: a keyed hash stands in for it; the number itself only encrypted.

The hash (HMAC-SHA256 with TIPLINE_SENDER_HASH_KEY) is the conversation id Rasa stores, so the
tracker store and the logs never hold the number. The number is sealed with the project's Fernet
keys (TIPLINE_ENCRYPTION_KEYS, newest first, the same format as routing's) and kept only as long as
a reply may be due.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SenderIdentity:
    def __init__(self, hash_key: str, encryption_keys: Sequence[str]) -> None:
        if not encryption_keys:
            raise ValueError("at least one encryption key is needed")
        self._hash_key = hash_key.encode()
        self._fernet = MultiFernet([Fernet(k.encode()) for k in encryption_keys])

    def conversation_id(self, phone: str) -> str:
        return hmac.new(self._hash_key, phone.strip().encode(), hashlib.sha256).hexdigest()

    def seal(self, phone: str) -> str:
        return self._fernet.encrypt(phone.encode()).decode()

    def unseal(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt the reply address: no configured key matches") from None
