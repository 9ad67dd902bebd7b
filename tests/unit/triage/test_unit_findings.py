"""The findings of each message are kept between turns; a conversation is triaged the same either way."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from actions.triage.assess import Triage, load
from actions.triage.indicators import UNIT_FINDINGS, UnitFindings, find_indicators
from actions.triage.model import Conversation, Message

TURNS = (
    Message("my cousin says he bought a rifle for his friend who failed the background check", intent="report_threat"),
    Message("he said he will bring it to the game on friday", intent="inform"),
    Message("not sure", intent="dont_know"),
)
ANSWERS = {"where": "the stadium", "when": "this friday night", "weapons": "a rifle"}


@cache
def triage() -> Triage:
    return load()


def conversation(turns: int) -> Conversation:
    return Conversation("test", TURNS[:turns], ANSWERS if turns == len(TURNS) else {})


def test_a_conversation_triaged_turn_by_turn_is_triaged_as_if_seen_fresh() -> None:
    UNIT_FINDINGS.clear()
    turn_by_turn = [triage().assess(conversation(n)) for n in range(1, len(TURNS) + 1)]
    fresh = []
    for n in range(1, len(TURNS) + 1):
        UNIT_FINDINGS.clear()
        fresh.append(triage().assess(conversation(n)))
    assert turn_by_turn == fresh
    assert turn_by_turn[-1].indicators  # the conversation does show something


def test_the_same_words_from_a_different_message_keep_their_own_source() -> None:
    UNIT_FINDINGS.clear()
    text = "he said he will shoot everyone at school tomorrow"
    once = find_indicators(Conversation("a", (Message(text),), {}), triage().lexicon)
    twice = find_indicators(Conversation("b", (Message(text), Message(text)), {}), triage().lexicon)
    assert once and {f.source for f in once} == {"message 1"}
    second = [f for f in twice if f.source == "message 2"]
    assert [replace(f, source="") for f in once] == [replace(f, source="") for f in second]


def test_only_the_latest_texts_are_kept() -> None:
    kept = UnitFindings(size=2)
    lexicon = triage().lexicon
    for text in ("one", "two", "three"):
        kept.of(text, False, lexicon)
    assert list(kept._kept) == [("two", False), ("three", False)]
    kept.of("two", False, lexicon)  # used again: now the latest
    kept.of("four", False, lexicon)
    assert list(kept._kept) == [("two", False), ("four", False)]
