"""Property-based fuzzing (hypothesis) of the triage, through its public entry point `assess`.

Whatever the conversation so far: triage never raises, its answer stays within the contract
(triage.md), and a message that carries an emergency never leaves the tip below `emergency`.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import actions.triage
from actions.triage import Category, Conversation, Entity, Message, Urgency, assess

# derandomize: CI explores the same cases on every run, so a failure is reproducible, never flaky.
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# The first triage on main knows only time words; the systematic one (rules as data) knows emergencies.
SYSTEMATIC = hasattr(actions.triage, "default_triage")
INTENTS = [
    "report_threat",
    "report_self_harm",
    "report_gun_purchase",
    "report_surveillance",
    "report_wellness",
    "report_suspicious",
    "report_emergency",
    "greet",
    "ask_how_it_works",
    "deny",
    "affirm",
    "nlu_fallback",
    "no_such_intent",
]
# Pieces residents write, including those that pull the other way: negation, jokes, games, the past.
PHRASES = [
    "my neighbor",
    "he said",
    "not",
    "never",
    "just kidding",
    "in the game",
    "two years ago",
    "tomorrow",
    "next week",
    "at school",
    "a gun",
    "kill",
    "pills",
    "I'm fine",
    "lol",
    "no",
    "yes",
    "?",
    "¿",
    "mañana",
    "ayuda",
    "\U0001f52b",
    "he is not dangerous",
    "it was a movie",
]
TEXT = st.one_of(
    st.lists(st.sampled_from(PHRASES), max_size=8).map(" ".join),
    st.text(max_size=200),
)
MESSAGES = st.builds(
    Message,
    text=TEXT,
    intent=st.none() | st.sampled_from(INTENTS),
    intent_confidence=st.floats(0, 1),
    entities=st.lists(
        st.builds(Entity, entity=st.sampled_from(["weapon", "place", "time", "person"]), value=TEXT), max_size=2
    ).map(tuple),
)
ANSWERS = st.dictionaries(
    st.sampled_from(["what", "who", "where", "when", "happening_now", "weapons", "target", "how_known"]),
    st.none() | st.booleans() | TEXT,
)
CONVERSATIONS = st.builds(
    Conversation,
    id=st.just("fuzz"),
    messages=st.lists(MESSAGES, max_size=5).map(tuple),
    answers=ANSWERS,
    language=st.sampled_from(["en", "es"]),
)
# Unmistakable emergencies, as the NLU labels them in the live bot.
EMERGENCIES = [
    Message("he is shooting people in the cafeteria right now", "report_emergency", 0.97),
    Message("my friend just swallowed a whole bottle of pills and is passing out", "report_self_harm", 0.95),
    Message("there's a man with a gun in the lobby right now pointing it at people", "report_emergency", 0.96),
    Message("está disparando a la gente en la escuela ahora mismo", "report_emergency", 0.9),
]


@FUZZ
@given(CONVERSATIONS)
def test_triage_never_raises_and_answers_within_the_contract(conversation: Conversation) -> None:
    result = assess(conversation)
    assert result.category in Category and result.urgency in Urgency
    assert (result.category is Category.NOT_A_TIP) == (result.urgency is Urgency.NONE)
    assert result.category not in result.secondary_categories
    assert isinstance(result.explanation, str)


@pytest.mark.skipif(not SYSTEMATIC, reason="needs the systematic triage (branch triage)")
@FUZZ
@given(CONVERSATIONS, st.sampled_from(EMERGENCIES))
# Found by this test against the systematic triage: an earlier "in the game" hid a gun in the lobby.
@example(
    Conversation("fuzz", (Message("in the game"), Message("no"))),
    Message("there's a man with a gun in the lobby right now pointing it at people", "report_emergency", 0.96),
)
def test_an_emergency_appended_to_any_conversation_makes_it_an_emergency(
    conversation: Conversation, emergency: Message
) -> None:
    before = assess(conversation)
    after = assess(Conversation(conversation.id, (*conversation.messages, emergency), conversation.answers))
    assert after.urgency.rank >= before.urgency.rank, (before, after)
    assert after.urgency is Urgency.EMERGENCY, after
