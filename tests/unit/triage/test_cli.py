"""`tipline triage`: clear errors for bad lines, and a clear message when the stack is not running."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from actions.triage.cli import InputError, parse_line
from tests.support.stack import ROOT, free_port


def test_a_minimal_line_is_an_id_and_a_text() -> None:
    tip = parse_line('{"id": 7, "text": "he has a gun"}')
    assert (tip.id, tip.text, tip.answers, tip.reported_at) == ("7", "he has a gun", {}, None)


def test_answers_reported_at_and_language_are_optional() -> None:
    line = {
        "id": "a",
        "text": "hola",
        "answers": {"when": "mañana", "happening_now": False},
        "reported_at": "2026-10-15T09:00:00-05:00",
        "language": "es",
    }
    tip = parse_line(json.dumps(line))
    assert tip.answers["when"] == "mañana" and tip.reported_at is not None and tip.language == "es"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not valid JSON"),
        ('["id", "text"]', "expected a JSON object"),
        ('{"text": "hi"}', "'id' is required"),
        ('{"id": true, "text": "hi"}', "'id' is required"),
        ('{"id": "1"}', "'text' is required"),
        ('{"id": "1", "text": "   "}', "'text' is required"),
        ('{"id": "1", "text": "hi", "answers": {"colour": "red"}}', "'answers.colour' is not a form answer"),
        ('{"id": "1", "text": "hi", "answers": {"when": 3}}', "must be a string, true/false or null"),
        ('{"id": "1", "text": "hi", "reported_at": "friday"}', "'reported_at' must be an ISO 8601 time"),
        ('{"id": "1", "text": "hi", "reported_at": "2026-10-15T09:00:00"}', "must include a time zone"),
        ('{"id": "1", "text": "hi", "language": "fr"}', "'language' must be en or es"),
    ],
)
def test_a_bad_line_says_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_line(line)


def test_without_a_running_stack_it_says_what_to_start() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_")}
    env.update(
        TIPLINE_ENGINE_URL=f"http://127.0.0.1:{free_port()}",
        TIPLINE_ENGINE_TOKEN="token",
        TIPLINE_INTAKE_SECRET="secret",
    )
    done = subprocess.run(
        [str(ROOT / "bin" / "tipline"), "triage"],
        input='{"id": "1", "text": "hi"}\n',
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "the Rasa engine is not answering" in done.stderr and "make run" in done.stderr
    assert done.stdout == ""
