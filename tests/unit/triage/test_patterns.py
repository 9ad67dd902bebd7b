"""The phrase language of the phrase lists compiles to the regular expressions it promises."""

from __future__ import annotations

import re

import pytest

from actions.triage.patterns import PatternError, compile_phrase

LISTS = {"weapon": "(?:gun|knife)", "reflexive": "(?:myself|himself)"}


def matches(pattern: str, text: str) -> bool:
    return re.search(compile_phrase(pattern, LISTS.__getitem__), text) is not None


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("has a {weapon}", "he has a gun", True),
        ("has a {weapon}", "he has a gunny sack", False),
        ("shoot*", "he keeps shooting", True),
        ("dad gun", "his dad's gun", True),
        ("going to [go] shoot", "going to go shoot", True),
        ("going to [go] shoot", "going to shoot", True),
        ("going to (shoot|stab)?", "going to the store", True),
        ("bring ... {weapon}", "bring his dad's old gun", True),
        ("bring ...1 {weapon}", "bring his dad's old gun", False),
        ("kill !{reflexive}", "kill himself", False),
        ("kill !{reflexive}", "kill them", True),
        ("at _ lunch", "at the lunch", True),
        ("in # hours", "in 2 hours", True),
        ("going to kill", "going to kill. you", True),
        ("kill you", "kill. you", False),
    ],
)
def test_phrase_patterns_match_as_documented(pattern: str, text: str, expected: bool) -> None:
    assert matches(pattern, text) is expected


def test_a_raw_regular_expression_is_used_as_written() -> None:
    assert matches(r"re:\bat \d{1,2}pm\b", "it goes off at 2pm")


BAD_PATTERNS = ["(shoot|stab", "... shoot", "shoot ...", "!shoot", "{unknown}", "a $ (b|)", "re:(x"]


@pytest.mark.parametrize("pattern", BAD_PATTERNS)
def test_a_bad_pattern_is_refused_with_a_reason(pattern: str) -> None:
    def resolve(name: str) -> str:
        if name not in LISTS:
            raise PatternError(f"unknown list {{{name}}}")
        return LISTS[name]

    with pytest.raises(PatternError):
        compile_phrase(pattern, resolve)
