"""Submission posts to a real local routing app; stopping keeps what must not be lost."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from actions import settings, submission
from actions.conversation import SKIPPED
from actions.routing_client import RoutingClient, RoutingError
from actions.submission import ActionStopReport, ActionSubmitTip
from routing.keys import SETTINGS
from routing.settings import sync_url
from routing.store.tables import tips
from tests.actions.conftest import make_tracker, texts, user

REFERENCE = re.compile(r"\bTL-[0-9A-Z]{4}-[0-9A-Z]{4}\b")

ROUTINE = {
    "tip_category": "wellness_concern",
    "tip_what": "my neighbor hasnt left his house in a week",
    "tip_who": "neighbor",
    "tip_where": "12 oak st",
    "tip_how_known": SKIPPED,
    "tip_anonymous": True,
}


def stored(server: TestServer) -> list[Any]:
    engine = sa.create_engine(sync_url(server.app[SETTINGS].database_url))
    with engine.connect() as conn:
        rows = list(conn.execute(sa.select(tips)))
    engine.dispose()
    return rows


async def test_a_finished_report_is_stored_and_the_resident_gets_reference_and_pin(
    routing: TestServer, domain, use_public_info
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(ROUTINE["tip_what"], "report_wellness")], ROUTINE)
    events = await ActionSubmitTip().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    reference = REFERENCE.search(said[0])
    assert reference and "PIN" in said[0]
    assert said[1] == "This line is watched 8am-8pm on weekdays."  # the jurisdiction's coverage, honestly
    (row,) = stored(routing)
    assert row.reference == reference.group(0)
    assert row.answers["who"] == "neighbor" and row.answers["how_known"] is None
    assert row.anonymous is True
    assert {e["name"]: e["value"] for e in events}["tip_reference"] == row.reference


async def test_contact_details_given_are_sent_and_the_report_is_not_anonymous(
    routing: TestServer, domain, use_public_info
) -> None:
    slots = ROUTINE | {"tip_anonymous": False, "tip_contact": "text me at +15550123"}
    await ActionSubmitTip().run(CollectingDispatcher(), make_tracker([user("x", "report_wellness")], slots), domain)
    (row,) = stored(routing)
    assert row.anonymous is False


async def test_stop_discards_a_routine_report(routing: TestServer, domain, use_public_info) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(ROUTINE["tip_what"], "report_wellness"), user("stop", "stop")], ROUTINE)
    events = await ActionStopReport().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [
        "Okay, I've stopped and deleted this report; nothing was sent. You can write here again any time."
    ]
    assert stored(routing) == []
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]


async def test_stop_still_sends_a_threat_and_says_why(routing: TestServer, domain, use_public_info) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"tip_category": "threat_to_others", "tip_what": "he said he will shoot his boss"}
    events = [user("he said he will shoot his boss", "report_threat"), user("stop", "stop")]
    await ActionStopReport().run(dispatcher, make_tracker(events, slots), domain)
    said = texts(dispatcher)
    assert said[0].startswith("Okay, I've stopped. Because what you told me may put someone in danger")
    assert REFERENCE.search(said[1])
    assert len(stored(routing)) == 1


async def test_leaving_in_the_middle_sends_what_was_told(routing: TestServer, domain, use_public_info) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user(ROUTINE["tip_what"], "report_wellness"), user("bye", "goodbye")], ROUTINE)
    await ActionStopReport().run(dispatcher, tracker, domain)
    assert REFERENCE.search(texts(dispatcher)[0])
    assert len(stored(routing)) == 1


async def test_an_unreachable_routing_service_is_said_plainly(monkeypatch, domain, use_public_info) -> None:
    monkeypatch.setattr(submission, "SUBMIT_RETRY_DELAYS", (0.01, 0.01))
    monkeypatch.setattr(settings, "current", lambda: settings.Settings("http://127.0.0.1:9", "secret"))
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitTip().run(dispatcher, make_tracker([user("x", "report_wellness")], ROUTINE), domain)
    assert "call 911" in texts(dispatcher)[0]
    assert {e["name"]: e["value"] for e in events} == {"tip_submitted": False}


async def test_a_submission_is_tried_again_while_the_routing_service_is_away(
    routing: TestServer, monkeypatch, domain, use_public_info
) -> None:
    """A restart of the routing service or its database: unreachable, then 503, then stored once."""
    monkeypatch.setattr(submission, "SUBMIT_RETRY_DELAYS", (0.01, 0.01, 0.01))
    failures = [RoutingError("/api/v1/tips: ClientConnectorError"), RoutingError("/api/v1/tips: HTTP 503", 503)]
    real = RoutingClient.submit_tip

    async def flaky(self: RoutingClient, payload: dict[str, Any]) -> dict[str, Any]:
        if failures:
            raise failures.pop(0)
        return await real(self, payload)

    monkeypatch.setattr(RoutingClient, "submit_tip", flaky)
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitTip().run(
        dispatcher, make_tracker([user(ROUTINE["tip_what"], "report_wellness")], ROUTINE), domain
    )
    assert REFERENCE.search(texts(dispatcher)[0])
    assert not failures
    assert len(stored(routing)) == 1
    assert {e["name"]: e["value"] for e in events}["tip_submitted"] is True


async def test_a_refused_submission_is_not_tried_again(monkeypatch, domain, use_public_info) -> None:
    calls = []

    async def refused(self: RoutingClient, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload)
        raise RoutingError("/api/v1/tips: HTTP 422", 422)

    monkeypatch.setattr(RoutingClient, "submit_tip", refused)
    monkeypatch.setattr(settings, "current", lambda: settings.Settings("http://127.0.0.1:9", "secret"))
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitTip().run(dispatcher, make_tracker([user("x", "report_wellness")], ROUTINE), domain)
    assert len(calls) == 1
    assert "call 911" in texts(dispatcher)[0]
    assert {e["name"]: e["value"] for e in events} == {"tip_submitted": False}
