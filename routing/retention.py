"""Retention: purge what the jurisdiction keeps only for a while (RetentionSettings), never from an open tip.

Each kind is purged in batches, each batch one unit of work that re-checks that the tip is still
closed; every run that purged anything writes one audit entry with the counts (never content).
Free text in the audit log (reopen reasons, names typed at failed sign-ins) is removed from its
entries, which otherwise stay as written.
Rasa's tracker store (SQLTrackerStore, one row per event in its `events` table) is purged by
conversation: all events of a conversation whose last event is older than the cutoff. It also
holds what the reporter wrote, their contact details included: when a tip loses its contact
details (or is deleted with them), the phone numbers and e-mail addresses in the events of its
conversation's session are replaced first; while the tracker store cannot be reached, such tips
keep theirs, so no copy is forgotten.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from routing.destinations.fbi import without_reporter
from routing.service import Context
from routing.settings import RetentionSettings, masked
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork
from telemetry.contact_details import CONTACT_PLACEHOLDER, replace_contact_details

log = logging.getLogger(__name__)

ACTOR = "system:retention"
BATCH = 500
# Rasa's SQLTrackerStore table, as far as the purge needs it.
TRACKER_EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


@dataclass(frozen=True)
class Purged:
    transcripts: int = 0
    contacts: int = 0
    tips: int = 0
    tracker_conversations: int = 0
    tracker_events: int = 0
    audit_texts: int = 0

    @property
    def anything(self) -> bool:
        return any(asdict(self).values())


def cutoff(now: datetime, days: float | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


async def purge(ctx: Context, retention: RetentionSettings) -> Purged:
    """One purge of every kind that has a retention period; safe to run often and side by side."""
    now = ctx.clock()
    # Whole tips first, so each count says what became of a tip: deleted, or kept with less in it.
    trackers = retention.tracker_store_url
    tips = await _batches(ctx, cutoff(now, retention.closed_tips_days), None, partial(_delete_tips, trackers))
    transcripts = await _batches(ctx, cutoff(now, retention.transcripts_days), "transcript", _clear_transcripts)
    contacts = await _batches(ctx, cutoff(now, retention.contacts_days), "contact", partial(_clear_contacts, trackers))
    conversations, events = 0, 0
    tracker_cutoff = cutoff(now, retention.trackers_days)
    if retention.tracker_store_url and tracker_cutoff is not None:
        conversations, events = await purge_tracker_store(retention.tracker_store_url, tracker_cutoff)
    audit_texts = await _scrub_audit_text(ctx, cutoff(now, retention.audit_text_days))
    purged = Purged(transcripts, contacts, tips, conversations, events, audit_texts)
    if purged.anything:
        async with ctx.new_uow() as uow:
            await uow.repo.audit(now, ACTOR, "retention_purge", **asdict(purged), periods_days=_periods(retention))
    log.info("retention purge: %s", ", ".join(f"{k} {v}" for k, v in asdict(purged).items()))
    return purged


def _periods(retention: RetentionSettings) -> dict[str, float | None]:
    return {
        "contacts": retention.contacts_days,
        "transcripts": retention.transcripts_days,
        "closed_tips": retention.closed_tips_days,
        "trackers": retention.trackers_days if retention.tracker_store_url else None,
        "audit_text": retention.audit_text_days,
    }


Step = Callable[[UnitOfWork, list[int]], Awaitable[int]]


async def _batches(ctx: Context, before: datetime | None, holding: str | None, step: Step) -> int:
    """Run `step` on the closed tips older than `before` that still hold what it purges, a batch
    (one unit of work) at a time, until none is left."""
    if before is None:
        return 0
    total = 0
    while True:
        async with ctx.new_uow() as uow:
            ids = await uow.repo.tips_closed_before(before, BATCH, holding)
            done = await step(uow, ids) if ids else 0
        total += done
        if len(ids) < BATCH or not done:
            return total


async def _clear_contacts(tracker_store_url: str | None, uow: UnitOfWork, ids: list[int]) -> int:
    if not await _scrub_tracker_store(tracker_store_url, uow, ids):
        return 0
    cleared = await uow.repo.clear_contacts(ids)
    for delivery in await uow.repo.packets_of(cleared):
        await uow.repo.update_delivery(delivery["id"], packet=without_reporter(delivery["packet"]))
    return len(cleared)


async def _clear_transcripts(uow: UnitOfWork, ids: list[int]) -> int:
    return await uow.repo.clear_transcripts(ids)


async def _delete_tips(tracker_store_url: str | None, uow: UnitOfWork, ids: list[int]) -> int:
    if not await _scrub_tracker_store(tracker_store_url, uow, ids):
        return 0
    return await uow.repo.delete_closed_tips(ids)


async def _scrub_audit_text(ctx: Context, before: datetime | None) -> int:
    if before is None:
        return 0
    total = 0
    while True:
        async with ctx.new_uow() as uow:
            ids = await uow.repo.audit_text_before(before, BATCH)
            done = await uow.repo.remove_audit_text(ids) if ids else 0
        total += done
        if len(ids) < BATCH or not done:
            return total


async def _scrub_tracker_store(tracker_store_url: str | None, uow: UnitOfWork, ids: list[int]) -> bool:
    """Remove the contact details of these tips from the tracker store (when there is one); False
    when it could not be done, and the tips must keep theirs until a later run."""
    conversations = await uow.repo.conversations_holding_contact(ids)
    if not tracker_store_url or not conversations:
        return True
    try:
        await scrub_tracker_contacts(tracker_store_url, conversations)
    except SQLAlchemyError as e:
        log.error(
            "retention: contact details in the tracker store at %s could not be removed (%s); "
            "the tips keep theirs until a later run",
            masked(tracker_store_url),
            type(e).__name__,
        )
        return False
    return True


def tracker_session(conversation_id: str) -> tuple[str, float]:
    """The tracker store's sender id of a tip's conversation (`<sender>:<session start>`, as the
    action server files it) and the time its session started (0 when the id has no session)."""
    sender, _, start = conversation_id.rpartition(":")
    if sender and start.isdigit():
        return sender, float(start)
    return conversation_id, 0.0


async def scrub_tracker_contacts(url: str, conversation_ids: Sequence[str]) -> int:
    """Replace every phone number and e-mail address in the tracker store's events of these
    conversations' sessions (up to the sender's next session, which may be another report);
    the number of events changed. Raises SQLAlchemyError when the store cannot be reached."""
    engine = create_engine(url, pool_size=1)
    changed = 0
    try:
        async with engine.begin() as conn:
            for conversation_id in conversation_ids:
                sender, start = tracker_session(conversation_id)
                rows = await conn.execute(
                    sa.select(*(TRACKER_EVENTS.c[c] for c in ("id", "type_name", "timestamp", "data")))
                    .where(TRACKER_EVENTS.c.sender_id == sender, TRACKER_EVENTS.c.timestamp >= start)
                    .order_by(TRACKER_EVENTS.c.timestamp, TRACKER_EVENTS.c.id)
                )
                for event_id, type_name, timestamp, data in rows.all():
                    if start and type_name == "session_started" and timestamp >= start + 1:
                        break  # the sender's next session: maybe another report, still going
                    event = json.loads(data or "null")
                    clean = _scrubbed(event)
                    if clean != event:
                        update = sa.update(TRACKER_EVENTS).where(TRACKER_EVENTS.c.id == event_id)
                        await conn.execute(update.values(data=json.dumps(clean)))
                        changed += 1
    finally:
        await engine.dispose()
    return changed


def _scrubbed(value: Any) -> Any:
    """`value` (an event as JSON) with the contact details in every string replaced."""
    if isinstance(value, str):
        return replace_contact_details(value, CONTACT_PLACEHOLDER, CONTACT_PLACEHOLDER)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    return value


async def purge_tracker_store(url: str, before: datetime) -> tuple[int, int]:
    """Delete the events of every conversation whose last event is older than `before`:
    (conversations, events). A conversation still going on keeps all of its events."""
    engine = create_engine(url, pool_size=1)
    stale = (
        sa.select(TRACKER_EVENTS.c.sender_id)
        .group_by(TRACKER_EVENTS.c.sender_id)
        .having(sa.func.max(TRACKER_EVENTS.c.timestamp) < before.timestamp())
    )
    try:
        async with engine.begin() as conn:
            conversations = len((await conn.execute(stale)).all())
            result = await conn.execute(sa.delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id.in_(stale)))
            return conversations, int(result.rowcount)
    except SQLAlchemyError as e:
        log.error("retention: the tracker store at %s could not be purged: %s", masked(url), type(e).__name__)
        return 0, 0
    finally:
        await engine.dispose()


FIRST_RUN_AFTER_SECONDS = 60.0  # not in the rush of a start, but soon even if the service restarts often


async def run_periodically(ctx: Context, retention: RetentionSettings) -> None:
    """The purge inside `serve`: a minute after start, then every interval; a failed run is logged."""
    await asyncio.sleep(min(FIRST_RUN_AFTER_SECONDS, retention.interval_seconds))
    while True:
        try:
            await purge(ctx, retention)
        except Exception:
            log.exception("retention purge failed; it runs again in %s s", retention.interval_seconds)
        await asyncio.sleep(retention.interval_seconds)
