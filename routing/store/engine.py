"""The database engine, with what each database needs to take concurrent writers safely."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from routing.settings import async_url


def create_engine(database_url: str, pool_size: int = 10) -> AsyncEngine:
    url = async_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    # SQLite: take the write lock when a transaction begins (BEGIN IMMEDIATE). A deferred
    # transaction that reads and then writes fails with "database is locked" when another writer
    # got in between; an immediate one waits its turn (SQLAlchemy's pysqlite notes).
    sync = engine.sync_engine

    @event.listens_for(sync, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(sync, "begin")
    def _begin_immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
