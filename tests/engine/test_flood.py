from __future__ import annotations

import pytest

from bot.flood import FloodControl, Verdict, client_address, signals_danger
from bot.settings import FloodLimits, Settings, SettingsError
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
        "my uncle keeps a shotgun in the truck and said he'd use it",
        "van a matarlo",
    ],
)
def test_words_of_danger_are_recognised_in_english_and_spanish(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "how does this work",
        "hola",
        "ok thanks",
        "what is this number",
        # Words that only begin like a word of danger.
        "I saw him going nowhere near the school",
        "the staff were very helpful",
        "a diet soda and a sandwich",
        "the plane sat in the hangar",
        "I'm a gunsmith's apprentice",
        "nuestra hoya y matemáticas",
    ],
)
def test_ordinary_words_are_not_danger(text: str) -> None:
    assert not signals_danger(text)


async def test_a_sender_past_the_limit_is_held_back_and_its_emergency_waits_its_turn() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(per_sender=2, overall=100), "sms")
    verdicts = [await flood.judge("a", "hello") for _ in range(3)]
    assert verdicts == [Verdict.ADMIT, Verdict.ADMIT, Verdict.SENDER_LIMITED]
    # Never turned away, but no longer ahead of everyone else: it counted like any message.
    assert await flood.judge("a", "he has a gun and is at the door") is Verdict.ADMIT
    assert await flood.judge("b", "hello") is Verdict.ADMIT


async def test_danger_within_the_limit_is_urgent_and_counts_against_the_sender() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(per_sender=2, overall=100), "webchat")
    verdicts = [await flood.judge("a", "help") for _ in range(3)]
    assert verdicts == [Verdict.URGENT, Verdict.URGENT, Verdict.ADMIT]
    assert await flood.judge("a", "hello") is Verdict.SENDER_LIMITED


async def test_past_the_overall_limit_new_messages_wait_but_emergencies_go_first() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(per_sender=100, overall=3, overall_window=60), "sms")
    for sender in "abc":
        assert await flood.judge(sender, "hello") is Verdict.ADMIT
    assert await flood.judge("d", "hello") is Verdict.OVERALL_LIMITED
    assert await flood.judge("e", "someone is bleeding, shots fired") is Verdict.URGENT


async def test_web_chat_sessions_are_limited_per_client_address() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(sessions_per_address=3), "webchat")
    assert [await flood.new_session("203.0.113.7") for _ in range(4)] == [True, True, True, False]
    assert await flood.new_session("198.51.100.23")


TRUSTED = frozenset({"127.0.0.1"})


def test_the_client_address_comes_from_the_header_only_behind_a_trusted_proxy() -> None:
    assert client_address("127.0.0.1", "203.0.113.7", TRUSTED) == "203.0.113.7"
    # The client may send its own header; the proxy appends the real address last.
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.7", TRUSTED) == "203.0.113.7"
    # Anyone else is known by its own address, whatever it claims.
    assert client_address("192.0.2.50", "203.0.113.7", TRUSTED) == "192.0.2.50"
    assert client_address("127.0.0.1", None, TRUSTED) == "127.0.0.1"
    assert client_address("127.0.0.1", "not-an-address", TRUSTED) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.7", frozenset()) == "127.0.0.1"


def test_trusted_proxies_and_the_new_limits_are_read_from_the_environment() -> None:
    env = {
        "TIPLINE_SENDER_HASH_KEY": "k",
        "TIPLINE_ENCRYPTION_KEYS": "e",
        "TIPLINE_TRUSTED_PROXIES": "127.0.0.1, ::1",
        "TIPLINE_FLOOD_WAITING_TURNS": "50",
        "TIPLINE_WEBCHAT_SESSIONS_PER_ADDRESS": "4",
        "TIPLINE_WEBCHAT_SESSIONS_PER_ADDRESS_SECONDS": "120",
    }
    settings = Settings.from_env(env)
    assert settings.trusted_proxies == {"127.0.0.1", "::1"}
    assert (settings.flood.waiting_turns, settings.flood.sessions_per_address) == (50, 4)
    assert settings.flood.sessions_per_address_window == 120.0
    with pytest.raises(SettingsError, match="TIPLINE_TRUSTED_PROXIES"):
        Settings.from_env({**env, "TIPLINE_TRUSTED_PROXIES": "haproxy"})


async def test_the_polite_reply_is_sent_once_per_window() -> None:
    flood = FloodControl(MemoryState(), FloodLimits(), "sms")
    assert [await flood.first_notice("a") for _ in range(3)] == [True, False, False]
