"""The intake API of docs/intake-api.md, against the real app on a real SQLite database."""

from __future__ import annotations

import asyncio
import json

import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.settings import Settings, sync_url
from routing.store.tables import audit_log, deliveries, tips
from tests.support.routing import tip_payload


def rows(settings: Settings, table: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        result = list(conn.execute(sa.select(table)).all())
    engine.dispose()
    return result


async def test_a_tip_is_stored_with_a_reference_pin_and_destinations(client: TestClient, settings: Settings) -> None:
    response = await client.post("/api/v1/tips", json=tip_payload())
    assert response.status == 201
    receipt = await response.json()
    assert receipt["reference"].startswith("TL-") and len(receipt["pin"]) == 6
    assert receipt["destinations"] == ["911", "state_tipline", "fbi"]
    assert receipt["created"] is True and receipt["status"] == "received"
    (tip,) = rows(settings, tips)
    assert tip.reference == receipt["reference"] and tip.urgency == "emergency"
    assert receipt["pin"] not in tip.pin_encrypted
    targets = {d.target for d in rows(settings, deliveries)}
    assert {"dispatch-cad", "dispatch-supervisors", "state-webhook", "state-email", "fbi-liaison"} == targets
    assert [a.action for a in rows(settings, audit_log)] == ["tip_received"]


async def test_the_same_conversation_submitting_twice_yields_one_tip(client: TestClient, settings: Settings) -> None:
    payload = tip_payload()
    first = await (await client.post("/api/v1/tips", json=payload)).json()
    again = await client.post("/api/v1/tips", json=payload)
    assert again.status == 200
    repeat = await again.json()
    assert repeat["created"] is False
    assert (repeat["reference"], repeat["pin"]) == (first["reference"], first["pin"])
    assert len(rows(settings, tips)) == 1


async def test_racing_repeats_of_one_conversation_store_one_tip(client: TestClient, settings: Settings) -> None:
    payload = tip_payload()
    answers = await asyncio.gather(*(client.post("/api/v1/tips", json=payload) for _ in range(8)))
    references = {(await a.json())["reference"] for a in answers}
    assert len(references) == 1
    assert sorted(a.status for a in answers).count(201) == 1
    assert len(rows(settings, tips)) == 1


async def test_contact_details_are_stored_encrypted(client: TestClient, settings: Settings) -> None:
    contact = {"phone": "+15550123", "name": "Avery Testperson", "preferred": "sms"}
    response = await client.post("/api/v1/tips", json=tip_payload(anonymous=False, contact=contact))
    assert response.status == 201
    (tip,) = rows(settings, tips)
    assert tip.contact_encrypted and "+15550123" not in tip.contact_encrypted
    assert "Avery" not in json.dumps([str(v) for v in tip._mapping.values()])


async def test_a_missing_token_is_refused(client: TestClient) -> None:
    response = await client.post("/api/v1/tips", json=tip_payload(), headers={"Authorization": "Bearer wrong"})
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "unauthorized"


async def test_a_bad_field_gets_a_400_that_names_it(client: TestClient) -> None:
    cases = {
        "triage.category": tip_payload(triage={"category": "threat"}),
        "triage.urgency": tip_payload(triage={"urgency": "soon"}),
        "channel": tip_payload(channel="fax"),
        "reported_at": tip_payload(reported_at="yesterday"),
        "answers.happening_now": tip_payload(answers={"happening_now": "yes"}),
        "contact.address": tip_payload(contact={"address": "somewhere"}),
        "conversation_id": tip_payload(conversation_id=""),
    }
    for field, payload in cases.items():
        response = await client.post("/api/v1/tips", json=payload)
        assert response.status == 400, field
        assert (await response.json())["error"]["field"] == field


async def test_a_body_that_is_not_json_names_the_body(client: TestClient) -> None:
    response = await client.post("/api/v1/tips", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"] == {"code": "invalid", "field": "body", "message": "is not valid JSON"}


async def test_route_preview_routes_like_submission_and_stores_nothing(client: TestClient, settings: Settings) -> None:
    body = {"category": "threat_to_others", "urgency": "urgent", "indicators": [], "secondary_categories": []}
    answer = await (await client.post("/api/v1/route", json=body)).json()
    assert answer["destinations"] == ["state_tipline", "fbi"]
    assert answer["rules"] == ["default:threat_to_others:urgent"]
    assert rows(settings, tips) == []


async def test_status_shows_the_tip_and_staff_replies_by_reference_and_pin(
    client: TestClient, settings: Settings
) -> None:
    receipt = await (await client.post("/api/v1/tips", json=tip_payload())).json()
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.begin() as conn:
        tip_id = conn.execute(sa.select(tips.c.id)).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO tip_messages (tip_id, direction, text, actor, created_at) "
                "VALUES (:t, 'to_reporter', 'Thank you, we are on it.', 'staff:1', CURRENT_TIMESTAMP)"
            ),
            {"t": tip_id},
        )
    engine.dispose()
    body = {"reference": receipt["reference"], "pin": receipt["pin"], "conversation_id": "conv-later"}
    response = await client.post("/api/v1/tips/status", json=body)
    assert response.status == 200
    status = await response.json()
    assert status["reference"] == receipt["reference"] and status["status"] == "received"
    assert [r["text"] for r in status["replies"]] == ["Thank you, we are on it."]
    assert "destinations" not in status


