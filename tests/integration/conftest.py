from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
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
    """A migrated database, once SQLite and once PostgreSQL (a schema of its own)."""
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
    """The routing service on a fresh SQLite database, with the bearer token already set."""
    test_client = await aiohttp_client(create_app(settings, example_jurisdiction()))
    test_client.session.headers["Authorization"] = f"Bearer {settings.intake_secret}"
    return test_client
