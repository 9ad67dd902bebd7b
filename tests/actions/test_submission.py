"""Submission posts to a real local routing app; stopping keeps what must not be lost."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from actions import filing, settings
from actions.conversation import SKIPPED
from actions.filing import FILED_SLOT
from actions.routing_client import RoutingClient, RoutingError
from actions.screening import ScreenEveryMessage
from actions.submission import ActionStopReport, ActionSubmitTip
from routing import service
from routing.keys import CONTEXT
from routing.store.tables import audit_log, deliveries, tip_messages, tips
from tests.actions.conftest import make_tracker, slot, stored, texts, user

REFERENCE = re.compile(r"\bTL-[0-9A-Z]{4}-[0-9A-Z]{4}\b")

ROUTINE = {
    "tip_category": "wellness_concern",
    "tip_what": "my neighbor hasnt left his house in a week",
    "tip_who": "neighbor",
    "tip_where": "12 oak st",
    "tip_how_known": SKIPPED,
    "tip_anonymous": True,
}


def audit_actions(server: TestServer) -> list[str]:
    return [row.action for row in stored(server, audit_log)]


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


async def test_contact_details_given_as_the_answer_are_kept_only_encrypted(
    routing: TestServer, domain, use_public_info
) -> None:
    """The phone number and e-mail address a resident gives as the contact answer reach the routing
    service only in `contact` (kept encrypted): the report, the transcript, the update forwarded
    to the destinations and the deliveries hold a placeholder."""
    opening = user("a man is in the lobby with a gun right now", "report_emergency")
    slots = await file_early(routing, domain, [opening])  # an emergency: routed at once
    answer = "yes, call (555) 010-0142 or write to avery.example+tips@mail.example.org"
    events = [opening, slot("requested_slot", "tip_anonymous"), user(answer, "affirm"), slot("tip_anonymous", False)]
    contact = {"tip_where": "city hall", "tip_anonymous": False, "tip_contact": answer}
    await ActionSubmitTip().run(CollectingDispatcher(), make_tracker(events, slots | contact), domain)

    (tip,) = stored(routing)
    assert tip.anonymous is False and tip.contact_encrypted
    assert "[contact given]" in tip.text and "[contact given]" in str(tip.transcript)
    updates = stored(routing, tip_messages)
    assert updates and "[contact given]" in updates[-1].text
    # The number in any format ("010-0142", "0100142"); not a bare "0142", which a random hex
    # digest can hold.
    for table in (tips, tip_messages, deliveries):
        for row in stored(routing, table):
            for column in row:
                value = str(column)
                assert not any(part in value for part in ("010-0142", "0100142", "avery.example")), table.name


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
    (row,) = stored(routing)
    assert row.report_state == "incomplete" and row.routed_at is not None


async def file_early(routing: TestServer, domain: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Screen the report's messages as the engine would, once the form took the first one as what
    happened: the report is filed as they come."""
    slots: dict[str, Any] = {"tip_what": events[0]["text"]}
    for i in range(1, len(events) + 1):
        result = await ScreenEveryMessage().run(CollectingDispatcher(), make_tracker(events[:i], slots), domain)
        slots.update({e["name"]: e["value"] for e in result if e["event"] == "slot"})
    return slots


async def test_stop_after_early_filing_deletes_the_stored_report_on_the_record(
    routing: TestServer, domain, use_public_info
) -> None:
    opening = [user(ROUTINE["tip_what"], "report_wellness")]
    slots = await file_early(routing, domain, opening)
    assert slots[FILED_SLOT] and len(stored(routing)) == 1
    dispatcher = CollectingDispatcher()
    await ActionStopReport().run(dispatcher, make_tracker([*opening, user("stop", "stop")], ROUTINE | slots), domain)
    assert texts(dispatcher)[0].startswith("Okay, I've stopped and deleted this report")
    assert stored(routing) == []
    assert "report_discarded" in audit_actions(routing)


