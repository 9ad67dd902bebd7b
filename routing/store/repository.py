"""Every query of the routing database, on one open connection (the unit of work's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from routing.domain import CANCELLED, DEAD, DELIVERED, DELIVERING, PENDING, REPORT_INCOMPLETE, REPORT_OPEN
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

    async def tip_by_conversation(self, conversation_id: str, *, for_update: bool = False) -> Row | None:
        """The conversation's tip; `for_update` holds it until the transaction ends (PostgreSQL;
        SQLite holds the whole database while it writes)."""
        query = sa.select(tips).where(tips.c.conversation_id == conversation_id)
        return await self._one(query.with_for_update() if for_update and self._postgres else query)

    async def lock_sender(self, sender: str) -> None:
        """Hold this resident's filings until the transaction ends: PostgreSQL takes an advisory
        lock on the sender; SQLite takes its database write lock (one writer at a time anyway)."""
        if self._postgres:
            await self.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(sender))))
        else:
            await self.conn.execute(sa.update(tips).where(sa.false()).values(id=tips.c.id))

    async def unfinished_reports_of(
        self, conversation_prefix: str, active_since: datetime, limit: int = 5
    ) -> list[Row]:
        """The newest open or incomplete reports whose conversation id starts with
        `conversation_prefix` and whose resident wrote since `active_since`."""
        query = (
            sa.select(tips)
            .where(
                tips.c.report_state.in_((REPORT_OPEN, REPORT_INCOMPLETE)),
                tips.c.reporter_active_at >= active_since,
                tips.c.conversation_id.startswith(conversation_prefix, autoescape=True),
            )
            .order_by(tips.c.id.desc())
            .limit(limit)
        )
        if self._postgres:
            query = query.with_for_update()
        return await self._all(query)

    async def idle_reports(self, active_before: datetime, limit: int) -> list[int]:
        """Open reports whose resident has not written since `active_before`, oldest first."""
        query = (
            sa.select(tips.c.id)
            .where(tips.c.report_state == REPORT_OPEN, tips.c.reporter_active_at < active_before)
            .order_by(tips.c.reporter_active_at)
            .limit(limit)
        )
        return [int(r) for r in (await self.conn.execute(query)).scalars()]

    async def mark_incomplete(self, tip_id: int, active_before: datetime, at: datetime) -> bool:
        """Open -> incomplete, only if still open and idle: of several workers, one wins."""
        result = await self.conn.execute(
            sa.update(tips)
            .where(tips.c.id == tip_id, tips.c.report_state == REPORT_OPEN, tips.c.reporter_active_at < active_before)
            .values(report_state=REPORT_INCOMPLETE, updated_at=at)
        )
        return bool(result.rowcount)

    async def delete_tip(self, tip_id: int) -> None:
        """Delete a tip with everything that hangs off it (the audit log keeps its rows)."""
        await self.conn.execute(sa.delete(tips).where(tips.c.id == tip_id))

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
        """Deliveries to a destination (not notices) of open tips that nobody acknowledged, oldest first."""
        query = (
            sa.select(deliveries)
            .where(
                deliveries.c.urgency.in_(urgencies),
                deliveries.c.escalates_id.is_(None),
                deliveries.c.destination.in_(("911", "988", "fbi", "state_tipline")),
                deliveries.c.acknowledged_at.is_(None),
                deliveries.c.status != DEAD,
                deliveries.c.created_at <= created_before,
                # a closed tip pages nobody, whatever its deliveries' acknowledgements
                ~sa.exists().where(tips.c.id == deliveries.c.tip_id, tips.c.status == CLOSED),
            )
            .order_by(deliveries.c.created_at)
        )
        if self._postgres:
            query = query.with_for_update(skip_locked=True)
        return await self._all(query)

    async def cancel_escalations(self, tip_id: int, at: datetime) -> int:
        """Escalation notices of this tip still waiting to be sent are not sent; how many."""
        result = await self.conn.execute(
            sa.update(deliveries)
            .where(
                deliveries.c.tip_id == tip_id,
                deliveries.c.destination == "escalation",
                deliveries.c.status == PENDING,
            )
            .values(status=CANCELLED, updated_at=at, last_error="the tip was closed")
        )
        return int(result.rowcount or 0)

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
        query = _closed_before(cutoff).order_by(sa.func.max(dispositions.c.created_at)).limit(limit)
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

    async def conversations_holding_contact(self, tip_ids: Sequence[int]) -> list[str]:
        """The conversation ids of these tips that still hold the reporter's contact details."""
        query = sa.select(tips.c.conversation_id).where(tips.c.id.in_(tip_ids), tips.c.contact_encrypted.is_not(None))
        return [str(c) for c in (await self.conn.execute(query)).scalars().all()]

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

    async def audit_text_before(self, cutoff: datetime, limit: int) -> list[int]:
        """Ids of audit entries older than `cutoff` that still hold free text retention removes: the
        reason of a reopen whose tip is closed since before `cutoff` (or deleted), the name typed at
        a failed sign-in."""
        reopen_reason = sa.and_(
            audit_log.c.action == "reopened",
            audit_log.c.details["reason"].as_string().is_not(None),
            sa.or_(
                audit_log.c.tip_id.not_in(sa.select(tips.c.id)),
                audit_log.c.tip_id.in_(_closed_before(cutoff)),
            ),
        )
        typed_username = sa.and_(
            audit_log.c.action == "login_failed",
            audit_log.c.actor == "anonymous",
            audit_log.c.details["username"].as_string().is_not(None),
        )
        query = (
            sa.select(audit_log.c.id)
            .where(audit_log.c.at < cutoff, sa.or_(reopen_reason, typed_username))
            .order_by(audit_log.c.id)
            .limit(limit)
        )
        return [int(i) for i in (await self.conn.execute(query)).scalars().all()]

    async def remove_audit_text(self, entry_ids: Sequence[int]) -> int:
        """Remove `reason` and `username` from these audit entries, the one change the database's
        append-only trigger accepts (migration 0006); the rest of each entry stays."""
        if self._postgres:
            scrubbed: sa.ColumnElement[Any] = sa.literal_column("(details::jsonb - 'reason' - 'username')::json")
        else:
            scrubbed = sa.func.json_remove(audit_log.c.details, "$.reason", "$.username")
        result = await self.conn.execute(
            sa.update(audit_log).where(audit_log.c.id.in_(entry_ids)).values(details=scrubbed)
        )
        return int(result.rowcount)

    # --- key rotation ----------------------------------------------------------------------

    async def encrypted_values(self, column: sa.Column[str], after_id: int, limit: int) -> list[tuple[int, str]]:
        """(id, value) of the next rows after `after_id` that hold a value in this encrypted column."""
        table = column.table
        query = (
            sa.select(table.c.id, column)
            .where(table.c.id > after_id, column.is_not(None))
            .order_by(table.c.id)
            .limit(limit)
        )
        return [(int(row_id), str(value)) for row_id, value in (await self.conn.execute(query)).all()]

    async def replace_encrypted(self, column: sa.Column[str], row_id: int, old: str, new: str) -> bool:
        """Write `new` where the row still holds `old`: a value changed meanwhile stays as it was written."""
        table = column.table
        result = await self.conn.execute(
            sa.update(table).where(table.c.id == row_id, column == old).values({column.name: new})
        )
        return bool(result.rowcount)

    # --- helpers ---------------------------------------------------------------------------

    async def _one(self, query: sa.Select[Any]) -> Row | None:
        row = (await self.conn.execute(query)).first()
        return dict(row._mapping) if row else None

    async def _all(self, query: sa.Select[Any]) -> list[Row]:
        return [dict(r._mapping) for r in (await self.conn.execute(query)).all()]


def _closed_before(cutoff: datetime) -> sa.Select[Any]:
    """Closed tips whose latest disposition is older than `cutoff`."""
    return (
        sa.select(tips.c.id)
        .join(dispositions, dispositions.c.tip_id == tips.c.id)
        .where(tips.c.status == CLOSED)
        .group_by(tips.c.id)
        .having(sa.func.max(dispositions.c.created_at) < cutoff)
    )
