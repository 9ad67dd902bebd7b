"""A report is filed at its first message and grows (issue 12): one tip per conversation, an
emergency delivered at once, every other report once complete or abandoned, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from routing import service
from routing.api import parse_submission
from routing.app import build_context
from routing.service import Context
from routing.settings import sync_url
from routing.store.tables import audit_log, deliveries, tip_messages, tips, triage_results
from tests.support.routing import (
    example_jurisdiction,
    make_settings,
    tip_payload,
)

ROUTINE = {"category": "wellness_concern", "urgency": "routine", "indicators": ["out_of_contact"]}
EMERGENCY = {"category": "threat_to_others", "urgency": "emergency", "indicators": ["intent_stated", "timeframe_24h"]}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def ctx(database_url: str) -> AsyncIterator[Context]:
    context, engine = build_context(make_settings(database_url), example_jurisdiction())
    yield replace(context, clock=Clock())
    await engine.dispose()


@pytest.fixture
def rows(database_url: str) -> Callable[[sa.Table], list[Any]]:
    """What a table holds now, read on a connection of its own."""

    def read(table: sa.Table) -> list[Any]:
        engine = sa.create_engine(sync_url(database_url))
        with engine.connect() as conn:
            found = list(conn.execute(sa.select(table).order_by(table.c.id)).all())
        engine.dispose()
        return found

    return read


Rows = Callable[[sa.Table], list[Any]]


def filing(conversation: str, lines: list[str], revision: float, **overrides: Any) -> Any:
    """The conversation as the action server files it after `lines` (an open report by default)."""
    transcript = [{"role": "resident", "text": t, "at": f"2026-12-07T15:00:{i:02d}Z"} for i, t in enumerate(lines)]
    body = tip_payload(
        conversation_id=conversation,
        text="\n".join(lines),
        transcript=transcript,
        answers=overrides.pop("answers", {"what": lines[0]}),
        report_state=overrides.pop("report_state", "open"),
        revision=revision,
        **overrides,
    )
    return parse_submission(body)


def advance(ctx: Context, seconds: float) -> None:
    assert isinstance(ctx.clock, Clock)
    ctx.clock.now += timedelta(seconds=seconds)


async def test_a_routine_report_is_stored_at_once_and_grows_without_being_sent(ctx: Context, rows: Rows) -> None:
    first = await service.accept_tip(ctx, filing("c1", ["my neighbour hasnt answered in 3 days"], 1, triage=ROUTINE))
    assert first.receipt.created and not first.receipt.routed and first.delivery_ids == ()
    second = await service.accept_tip(
        ctx,
        filing(
            "c1",
            ["my neighbour hasnt answered in 3 days", "apt 4 on elm"],
            2,
            triage=ROUTINE,
            answers={"what": "my neighbour hasnt answered in 3 days", "where": "apt 4 on elm"},
        ),
    )
    assert second.receipt.reference == first.receipt.reference and not second.receipt.created
    (tip,) = rows(tips)
    assert tip.answers["where"] == "apt 4 on elm" and tip.report_state == "open" and tip.routed_at is None
    assert rows(deliveries) == []
    completed = await service.accept_tip(
        ctx,
        filing(
            "c1",
            ["my neighbour hasnt answered in 3 days", "apt 4 on elm", "no"],
            3,
            triage=ROUTINE,
            report_state="complete",
        ),
    )
    assert completed.receipt.routed and completed.delivery_ids
    assert {d.destination for d in rows(deliveries)} == {"state_tipline"}
    assert len(rows(tips)) == 1


async def test_an_emergency_is_delivered_at_the_first_message_and_later_answers_follow_as_updates(
    ctx: Context, rows: Rows
) -> None:
    first = await service.accept_tip(
        ctx, filing("c2", ["man pouring gasoline by the mosque door"], 1, triage=EMERGENCY)
    )
    assert first.receipt.routed and first.delivery_ids
    originals = rows(deliveries)
    assert "911" in {d.destination for d in originals}
    lines = ["man pouring gasoline by the mosque door", "3rd st and main"]
    later = await service.accept_tip(
        ctx, filing("c2", lines, 2, triage=EMERGENCY, answers={"what": lines[0], "where": "3rd st and main"})
    )
    updates = [d for d in rows(deliveries) if d.message_id is not None]
    assert {u.escalates_id for u in updates} == {d.id for d in originals if d.via != "fbi_packet" or d.address}
    assert len(later.delivery_ids) == len(updates)
    (message,) = rows(tip_messages)
    assert "3rd st and main" in message.text and "where: 3rd st and main" in message.text
    # The same filing again (a retry) sends nothing more.
    again = await service.accept_tip(
        ctx, filing("c2", lines, 2, triage=EMERGENCY, answers={"what": lines[0], "where": "3rd st and main"})
    )
    assert again.delivery_ids == () and len(rows(deliveries)) == len(originals) + len(updates)


async def test_a_report_whose_urgency_rises_mid_report_goes_out_then(ctx: Context, rows: Rows) -> None:
    await service.accept_tip(ctx, filing("c3", ["my ex keeps texting me"], 1, triage=ROUTINE))
    assert rows(deliveries) == []
    risen = await service.accept_tip(
        ctx, filing("c3", ["my ex keeps texting me", "hes outside with a gun"], 2, triage=EMERGENCY)
    )
    assert risen.receipt.routed and risen.urgency == "emergency"
    assert "911" in {d.destination for d in rows(deliveries)}
    assert [r.urgency for r in rows(triage_results)] == ["routine", "emergency"]


async def test_new_destinations_get_the_whole_tip_when_they_are_added(ctx: Context, rows: Rows) -> None:
    self_harm = {"category": "self_harm", "urgency": "emergency", "indicators": ["attempt_in_progress"]}
    await service.accept_tip(ctx, filing("c4", ["he took pills"], 1, triage=self_harm))
    before = {d.destination for d in rows(deliveries)}
    assert "fbi" not in before and "state_tipline" not in before
    await service.accept_tip(
        ctx, filing("c4", ["he took pills", "and said he'd shoot his boss first"], 2, triage=EMERGENCY)
    )
    after = rows(deliveries)
    full = {d.destination for d in after if d.message_id is None and d.escalates_id is None}
    assert {"911", "state_tipline", "fbi"} <= full
    (tip,) = rows(tips)
    assert set(tip.destinations) >= before | {"state_tipline", "fbi"}


async def test_a_later_filing_never_lowers_urgency_and_an_older_one_never_overwrites(ctx: Context, rows: Rows) -> None:
    await service.accept_tip(ctx, filing("c5", ["a", "b"], 5, triage=EMERGENCY))
    lowered = await service.accept_tip(ctx, filing("c5", ["a", "b", "c"], 6, triage=ROUTINE))
    assert lowered.urgency == "emergency"
    stale = await service.accept_tip(ctx, filing("c5", ["a"], 4, triage=EMERGENCY))
    assert stale.delivery_ids == ()
    (tip,) = rows(tips)
    assert tip.text == "a\nb\nc" and tip.urgency == "emergency"


async def test_an_abandoned_report_is_filed_incomplete_after_the_idle_window_once(ctx: Context, rows: Rows) -> None:
    await service.accept_tip(
        ctx,
        filing("c6", ["my son's friend said something weird about school"], 1, triage=ROUTINE, unanswered=["who"]),
    )
    advance(ctx, 599)
    assert await service.file_idle_reports(ctx, 600) == []
    advance(ctx, 2)
    both = await asyncio.gather(service.file_idle_reports(ctx, 600), service.file_idle_reports(ctx, 600))
    queued = [i for ids in both for i in ids]
    assert queued and len(queued) == len(rows(deliveries))
    (tip,) = rows(tips)
    assert tip.report_state == "incomplete" and tip.routed_at is not None and tip.unanswered == ["who"]
    filed = [a for a in rows(audit_log) if a.action == "report_filed_incomplete"]
    assert len(filed) == 1 and filed[0].details["unanswered"] == ["who"]
    advance(ctx, 3600)
    assert await service.file_idle_reports(ctx, 600) == []


async def test_a_resident_who_writes_again_keeps_the_report_open(ctx: Context, rows: Rows) -> None:
    await service.accept_tip(ctx, filing("c7", ["someone filming the school gates"], 1, triage=ROUTINE))
    advance(ctx, 500)
    await service.accept_tip(
        ctx, filing("c7", ["someone filming the school gates", "every morning"], 2, triage=ROUTINE)
    )
    advance(ctx, 500)
    assert await service.file_idle_reports(ctx, 600) == []
    assert rows(tips)[0].report_state == "open"


async def test_stop_discards_an_unsent_report_on_the_record_and_keeps_a_sent_one(ctx: Context, rows: Rows) -> None:
    await service.accept_tip(ctx, filing("c8", ["a suspicious van"], 1, triage=ROUTINE))
    assert await service.discard_report(ctx, "c8") is True
    assert rows(tips) == []
    (entry,) = [a for a in rows(audit_log) if a.action == "report_discarded"]
    assert entry.actor == "reporter" and entry.details["reference"].startswith("TL-")
    await service.accept_tip(ctx, filing("c9", ["he has a gun at the school"], 1, triage=EMERGENCY))
    assert await service.discard_report(ctx, "c9") is False
    assert len(rows(tips)) == 1
    assert await service.discard_report(ctx, "nothing-here") is None


async def test_an_attachment_alone_grows_a_delivered_report(ctx: Context, rows: Rows) -> None:
    lines = ["someone is shooting at the park"]
    await service.accept_tip(ctx, filing("c10", lines, 1, triage=EMERGENCY))
    photo = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1"
    grown = await service.accept_tip(ctx, filing("c10", lines, 2, triage=EMERGENCY, media_urls=[photo]))
    assert grown.delivery_ids
    (message,) = rows(tip_messages)
    assert message.text == f"Attached: {photo}"
    assert rows(tips)[0].media_urls == [photo]


async def test_a_new_session_that_repeats_an_open_reports_first_message_continues_it(ctx: Context, rows: Rows) -> None:
    """An engine that died mid-turn kept no tracker: the message sent again starts a new session."""
    opening = "my neighbor at 12 oak st hasnt answered in days"
    await service.accept_tip(ctx, filing("resident-1:1000", [opening], 1, triage=ROUTINE))
    again = await service.accept_tip(ctx, filing("resident-1:1005", [opening, "12 oak st"], 2, triage=ROUTINE))
    assert not again.receipt.created
    (tip,) = rows(tips)
    assert tip.conversation_id == "resident-1:1005" and tip.text == f"{opening}\n12 oak st"
    # Filed as incomplete meanwhile: the new session still continues it, within a day.
    advance(ctx, 700)
    await service.file_idle_reports(ctx, 600)
    later = await service.accept_tip(ctx, filing("resident-1:1800", [opening, "12 oak st"], 3, triage=ROUTINE))
    assert later.receipt.reference == again.receipt.reference
    # Another sender, or another first message, is another report.
    await service.accept_tip(ctx, filing("resident-2:1006", [opening], 1, triage=ROUTINE))
    await service.accept_tip(ctx, filing("resident-1:1007", ["someone is filming the school"], 1, triage=ROUTINE))
    assert len(rows(tips)) == 3


async def test_a_message_sent_again_while_the_first_is_still_being_filed_makes_one_tip(
    ctx: Context, rows: Rows
) -> None:
    """The engine died mid-turn but its action call goes on, while the resident's message sent
    again runs in a new session: both filings race, one tip comes out."""
    opening = "theres a man with a knife outside the laundromat"
    await asyncio.gather(
        *(service.accept_tip(ctx, filing(f"resident-3:{2000 + i}", [opening], 1, triage=EMERGENCY)) for i in range(4))
    )
    assert len(rows(tips)) == 1