async def test_a_wrong_reference_and_a_wrong_pin_get_the_same_404(client: TestClient) -> None:
    receipt = await (await client.post("/api/v1/tips", json=tip_payload())).json()
    wrong_pin = "000000" if receipt["pin"] != "000000" else "111111"
    conversation = {"conversation_id": "conv-later"}
    a = await client.post(
        "/api/v1/tips/status", json={"reference": receipt["reference"], "pin": wrong_pin} | conversation
    )
    b = await client.post(
        "/api/v1/tips/status", json={"reference": "TL-0000-0000", "pin": receipt["pin"]} | conversation
    )
    assert a.status == b.status == 404
    assert await a.json() == await b.json()


async def test_information_is_added_to_an_earlier_tip(client: TestClient, settings: Settings) -> None:
    receipt = await (await client.post("/api/v1/tips", json=tip_payload())).json()
    body = {
        "reference": receipt["reference"],
        "pin": receipt["pin"],
        "text": "He drives a red pickup.",
        "conversation_id": "conv-later",
    }
    response = await client.post("/api/v1/tips/information", json=body)
    assert response.status == 201
    assert await response.json() == {"reference": receipt["reference"], "status": "received"}
    actions = [a.action for a in rows(settings, audit_log)]
    assert actions == ["tip_received", "information_added"]
    bad = await client.post("/api/v1/tips/information", json=body | {"pin": "x"})
    assert bad.status == 404


async def test_public_jurisdiction_needs_no_token_and_shows_no_secrets(client: TestClient) -> None:
    response = await client.get("/public/jurisdiction", headers={"Authorization": ""})
    assert response.status == 200
    info = await response.json()
    assert info["id"] == "example-county" and info["languages"] == ["en", "es"]
    assert info["emergency"]["number"] == "911"
    assert info["crisis"]["chat_url"] == "https://988lifeline.org/chat/"
    assert info["fbi"] == {"url": "https://tips.fbi.gov/", "phone": "1-800-CALL-FBI (1-800-225-5324)"}
    assert isinstance(info["coverage"]["staffed_now"], bool)
    assert set(info["help_text"]) == {"en", "es"}
    text = json.dumps(info)
    assert "TIPLINE_SECRET" not in text and "cad.example-county" not in text and "+15550110" not in text


async def test_healthz_answers_once_the_database_does(client: TestClient) -> None:
    response = await client.get("/healthz", headers={"Authorization": ""})
    assert response.status == 200 and await response.json() == {"status": "ok"}


async def test_public_jurisdiction_serves_the_privacy_answers_with_the_retention_periods(client: TestClient) -> None:
    response = await client.get("/public/jurisdiction", headers={"Authorization": ""})
    privacy = (await response.json())["privacy"]
    assert set(privacy) == {"kept", "who_sees", "phone_ip", "subpoena", "family_school", "immigration"}
    # The routing service's own retention settings (defaults here: 30, 90 and 1095 days).
    assert "deleted after 30 days, the conversation after 90 days" in privacy["kept"]["en"]
    assert "a los 30 días" in privacy["kept"]["es"] and "1095" in privacy["kept"]["es"]
