"""Retention purges on SQLite and PostgreSQL: each kind after its period, never an open tip, counts audited."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from routing import casework
from routing.accounts import Staff, log_in
from routing.app import build_context
from routing.retention import ACTOR, Purged, purge, purge_tracker_store
from routing.service import Context, accept_tip
from routing.settings import RetentionSettings, sync_url
from routing.store.tables import audit_log, deliveries, dispositions, tips
from tests.support.routing import (
    example_jurisdiction,
    make_settings,
)

pytestmark = pytest.mark.asyncio
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
RETENTION = RetentionSettings(contacts_days=30, transcripts_days=90, closed_tips_days=365, interval_seconds=0)


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


async def _tip(
    ctx: Context, database_url: str, closed_days_ago: float | None, reopened: bool = False, conversation: str = ""
) -> int:
    """A tip with contact details, a transcript and an FBI packet, closed that many days ago (or open)."""
    from routing.api import parse_submission
    from tests.support.routing import tip_payload

    payload = tip_payload(
        conversation_id=conversation or f"conv-{uuid.uuid4().hex}",
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


def _tracker_events(database_url: str) -> sa.Table:
    """Rasa's SQLTrackerStore table (`events`, one row per event), made in the test database."""
    events = sa.Table(
        "events",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )
    engine = sa.create_engine(sync_url(database_url))
    events.create(engine)
    engine.dispose()
    return events


async def test_the_contacts_purge_removes_the_contact_details_from_the_tracker_store_too(
    ctx: Context, database_url: str, tmp_path: Path
) -> None:
    """The conversation of a tip whose contact details are purged loses them in the tracker store:
    the answer, its parse data and the slots; the sender's next session and other senders keep theirs."""
    # The tracker store is a database of its own (PostgreSQL: the test's schema serves both).
    tracker_store = database_url if database_url.startswith("postgresql") else f"sqlite:///{tmp_path}/tracker.db"
    events = _tracker_events(tracker_store)
    start = int((NOW - timedelta(days=60)).timestamp())
    answer = "yes, call (555) 010-0142 or write to avery.example+tips@mail.example.org"
    parse = {"text": answer, "intent": {"name": "affirm"}, "entities": [{"entity": "phone", "value": "555-010-0142"}]}
    session = [
        ("action", start + 0.1, {"event": "action", "name": "action_session_start"}),
        ("session_started", start + 0.2, {"event": "session_started"}),
        ("user", start + 10, {"event": "user", "text": "a man is in the lobby with a gun", "parse_data": {}}),
        ("slot", start + 20, {"event": "slot", "name": "requested_slot", "value": "tip_anonymous"}),
        ("user", start + 30, {"event": "user", "text": answer, "parse_data": parse}),
        ("slot", start + 31, {"event": "slot", "name": "tip_anonymous", "value": answer}),
        ("slot", start + 32, {"event": "slot", "name": "tip_contact", "value": answer}),
    ]
    later = [  # the same resident, a new report days later: not this tip's to purge
        ("session_started", start + 5 * 86400, {"event": "session_started"}),
        ("user", start + 5 * 86400 + 9, {"event": "user", "text": "text me at 555-0199", "parse_data": {}}),
    ]
    other = [("user", start + 40, {"event": "user", "text": "mail ana@example.org", "parse_data": {}})]
    rows = [("sms-sender", *e) for e in session + later] + [("other-sender", *e) for e in other]
    engine = sa.create_engine(sync_url(tracker_store))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(events),
            [{"sender_id": s, "type_name": k, "timestamp": t, "data": json.dumps(d)} for s, k, t, d in rows],
        )
    await _tip(ctx, database_url, 45, conversation=f"sms-sender:{start}")

    purged = await purge(ctx, replace(RETENTION, tracker_store_url=tracker_store, trackers_days=None))

    assert purged.contacts == 1
    with engine.connect() as conn:
        stored = {
            (s, t): d for s, t, d in conn.execute(sa.select(events.c.sender_id, events.c.timestamp, events.c.data))
        }
    engine.dispose()
    purged_session = " ".join(stored[("sms-sender", t)] for _, t, _ in session)
    # The number in any format, not a bare "0142" that a timestamp or digest can hold
    assert not any(part in purged_session for part in ("010-0142", "0100142", "avery.example"))
    assert "[contact given]" in purged_session and "a man is in the lobby with a gun" in purged_session
    assert "555-0199" in stored[("sms-sender", later[1][1])]
    assert "ana@example.org" in stored[("other-sender", other[0][1])]


async def test_tips_keep_their_contact_details_while_the_tracker_store_cannot_be_reached(
    ctx: Context, database_url: str
) -> None:
    tip_id = await _tip(ctx, database_url, 45)
    unreachable = replace(RETENTION, tracker_store_url="postgresql://nobody@127.0.0.1:1/none", trackers_days=None)
    assert (await purge(ctx, unreachable)).contacts == 0
    state = _state(database_url, tip_id)
    assert state is not None and state["contact"]
    assert (await purge(ctx, RETENTION)).contacts == 1


