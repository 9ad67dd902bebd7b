"""Rows as plain dicts, with every timestamp aware of UTC on SQLite too (it stores them naive)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

Row = dict[str, Any]


def as_row(mapping: Any) -> Row:
    return {k: v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v for k, v in mapping.items()}


async def one_row(conn: AsyncConnection, query: sa.Select[Any]) -> Row | None:
    row = (await conn.execute(query)).first()
    return as_row(row._mapping) if row else None


async def all_rows(conn: AsyncConnection, query: sa.Select[Any]) -> list[Row]:
    return [as_row(r._mapping) for r in (await conn.execute(query)).all()]
