"""Tips go from the intake API through the outbox to real local receivers (webhook, SMTP, Twilio)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.app import create_app
from routing.settings import OutboxSettings, Settings, sync_url
from routing.store.tables import audit_log, deliveries, tips
from tests.integration.conftest import AiohttpClient
from tests.support.receivers import Receivers, running_receivers
from tests.support.routing import EXAMPLE_SECRETS, example_jurisdiction, make_settings, sqlite_database, tip_payload

FAST = OutboxSettings(
    workers=1,
    poll_seconds=0.1,
    retry_base_seconds=0.05,
    retry_cap_seconds=0.3,
    max_attempts=50,
    breaker_failures=3,
    breaker_cooldown_seconds=0.3,
)


@pytest.fixture
async def receivers() -> AsyncIterator[Receivers]:
    async with running_receivers() as running:
        yield running


@pytest.fixture
def delivering_settings(tmp_path: Path, receivers: Receivers) -> Settings:
    return make_settings(
        sqlite_database(tmp_path), delivery_sandbox=receivers.url, smtp_url=receivers.smtp_url, outbox=FAST
    )


@pytest.fixture
async def service(aiohttp_client: AiohttpClient, delivering_settings: Settings) -> TestClient:
    client = await aiohttp_client(create_app(delivering_settings, example_jurisdiction()))
    client.session.headers["Authorization"] = f"Bearer {delivering_settings.intake_secret}"
    return client


def table(settings: Settings, t: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        result = list(conn.execute(sa.select(t).order_by(t.c.id)).all())
    engine.dispose()
    return result


def everything_delivered(settings: Settings) -> bool:
    return all(d.status in ("delivered", "awaiting_filing") for d in table(settings, deliveries))


async def test_an_emergency_reaches_every_target_signed_and_summarised(
    service: TestClient, receivers: Receivers, delivering_settings: Settings
) -> None:
    receipt = await (await service.post("/api/v1/tips", json=tip_payload())).json()
    # CAD + state webhook; 2 supervisor SMS; state e-mail + FBI liaison e-mail
    await receivers.wait_for(lambda inbox: len(inbox.items) >= 6)
    hooks = {h.body["destination"]: h for h in receivers.inbox.webhooks()}
    cad = hooks["911"]
    assert cad.signed_with == "TIPLINE_SECRET_DISPATCH_CAD"
    assert cad.body["reference"] == receipt["reference"] and cad.body["urgency"] == "emergency"
    assert cad.body["cad"]["priority"] == 1 and cad.body["cad"]["location"] == "the warehouse on 5th street"
    assert cad.body["anonymous"] is True and cad.body["reporter"] is None
    assert cad.body["idempotency_key"] == cad.key
    assert cad.to == "https://cad.example-county.invalid/api/tipline"
    assert hooks["state_tipline"].signed_with == "TIPLINE_SECRET_STATE_TIPLINE"
    sms = [i for i in receivers.inbox.items if i.kind == "sms"]
    assert sorted(s.to for s in sms) == ["+15550110", "+15550111"]
    assert all(len(s.body) <= 320 and receipt["reference"] in s.body for s in sms)
    mails = {i.to: i for i in receivers.inbox.items if i.kind == "email"}
    assert "EMERGENCY" in mails["analysts@tipline.example-state.invalid"].body["subject"]
    assert "Tip information" in mails["fbi-liaison@example-county.invalid"].body["text"]
    await receivers.wait_for(lambda _: everything_delivered(delivering_settings))
    fbi = next(d for d in table(delivering_settings, deliveries) if d.destination == "fbi")
    assert fbi.status == "awaiting_filing" and fbi.packet["sections"][0]["title"] == "Tip information"
    (tip,) = table(delivering_settings, tips)
    assert tip.status == "delivered"


async def test_the_signed_link_acknowledges_and_a_get_does_not(
    service: TestClient, receivers: Receivers, delivering_settings: Settings
) -> None:
    await service.post("/api/v1/tips", json=tip_payload())
    await receivers.wait_for(lambda inbox: any(h.body["destination"] == "911" for h in inbox.webhooks()))
    link = next(h for h in receivers.inbox.webhooks() if h.body["destination"] == "911").body["acknowledge_url"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = await service.get("/" + path)
    assert page.status == 200 and '<form method="post"' in await page.text()
    assert all(d.acknowledged_at is None for d in table(delivering_settings, deliveries))
    forged = await service.post("/" + path[:-4] + "0000")
    assert forged.status == 404
    answer = await service.post("/" + path)
    assert answer.status == 200 and (await answer.json())["acknowledged"] is True
    acknowledged = {d.target for d in table(delivering_settings, deliveries) if d.acknowledged_at is not None}
    assert acknowledged == {"dispatch-cad", "dispatch-supervisors"}
    assert table(delivering_settings, tips)[0].status == "acknowledged"
    assert "acknowledged" in [a.action for a in table(delivering_settings, audit_log)]


async def test_what_the_reporter_adds_later_reaches_every_target_once_and_acknowledges_with_the_tip(
    service: TestClient, receivers: Receivers, delivering_settings: Settings
) -> None:
    receipt = await (await service.post("/api/v1/tips", json=tip_payload())).json()
    await receivers.wait_for(lambda _: everything_delivered(delivering_settings))
    first = len(receivers.inbox.items)
    added = {
        "reference": receipt["reference"],
        "pin": receipt["pin"],
        "text": "He is wearing a red jacket now",
        "conversation_id": "conv-later",
    }
    assert (await service.post("/api/v1/tips/information", json=added)).status == 201
    # every target of the tip once more: CAD, state webhook, 2 supervisor SMS, state and FBI liaison e-mail
    await receivers.wait_for(lambda inbox: len(inbox.items) >= 2 * first)
    await receivers.wait_for(lambda _: everything_delivered(delivering_settings))
    updates = [h.body for h in receivers.inbox.webhooks() if h.body["event"] == "update"]
    assert sorted(u["destination"] for u in updates) == ["911", "state_tipline"]
    assert all(u["update"]["text"] == added["text"] and u["reference"] == receipt["reference"] for u in updates)
    sms = [i.body for i in receivers.inbox.items if i.kind == "sms" and "UPDATE" in i.body]
    assert len(sms) == 2 and all("red jacket" in body for body in sms)
    mails = [i for i in receivers.inbox.items if i.kind == "email" and "UPDATE" in i.body["subject"]]
    assert {m.to for m in mails} == {"analysts@tipline.example-state.invalid", "fbi-liaison@example-county.invalid"}
    rows = table(delivering_settings, deliveries)
    assert len({d.idempotency_key for d in rows}) == len(rows) == 2 * first
    # acknowledging the update's link acknowledges the tip's delivery to that destination
    link = next(u for u in updates if u["destination"] == "911")["acknowledge_url"]
    assert (await service.post("/" + link.split("://", 1)[1].split("/", 1)[1])).status == 200
    assert table(delivering_settings, tips)[0].status == "acknowledged"
    assert (await service.post("/api/v1/tips/information", json=added | {"pin": "000000"})).status == 404
    assert len(table(delivering_settings, deliveries)) == 2 * first  # a wrong PIN forwards nothing


async def test_identity_goes_only_where_the_reporter_agreed_and_the_destination_may_see_it(
    service: TestClient, receivers: Receivers
) -> None:
    contact = {"phone": "+15550123", "name": "Avery Testperson", "preferred": "sms"}
    await service.post("/api/v1/tips", json=tip_payload(anonymous=False, contact=contact))
    await receivers.wait_for(lambda inbox: len(inbox.webhooks()) >= 2)
    hooks = {h.body["destination"]: h.body for h in receivers.inbox.webhooks()}
    assert hooks["911"]["reporter"] == contact and hooks["911"]["cad"]["callback"] == "+15550123"
    assert hooks["state_tipline"]["reporter"] is None  # the state tipline may not receive identity
    assert "Avery" not in json.dumps(hooks["state_tipline"])


async def test_a_receiver_that_is_down_gets_everything_once_it_is_back(
    service: TestClient, receivers: Receivers, delivering_settings: Settings
) -> None:
    receivers.inbox.refuse = True
    references = [
        (await (await service.post("/api/v1/tips", json=tip_payload(triage={"urgency": "urgent"}))).json())["reference"]
        for _ in range(3)
    ]
    await receivers.wait_for(lambda _: sum(d.attempts for d in table(delivering_settings, deliveries)) >= 12, within=10)
    assert receivers.inbox.items == []
    receivers.inbox.refuse = False
    await receivers.wait_for(lambda _: everything_delivered(delivering_settings), within=15)
    delivered = {h.body["reference"] for h in receivers.inbox.webhooks()}
    assert delivered == set(references)


async def test_a_delivery_that_never_succeeds_is_dead_lettered_and_raises_an_alarm(
    aiohttp_client: AiohttpClient, receivers: Receivers, delivering_settings: Settings
) -> None:
    settings = replace(delivering_settings, outbox=replace(FAST, max_attempts=2, breaker_failures=100))
    settings = replace(settings, delivery_secrets={**EXAMPLE_SECRETS, "TIPLINE_SECRET_STATE_TIPLINE": "wrong-key"})
    client = await aiohttp_client(create_app(settings, example_jurisdiction()))
    client.session.headers["Authorization"] = f"Bearer {settings.intake_secret}"
    await client.post("/api/v1/tips", json=tip_payload(triage={"urgency": "routine", "indicators": []}))
    # the receiver refuses the badly signed webhook with 401: a permanent failure
    await receivers.wait_for(lambda inbox: any("ALARM" in i.body["subject"] for i in inbox.items if i.kind == "email"))
    rows = table(settings, deliveries)
    dead = [d for d in rows if d.status == "dead"]
    assert [d.target for d in dead] == ["state-webhook"]
    alarms = [d for d in rows if d.destination == "alarm"]
    assert {a.target for a in alarms} == {"alarm-operations", "alarm-on-call"}
    assert all(a.escalates_id == dead[0].id for a in alarms)
    assert "dead_letter" in [a.action for a in table(settings, audit_log)]


async def test_tips_about_the_same_person_at_a_place_are_linked_and_the_link_travels_with_the_payload(
    service: TestClient, receivers: Receivers
) -> None:
    place = {"who": "Jordan Vale", "where": "Lincoln High School, north gym"}
    first = await (await service.post("/api/v1/tips", json=tip_payload(answers=place))).json()
    await receivers.wait_for(lambda inbox: len(inbox.webhooks()) >= 2)
    second = await (await service.post("/api/v1/tips", json=tip_payload(answers=place))).json()
    await receivers.wait_for(lambda inbox: any(h.body["reference"] == second["reference"] for h in inbox.webhooks()))
    later = next(h.body for h in receivers.inbox.webhooks() if h.body["reference"] == second["reference"])
    assert [(r["reference"], r["reasons"]) for r in later["related_tips"]] == [(first["reference"], ["person_place"])]
    assert first["reference"] in later["summary"]
