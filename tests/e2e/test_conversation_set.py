"""The scripted conversations of tests/conversations/sets, written by people who never saw the
bot's rules, against the real model and services: each kind at or above its floor, and the
crisis line (988) on no conversation that is not about self-harm."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conversations.play import KINDS, SETS, Outcome, load, pass_rates, play_all, write_report
from tests.support.stack import Stack

FLOORS = Path(__file__).resolve().parents[1] / "conversations" / "floors.yml"


async def test_every_kind_of_scripted_conversation_meets_its_floor(stack: Stack) -> None:
    floors = yaml.safe_load(FLOORS.read_text(encoding="utf-8"))
    outcomes = await play_all(stack.engine_url, stack.database_url, load(sorted(SETS.glob("*.yml"))))
    report = write_report(outcomes)
    # 988 only where someone may hurt themselves: none of the other conversations gets it.
    assert _crisis_line_offered_wrongly(outcomes) == [], report
    rates = pass_rates(outcomes)
    assert set(floors) == set(KINDS), "floors.yml names a floor for each kind"
    below = {
        kind: f"{passed}/{total} < {floors[kind]:.0%}"
        for kind in KINDS
        for passed, total in [rates.get(kind, (0, 0))]
        if total == 0 or passed / total < floors[kind]
    }
    assert not below, f"below the floor: {below}; failed conversations in {report}"


def _crisis_line_offered_wrongly(outcomes: list[Outcome]) -> list[str]:
    return [
        o.conversation.id
        for o in outcomes
        if not o.conversation.crisis_line and any("crisis line (988) was offered" in f for f in o.failures)
    ]
