"""Queries of staff accounts and console sessions, on the unit of work's connection."""

from __future__ import annotations

from datetime import datetime
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

    async def count_failed_login(self, user_id: int, limit: int, lock_until: datetime) -> bool:
        """One more failed sign-in, counted in the database in one statement so that failures sent
        at once are all counted; the limit-th locks the account and starts the count again. True
        when this failure locked it."""
        locks = staff_users.c.failed_logins + 1 >= limit
        query = (
            sa.update(staff_users)
            .where(staff_users.c.id == user_id)
            .values(
                failed_logins=sa.case((locks, 0), else_=staff_users.c.failed_logins + 1),
                locked_until=sa.case(
                    (locks, sa.literal(lock_until, staff_users.c.locked_until.type)), else_=staff_users.c.locked_until
                ),
            )
            .returning(staff_users.c.failed_logins)
        )
        return (await self.conn.execute(query)).scalar_one() == 0  # only a lock starts the count again

    async def count_login(self, user_id: int, now: datetime) -> bool:
        """A right password signs in unless the account is inactive or locked at this moment (a
        failure sent at the same time may just have locked it). True when it signed in."""
        query = (
            sa.update(staff_users)
            .where(
                staff_users.c.id == user_id,
                staff_users.c.active,
                sa.or_(staff_users.c.locked_until.is_(None), staff_users.c.locked_until <= now),
            )
            .values(failed_logins=0, locked_until=None, last_login_at=now)
            .returning(staff_users.c.id)
        )
        return (await self.conn.execute(query)).first() is not None

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
