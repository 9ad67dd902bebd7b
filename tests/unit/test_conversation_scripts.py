"""The scripted conversation sets load, and a script that breaks the format is named with its error."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conversations.play import KINDS, SETS, ScriptError, form_questions, load, parse

VALID = {
    "id": "x-1",
    "kind": "question",
    "language": "en",
    "opening": "a man keeps filming the school gate",
    "facts": {"where": "the school on elm"},
    "turns": [{"at": 1, "says": "is this anonymous?", "expect": "answered"}],
    "expect": {"crisis_line": False, "sent": True, "summary": {"where": "school on elm"}},
}


def test_every_set_loads_with_each_kind_in_both_languages() -> None:
    conversations = load(sorted(SETS.glob("*.yml")))
    assert len(conversations) >= 150
    counts = Counter((c.kind, c.language) for c in conversations)
    assert {(kind, language) for kind in KINDS for language in ("en", "es")} <= set(counts)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "chitchat"}, "kind 'chitchat' is not one of"),
        ({"language": "fr"}, "language 'fr' is not en or es"),
        ({"facts": {"favourite_colour": "red"}}, "unknown facts ['favourite_colour']"),
        ({"turns": [{"at": 0, "says": "hi", "expect": "answered"}]}, "turn at 0"),
        ({"turns": [{"at": 1, "says": "hi", "expect": "smiles"}]}, "turn expect 'smiles'"),
        ({"turns": [{"at": 1, "says": "", "expect": "answered"}]}, "expected a non-empty text"),
        ({"expect": {"crisis_line": "no", "sent": True}}, "expect.crisis_line must be true or false"),
        ({"expect": {"crisis_line": False, "sent": True, "summary": {"mood": "x"}}}, "unknown summary headings"),
        ({"expect": {"crisis_line": False, "sent": True, "never_asked": ["mood"]}}, "never_asked ['mood']"),
    ],
)
def test_a_script_outside_the_format_is_refused_with_its_id(change: dict, message: str) -> None:
    with pytest.raises(ScriptError, match="x-1") as refused:
        parse("w9.yml", VALID | change)
    assert message in str(refused.value)


def test_each_report_question_of_the_domain_is_known_in_both_languages() -> None:
    fields = Counter(form_questions().values())
    assert {"who", "where", "when", "weapons", "how_known"} <= set(fields)
    assert all(count >= 2 for count in fields.values()), fields
