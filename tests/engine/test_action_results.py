"""The action server's answers are judged as Rasa judges them, with the validator built once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import action_results

GOOD: dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "tip_who", "value": "my neighbor", "timestamp": None},
        {"event": "active_loop", "name": "tip_form"},
    ],
    "responses": [{"text": "Where did this happen?"}],
}
BAD: list[dict[str, Any]] = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": "a slot without a name"}]},
    {"events": "not a list"},
    {"responses": [{"text": "hi"}, "not an object"]},
]


RASA_CHECK = RemoteAction._validate_action_result  # as Rasa ships it, before install()


@pytest.fixture(autouse=True)
def installed() -> Iterator[None]:
    action_results.install()
    yield
    RemoteAction._validate_action_result = RASA_CHECK


def message(check: Any, result: dict[str, Any]) -> str | None:
    try:
        check(RemoteAction("action_x", None), result)
    except ValidationError as e:
        return e.message
    return None


def test_install_replaces_rasas_check() -> None:
    assert RemoteAction._validate_action_result is action_results.validate_action_result


def test_a_valid_answer_passes() -> None:
    assert RemoteAction("action_x", None)._validate_action_result(GOOD) is True
    assert message(RASA_CHECK, GOOD) is None


@pytest.mark.parametrize("result", BAD)
def test_an_invalid_answer_fails_with_the_error_rasa_gives(result: dict[str, Any]) -> None:
    expected = message(RASA_CHECK, result)
    assert expected is not None and "Failed to validate Action server response" in expected
    assert message(RemoteAction._validate_action_result, result) == expected
