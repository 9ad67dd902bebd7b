from __future__ import annotations

import pytest

from bot.flood import FloodControl, Verdict, signals_danger
from bot.settings import FloodLimits
from bot.state import MemoryState


@pytest.mark.parametrize(
    "text",
    [
        "there's a guy with a GUN outside",
        "he's going to shoot up the school",
        "she took a bunch of pills",
        "call 911",
        "mi hermano tiene una pistola y quiere matar",
        "van a disparar en la escuela",
        "está amenazando con un cuchillo",
        "Quiero morir",
        "tiroteo AHORA",
    ],
)
def test_words_of_danger_are_recognised_in_english_and_spanish(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize("text", ["hi", "how does this work", "hola", "ok thanks", "what is this number"])
def test_ordinary_words_are_not_danger(text: str) -> None:
    assert not signals_danger(text)


async def test_a_sender_past_the_limit_is_held_back_but_an_emergency_never_is() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(per_sender=2, overall=100), "sms")
    verdicts = [await flood.judge("a", "hello") for _ in range(3)]
    assert verdicts == [Verdict.ADMIT, Verdict.ADMIT, Verdict.SENDER_LIMITED]
    assert await flood.judge("a", "he has a gun and is at the door") is Verdict.ADMIT
    assert await flood.judge("b", "hello") is Verdict.ADMIT


async def test_past_the_overall_limit_new_messages_wait_but_emergencies_go_through() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(per_sender=100, overall=3, overall_window=60), "sms")
    for sender in "abc":
        assert await flood.judge(sender, "hello") is Verdict.ADMIT
    assert await flood.judge("d", "hello") is Verdict.OVERALL_LIMITED
    assert await flood.judge("e", "someone is bleeding, shots fired") is Verdict.ADMIT


async def test_the_polite_reply_is_sent_once_per_window() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(), "sms")
    assert [await flood.first_notice("a") for _ in range(3)] == [True, False, False]
