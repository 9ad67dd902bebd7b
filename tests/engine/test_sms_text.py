from __future__ import annotations

import pytest

from bot.channels.sms_text import fits, is_gsm7, segments, split_for_sms, units

LONG_ENGLISH = (
    "Thank you for telling us. If anyone is in danger right now, call 911. "
    "We will pass your report to the team that can act on it today. "
    "You can stay anonymous; we will not ask for your name unless you want us to contact you. "
    "Keep your reference code and PIN so you can check on your report later. "
    "You can also add information at any time by texting this number again. "
    "If you are thinking about suicide, call or text 988."
)


def test_gsm7_and_ucs2_are_told_apart() -> None:
    assert is_gsm7("Call 911 now. ¿Donde? ñ ü é")  # ¿ ñ ü é are in the GSM alphabet; ó is not
    assert not is_gsm7("Está en la escuela")  # á is not
    assert not is_gsm7("ok 👍")


def test_units_count_extension_characters_twice_and_emoji_as_two_utf16_units() -> None:
    assert units("[x]") == 5
    assert units("👍") == 2
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("á" * 70) == 1
    assert segments("á" * 71) == 2


def test_a_short_message_is_sent_as_it_is() -> None:
    assert split_for_sms("Where is this happening?") == ["Where is this happening?"]


def test_long_text_is_cut_between_sentences_into_parts_of_at_most_320_characters() -> None:
    parts = split_for_sms(LONG_ENGLISH)
    assert len(parts) > 1
    assert all(len(p) <= 320 and fits(p) for p in parts)
    assert all(p.endswith((".", "988.")) for p in parts)
    assert " ".join(parts) == LONG_ENGLISH


def test_a_gsm7_part_fills_at_most_two_segments() -> None:
    assert all(segments(p) <= 2 for p in split_for_sms(LONG_ENGLISH))


@pytest.mark.parametrize("text", ["Está bien. " * 60, "Gracias 🙏. " * 60])
def test_ucs2_text_is_cut_into_parts_of_at_most_four_segments(text: str) -> None:
    parts = split_for_sms(text)
    assert all(segments(p) <= 4 and len(p) <= 320 for p in parts)
    assert " ".join(parts) == text.strip()


def test_paragraphs_stay_apart_and_an_overlong_word_is_cut() -> None:
    parts = split_for_sms("First paragraph.\n\nSecond one.")
    assert parts == ["First paragraph.\n\nSecond one."]
    link = "https://example.gov/" + "x" * 400
    assert "".join(split_for_sms(link)) == link


def test_blank_text_gives_no_message() -> None:
    assert split_for_sms("   ") == []
