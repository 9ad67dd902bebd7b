"""A busy shift: closing stops paging, the queue puts the newest danger first, times stay in the
jurisdiction's zone, and what waits too long is flagged. Clocks are injected; nothing sleeps."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing import accounts, casework
from routing.api import parse_submission
from routing.app import build_context
from routing.destinations.base import Senders, Sent
from routing.domain import AWAITING_FILING, CANCELLED
from routing.service import Context, accept_tip
from routing.settings import OutboxSettings, Settings, sync_url
from routing.store.tables import audit_log, deliveries, tips
from routing.worker import Links, Worker
from tests.integration.test_console import submit
from tests.support.console import Console, add_user
from tests.support.routing import example_jurisdiction, make_settings, sqlite_database, tip_payload


@dataclass
class RecordingSms:
    """Stands in for the SMS sender: keeps what would have paged someone."""

    sent: list[tuple[str, str]]

    async def send(self, to: str, text: str) -> Sent:
        self.sent.append((to, text))
        return Sent("recorded")


class Shift:
    """One tip's escalation, run by workers whose clocks stand at chosen minutes after the tip."""

    def __init__(self, ctx: Context, settings: Settings, start: datetime) -> None:
        self.ctx = ctx
        self.settings = settings
        self.start = start
        self.sms = RecordingSms([])

    def worker(self, minutes: float) -> Worker:
        return Worker(
            replace(self.ctx, clock=lambda: self.start + timedelta(minutes=minutes)),
            Senders(webhook=None, email=None, sms=self.sms),  # type: ignore[arg-type] - only SMS notices here
            OutboxSettings(),
            Links("http://127.0.0.1", self.settings.signing_secret),
        )

    async def escalate_and_send(self, minutes: float) -> None:
        worker = self.worker(minutes)
        await worker.escalate()
        async with self.ctx.new_uow() as uow:
            claimed = await uow.repo.claim(worker.name, 50, worker.ctx.clock(), timedelta(seconds=30))
        for d in claimed:  # only the escalation notices: the destinations' own deliveries are not under test
            if d["destination"] == "escalation":
                await worker._deliver(d)

    async def notices(self) -> list[tuple[str, str]]:
        async with self.ctx.new_uow() as uow:
            rows = await uow.repo.deliveries_of(1)
        return [(r["target"], r["status"]) for r in rows if r["destination"] == "escalation"]


@pytest.fixture
async def shift(tmp_path: Path) -> Shift:
    settings = make_settings(sqlite_database(tmp_path))
    ctx, engine = build_context(settings, example_jurisdiction())
    start = datetime.now(UTC)
    ctx = replace(ctx, clock=lambda: start)
    await accept_tip(ctx, parse_submission(tip_payload()))
    yield Shift(ctx, settings, start)  # type: ignore[misc]
    await engine.dispose()


async def close(shift: Shift, minutes: float, disposition: str = "duplicate") -> None:
    dana = await accounts.create_user(shift.ctx, f"dana{minutes:g}", "Dana", "dispatcher", "x" * 16, actor="test")
    at = replace(shift.ctx, clock=lambda: shift.start + timedelta(minutes=minutes))
    async with shift.ctx.new_uow() as uow:
        reference = (await uow.repo.tip(1) or {})["reference"]
    await casework.record_disposition(at, reference, disposition, "Same as an earlier tip.", None, dana)


async def test_a_tip_closed_before_anyone_acknowledged_it_pages_nobody(shift: Shift) -> None:
    await close(shift, 1, "duplicate")
    for minutes in (2.5, 16, 61, 240):
        await shift.escalate_and_send(minutes)
    assert await shift.notices() == []
    assert shift.sms.sent == []


async def test_closing_cancels_escalations_already_queued_and_stops_the_next_steps(shift: Shift) -> None:
    worker = shift.worker(2.5)
    await worker.escalate()  # step 1 queued for 911, the state tipline and the FBI, not yet sent
    assert [s for _, s in await shift.notices()] == ["pending"] * 3
    await close(shift, 2.6, "false")
    await shift.escalate_and_send(3)
    await shift.escalate_and_send(16)
    assert [s for _, s in await shift.notices()] == [CANCELLED] * 3
    assert shift.sms.sent == []


