"""Every query of the routing database, on one open connection (the unit of work's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from routing.domain import DEAD, DELIVERED, DELIVERING, PENDING
from routing.outbox import PlannedDelivery
from routing.store.tables import (
    audit_log,
    deliveries,
    delivery_attempts,
    dispositions,
    tip_links,
    tip_match_keys,
    tip_messages,
    tips,
    triage_results,
)

Row = dict[str, Any]
RELATED_LIMIT = 20
CLOSED = "closed"  # the tip status a disposition sets (domain.TIP_STATUSES)


class Repository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._postgres = conn.dialect.name == "postgresql"

    # --- tips ------------------------------------------------------------------------------

    async def tip_by_conversation(self, conversation_id: str) -> Row | None:
        return await self._one(sa.select(tips).where(tips.c.conversation_id == conversation_id))

    async def tip_by_reference(self, reference: str) -> Row | None:
        return await self._one(sa.select(tips).where(tips.c.reference == reference))

    async def tip(self, tip_id: int) -> Row | None:
        return await self._one(sa.select(tips).where(tips.c.id == tip_id))

    async def add_tip(self, values: Row) -> int:
        result = await self.conn.execute(sa.insert(tips).values(**values).returning(tips.c.id))
        return int(result.scalar_one())

    async def update_tip(self, tip_id: int, **values: Any) -> None:
        await self.conn.execute(sa.update(tips).where(tips.c.id == tip_id).values(**values))

    async def add_triage_result(self, values: Row) -> None:
        await self.conn.execute(sa.insert(triage_results).values(**values))

    async def add_message(self, values: Row) -> int:
        result = await self.conn.execute(sa.insert(tip_messages).values(**values).returning(tip_messages.c.id))
        return int(result.scalar_one())

    async def message(self, message_id: int) -> Row | None:
        return await self._one(sa.select(tip_messages).where(tip_messages.c.id == message_id))

    async def messages(self, tip_id: int, direction: str) -> list[Row]:
        query = (
            sa.select(tip_messages)
            .where(tip_messages.c.tip_id == tip_id, tip_messages.c.direction == direction)
            .order_by(tip_messages.c.created_at, tip_messages.c.id)
        )
        return await self._all(query)

    # --- related tips ----------------------------------------------------------------------

    async def add_match_keys(self, tip_id: int, keys: Iterable[tuple[str, str]]) -> None:
        rows = [{"tip_id": tip_id, "kind": kind, "digest": digest} for kind, digest in keys]
        if rows:
            await self.conn.execute(sa.insert(tip_match_keys), rows)

    async def tips_sharing_keys(
        self, tip_id: int, keys: Sequence[tuple[str, str]], limit: int = RELATED_LIMIT
    ) -> list[tuple[int, str]]:
        """(other tip id, kind) for the latest earlier tips that share any of the keys.

        Capped: a place named in hundreds of tips (a big school) must not make every new tip
        carry hundreds of links; the latest ones lead to the rest.
        """
        if not keys:
            return []
        query = (
            sa.select(tip_match_keys.c.tip_id, tip_match_keys.c.kind)
            .where(
                sa.tuple_(tip_match_keys.c.kind, tip_match_keys.c.digest).in_(list(keys)),
                tip_match_keys.c.tip_id != tip_id,
            )
            .distinct()
            .order_by(tip_match_keys.c.tip_id.desc())
            .limit(limit)
        )
        return [(int(r.tip_id), str(r.kind)) for r in (await self.conn.execute(query)).all()]

    async def add_links(self, tip_id: int, links: Iterable[tuple[int, str]], at: datetime) -> None:
        rows = [{"tip_id": tip_id, "related_tip_id": other, "reason": kind, "created_at": at} for other, kind in links]
        if rows:
            await self.conn.execute(sa.insert(tip_links), rows)

    async def related_tips(self, tip_id: int) -> list[Row]:
        """Tips linked either way, with the reasons, newest first."""
        other = sa.case((tip_links.c.tip_id == tip_id, tip_links.c.related_tip_id), else_=tip_links.c.tip_id)
        query = (
            sa.select(tips.c.reference, tips.c.category, tips.c.urgency, tips.c.created_at, tip_links.c.reason)
            .select_from(tip_links.join(tips, tips.c.id == other))
            .where(sa.or_(tip_links.c.tip_id == tip_id, tip_links.c.related_tip_id == tip_id))
            .order_by(tips.c.created_at.desc())
            .limit(RELATED_LIMIT * 4)
        )
        grouped: dict[str, Row] = {}
        for row in await self._all(query):
            entry = grouped.setdefault(
                row["reference"],
                {k: row[k] for k in ("reference", "category", "urgency", "created_at")} | {"reasons": []},
            )
            if row["reason"] not in entry["reasons"]:
                entry["reasons"].append(row["reason"])
        return list(grouped.values())

    # --- audit log -------------------------------------------------------------------------

    async def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        *,
        tip_id: int | None = None,
        delivery_id: int | None = None,
        **details: Any,
    ) -> None:
        await self.conn.execute(
            sa.insert(audit_log).values(
                at=at, actor=actor, action=action, tip_id=tip_id, delivery_id=delivery_id, details=details
            )
        )

    async def audit_entries(self, tip_id: int) -> list[Row]:
        return await self._all(sa.select(audit_log).where(audit_log.c.tip_id == tip_id).order_by(audit_log.c.id))

    # --- outbox ----------------------------------------------------------------------------

    async def add_deliveries(
        self, tip_id: int, planned: Sequence[PlannedDelivery], at: datetime, escalates_id: int | None = None
    ) -> list[int]:
        ids = []
        for p in planned:
            result = await self.conn.execute(
                sa.insert(deliveries)
                .values(
                    tip_id=tip_id,
                    destination=p.destination,
                    target=p.target,
                    via=p.via,
                    address=p.address,
                    urgency=p.urgency,
                    priority=p.priority,
                    status=p.status,
                    idempotency_key=p.idempotency_key,
                    next_attempt_at=at,
                    escalates_id=escalates_id,
                    message_id=p.message_id,
                    created_at=at,
                    updated_at=at,
                )
                .returning(deliveries.c.id)
            )
            ids.append(int(result.scalar_one()))
        return ids

    async def deliveries_of(self, tip_id: int) -> list[Row]:
        return await self._all(sa.select(deliveries).where(deliveries.c.tip_id == tip_id).order_by(deliveries.c.id))

    async def delivery(self, delivery_id: int) -> Row | None:
        return await self._one(sa.select(deliveries).where(deliveries.c.id == delivery_id))

    async def claim(
        self, worker: str, limit: int, now: datetime, lease: timedelta, skip_targets: Iterable[str] = ()
    ) -> list[Row]:
        """Take up to `limit` due deliveries under a lease, most urgent first.

        Due means pending and past its next attempt, or claimed by a worker whose lease ran out
        (it died mid-delivery). On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim
        side by side without waiting on or taking each other's rows; SQLite has one writer at a
        time, so there the transaction itself is the lock.
        """
        due = sa.or_(
            sa.and_(deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= now),
            sa.and_(deliveries.c.status == DELIVERING, deliveries.c.lease_expires_at <= now),
        )
        query = sa.select(deliveries.c.id).where(due)
        skip = list(skip_targets)
        if skip:
            query = query.where(deliveries.c.target.not_in(skip))
        query = query.order_by(deliveries.c.priority, deliveries.c.next_attempt_at, deliveries.c.id).limit(limit)
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        ids = [int(i) for i in (await self.conn.execute(query)).scalars().all()]
        if not ids:
            return []
        await self.conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id.in_(ids))
            .values(
                status=DELIVERING,
                lease_owner=worker,
                lease_expires_at=now + lease,
                attempts=deliveries.c.attempts + 1,
                updated_at=now,
            )
        )
        return await self._all(
            sa.select(deliveries).where(deliveries.c.id.in_(ids)).order_by(deliveries.c.priority, deliveries.c.id)
        )

    async def finish(self, delivery_id: int, worker: str, **values: Any) -> bool:
        """Record an attempt's outcome, only if this worker still holds the lease."""
        result = await self.conn.execute(
            sa.update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                deliveries.c.lease_owner == worker,
                deliveries.c.status == DELIVERING,
            )
            .values(lease_owner=None, lease_expires_at=None, **values)
        )
        return bool(result.rowcount)

    async def update_delivery(self, delivery_id: int, **values: Any) -> None:
        await self.conn.execute(sa.update(deliveries).where(deliveries.c.id == delivery_id).values(**values))

    async def add_attempt(self, values: Row) -> None:
        await self.conn.execute(sa.insert(delivery_attempts).values(**values))

    async def attempts_of(self, delivery_id: int) -> list[Row]:
        return await self._all(
            sa.select(delivery_attempts)
            .where(delivery_attempts.c.delivery_id == delivery_id)
            .order_by(delivery_attempts.c.id)
        )

    async def acknowledge(self, tip_id: int, destination: str, actor: str, at: datetime) -> list[int]:
        """Acknowledge every delivery of one tip to one destination; ids of those newly acknowledged."""
        query = sa.select(deliveries.c.id).where(
            deliveries.c.tip_id == tip_id,
            deliveries.c.destination == destination,
            deliveries.c.acknowledged_at.is_(None),
        )
        ids = [int(i) for i in (await self.conn.execute(query)).scalars().all()]
        if ids:
            await self.conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id.in_(ids))
                .values(acknowledged_at=at, acknowledged_by=actor, updated_at=at)
            )
        return ids

    async def unacknowledged(self, urgencies: Sequence[str], created_before: datetime) -> list[Row]:
        """Deliveries to a destination (not notices) that nobody acknowledged, oldest first."""
        query = (
            sa.select(deliveries)
            .where(
                deliveries.c.urgency.in_(urgencies),
                deliveries.c.escalates_id.is_(None),
                deliveries.c.destination.in_(("911", "988", "fbi", "state_tipline")),
                deliveries.c.acknowledged_at.is_(None),
                deliveries.c.status != DEAD,
                deliveries.c.created_at <= created_before,
            )
            .order_by(deliveries.c.created_at)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        return await self._all(query)

    async def set_escalation_step(self, delivery_ids: Sequence[int], step: int, at: datetime) -> None:
        await self.conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id.in_(delivery_ids), deliveries.c.escalation_step < step)
            .values(escalation_step=step, updated_at=at)
        )

    async def outbox_counts(self) -> dict[str, int]:
        query = sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)
        counts = {str(status): int(n) for status, n in (await self.conn.execute(query)).all()}
        return {s: counts.get(s, 0) for s in (PENDING, DELIVERING, DELIVERED, DEAD)} | counts

    async def unacknowledged_tips(self) -> list[tuple[str, datetime]]:
        """(urgency, created_at) of each open tip nobody has acknowledged yet (the alarm's queue)."""
        query = sa.select(tips.c.urgency, tips.c.created_at).where(tips.c.status.in_(("received", "delivered")))
        return [(str(u), at) for u, at in (await self.conn.execute(query)).all()]

    # --- retention ---------------------------------------------------------------------------

    async def tips_closed_before(self, cutoff: datetime, limit: int, holding: str | None = None) -> list[int]:
        """Ids of closed tips whose latest disposition is older than `cutoff`, oldest first; with
        `holding` ("contact" or "transcript"), only those that still hold one."""
        closed_at = sa.func.max(dispositions.c.created_at)
        query = (
            sa.select(tips.c.id)
            .join(dispositions, dispositions.c.tip_id == tips.c.id)
            .where(tips.c.status == CLOSED)
            .group_by(tips.c.id)
            .having(closed_at < cutoff)
            .order_by(closed_at)
            .limit(limit)
        )
        if holding == "contact":
            query = query.where(tips.c.contact_encrypted.is_not(None))
        elif holding == "transcript":
            query = query.where(sa.func.json_array_length(tips.c.transcript) > 0)
        return [int(i) for i in (await self.conn.execute(query)).scalars().all()]

    async def clear_transcripts(self, tip_ids: Sequence[int]) -> int:
        """Empty the transcripts of these tips, if still closed; the number that had one."""
        result = await self.conn.execute(
            sa.update(tips)
            .where(tips.c.id.in_(tip_ids), tips.c.status == CLOSED, sa.func.json_array_length(tips.c.transcript) > 0)
            .values(transcript=[])
        )
        return int(result.rowcount)

    async def clear_contacts(self, tip_ids: Sequence[int]) -> list[int]:
        """Remove the reporter's contact details from these tips, if still closed; the ids that had any."""
        query = sa.select(tips.c.id).where(
            tips.c.id.in_(tip_ids), tips.c.status == CLOSED, tips.c.contact_encrypted.is_not(None)
        )
        had = [int(i) for i in (await self.conn.execute(query)).scalars().all()]
        if had:
            await self.conn.execute(sa.update(tips).where(tips.c.id.in_(had)).values(contact_encrypted=None))
        return had

    async def packets_of(self, tip_ids: Sequence[int]) -> list[Row]:
        """(id, packet) of the deliveries of these tips that carry a packet filed by hand (FBI)."""
        return await self._all(
            sa.select(deliveries.c.id, deliveries.c.packet).where(
                deliveries.c.tip_id.in_(tip_ids), deliveries.c.packet.is_not(None)
            )
        )

    async def delete_closed_tips(self, tip_ids: Sequence[int]) -> int:
        """Delete these tips, if still closed, with everything that hangs off them (the foreign keys
        cascade); the audit log keeps its rows, which hold no report content."""
        result = await self.conn.execute(sa.delete(tips).where(tips.c.id.in_(tip_ids), tips.c.status == CLOSED))
        return int(result.rowcount)

    # --- helpers ---------------------------------------------------------------------------

    async def _one(self, query: sa.Select[Any]) -> Row | None:
        row = (await self.conn.execute(query)).first()
        return dict(row._mapping) if row else None

    async def _all(self, query: sa.Select[Any]) -> list[Row]:
        return [dict(r._mapping) for r in (await self.conn.execute(query)).all()]