async def test_the_tracker_store_loses_only_conversations_that_ended_before_the_cutoff(database_url: str) -> None:
    """Rasa's SQLTrackerStore keeps one row per event in `events`; a conversation still going keeps all."""
    events = _tracker_events(database_url)
    engine = sa.create_engine(sync_url(database_url))
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
    await _tip(ctx, database_url, 100)
    retention = replace(RETENTION, tracker_store_url="postgresql://nobody@127.0.0.1:1/none", trackers_days=30)
    purged = await purge(ctx, retention)
    # The transcript goes; the contact details wait for the tracker store (the test above).
    assert purged.transcripts == 1 and purged.contacts == 0 and purged.tracker_events == 0


async def _reopen(ctx: Context, database_url: str, tip_id: int, days_ago: float, reason: str) -> None:
    """A dispatcher reopens the closed tip `days_ago` days ago (the console's own use case)."""
    (reference,) = _sql(ctx, database_url, sa.select(tips.c.reference).where(tips.c.id == tip_id))[0]
    dana = Staff(1, "dana", "Dana Example", "dispatcher")
    await casework.reopen(replace(ctx, clock=lambda: NOW - timedelta(days=days_ago)), reference, reason, dana)


def _close(ctx: Context, database_url: str, tip_id: int, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    _sql(
        ctx,
        database_url,
        sa.insert(dispositions).values(
            tip_id=tip_id, disposition="valid", outcome="done", actor="staff:dana", created_at=at
        ),
    )
    _sql(ctx, database_url, sa.update(tips).where(tips.c.id == tip_id).values(status="closed"))


async def _failed_sign_in(ctx: Context, typed: str, days_ago: float) -> None:
    at = replace(ctx, clock=lambda: NOW - timedelta(days=days_ago))
    assert await log_in(at, b"session-key", typed, "not the password", "203.0.113.7") is None


def _entries(ctx: Context, database_url: str, action: str) -> list[sa.Row[tuple[object, ...]]]:
    return _sql(ctx, database_url, sa.select(audit_log).where(audit_log.c.action == action).order_by(audit_log.c.at))


async def test_free_text_in_the_audit_log_goes_after_its_period_and_the_rest_of_the_entry_stays(
    ctx: Context, database_url: str
) -> None:
    closed_again = await _tip(ctx, database_url, 400)
    await _reopen(ctx, database_url, closed_again, 200, "Avery Example called back: her brother has the gun")
    _close(ctx, database_url, closed_again, 100)
    deleted = await _tip(ctx, database_url, 600)
    await _reopen(ctx, database_url, deleted, 500, "deleted tip's reason")
    _close(ctx, database_url, deleted, 450)  # the whole tip goes (365 days), its audit entries stay
    still_open = await _tip(ctx, database_url, 400)
    await _reopen(ctx, database_url, still_open, 100, "open tip's reason")
    closed_lately = await _tip(ctx, database_url, 40)
    await _reopen(ctx, database_url, closed_lately, 35, "recently closed tip's reason")
    _close(ctx, database_url, closed_lately, 5)
    await _failed_sign_in(ctx, "Tr0ub4dor&3-typed-as-a-name", 40)
    await _failed_sign_in(ctx, "robin-typo", 5)

    purged = await purge(ctx, replace(RETENTION, audit_text_days=30))

    assert purged.audit_texts == 3 and purged.tips == 1
    reopened = {e.tip_id: e for e in _entries(ctx, database_url, "reopened")}
    for gone in (closed_again, deleted):
        assert "reason" not in reopened[gone].details
        assert reopened[gone].actor == "staff:dana" and reopened[gone].tip_id == gone  # the rest stays
    assert reopened[still_open].details == {"reason": "open tip's reason"}
    assert reopened[closed_lately].details == {"reason": "recently closed tip's reason"}
    old_sign_in, new_sign_in = _entries(ctx, database_url, "login_failed")
    assert old_sign_in.details == {"client": "203.0.113.7"} and old_sign_in.actor == "anonymous"
    assert old_sign_in.at == NOW - timedelta(days=40)
    assert new_sign_in.details == {"username": "robin-typo", "client": "203.0.113.7"}
    everything = json.dumps([dict(e._mapping) for e in _sql(ctx, database_url, sa.select(audit_log))], default=str)
    assert "Tr0ub4dor" not in everything and "brother" not in everything
    assert not (await purge(ctx, replace(RETENTION, audit_text_days=30))).audit_texts


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "staff:mallory"},
        {"details": {"client": "198.51.100.1"}},  # not a removal: the client changed
        {"details": {}},  # `client` is not free text retention removes
    ],
)
async def test_the_audit_log_still_refuses_any_other_change(
    ctx: Context, database_url: str, change: dict[str, object]
) -> None:
    await _failed_sign_in(ctx, "someone", 40)
    (entry,) = _entries(ctx, database_url, "login_failed")
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        _sql(ctx, database_url, sa.update(audit_log).where(audit_log.c.id == entry.id).values(**change))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        _sql(ctx, database_url, sa.delete(audit_log).where(audit_log.c.id == entry.id))
