"""No tip is dropped (issue 12): reports abandoned at every turn, over REST and signed SMS, are
filed after the idle window with everything the resident told, once; killing an engine and then
an action server in the middle of reports loses none.

The stack's idle window is TIPLINE_REPORT_IDLE_SECONDS=5 (tests/faults/conftest.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import tips
from tests.e2e.answers import question_in
from tests.faults.conftest import Patient
from tests.support.production import ProductionStack
from tests.support.texter import Texter

pytestmark = pytest.mark.asyncio(loop_scope="session")

IDLE_SECONDS = 5
CONCURRENT = 12
# Four kinds of report; {n} makes each opening unique, so each tip can be found by what was said.
SCRIPTS: list[tuple[str, dict[str, str]]] = [
    (
        "my neighbor at {n} oak street hasnt answered his door in a week",
        {"imminent": "no", "who": "my neighbor", "where": "{n} oak street", "how_known": "i live next door"},
    ),
    (
        "a man keeps filming the loading gates at the depot on {n} river road and timing the guards",
        {
            "imminent": "no",
            "where": "the depot on {n} river road",
            "when": "every evening last week",
            "who": "tall man in a grey van",
            "how_known": "i drive past it",
        },
    ),
    (
        "my coworker at the plant on {n} mill road keeps saying they will all regret cutting his hours",
        {
            "imminent": "not sure",
            "who": "my coworker",
            "where": "the plant on {n} mill road",
            "when": "he said it monday",
            "weapons": "he talks about his shotgun",
            "target": "the managers",
            "how_known": "he said it to me",
        },
    ),
    (
        "theres a man with a knife yelling at people outside the laundromat on {n} elm st",
        {"where": "the laundromat on {n} elm st", "hurt": "not yet", "description": "red hoodie, big knife"},
    ),
]
# The keys of the answers the bot keeps in its own words (imminent is kept as yes / no / not_sure).
KEPT_AS_WRITTEN = {"who", "where", "when", "weapons", "target", "how_known", "hurt", "description"}

Say = Callable[[str], Awaitable[list[str]]]


@dataclass
class Abandoned:
    """One resident who answers up to `stop_after` messages of a report, then writes no more."""

    opening: str
    answers: dict[str, str]
    stop_after: int
    sent: list[str] = field(default_factory=list)
    answered: dict[str, str] = field(default_factory=dict)

    async def run(self, say: Say) -> None:
        replies = await self._say(say, self.opening)
        while len(self.sent) < self.stop_after:
            asked = question_in(replies)
            if asked is None or asked in ("anonymous", "contact"):
                return  # the next answer would finish the report: stop before it
            answer = self.answers.get(asked, "skip")
            replies = await self._say(say, answer)
            self.answered[asked] = answer

    async def _say(self, say: Say, text: str) -> list[str]:
        self.sent.append(text)
        return await say(text)


def sms_say(texter: Texter) -> Say:
    """Text one message and wait for the turn's replies at the fake Twilio (a question or 911 last)."""

    async def say(text: str) -> list[str]:
        before = len(await texter.sent_to_me())
        await texter.texts(text)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            sent = [m["body"] for m in await texter.sent_to_me()][before:]
            if sent and (question_in(sent) or "TL-" in sent[-1]):
                return sent
            await asyncio.sleep(0.2)
        raise AssertionError(f"{texter.phone}: no question after {text!r}")

    return say


def conversations(count: int, first_number: int) -> list[Abandoned]:
    """`count` reports cycling through the scripts, each abandoned after 1, 2, 3, ... messages."""
    made = []
    for i in range(count):
        opening, answers = SCRIPTS[i % len(SCRIPTS)]
        n = str(first_number + i)
        made.append(
            Abandoned(
                opening.format(n=n),
                {k: v.format(n=n) for k, v in answers.items()},
                stop_after=1 + (i // len(SCRIPTS)) % (len(answers) + 1),
            )
        )
    return made


def tips_by_opening(stack: ProductionStack, openings: list[str]) -> dict[str, list[Any]]:
    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(tips)))
    engine.dispose()
    return {o: [r for r in rows if r.text.split("\n")[0] == o] for o in openings}


