"""Queries of staff accounts and console sessions, on the unit of work's connection."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from routing.store.rows import Row, all_rows, one_row
from routing.store.tables import staff_sessions, staff_users


class StaffRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add_user(self, values: Row) -> int:
        result = await self.conn.execute(sa.insert(staff_users).values(**values).returning(staff_users.c.id))
        return int(result.scalar_one())

    async def user(self, user_id: int) -> Row | None:
        return await one_row(self.conn, sa.select(staff_users).where(staff_users.c.id == user_id))

    async def user_by_username(self, username: str) -> Row | None:
        return await one_row(self.conn, sa.select(staff_users).where(staff_users.c.username == username))

    async def users(self) -> list[Row]:
        return await all_rows(self.conn, sa.select(staff_users).order_by(staff_users.c.username))

    async def update_user(self, user_id: int, **values: Any) -> None:
        await self.conn.execute(sa.update(staff_users).where(staff_users.c.id == user_id).values(**values))

    async def add_session(self, values: Row) -> None:
        await self.conn.execute(sa.insert(staff_sessions).values(**values))

    async def session(self, token_digest: str) -> Row | None:
        """The session with its user's name, role and whether the account is active."""
        query = (
            sa.select(
                staff_sessions.c.user_id,
                staff_sessions.c.csrf_token,
                staff_sessions.c.expires_at,
                staff_users.c.username,
                staff_users.c.display_name,
                staff_users.c.role,
                staff_users.c.active,
            )
            .select_from(staff_sessions.join(staff_users, staff_users.c.id == staff_sessions.c.user_id))
            .where(staff_sessions.c.token_digest == token_digest)
        )
        return await one_row(self.conn, query)

    async def delete_session(self, token_digest: str) -> None:
        await self.conn.execute(sa.delete(staff_sessions).where(staff_sessions.c.token_digest == token_digest))

    async def end_sessions(self, user_id: int) -> None:
        await self.conn.execute(sa.delete(staff_sessions).where(staff_sessions.c.user_id == user_id))
