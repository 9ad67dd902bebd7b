"""The FBI packet in the console: shown only to the roles that file it, redacted by role, and never
stored with the reporter's contact details (the worker builds it; real local receivers)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient
from alembic import command
from alembic.config import Config

from routing.api import parse_submission
from routing.app import build_context, create_app
from routing.jurisdiction import Jurisdiction
from routing.service import accept_tip
from routing.settings import PROJECT_ROOT, Settings, sync_url
from routing.store.tables import deliveries, tips
from tests.integration.conftest import AiohttpClient
from tests.integration.test_delivery import FAST, everything_delivered, table
from tests.support.console import Console, add_user
from tests.support.receivers import Receivers, running_receivers
from tests.support.routing import (
    drop_postgres_schema,
    example_jurisdiction,
    fresh_postgres_schema,
    make_settings,
    sqlite_database,
    tip_payload,
)

CONTACT = {"name": "Avery Example", "phone": "+15550142", "email": "avery.example+tips@mail.example.org"}
TEXT = "my coworker said he will shoot everyone at work tomorrow, call me back at 555-0142"
SECRETS = ("0142", "avery.example", "Avery Example")
PACKET = "FBI packet to file at tips.fbi.gov"


def fbi_receives_identity(allowed: bool) -> Jurisdiction:
    jurisdiction = example_jurisdiction()
    fbi = jurisdiction.destinations["fbi"].model_copy(update={"receives_identity": allowed})
    return jurisdiction.model_copy(update={"destinations": {**jurisdiction.destinations, "fbi": fbi}})


@pytest.fixture
async def receivers() -> AsyncIterator[Receivers]:
    async with running_receivers() as running:
        yield running


@pytest.fixture
def delivering_settings(tmp_path: Path, receivers: Receivers) -> Settings:
    return make_settings(
        sqlite_database(tmp_path), delivery_sandbox=receivers.url, smtp_url=receivers.smtp_url, outbox=FAST
    )


async def filed_packet(
    aiohttp_client: AiohttpClient, settings: Settings, receivers: Receivers, allowed: bool
) -> tuple[TestClient, str]:
    """A tip from a reporter who gave contact details, routed until its FBI packet awaits filing."""
    client = await aiohttp_client(create_app(settings, fbi_receives_identity(allowed)))
    response = await client.post(
        "/api/v1/tips",
        json=tip_payload(anonymous=False, contact=CONTACT, text=TEXT),
        headers={"Authorization": f"Bearer {settings.intake_secret}"},
    )
    reference = str((await response.json())["reference"])
    await receivers.wait_for(lambda _: everything_delivered(settings))
    for role in ("dispatcher", "analyst", "fbi_liaison", "admin"):
        await add_user(client, role.replace("_", ""), role)
    return client, reference


async def tip_page(client: TestClient, username: str, reference: str) -> str:
    client.session.cookie_jar.clear()
    person = Console(client)
    await person.log_in(username)
    return await (await person.get(f"/console/tips/{reference}")).text()


@pytest.mark.parametrize("allowed", [True, False])
async def test_the_stored_packet_keeps_no_contact_details(
    aiohttp_client: AiohttpClient, delivering_settings: Settings, receivers: Receivers, allowed: bool
) -> None:
    await filed_packet(aiohttp_client, delivering_settings, receivers, allowed)
    (fbi,) = [d for d in table(delivering_settings, deliveries) if d.destination == "fbi"]
    assert fbi.status == "awaiting_filing"
    stored = json.dumps(fbi.packet)
    assert "gave contact details" in stored and not any(secret in stored for secret in SECRETS), stored
    # The reporter's own number in what they wrote is kept only encrypted too.
    (tip,) = table(delivering_settings, tips)
    assert tip.text.endswith("call me back at [contact given]") and "0142" not in str(tip.transcript)
    # The liaison's e-mail, like any delivery, carries the details only where the FBI may receive them.
    (mail,) = [i for i in receivers.inbox.items if i.kind == "email" and i.to.startswith("fbi-liaison")]
    assert ("+15550142" in mail.body["text"]) is allowed


@pytest.mark.parametrize("allowed", [True, False])
async def test_only_the_roles_that_file_the_packet_see_it_redacted_by_role(
    aiohttp_client: AiohttpClient, delivering_settings: Settings, receivers: Receivers, allowed: bool
) -> None:
    client, reference = await filed_packet(aiohttp_client, delivering_settings, receivers, allowed)

    for role in ("dispatcher", "analyst"):  # they call back, but do not file packets
        page = await tip_page(client, role, reference)
        assert "Avery Example" in page and PACKET not in page

    admin = await tip_page(client, "admin", reference)  # files packets, never sees who reported
    assert PACKET in admin and "withheld from this reader" in admin
    assert not any(secret in admin for secret in SECRETS)

    liaison = await tip_page(client, "fbiliaison", reference)  # sees who reported where the FBI may
    assert PACKET in liaison
    assert ("phone: +15550142" in liaison) is allowed and ("withheld from this reader" in liaison) is not allowed
    if not allowed:
        assert not any(secret in liaison for secret in SECRETS)


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_migration_0007_takes_the_contact_details_out_of_packets_already_stored(
    tmp_path: Path, database: str
) -> None:
    url = sqlite_database(tmp_path) if database == "sqlite" else fresh_postgres_schema()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url
    try:
        ctx, engine = build_context(make_settings(url), example_jurisdiction())
        await accept_tip(ctx, parse_submission(tip_payload(anonymous=False, contact=CONTACT)))
        await engine.dispose()
        command.downgrade(config, "0006")
        old = {  # as the worker stored it before 0007
            "reference": "TL-0000-0000",
            "sections": [
                {
                    "title": "Tip information",
                    "fields": {
                        "Tell us what happened": "shots\n\nReporter (agreed to be "
                        "contacted): name: Avery Example, phone: +15550142"
                    },
                },
                {"title": "Your information (submitter)", "fields": {"Original reporter": "phone: +15550142"}},
            ],
        }
        db = sa.create_engine(sync_url(url))
        with db.begin() as conn:
            conn.execute(sa.update(deliveries).where(deliveries.c.destination == "fbi").values(packet=old))
        command.upgrade(config, "head")
        with db.connect() as conn:
            packet = conn.scalar(sa.select(deliveries.c.packet).where(deliveries.c.destination == "fbi"))
            assert conn.scalar(sa.select(sa.func.count()).select_from(tips)) == 1
        db.dispose()
        stored = json.dumps(packet)
        assert not any(secret in stored for secret in SECRETS) and "gave contact details" in stored
        assert "Reporter: anonymous to this recipient" in stored
    finally:
        if database == "postgresql":
            drop_postgres_schema(url)
