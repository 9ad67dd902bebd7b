from __future__ import annotations

import base64
import os

import pytest

from bot.identity import SenderIdentity
from bot.language import guess_language


def key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_a_number_becomes_a_stable_keyed_hash_that_does_not_contain_it() -> None:
    identity = SenderIdentity("hash-key", [key()])
    conversation = identity.conversation_id("+15550123")
    assert conversation == identity.conversation_id("+15550123")
    assert conversation != SenderIdentity("other-key", [key()]).conversation_id("+15550123")
    assert "5550123" not in conversation and len(conversation) == 64


def test_the_number_is_sealed_and_still_opens_after_a_key_rotation() -> None:
    old, new = key(), key()
    sealed = SenderIdentity("k", [old]).seal("+15550123")
    assert "5550123" not in sealed
    assert SenderIdentity("k", [new, old]).unseal(sealed) == "+15550123"
    with pytest.raises(ValueError, match="no configured key"):
        SenderIdentity("k", [new]).unseal(sealed)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my neighbor has a gun", "en"),
        ("mi vecino tiene una pistola", "es"),
        ("¿que es esto?", "es"),
        ("hola", "es"),
        ("ok", "en"),
    ],
)
def test_a_first_guess_at_the_language(text: str, language: str) -> None:
    assert guess_language(text) == language
