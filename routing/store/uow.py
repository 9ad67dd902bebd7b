"""The unit of work: one transaction, the only door to storage for the use cases."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from routing.store.casework import CaseRepository
from routing.store.repository import Repository
from routing.store.staff import StaffRepository


class UnitOfWork:
    """`async with new_uow() as uow:` commits on success and rolls back on any exception."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._repo: Repository | None = None
        self._cases: CaseRepository | None = None
        self._staff: StaffRepository | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        await self._conn.begin()
        self._repo = Repository(self._conn)
        self._cases = CaseRepository(self._conn)
        self._staff = StaffRepository(self._conn)
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
            self._repo = self._cases = self._staff = None

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            raise RuntimeError("the unit of work is not open")
        return self._repo

    @property
    def cases(self) -> CaseRepository:
        """The dispatch console's queries."""
        if self._cases is None:
            raise RuntimeError("the unit of work is not open")
        return self._cases

    @property
    def staff(self) -> StaffRepository:
        """Staff accounts and console sessions."""
        if self._staff is None:
            raise RuntimeError("the unit of work is not open")
        return self._staff
