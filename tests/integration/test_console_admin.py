"""Console administration and role-specific views: users, dead letters, the FBI liaison, redaction."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.domain import DEAD
from routing.settings import PROJECT_ROOT, Settings, sync_url
from routing.store.tables import deliveries, staff_users, tips
from tests.integration.test_console import audit_actions, submit
from tests.support.console import PASSWORD, Console, add_user
from tests.support.routing import drop_postgres_schema, fresh_postgres_schema, sqlite_database

CONTACT = {"phone": "+15550123", "email": "reporter@example.org", "name": "Pat Example"}
TEXT = "my coworker said he will shoot everyone tomorrow, he texted me from 555-0177, call me back at +15550123"


def execute(settings: Settings, statement: sa.Executable) -> None:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        conn.execute(statement)
    engine.dispose()


async def test_a_dispatcher_sees_the_reporters_contact_and_an_admin_does_not(
    client: TestClient, settings: Settings
) -> None:
    reference = await submit(client, settings, anonymous=False, contact=CONTACT, text=TEXT)
    await add_user(client, "dana", "dispatcher")
    await add_user(client, "root", "admin")
    dispatcher = Console(client)
    await dispatcher.log_in("dana")
    page = await (await dispatcher.get(f"/console/tips/{reference}")).text()
    assert "Pat Example" in page and "+15550123" in page
    client.session.cookie_jar.clear()
    admin = Console(client)
    await admin.log_in("root")
    page = await (await admin.get(f"/console/tips/{reference}")).text()
    assert "Pat Example" not in page and "+15550123" not in page and "reporter@example.org" not in page
    assert "[phone removed]" in page and "your role does not show them" in page


async def test_only_the_fbi_liaison_records_a_filing_and_it_is_audited(client: TestClient, settings: Settings) -> None:
    reference = await submit(client, settings)
    await add_user(client, "dana", "dispatcher")
    await add_user(client, "fran", "fbi_liaison")
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:  # the worker would have built the packet; here it is made by hand
        tip_id = conn.scalar(sa.select(tips.c.id).where(tips.c.reference == reference))
        packet_id = conn.scalar(
            sa.select(deliveries.c.id).where(deliveries.c.tip_id == tip_id, deliveries.c.destination == "fbi")
        )
        conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == packet_id)
            .values(
                status="awaiting_filing",
                packet={
                    "reference": reference,
                    "file_at": "https://tips.fbi.gov/",
                    "sections": [],
                    "related_references": [],
                },
            )
        )
    engine.dispose()
    dispatcher = Console(client)
    await dispatcher.log_in("dana")
    refused = await dispatcher.post(f"/console/tips/{reference}/fbi-filed", delivery_id=packet_id, confirmation="X1")
    assert refused.status == 403
    client.session.cookie_jar.clear()
    liaison = Console(client)
    await liaison.log_in("fran")
    page = await (await liaison.get(f"/console/tips/{reference}")).text()
    assert "FBI packet to file at tips.fbi.gov" in page and "Copy packet" in page
    assert "Acknowledge for 911" not in page  # the liaison files; dispatch acknowledges
    done = await liaison.post(
        f"/console/tips/{reference}/fbi-filed", delivery_id=packet_id, confirmation="FBI-555-0101"
    )
    assert done.status == 200 and "FBI-555-0101" in await done.text()
    assert ("staff:fran", "fbi_packet_filed") in audit_actions(settings, reference)


async def test_an_admin_adds_users_and_a_role_change_signs_the_user_out(client: TestClient, settings: Settings) -> None:
    await add_user(client, "root", "admin")
    admin = Console(client)
    await admin.log_in("root")
    weak = await admin.post(
        "/console/admin/users", username="sam", display_name="Sam", role="analyst", password="short"
    )
    assert weak.status == 400 and "at least 12" in await weak.text()
    created = await admin.post(
        "/console/admin/users", username="sam", display_name="Sam Example", role="analyst", password=PASSWORD
    )
    assert created.status == 200 and "Sam Example" in await created.text()
    refused = await admin.post("/console/admin/users/1", action="role", role="dispatcher")
    assert "cannot disable or demote themselves" in await refused.text()

    other = TestClient(client.server)  # Sam signs in from another browser
    sam = Console(other)
    await sam.log_in("sam")
    assert (await sam.get("/console/stats")).status == 200
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        sam_id = conn.scalar(sa.select(staff_users.c.id).where(staff_users.c.username == "sam"))
    engine.dispose()
    await admin.post(f"/console/admin/users/{sam_id}", action="role", role="dispatcher")
    response = await sam.get("/console/stats", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/login"
    await other.close()
    actions = audit_actions(settings)
    assert ("staff:root", "user_created") in actions and ("staff:root", "user_changed") in actions


async def test_an_admin_retries_a_dead_delivery(client: TestClient, settings: Settings) -> None:
    reference = await submit(client, settings)
    execute(
        settings,
        sa.update(deliveries)
        .where(deliveries.c.target == "state-webhook")
        .values(status=DEAD, attempts=15, last_error="HTTP 503"),
    )
    await add_user(client, "root", "admin")
    admin = Console(client)
    await admin.log_in("root")
    page = await (await admin.get("/console/admin/dead-letters")).text()
    assert reference in page and "HTTP 503" in page
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        dead_id = conn.scalar(sa.select(deliveries.c.id).where(deliveries.c.status == DEAD))
    engine.dispose()
    response = await admin.post(f"/console/admin/dead-letters/{dead_id}/retry")
    assert "Put back in the outbox." in await response.text()
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(deliveries).where(deliveries.c.id == dead_id)).one()
    engine.dispose()
    assert row.status == "pending" and row.attempts == 0
    assert ("staff:root", "delivery_retried") in audit_actions(settings, reference)
    assert (await admin.post(f"/console/admin/dead-letters/{dead_id}/retry")).status == 400


async def test_signing_out_ends_the_session(client: TestClient) -> None:
    await add_user(client, "dana", "dispatcher")
    console = Console(client)
    await console.log_in("dana")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/console/"))["tipline_session"].value
    await console.post("/console/logout")
    client.session.cookie_jar.update_cookies({"tipline_session": cookie}, client.make_url("/console/"))
    response = await client.get("/console/", allow_redirects=False)
    assert response.status == 303  # the old cookie no longer opens anything


def test_the_create_user_command_makes_the_first_admin(tmp_path: Path, settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPLINE_")} | {
        "DATABASE_URL": settings.database_url,
        "TIPLINE_INTAKE_SECRET": settings.intake_secret,
        "TIPLINE_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "TIPLINE_SIGNING_SECRET": settings.signing_secret,
        "TIPLINE_SMTP_URL": "smtp://127.0.0.1:1",
        "TIPLINE_TWILIO_ACCOUNT_SID": settings.twilio_account_sid or "",
        "TIPLINE_TWILIO_AUTH_TOKEN": "test-token",
        **settings.delivery_secrets,
    }
    command = [sys.executable, "-m", "routing", "create-user", "--username", "Root", "--name", "Robin Admin"]
    done = subprocess.run(
        [*command, "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "created admin 'root'" in done.stdout
    again = subprocess.run(
        [*command, "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2 and again.stderr.strip() == "error: a user named 'root' already exists"
    weak = subprocess.run(
        [*command[:-4], "--username", "sam", "--password-stdin"],
        input="short\n",
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr


def test_the_console_migration_goes_down_and_up_again_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    def config(url: str) -> Config:
        c = Config(str(PROJECT_ROOT / "alembic.ini"))
        c.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
        c.attributes["database_url"] = url
        return c

    sqlite_url = sqlite_database(tmp_path)
    postgres_url = fresh_postgres_schema()
    try:
        for url in (sqlite_url, postgres_url):
            command.downgrade(config(url), "0002")
            command.upgrade(config(url), "head")
            engine = sa.create_engine(sync_url(url))
            with engine.connect() as conn:
                assert "assigned_to" in {c["name"] for c in sa.inspect(conn).get_columns("tips")}
                assert sa.inspect(conn).has_table("staff_sessions")
            engine.dispose()
    finally:
        drop_postgres_schema(postgres_url)