async def test_a_notice_queued_just_before_the_close_is_not_sent_by_the_worker(shift: Shift) -> None:
    await shift.worker(2.5).escalate()
    async with shift.ctx.new_uow() as uow:  # closed by another process between queueing and sending
        await uow.repo.update_tip(1, status="closed")
    await shift.escalate_and_send(2.6)
    assert [s for _, s in await shift.notices()] == [CANCELLED] * 3
    assert shift.sms.sent == []


async def test_an_open_tip_still_escalates(shift: Shift) -> None:
    await shift.escalate_and_send(2.5)
    assert len(shift.sms.sent) == 3 and all(to == "+15550112" for to, _ in shift.sms.sent)


# --- through the console ------------------------------------------------------------------------


@pytest.fixture
async def console(client: TestClient) -> Console:
    await add_user(client, "dana", "dispatcher")
    c = Console(client)
    await c.log_in("dana")
    return c


def run(settings: Settings, statement: sa.Executable) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        result = conn.execute(statement)
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


async def test_closing_removes_the_acknowledge_buttons_and_acknowledging_shows_what_still_waits(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(client, settings)
    page = await (await console.post(f"/console/tips/{reference}/acknowledge", destination="911")).text()
    assert "Acknowledged. Still unacknowledged: fbi, state tipline." in page
    assert "Acknowledge for 911" not in page and "Acknowledge for state tipline" in page
    await console.post(f"/console/tips/{reference}/disposition", disposition="duplicate", outcome="Same as TL-0000.")
    closed = await (await console.get(f"/console/tips/{reference}")).text()
    assert "Acknowledge for" not in closed
    assert 'Same as TL-0000. <small class="muted">— Dana,' in closed  # the person's name, not staff:dana
    assert "Viewed 2 times before this one by Dana;" in closed  # after each of the two actions
    response = await console.post(f"/console/tips/{reference}/acknowledge", destination="fbi")
    assert response.status == 400


async def test_closing_with_an_fbi_packet_awaiting_filing_asks_for_confirmation(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(client, settings)
    tip_id = run(settings, sa.select(tips.c.id).where(tips.c.reference == reference))[0][0]
    run(
        settings,
        sa.update(deliveries)
        .where(deliveries.c.tip_id == tip_id, deliveries.c.destination == "fbi")
        .values(status=AWAITING_FILING),
    )
    page = await (await console.get(f"/console/tips/{reference}")).text()
    assert "The FBI packet is still awaiting filing." in page and 'name="close_unfiled"' in page
    refused = await console.post(f"/console/tips/{reference}/disposition", disposition="valid", outcome="Handled.")
    assert refused.status == 400 and "still awaiting filing" in await refused.text()
    assert run(settings, sa.select(tips.c.status).where(tips.c.id == tip_id))[0][0] != "closed"
    done = await console.post(
        f"/console/tips/{reference}/disposition", disposition="valid", outcome="Handled.", close_unfiled="yes"
    )
    assert done.status == 200
    assert run(settings, sa.select(tips.c.status).where(tips.c.id == tip_id))[0][0] == "closed"


async def test_follow_up_times_round_trip_in_the_jurisdictions_time_zone(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(client, settings)
    await console.post(
        f"/console/tips/{reference}/follow-ups",
        kind="follow_up",
        action="Call the site manager",
        owner="Dana",
        due="2030-01-02T21:00",
    )
    page = await (await console.get(f"/console/tips/{reference}")).text()
    assert 'by <time class="due">2030-01-02 21:00 CST</time>' in page  # America/Chicago, as entered
    details = run(settings, sa.select(audit_log.c.details).where(audit_log.c.action == "follow_up_set"))[0][0]
    assert details["due_at"] == "2030-01-02T21:00:00-06:00"
    assert "overdue" not in page.split("Follow-ups")[1].split("Notes")[0]
    assert re.search(r"Reported: \S+-0[56]:00 via rest", page)  # the routed summary's time, in the same zone


async def test_a_follow_up_past_its_due_time_is_overdue(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(client, settings)
    await console.post(
        f"/console/tips/{reference}/follow-ups",
        kind="follow_up",
        action="Call back",
        owner="Dana",
        due="2020-01-02T09:00",
    )
    page = await (await console.get(f"/console/tips/{reference}")).text()
    assert '<span class="badge overdue">overdue</span>' in page.split("Follow-ups")[1]


async def test_the_queue_flags_tips_waiting_longer_than_the_escalation_rule(
    client: TestClient, settings: Settings, console: Console
) -> None:
    late = await submit(client, settings, triage={"urgency": "urgent", "category": "threat_to_others"})
    fresh = await submit(client, settings, triage={"urgency": "urgent", "category": "threat_to_others"})
    acknowledged = await submit(client, settings, triage={"urgency": "urgent", "category": "threat_to_others"})
    routine = await submit(client, settings, triage={"urgency": "routine", "category": "wellness_concern"})
    long_ago = datetime.now(UTC) - timedelta(minutes=45)  # the example county escalates urgent tips at 15 min
    run(
        settings, sa.update(tips).where(tips.c.reference.in_([late, acknowledged, routine])).values(created_at=long_ago)
    )
    ack = await console.post(f"/console/tips/{acknowledged}/acknowledge", destination="state_tipline")
    assert ack.status == 200
    text = await (await console.get("/console/?urgency=urgent")).text()
    rows = {ref: row for row in text.split("<tr ")[1:] for ref in (late, fresh, acknowledged) if ref in row}
    assert "overdue" in rows[late] and "45 min" in rows[late]
    assert "overdue" not in rows[fresh]
    assert "overdue" not in rows[acknowledged] and "acknowledged after" in rows[acknowledged]
    assert routine not in text  # the urgency filter
    everything = await (await console.get("/console/")).text()
    routine_row = next(row for row in everything.split("<tr ")[1:] if routine in row)
    assert "overdue" not in routine_row  # routine tips have no escalation rule
    assert text.index(late) < text.index(fresh) < text.index(acknowledged)  # longest waiting first


async def test_the_newest_unacknowledged_emergency_leads_the_queue_and_search_finds_a_reference(
    client: TestClient, settings: Settings, console: Console
) -> None:
    references = [await submit(client, settings) for _ in range(60)]
    urgent = await submit(client, settings, triage={"urgency": "urgent", "category": "threat_to_others"})
    for i, reference in enumerate(references):  # reported a minute apart, the last one newest
        at = datetime.now(UTC) - timedelta(minutes=120 - i)
        run(settings, sa.update(tips).where(tips.c.reference == reference).values(created_at=at))
    await console.post(f"/console/tips/{references[-1]}/acknowledge", destination="911")
    text = await (await console.get("/console/")).text()
    first_rows = [row for row in text.split("<tr ")[1:] if 'data-reference="' in row][:3]
    assert [references[-2], references[-3], references[-4]] == [r.split('data-reference="')[1][:12] for r in first_rows]
    second = await (await console.get("/console/?page=2")).text()  # then the acknowledged emergency, then urgent
    assert second.index(references[-1]) < second.index(urgent)
    assert "<strong>60</strong> open, <strong>59</strong> unacknowledged" in text
    found = await (await console.get(f"/console/?q= {references[7].lower()}")).text()
    assert references[7] in found and ">1 tip</p>" in found


async def test_statistics_count_the_unacknowledged_and_their_oldest_wait_beside_the_medians(
    client: TestClient, settings: Settings
) -> None:
    old = await submit(client, settings)
    await submit(client, settings)
    run(
        settings,
        sa.update(tips).where(tips.c.reference == old).values(created_at=datetime.now(UTC) - timedelta(minutes=95)),
    )
    await add_user(client, "ana", "analyst")
    analyst = Console(client)
    await analyst.log_in("ana")
    data = await (await analyst.get("/console/stats.json?days=7")).json(content_type=None)
    assert data["unacknowledged"]["emergency"]["count"] == 2
    assert 95 <= data["unacknowledged"]["emergency"]["oldest_minutes"] < 97
    assert data["minutes_to_acknowledge"]["emergency"]["count"] == 0
    page = await (await analyst.get("/console/stats?days=7")).text()
    assert "2 not acknowledged, oldest waiting 1 h 35 min" in page
    assert "Data table: tips per day" in page
    csv_text = await (await analyst.get("/console/stats.csv?days=7")).text()
    assert "unacknowledged,emergency.count,2" in csv_text
