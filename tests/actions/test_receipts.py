"""Receipts against the real routing app: the jurisdiction's wording, status, added information."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.jurisdiction import PublicInfoCache
from actions.receipts import ActionAddInformation, ActionCheckStatus
from actions.routing_client import RoutingClient
from actions.submission import ActionSubmitTip
from tests.actions.conftest import make_tracker, slot, texts, user

REPORT = {"tip_category": "wellness_concern", "tip_what": "my dad isnt answering", "tip_anonymous": True}


async def submitted(domain: dict[str, Any]) -> tuple[str, str]:
    events = await ActionSubmitTip().run(
        CollectingDispatcher(), make_tracker([user("my dad isnt answering", "report_wellness")], REPORT), domain
    )
    values = {e["name"]: e["value"] for e in events}
    return values["tip_reference"], values["tip_pin"]


async def test_the_routing_services_public_document_has_all_the_bot_needs(routing: TestServer) -> None:
    info = await PublicInfoCache(RoutingClient(settings.current())).get()
    assert info is not None
    assert "911" in info.emergency_message.get("en") and "911" in info.emergency_message.get("es")
    assert "988" in info.crisis_message.get("es")


async def test_a_resident_with_the_receipt_reads_the_status(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": pin})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert said[0].startswith(f"Report {reference}: received (last update ")
    assert said[1].startswith("No replies from staff yet.")


async def test_a_wrong_pin_is_refused_and_asked_again(routing: TestServer, domain, use_public_info) -> None:
    reference, _ = await submitted(domain)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker([user("status", "check_status")], {"receipt_reference": reference, "receipt_pin": "000000"})
    events = await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [
        "I couldn't find a report with that reference and PIN. Please check both and try again."
    ]
    assert {e["name"]: e["value"] for e in events} == {"receipt_reference": None, "receipt_pin": None}


async def test_information_added_with_the_receipt_reaches_the_tip(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    dispatcher = CollectingDispatcher()
    slots = {"receipt_reference": reference, "receipt_pin": pin, "added_information": "his car is gone too"}
    events = await ActionAddInformation().run(dispatcher, make_tracker([user("x", "inform")], slots), domain)
    assert texts(dispatcher) == [f"Thank you, I added that to report {reference}. Staff will see it."]
    assert {e["name"]: e["value"] for e in events} == {"added_information": None}


async def test_more_told_after_the_receipt_goes_to_the_same_tip(routing: TestServer, domain, use_public_info) -> None:
    reference, pin = await submitted(domain)
    events = [
        user("my dad isnt answering", "report_wellness", at=10.0),
        {"event": "action", "name": "action_submit_tip", "timestamp": 20.0},
        user("oh and his dog is barking nonstop", "inform", at=30.0),
        slot("tip_reference", reference),
    ]
    dispatcher = CollectingDispatcher()
    slots = REPORT | {"tip_reference": reference, "tip_pin": pin}
    await ActionSubmitTip().run(dispatcher, make_tracker(events, slots), domain)
    assert texts(dispatcher) == [f"Thanks, I added that to your report {reference}."]
