"""Retention: purge what the jurisdiction keeps only for a while (RetentionSettings), never from an open tip.

Each kind is purged in batches, each batch one unit of work that re-checks that the tip is still
closed; every run that purged anything writes one audit entry with the counts (never content).
Rasa's tracker store (SQLTrackerStore, one row per event in its `events` table) is purged by
conversation: all events of a conversation whose last event is older than the cutoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from routing.destinations.fbi import without_reporter
from routing.service import Context
from routing.settings import RetentionSettings, masked
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork

log = logging.getLogger(__name__)

ACTOR = "system:retention"
BATCH = 500
# Rasa's SQLTrackerStore table, as far as the purge needs it.
TRACKER_EVENTS = sa.table("events", sa.column("sender_id", sa.String), sa.column("timestamp", sa.Float))


@dataclass(frozen=True)
class Purged:
    transcripts: int = 0
    contacts: int = 0
    tips: int = 0
    tracker_conversations: int = 0
    tracker_events: int = 0

    @property
    def anything(self) -> bool:
        return any(asdict(self).values())


def cutoff(now: datetime, days: float | None) -> datetime | None:
    return None if days is None else now - timedelta(days=days)


async def purge(ctx: Context, retention: RetentionSettings) -> Purged:
    """One purge of every kind that has a retention period; safe to run often and side by side."""
    now = ctx.clock()
    # Whole tips first, so each count says what became of a tip: deleted, or kept with less in it.
    tips = await _batches(ctx, cutoff(now, retention.closed_tips_days), None, _delete_tips)
    transcripts = await _batches(ctx, cutoff(now, retention.transcripts_days), "transcript", _clear_transcripts)
    contacts = await _batches(ctx, cutoff(now, retention.contacts_days), "contact", _clear_contacts)
    conversations, events = 0, 0
    tracker_cutoff = cutoff(now, retention.trackers_days)
    if retention.tracker_store_url and tracker_cutoff is not None:
        conversations, events = await purge_tracker_store(retention.tracker_store_url, tracker_cutoff)
    purged = Purged(transcripts, contacts, tips, conversations, events)
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


async def _clear_contacts(uow: UnitOfWork, ids: list[int]) -> int:
    cleared = await uow.repo.clear_contacts(ids)
    for delivery in await uow.repo.packets_of(cleared):
        await uow.repo.update_delivery(delivery["id"], packet=without_reporter(delivery["packet"]))
    return len(cleared)


async def _clear_transcripts(uow: UnitOfWork, ids: list[int]) -> int:
    return await uow.repo.clear_transcripts(ids)


async def _delete_tips(uow: UnitOfWork, ids: list[int]) -> int:
    return await uow.repo.delete_closed_tips(ids)


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