async def filed_incomplete(stack: ProductionStack, reports: list[Abandoned], within: float) -> dict[str, list[Any]]:
    """Wait until every abandoned report is stored and filed as incomplete (or was completed)."""
    deadline = time.monotonic() + within
    while True:
        found = await asyncio.to_thread(tips_by_opening, stack, [r.opening for r in reports])
        waiting = [o for o, rows in found.items() if len(rows) != 1 or rows[0].report_state == "open"]
        if not waiting or time.monotonic() > deadline:
            return found
        await asyncio.sleep(1)


def check_whole(report: Abandoned, rows: list[Any]) -> None:
    assert len(rows) == 1, f"{report.opening!r}: {len(rows)} tips"
    (tip,) = rows
    assert tip.report_state == "incomplete" and tip.routed_at is not None, (report.opening, tip.report_state)
    assert tip.text.split("\n") == report.sent, (tip.text, report.sent)
    for key, answer in report.answered.items():
        if key in KEPT_AS_WRITTEN and key in report.answers:
            assert tip.answers.get(key) == answer, (report.opening, key, tip.answers)


async def test_reports_abandoned_at_every_turn_are_filed_whole_and_once(
    stack: ProductionStack, fake_twilio: str, figures: dict[str, Any]
) -> None:
    rest = conversations(140, first_number=1000)
    sms = conversations(60, first_number=3000)
    phones = [f"+155501{n:02d}" for n in range(30, 91) if n != 42][: len(sms)]
    auth = stack.env["TIPLINE_TWILIO_AUTH_TOKEN"]
    public = stack.env["TIPLINE_PUBLIC_URL"]
    gate = asyncio.Semaphore(CONCURRENT)

    async def run(report: Abandoned, say: Say) -> None:
        async with gate:
            await report.run(say)

    started = time.monotonic()
    await asyncio.gather(
        *(run(r, Patient(stack).says) for r in rest),
        *(
            run(r, sms_say(Texter(stack.engine_url, public, auth, fake_twilio, p)))
            for r, p in zip(sms, phones, strict=True)
        ),
    )
    talked = time.monotonic() - started
    found = await filed_incomplete(stack, rest + sms, within=IDLE_SECONDS + 60)
    for report in rest + sms:
        check_whole(report, found[report.opening])
    turns = [len(r.sent) for r in rest + sms]
    figures["abandoned_reports"] = {
        "reports": len(turns),
        "rest": len(rest),
        "sms": len(sms),
        "tips_stored": sum(len(rows) for rows in found.values()),
        "abandoned_after_messages": {str(k): turns.count(k) for k in sorted(set(turns))},
        "talking_seconds": round(talked, 1),
    }


async def test_killing_an_engine_then_an_action_server_mid_report_loses_none(
    stack: ProductionStack, figures: dict[str, Any]
) -> None:
    """20 residents report at once; engine1 is killed mid-report, then actions1; each report is
    stored once with every message (a message a resident had to send again may appear twice)."""
    reports = conversations(20, first_number=5000)
    for report in reports:
        report.stop_after = 4
    residents = [Patient(stack) for _ in reports]
    tasks = [asyncio.create_task(r.run(p.says)) for r, p in zip(reports, residents, strict=True)]
    for service, after_turns in (("engine1", 1), ("actions1", 2)):
        deadline = time.monotonic() + 120
        while max(p.turns for p in residents) < after_turns:
            assert time.monotonic() < deadline, f"no resident reached turn {after_turns}"
            await asyncio.sleep(0.05)
        await asyncio.to_thread(stack.kill, service)
        await asyncio.to_thread(stack.restart, service)
    await asyncio.gather(*tasks)
    found = await filed_incomplete(stack, reports, within=IDLE_SECONDS + 60)
    for report in reports:
        rows = found[report.opening]
        seen = [(r.conversation_id, r.report_state, r.created_at, r.text) for r in rows]
        assert len(rows) == 1, f"{report.opening!r}: {len(rows)} tips: {seen}"
        lines = rows[0].text.split("\n")
        assert set(lines) == set(report.sent) and lines[0] == report.opening, (lines, report.sent)
    figures["killed_mid_report"] = {
        "reports": len(reports),
        "tips_stored": sum(len(found[r.opening]) for r in reports),
        "messages_sent_again": sum(p.unanswered for p in residents),
    }
