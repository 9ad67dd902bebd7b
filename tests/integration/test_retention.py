"""Retention purges on SQLite and PostgreSQL: each kind after its period, never an open tip, counts audited."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from routing.app import build_context
from routing.retention import ACTOR, Purged, purge, purge_tracker_store
from routing.service import Context, accept_tip
from routing.settings import RetentionSettings, sync_url
from routing.store.tables import audit_log, deliveries, dispositions, tips
from tests.support.routing import (
    drop_postgres_schema,
    example_jurisdiction,
    fresh_postgres_schema,
    make_settings,
    sqlite_database,
)

pytestmark = pytest.mark.asyncio
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
RETENTION = RetentionSettings(contacts_days=30, transcripts_days=90, closed_tips_days=365, interval_seconds=0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    url = fresh_postgres_schema()
    yield url
    drop_postgres_schema(url)


@pytest.fixture
async def ctx(database_url: str) -> Context:
    context, engine = build_context(make_settings(database_url), example_jurisdiction())
    yield replace(context, clock=lambda: NOW)  # type: ignore[misc]
    await engine.dispose()


def _sql(ctx: Context, database_url: str, statement: sa.Executable) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(sync_url(database_url))
    with engine.begin() as conn:
        result = conn.execute(statement)
        rows = list(result.all()) if result.returns_rows else []
    engine.dispose()
    return rows


async def _tip(ctx: Context, database_url: str, closed_days_ago: float | None, reopened: bool = False) -> int:
    """A tip with contact details, a transcript and an FBI packet, closed that many days ago (or open)."""
    from routing.api import parse_submission
    from tests.support.routing import tip_payload

    payload = tip_payload(
        conversation_id=f"conv-{uuid.uuid4().hex}",
        anonymous=False,
        contact={"name": "Avery Example", "phone": "+15550123", "email": "avery@example.invalid"},
        triage={"category": "site_surveillance", "urgency": "urgent"},
    )
    accepted = await accept_tip(ctx, parse_submission(payload))
    (tip_id,) = _sql(ctx, database_url, sa.select(tips.c.id).where(tips.c.reference == accepted.receipt.reference))[0]
    _sql(
        ctx,
        database_url,
        sa.update(deliveries)
        .where(deliveries.c.tip_id == tip_id, deliveries.c.destination == "fbi")
        .values(
            packet={"sections": [{"title": "Your information", "fields": {"Original reporter": "phone: +15550123"}}]}
        ),
    )
    if closed_days_ago is not None:
        at = NOW - timedelta(days=closed_days_ago)
        _sql(
            ctx,
            database_url,
            sa.insert(dispositions).values(
                tip_id=tip_id, disposition="valid", outcome="done", actor="staff:dana", created_at=at
            ),
        )
        _sql(
            ctx,
            database_url,
            sa.update(tips).where(tips.c.id == tip_id).values(status="in_progress" if reopened else "closed"),
        )
    return int(tip_id)


def _state(database_url: str, tip_id: int) -> dict[str, object] | None:
    engine = sa.create_engine(sync_url(database_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(tips).where(tips.c.id == tip_id)).first()
        packet = conn.scalar(
            sa.select(deliveries.c.packet).where(deliveries.c.tip_id == tip_id, deliveries.c.packet.is_not(None))
        )
    engine.dispose()
    if row is None:
        return None
    return {"transcript": row.transcript, "contact": row.contact_encrypted, "packet": json.dumps(packet)}


async def test_each_kind_goes_after_its_period_and_open_tips_keep_everything(ctx: Context, database_url: str) -> None:
    open_tip = await _tip(ctx, database_url, None)
    reopened = await _tip(ctx, database_url, 400, reopened=True)  # closed long ago, then reopened: open
    recent = await _tip(ctx, database_url, 10)  # closed 10 days ago: nothing due
    contact_due = await _tip(ctx, database_url, 45)  # contact details (30 days) due
    transcript_due = await _tip(ctx, database_url, 100)  # and the transcript (90 days)
    tip_due = await _tip(ctx, database_url, 400)  # and the whole tip (365 days)

    purged = await purge(ctx, RETENTION)

    assert purged == Purged(transcripts=1, contacts=2, tips=1)
    for tip_id in (open_tip, reopened, recent):
        state = _state(database_url, tip_id)
        assert state is not None and state["transcript"] and state["contact"] and "+15550123" in str(state["packet"])
    contact_only = _state(database_url, contact_due)
    assert contact_only is not None and contact_only["contact"] is None and contact_only["transcript"]
    assert "+15550123" not in str(contact_only["packet"])
    both = _state(database_url, transcript_due)
    assert both is not None and both["contact"] is None and both["transcript"] == []
    assert _state(database_url, tip_due) is None
    # The purged tip's audit entries stay; one entry says what the purge did, in counts.
    entries = _sql(ctx, database_url, sa.select(audit_log).order_by(audit_log.c.id))
    assert any(e.tip_id == tip_due for e in entries)
    (run,) = [e for e in entries if e.action == "retention_purge"]
    assert run.actor == ACTOR
    assert run.details["tips"] == 1 and run.details["contacts"] == 2 and run.details["transcripts"] == 1
    assert "+15550123" not in json.dumps(run.details) and "Avery" not in json.dumps(run.details)


async def test_a_second_run_finds_nothing_and_writes_no_entry(ctx: Context, database_url: str) -> None:
    await _tip(ctx, database_url, 400)
    assert (await purge(ctx, RETENTION)).tips == 1
    assert not (await purge(ctx, RETENTION)).anything
    runs = _sql(ctx, database_url, sa.select(audit_log).where(audit_log.c.action == "retention_purge"))
    assert len(runs) == 1


async def test_never_keeps_a_kind_for_good(ctx: Context, database_url: str) -> None:
    tip_id = await _tip(ctx, database_url, 4000)
    keep = RetentionSettings(contacts_days=None, transcripts_days=None, closed_tips_days=None, interval_seconds=0)
    assert not (await purge(ctx, keep)).anything
    assert _state(database_url, tip_id) is not None


async def test_more_tips_than_a_batch_are_all_purged(
    ctx: Context, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("routing.retention.BATCH", 2)
    for _ in range(5):
        await _tip(ctx, database_url, 400)
    assert (await purge(ctx, RETENTION)).tips == 5


async def test_the_tracker_store_loses_only_conversations_that_ended_before_the_cutoff(database_url: str) -> None:
    """Rasa's SQLTrackerStore keeps one row per event in `events`; a conversation still going keeps all."""
    metadata = sa.MetaData()
    events = sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    engine = sa.create_engine(sync_url(database_url))
    metadata.create_all(engine)
    old, day = (NOW - timedelta(days=40)).timestamp(), 86400
    rows = [("ended", old + i, "user") for i in range(5)]
    rows += [("still going", old, "user"), ("still going", NOW.timestamp() - day, "bot")]
    rows += [("recent", NOW.timestamp() - 2 * day, "user")]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(events), [{"sender_id": s, "timestamp": t, "type_name": k, "data": "{}"} for s, t, k in rows]
        )
    assert await purge_tracker_store(database_url, NOW - timedelta(days=30)) == (1, 5)
    with engine.connect() as conn:
        left = sorted(set(conn.execute(sa.select(events.c.sender_id)).scalars()))
    engine.dispose()
    assert left == ["recent", "still going"]


async def test_an_unreachable_tracker_store_is_logged_and_the_rest_still_purged(
    ctx: Context, database_url: str
) -> None:
    await _tip(ctx, database_url, 400)
    retention = replace(RETENTION, tracker_store_url="postgresql://nobody@127.0.0.1:1/none", trackers_days=30)
    purged = await purge(ctx, retention)
    assert purged.tips == 1 and purged.tracker_events == 0
