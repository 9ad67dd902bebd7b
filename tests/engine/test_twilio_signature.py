"""The signature check is a pure function; these requests are signed with the twilio SDK's own scheme."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from bot.channels.twilio_sms import form_params, signature_is_valid

TOKEN = "test-auth-token"
PUBLIC = "https://tips.example.gov/webhooks/twilio/webhook"


def signed(form: dict[str, str], url: str = PUBLIC, token: str = TOKEN) -> tuple[bytes, str]:
    return urlencode(form).encode(), RequestValidator(token).compute_signature(url, form)


def sms(body: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": "SM" + "a" * 32, "From": "+15550123", "To": "+15550100", "Body": body, **extra}


def test_a_request_signed_by_twilio_is_valid() -> None:
    raw, signature = signed(sms("there is a man with a gun"))
    assert signature_is_valid(TOKEN, PUBLIC, form_params(raw), signature)


@pytest.mark.parametrize(
    "body",
    ["¿Dónde estás? mi vecino tiene una pistola", "he said tonight 😨🔫", "línea 1\nlínea 2 & más = 100%"],
)
def test_spanish_emoji_and_reserved_characters_keep_their_signature(body: str) -> None:
    raw, signature = signed(sms(body))
    params = form_params(raw)
    assert params["Body"] == body
    assert signature_is_valid(TOKEN, PUBLIC, params, signature)


def test_a_blank_body_is_kept_because_twilio_signs_it() -> None:
    form = sms("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    raw, signature = signed(form)
    assert signature_is_valid(TOKEN, PUBLIC, form_params(raw), signature)
    # What Sanic's own form parsing does, dropping the blank field, would refuse a genuine request.
    dropped = MultiDict(parse_qsl(raw.decode()))
    assert "Body" not in dropped
    assert not signature_is_valid(TOKEN, PUBLIC, dropped, signature)


def test_a_forged_or_altered_request_is_refused() -> None:
    raw, signature = signed(sms("hello"))
    _, wrong_token = signed(sms("hello"), token="guessed-token")
    altered = form_params(raw)
    altered["Body"] = "a different message"
    assert not signature_is_valid(TOKEN, PUBLIC, form_params(raw), wrong_token)
    assert not signature_is_valid(TOKEN, PUBLIC, altered, signature)
    assert not signature_is_valid(TOKEN, PUBLIC, form_params(raw), "")
    assert not signature_is_valid(TOKEN, PUBLIC, form_params(raw + b"&Extra=1"), signature)


def test_the_signature_is_checked_against_the_public_url_not_the_one_behind_the_proxy() -> None:
    raw, signature = signed(sms("hello"))
    internal = "http://10.0.0.5:5005/webhooks/twilio/webhook"
    assert signature_is_valid(TOKEN, PUBLIC, form_params(raw), signature)
    assert not signature_is_valid(TOKEN, internal, form_params(raw), signature)


def test_a_body_that_is_not_utf8_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnicodeDecodeError):
        form_params(b"Body=%FF%FE")
