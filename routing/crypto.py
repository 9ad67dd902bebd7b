"""Encryption at rest for reporter details (Fernet with key rotation via MultiFernet)."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Vault:
    """Encrypts with the first key, decrypts with any: add a new key first to rotate."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._newest = Fernet(keys[0].encode())
        self._fernet = MultiFernet([self._newest, *(Fernet(k.encode()) for k in keys[1:])])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt: no configured key matches") from None

    def rotate(self, token: str) -> str:
        """The same plaintext encrypted with the newest key (ValueError if no key reads it)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot rotate: no configured key matches") from None

    def is_current(self, token: str) -> bool:
        """Encrypted with the newest key: nothing to rotate."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True
