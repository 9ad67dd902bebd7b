"""Queries of the dispatch console: the queue, a tip's file, casework records, statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from routing.domain import DEAD, DESTINATIONS
from routing.store.rows import Row, all_rows, one_row
from routing.store.tables import (
    audit_log,
    deliveries,
    dispositions,
    follow_ups,
    staff_users,
    tip_messages,
    tip_notes,
    tips,
)

# Tips nobody has acknowledged yet: the statuses the worker sets before any acknowledgement.
UNACKNOWLEDGED = ("received", "delivered")
_URGENCY_ORDER = sa.case({"emergency": 0, "urgent": 1, "routine": 2}, value=tips.c.urgency, else_=3)


class CaseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def queue(
        self,
        *,
        category: str | None,
        statuses: Sequence[str] | None,
        destination: str | None,
        limit: int,
        offset: int,
        urgency: str | None = None,
        search: str = "",
    ) -> tuple[list[Row], int]:
        """One page of tips with the filtered total. Emergencies nobody acknowledged come first,
        newest first (the one that just came in is the one nobody has looked at); then by urgency,
        the unacknowledged before the acknowledged, longest waiting first."""
        conditions: list[sa.ColumnElement[bool]] = []
        if category:
            conditions.append(tips.c.category == category)
        if urgency:
            conditions.append(tips.c.urgency == urgency)
        if statuses is not None:
            conditions.append(tips.c.status.in_(statuses))
        if destination:
            conditions.append(
                sa.exists().where(deliveries.c.tip_id == tips.c.id, deliveries.c.destination == destination)
            )
        if search:
            conditions.append(tips.c.reference.contains(search, autoescape=True))
        unacknowledged = tips.c.status.in_(UNACKNOWLEDGED)
        alarm = sa.and_(tips.c.urgency == "emergency", unacknowledged)
        first_ack = (
            sa.select(sa.func.min(deliveries.c.acknowledged_at))
            .where(deliveries.c.tip_id == tips.c.id, deliveries.c.destination.in_(DESTINATIONS))
            .scalar_subquery()
        )
        query = (
            sa.select(
                tips.c.id,
                tips.c.reference,
                tips.c.urgency,
                tips.c.category,
                tips.c.destinations,
                tips.c.status,
                tips.c.needs_review,
                tips.c.report_state,
                tips.c.created_at,
                first_ack.label("acknowledged_at"),
                staff_users.c.display_name.label("assigned_name"),
            )
            .select_from(tips.outerjoin(staff_users, staff_users.c.id == tips.c.assigned_to))
            .where(*conditions)
            .order_by(
                sa.case((alarm, 0), else_=1),
                sa.case((alarm, tips.c.created_at), else_=None).desc(),
                _URGENCY_ORDER,
                sa.case((unacknowledged, 0), else_=1),
                tips.c.created_at,
                tips.c.id,
            )
            .limit(limit)
            .offset(offset)
        )
        total = await self.conn.scalar(sa.select(sa.func.count()).select_from(tips).where(*conditions))
        return await all_rows(self.conn, query), int(total or 0)

    async def urgency_counts(self, statuses: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Per urgency: (tips in these statuses, of which nobody acknowledged)."""
        waiting = sa.func.sum(sa.case((tips.c.status.in_(UNACKNOWLEDGED), 1), else_=0))
        query = (
            sa.select(tips.c.urgency, sa.func.count(), waiting)
            .where(tips.c.status.in_(statuses))
            .group_by(tips.c.urgency)
        )
        return {str(u): (int(n), int(w or 0)) for u, n, w in (await self.conn.execute(query)).all()}

    async def unacknowledged_emergencies(self) -> list[str]:
        """References of the emergencies nobody acknowledged, newest first."""
        query = (
            sa.select(tips.c.reference)
            .where(tips.c.urgency == "emergency", tips.c.status.in_(UNACKNOWLEDGED))
            .order_by(tips.c.created_at.desc(), tips.c.id.desc())
        )
        return [str(r) for r in (await self.conn.execute(query)).scalars().all()]

    async def last_change(self) -> int:
        """The newest audit entry's id: every change to any tip writes one, so it is a change cursor."""
        return int(await self.conn.scalar(sa.select(sa.func.max(audit_log.c.id))) or 0)

    async def staff_names(self, user_ids: Sequence[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        query = sa.select(staff_users.c.id, staff_users.c.display_name).where(staff_users.c.id.in_(user_ids))
        return {int(i): str(n) for i, n in (await self.conn.execute(query)).all()}

    async def names_by_username(self, usernames: Sequence[str]) -> dict[str, str]:
        if not usernames:
            return {}
        query = sa.select(staff_users.c.username, staff_users.c.display_name).where(
            staff_users.c.username.in_(usernames)
        )
        return {str(u): str(n) for u, n in (await self.conn.execute(query)).all()}

    async def assignable_staff(self) -> list[Row]:
        query = (
            sa.select(staff_users.c.id, staff_users.c.display_name, staff_users.c.role)
            .where(staff_users.c.active.is_(True), staff_users.c.role.in_(("dispatcher", "analyst")))
            .order_by(staff_users.c.display_name)
        )
        return await all_rows(self.conn, query)

    # --- a tip's records --------------------------------------------------------------------

    async def notes(self, tip_id: int) -> list[Row]:
        return await all_rows(
            self.conn, sa.select(tip_notes).where(tip_notes.c.tip_id == tip_id).order_by(tip_notes.c.id)
        )

    async def add_note(self, values: Row) -> None:
        await self.conn.execute(sa.insert(tip_notes).values(**values))

    async def follow_ups(self, tip_id: int) -> list[Row]:
        return await all_rows(
            self.conn, sa.select(follow_ups).where(follow_ups.c.tip_id == tip_id).order_by(follow_ups.c.id)
        )

    async def follow_up(self, follow_up_id: int) -> Row | None:
        return await one_row(self.conn, sa.select(follow_ups).where(follow_ups.c.id == follow_up_id))

    async def add_follow_up(self, values: Row) -> int:
        result = await self.conn.execute(sa.insert(follow_ups).values(**values).returning(follow_ups.c.id))
        return int(result.scalar_one())

    async def update_follow_up(self, follow_up_id: int, **values: Any) -> None:
        await self.conn.execute(sa.update(follow_ups).where(follow_ups.c.id == follow_up_id).values(**values))

    async def dispositions(self, tip_id: int) -> list[Row]:
        return await all_rows(
            self.conn, sa.select(dispositions).where(dispositions.c.tip_id == tip_id).order_by(dispositions.c.id)
        )

    async def add_disposition(self, values: Row) -> None:
        await self.conn.execute(sa.insert(dispositions).values(**values))

    async def all_messages(self, tip_id: int) -> list[Row]:
        query = sa.select(tip_messages).where(tip_messages.c.tip_id == tip_id).order_by(tip_messages.c.id)
        return await all_rows(self.conn, query)

    # --- dead letters -----------------------------------------------------------------------

    async def dead_letters(self) -> list[Row]:
        query = (
            sa.select(deliveries, tips.c.reference)
            .select_from(deliveries.join(tips, tips.c.id == deliveries.c.tip_id))
            .where(deliveries.c.status == DEAD)
            .order_by(deliveries.c.priority, deliveries.c.updated_at)
        )
        return await all_rows(self.conn, query)

    # --- statistics -------------------------------------------------------------------------

    async def tips_since(self, since: datetime) -> list[Row]:
        """Each tip since then with its first acknowledgement by a destination and its last disposition."""
        first_ack = (
            sa.select(sa.func.min(deliveries.c.acknowledged_at))
            .where(deliveries.c.tip_id == tips.c.id, deliveries.c.destination.in_(DESTINATIONS))
            .scalar_subquery()
        )
        last_disposition = (
            sa.select(dispositions.c.disposition)
            .where(dispositions.c.tip_id == tips.c.id)
            .order_by(dispositions.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = sa.select(
            tips.c.category,
            tips.c.urgency,
            tips.c.created_at,
            first_ack.label("acknowledged_at"),
            last_disposition.label("disposition"),
        ).where(tips.c.created_at >= since)
        return await all_rows(self.conn, query)
