"""The unit of work: one transaction, the only door to storage for the use cases."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from routing.store.tables import tips


class UnitOfWork:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        try:
            if exc_type is None:
                await self._conn.commit()
            else:
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    async def tip_by_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        row = (await self.conn.execute(sa.select(tips).where(tips.c.conversation_id == conversation_id))).first()
        return dict(row._mapping) if row else None

    async def add_tip(self, values: dict[str, Any]) -> int:
        result = await self.conn.execute(sa.insert(tips).values(**values).returning(tips.c.id))
        return int(result.scalar_one())