async def test_stop_after_the_report_was_already_passed_on_says_so(
    routing: TestServer, domain, use_public_info
) -> None:
    opening = [user(ROUTINE["tip_what"], "report_wellness")]
    slots = await file_early(routing, domain, opening)
    await service.file_idle_reports(
        replace(routing.app[CONTEXT], clock=lambda: datetime.now(UTC) + timedelta(hours=1)), 600
    )
    dispatcher = CollectingDispatcher()
    await ActionStopReport().run(dispatcher, make_tracker([*opening, user("stop", "stop")], ROUTINE | slots), domain)
    said = texts(dispatcher)
    assert said[0].startswith("Okay, I've stopped. This report was already passed on")
    assert len(stored(routing)) == 1


async def test_an_emergency_receipt_never_ends_with_the_hours_of_coverage(
    routing: TestServer, domain, use_public_info
) -> None:
    message = user("a man is in the lobby with a gun right now", "report_emergency")
    slots = await file_early(routing, domain, [message])
    dispatcher = CollectingDispatcher()
    await ActionSubmitTip().run(dispatcher, make_tracker([message], slots | {"tip_where": "city hall"}), domain)
    said = texts(dispatcher)
    assert REFERENCE.search(said[0]) and len(said) == 1
    (row,) = stored(routing)
    assert row.report_state == "complete" and row.answers["where"] == "city hall"


async def test_an_unreachable_routing_service_is_said_plainly(monkeypatch, domain, use_public_info) -> None:
    monkeypatch.setattr(filing, "FINAL_RETRY_DELAYS", (0.01, 0.01))
    monkeypatch.setattr(settings, "current", lambda: settings.Settings("http://127.0.0.1:9", "secret"))
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitTip().run(dispatcher, make_tracker([user("x", "report_wellness")], ROUTINE), domain)
    assert "call 911" in texts(dispatcher)[0]
    assert {e["name"]: e["value"] for e in events} == {"tip_submitted": False}


async def test_a_submission_is_tried_again_while_the_routing_service_is_away(
    routing: TestServer, monkeypatch, domain, use_public_info
) -> None:
    """A restart of the routing service or its database: unreachable, then 503, then stored once."""
    monkeypatch.setattr(filing, "FINAL_RETRY_DELAYS", (0.01, 0.01, 0.01))
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


async def test_a_resident_adding_to_an_earlier_tip_files_no_new_report(
    routing: TestServer, domain, use_public_info
) -> None:
    message = user("add this to my report: he drives a red pickup", "add_information")
    await ScreenEveryMessage().run(CollectingDispatcher(), make_tracker([message]), domain)
    assert stored(routing) == []


async def test_an_emergency_told_while_adding_to_an_earlier_tip_reaches_dispatch_at_once(
    routing: TestServer, domain, use_public_info
) -> None:
    """Read as adding information, but no word of a report: it is not left waiting for the
    reference and PIN, which the resident may not have at hand."""
    message = user("he is at the school right now with a gun", "add_information")
    dispatcher = CollectingDispatcher()
    await ScreenEveryMessage().run(dispatcher, make_tracker([message]), domain)
    assert "911" in texts(dispatcher)[0]
    (row,) = stored(routing)
    assert row.urgency == "emergency"


async def test_a_photo_sent_with_the_report_is_filed_with_it(routing: TestServer, domain, use_public_info) -> None:
    photo = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1"
    message = user("this guy keeps filming the school gates, here is a pic", "report_surveillance")
    message["metadata"] = {"media": [{"url": photo, "content_type": "image/jpeg"}]}
    await file_early(routing, domain, [message])
    (row,) = stored(routing)
    assert row.media_urls == [photo]


@pytest.mark.parametrize(
    ("text", "intent"), [("i need to report something", "start_report"), ("no", "deny"), ("/greet", "greet")]
)
async def test_nothing_is_filed_before_the_resident_tells_what_happened(
    routing: TestServer, domain, use_public_info, text: str, intent: str
) -> None:
    dispatcher = CollectingDispatcher()
    result = await ScreenEveryMessage().run(dispatcher, make_tracker([user(text, intent)]), domain)
    assert stored(routing) == []
    assert not any("911" in t for t in texts(dispatcher))
    if text == "/greet":  # the web page's start is a button, never the resident's words
        assert {e["name"]: e["value"] for e in result if e["event"] == "slot"}["tip_category"] == "not_a_tip"
