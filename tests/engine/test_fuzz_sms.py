"""Property-based fuzzing (hypothesis) of Twilio form parsing, the signature check and SMS splitting."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from bot.channels.sms_text import fits, split_for_sms
from bot.channels.twilio_sms import form_params, keyword, signature_is_valid

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
URL = "https://tips.example.gov/webhooks/twilio/webhook"
TOKEN = "0123456789abcdef0123456789abcdef"
FIELD_NAMES = st.sampled_from(["Body", "From", "MessageSid", "MediaUrl0", "NumMedia", "To"]) | st.text(
    min_size=1, max_size=8
)
FORMS = st.lists(st.tuples(FIELD_NAMES, st.text(max_size=200)), max_size=8)


@FUZZ
@given(st.binary(max_size=2000))
def test_any_body_parses_to_a_form_or_is_refused_as_not_utf8(raw: bytes) -> None:
    try:
        params = form_params(raw)
    except UnicodeDecodeError:
        return
    assert isinstance(params, MultiDict)


@FUZZ
@given(FORMS)
def test_a_form_signed_by_twilio_is_valid_and_any_change_is_not(fields: list[tuple[str, str]]) -> None:
    params = form_params(urlencode(fields).encode())
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    assert signature_is_valid(TOKEN, URL, params, signature)
    tampered = MultiDict(params)
    tampered.add("Body", "injected")
    assert not signature_is_valid(TOKEN, URL, tampered, signature)
    assert not signature_is_valid(TOKEN, URL + "x", params, signature)
    assert not signature_is_valid("another-auth-token-000000000000", URL, params, signature)
    assert not signature_is_valid(TOKEN, URL, params, "")


@FUZZ
@given(st.text(max_size=3000))
def test_every_part_fits_and_no_word_is_lost(text: str) -> None:
    parts = split_for_sms(text)
    assert all(part and fits(part) for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


@FUZZ
@given(st.text(max_size=50))
def test_keyword_never_raises_and_is_plain(text: str) -> None:
    word = keyword(text)
    assert word == word.strip().lower()
