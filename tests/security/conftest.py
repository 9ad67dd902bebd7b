from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.web import Application

from routing.app import create_app
from routing.settings import Settings
from tests.support.routing import (
    drop_postgres_schema,
    example_jurisdiction,
    fresh_postgres_schema,
    make_settings,
    sqlite_database,
)

AiohttpClient = Callable[[Application], Awaitable[TestClient]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that asks for it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_database(tmp_path)
        return
    url = fresh_postgres_schema()
    yield url
    drop_postgres_schema(url)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(sqlite_database(tmp_path))


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: Settings) -> TestClient:
    """The routing service on a fresh SQLite database; no credentials set."""
    return await aiohttp_client(create_app(settings, example_jurisdiction()))


@pytest.fixture
async def both_client(aiohttp_client: AiohttpClient, database_url: str) -> AsyncIterator[TestClient]:
    """The routing service on SQLite and on PostgreSQL; no credentials set."""
    settings = make_settings(database_url)
    yield await aiohttp_client(create_app(settings, example_jurisdiction()))
