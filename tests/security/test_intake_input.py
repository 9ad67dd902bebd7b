"""Hostile and malformed input to the intake API: a clear 4xx or the tip stored exactly, never a 500."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.app import MAX_REQUEST_BYTES
from routing.crypto import Vault
from routing.keys import SETTINGS
from routing.settings import sync_url
from routing.store.tables import audit_log, staff_users, tips
from tests.security import hostile
from tests.support.routing import tip_payload


def _auth(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.app[SETTINGS].intake_secret}"}


def _stored_tip(client: TestClient, reference: str) -> sa.Row[tuple[object, ...]]:
    engine = sa.create_engine(sync_url(client.app[SETTINGS].database_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(tips).where(tips.c.reference == reference)).one()
    engine.dispose()
    return row


def _table_count(client: TestClient, table: sa.Table) -> int:
    engine = sa.create_engine(sync_url(client.app[SETTINGS].database_url))
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return int(count)


def _hostile_payload(text: str) -> dict[str, object]:
    return tip_payload(
        conversation_id=f"conv-{uuid.uuid4().hex}",
        text=text,
        answers={"what": text, "where": text, "who": text, "weapons": text},
        transcript=[{"role": "resident", "text": text, "at": "2026-11-27T15:00:00Z"}],
        anonymous=False,
        contact={"name": text[:200], "email": text[:254], "phone": text[:32], "preferred": "sms"},
        triage={"explanation": text},
    )


async def test_injection_and_script_strings_are_stored_exactly_as_sent(both_client: TestClient) -> None:
    """SQL is parameterised and nothing is interpreted: every string comes back byte for byte."""
    client = both_client
    for text in hostile.ALL:
        payload = _hostile_payload(text)
        response = await client.post("/api/v1/tips", json=payload, headers=_auth(client))
        assert response.status == 201, (text, await response.text())
        tip = _stored_tip(client, (await response.json())["reference"])
        assert tip.text == text
        assert tip.answers == payload["answers"]
        assert tip.transcript == payload["transcript"]
        assert tip.triage["explanation"] == text
        contact = json.loads(Vault(client.app[SETTINGS].encryption_keys).decrypt(str(tip.contact_encrypted)))
        assert contact == payload["contact"]
    # The injections did nothing: the tables they aimed at are whole.
    assert _table_count(client, tips) == len(hostile.ALL)
    assert _table_count(client, audit_log) == len(hostile.ALL)
    assert _table_count(client, staff_users) == 0


async def test_text_no_database_can_keep_is_replaced_and_the_tip_still_stored(both_client: TestClient) -> None:
    """A NUL (refused by PostgreSQL) or a lone surrogate (no UTF-8 encoding) must not cost a tip."""
    client = both_client
    for text, kept in (
        ("before\u0000after", "before\ufffdafter"),
        ("half \ud83d of an emoji", "half \ufffd of an emoji"),
    ):
        payload = _hostile_payload(text)
        body = json.dumps(payload)  # ensure_ascii: the surrogate travels as the escape \ud83d, as a client sends it
        response = await client.post(
            "/api/v1/tips", data=body, headers=_auth(client) | {"Content-Type": "application/json"}
        )
        assert response.status == 201, await response.text()
        tip = _stored_tip(client, (await response.json())["reference"])
        assert tip.text == kept and tip.answers["what"] == kept


async def test_unstorable_text_in_a_status_lookup_is_a_404_not_a_500(both_client: TestClient) -> None:
    response = await both_client.post(
        "/api/v1/tips/status",
        json={"reference": "TL-\u0000", "pin": "\ud800", "conversation_id": "conv-\u0000"},
        headers=_auth(both_client),
    )
    assert response.status == 404


MALFORMED = [
    ("truncated", b'{"conversation_id": "x", "text": "unfinished'),
    ("not JSON at all", b"conversation_id=x&text=hello"),
    ("a JSON array", b'[{"conversation_id": "x"}]'),
    ("a JSON string", b'"just a string"'),
    ("null", b"null"),
    ("nested far too deep", b"[" * 100_000 + b"]" * 100_000),
    ("an object nested far too deep", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("not UTF-8", b'{"text": "\xff\xfe\xfd"}'),
    ("NaN and Infinity", b'{"conversation_id": NaN, "text": Infinity}'),
    ("a number with a million digits", b'{"conversation_id": ' + b"9" * 1_000_000 + b"}"),
    ("empty", b""),
    ("duplicate keys", b'{"triage": 1, "triage": {"category": "self_harm"}}'),
]


@pytest.mark.parametrize(("case", "body"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_malformed_json_gets_a_400_that_names_the_problem(client: TestClient, case: str, body: bytes) -> None:
    for path in ("/api/v1/tips", "/api/v1/route", "/api/v1/tips/status", "/api/v1/tips/information"):
        response = await client.post(path, data=body, headers=_auth(client) | {"Content-Type": "application/json"})
        assert response.status == 400, (case, path, response.status)
        error = (await response.json())["error"]
        assert error["code"] == "invalid" and error["field"], error
        assert "Traceback" not in error["message"] and "sqlalchemy" not in error["message"].lower()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("answers", {"what": {"$gt": ""}}),  # an operator object where a string belongs
        ("transcript", "'; DROP TABLE tips; --"),
        ("contact", {"phone": "+15550123", "password_hash": "x"}),
        ("triage", {"category": "threat_to_others' OR '1'='1"}),
        ("anonymous", "false"),
        ("reported_at", "2026-11-27T15:00:00"),  # no time zone
        ("conversation_id", "x" * 10_000),
    ],
)
async def test_a_wrong_type_or_shape_is_refused_with_its_field_named(
    client: TestClient, field: str, value: object
) -> None:
    response = await client.post("/api/v1/tips", json=tip_payload(**{field: value}), headers=_auth(client))
    assert response.status == 400
    assert (await response.json())["error"]["field"].split(".")[0] == field


async def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    payload = tip_payload(text="x" * MAX_REQUEST_BYTES)
    response = await client.post("/api/v1/tips", json=payload, headers=_auth(client))
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "http"
    # The same limit holds for the console's forms (a sub-application of the same server).
    response = await client.post("/console/login", data={"username": "x" * MAX_REQUEST_BYTES, "password": "y"})
    assert response.status == 413


async def test_a_tip_just_under_the_limit_is_accepted(client: TestClient) -> None:
    """The limit is far above a real report: 20,000 characters of text, transcript and answers together."""
    long = "word " * 4000
    payload = tip_payload(text=long, transcript=[{"role": "resident", "text": long, "at": "2026-11-27T15:00:00Z"}] * 10)
    assert len(json.dumps(payload)) < MAX_REQUEST_BYTES
    response = await client.post("/api/v1/tips", json=payload, headers=_auth(client))
    assert response.status == 201
