"""The store on both databases: migrations up and down, the append-only audit log, and two
workers claiming from one outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from routing.outbox import PlannedDelivery
from routing.settings import PROJECT_ROOT, sync_url
from routing.store.engine import create_engine
from routing.store.uow import UnitOfWork


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def test_every_migration_goes_down_and_up_again(database_url: str) -> None:
    config = alembic_config(database_url)
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    for revision in revisions:  # newest first: down one step, up again, down again
        command.downgrade(config, revision.down_revision or "base")
        command.upgrade(config, revision.revision)
        command.downgrade(config, revision.down_revision or "base")
    command.upgrade(config, "head")


def _tip(conn: sa.Connection) -> int:
    now = datetime.now(UTC)
    return int(
        conn.execute(
            sa.text(
                "INSERT INTO tips (reference, conversation_id, pin_encrypted, status, channel, language, category,"
                " urgency, destinations, triage, text, answers, transcript, anonymous, reported_at, created_at)"
                " VALUES ('TL-TEST-0001', 'c1', 'x', 'received', 'rest', 'en', 'threat_to_others', 'urgent',"
                " '[]', '{}', 't', '{}', '[]', true, :now, :now) RETURNING id"
            ),
            {"now": now},
        ).scalar_one()
    )


def test_the_audit_log_refuses_changes_and_deletions(database_url: str) -> None:
    engine = sa.create_engine(sync_url(database_url))
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO audit_log (at, actor, action, details) VALUES (:at, 'system', 'test', '{}')"),
            {"at": datetime.now(UTC)},
        )
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))
    engine.dispose()


async def test_two_workers_claiming_at_once_never_take_the_same_delivery(database_url: str) -> None:
    sync = sa.create_engine(sync_url(database_url))
    with sync.begin() as conn:
        tip_id = _tip(conn)
    sync.dispose()
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    planned = [
        PlannedDelivery("state_tipline", "state-webhook", "webhook", "u", "urgent", 1, f"key-{i}") for i in range(60)
    ]
    async with UnitOfWork(engine) as uow:
        await uow.repo.add_deliveries(tip_id, planned, now)

    async def claim_all(worker: str) -> list[int]:
        taken: list[int] = []
        while True:
            async with UnitOfWork(engine) as uow:
                rows = await uow.repo.claim(worker, 7, datetime.now(UTC), timedelta(seconds=60))
            if not rows:
                return taken
            taken += [r["id"] for r in rows]

    a, b, c = await asyncio.gather(claim_all("a"), claim_all("b"), claim_all("c"))
    await engine.dispose()
    assert len(a) + len(b) + len(c) == 60
    assert len(set(a) | set(b) | set(c)) == 60


async def test_a_claim_whose_lease_ran_out_can_be_taken_by_another_worker(database_url: str) -> None:
    sync = sa.create_engine(sync_url(database_url))
    with sync.begin() as conn:
        tip_id = _tip(conn)
    sync.dispose()
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    async with UnitOfWork(engine) as uow:
        await uow.repo.add_deliveries(
            tip_id, [PlannedDelivery("911", "dispatch-cad", "cad_webhook", "u", "emergency", 0, "k")], now
        )
    async with UnitOfWork(engine) as uow:
        (first,) = await uow.repo.claim("dead-worker", 5, now, timedelta(seconds=30))
    async with UnitOfWork(engine) as uow:
        assert await uow.repo.claim("other", 5, now + timedelta(seconds=10), timedelta(seconds=30)) == []
    async with UnitOfWork(engine) as uow:
        (again,) = await uow.repo.claim("other", 5, now + timedelta(seconds=31), timedelta(seconds=30))
    async with UnitOfWork(engine) as uow:
        assert not await uow.repo.finish(first["id"], "dead-worker", status="delivered")
        assert await uow.repo.finish(again["id"], "other", status="delivered")
    await engine.dispose()
    assert again["attempts"] == 2
