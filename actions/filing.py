"""File the report from its first message, and grow it: the routing store keeps reports.

As soon as the triage says a conversation is a tip, the report exists in the routing service
(`POST /api/v1/tips`, one tip per conversation); each later answer, correction or change of
triage files the conversation again and updates that same tip. The routing service delivers an
emergency at once, any other report once it is complete, and files as incomplete a report whose
resident stopped answering. Nothing waits for the end of the form to exist.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Tracker

from actions import settings
from actions.contact import contact_from_text
from actions.conversation import (
    ANSWER_SLOTS,
    answers_from_tracker,
    conversation_from_tracker,
    report_events,
    report_id,
    returning_to_a_report,
    transcript_from_tracker,
)
from actions.language import detect
from actions.routing_client import RoutingClient, RoutingError
from actions.triage import Category, Urgency
from actions.triage.model import Assessment, Indicator

log = logging.getLogger(__name__)

# The triage's readings of a report that is under way.
IN_PROGRESS = frozenset({Indicator.IN_PROGRESS, Indicator.VIOLENCE_IN_PROGRESS, Indicator.ATTEMPT_IN_PROGRESS})
# The digest of what was filed last: an unchanged conversation is not filed again.
FILED_SLOT = "tip_filed_digest"
OPEN, COMPLETE, INCOMPLETE = "open", "complete", "incomplete"
# Waits between tries when the routing service or its database is briefly away (a restart). At
# the end of a report: about 15 s in all, inside the 30 s the balancer gives an action call
# (haproxy.cfg). In the middle of one, a short wait only: the next message files it again.
FINAL_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
EARLY_RETRY_DELAYS = (0.25, 0.5)


@dataclass(frozen=True)
class Filed:
    reference: str
    pin: str
    routed: bool  # deliveries are queued: the resident may be told it is on its way
    digest: str


def report_payload(
    tracker: Tracker, assessment: Assessment, report_state: str, asking: str | None = None
) -> dict[str, Any]:
    """The intake API's submission (docs/intake-api.md) for the conversation as it stands."""
    conversation = conversation_from_tracker(tracker)
    text = "\n".join(m.text for m in conversation.messages)
    answers = answers_from_tracker(tracker)
    # Happening now is read from the whole report, as the triage reads it ("he's in her parking
    # lot right now"), not only from the answer to "when".
    if IN_PROGRESS & set(assessment.indicators):
        answers["happening_now"] = True
    contact = contact_from_text(tracker.get_slot("tip_contact") or "")
    anonymous = tracker.get_slot("tip_anonymous") is not False or not contact
    return {
        "conversation_id": report_id(tracker),
        "channel": channel(tracker),
        # The language the report is written in (the reply language may lag a message behind).
        "language": detect(text)[0] if text.strip() else conversation.language,
        "text": text,
        "transcript": transcript_from_tracker(tracker),
        "answers": answers,
        "triage": {
            "category": str(assessment.category),
            "secondary_categories": [str(c) for c in assessment.secondary_categories],
            "urgency": str(assessment.urgency),
            "indicators": list(assessment.indicators),
            "needs_review": assessment.needs_review,
            "explanation": assessment.explanation,
            "rules": list(assessment.rules),
        },
        "anonymous": anonymous,
        "contact": None if anonymous else contact,
        "media_urls": media_urls(tracker),
        "reported_at": datetime.now(UTC).isoformat(),
        "report_state": report_state,
        "unanswered": unanswered(tracker, asking),
        "revision": revision(tracker),
    }


def unanswered(tracker: Tracker, asking: str | None = None) -> list[str]:
    """The questions of this report the resident was asked and has not answered (answer keys),
    `asking` (the question the form asks next) included."""
    asked = [
        str(e["value"])
        for e in report_events(tracker)
        if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") in ANSWER_SLOTS
    ]
    if asking is not None and asking in ANSWER_SLOTS:
        asked.append(asking)
    answers = answers_from_tracker(tracker)
    keys = [ANSWER_SLOTS[slot] for slot in dict.fromkeys(asked)]
    return [key for key in keys if answers.get(key) in (None, "")]


def media_urls(tracker: Tracker) -> list[str]:
    """The photos and files the resident attached to this report (the SMS channel's MMS media)."""
    return [
        str(item["url"])
        for e in report_events(tracker)
        if e.get("event") == "user"
        for item in (e.get("metadata") or {}).get("media") or []
        if isinstance(item, dict) and item.get("url")
    ]


def revision(tracker: Tracker) -> float:
    """Later filings of a conversation carry higher revisions: the time of its newest event."""
    return max((float(e.get("timestamp") or 0) for e in tracker.events), default=0.0)


def digest(payload: dict[str, Any]) -> str:
    """What a filing says, without what changes on every call (the time it is sent, the bot's words)."""
    kept = {k: v for k, v in payload.items() if k not in ("reported_at", "transcript", "revision")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:32]


# A resident checking on an earlier tip, or adding to it by reference and PIN, is not making a
# new report: what they write goes to that tip (the status and information forms).
RETURNING_FORMS = frozenset({"status_form", "information_form"})


def is_a_report(tracker: Tracker, assessment: Assessment) -> bool:
    """A report is filed once the triage says it is a tip and the resident has told what happened
    (the form's first answer: "I want to report something" or a bare "no" is not a report yet),
    or at once when it is an emergency; until the receipt is given (what comes after the receipt
    is added information); and is kept up to date once filed."""
    if tracker.get_slot("tip_reference"):
        return False
    if tracker.active_loop_name in RETURNING_FORMS or returning_to_a_report(tracker):
        return False
    if tracker.get_slot(FILED_SLOT):
        return True
    told = tracker.get_slot("tip_what") is not None or assessment.urgency is Urgency.EMERGENCY
    return assessment.category is not Category.NOT_A_TIP and told


async def file_report(
    tracker: Tracker, assessment: Assessment, report_state: str = OPEN, asking: str | None = None
) -> Filed | None:
    """File the conversation as it stands; None when nothing changed since the last filing.

    Raises RoutingError when the routing service refused it or stayed away through the retries.
    """
    payload = report_payload(tracker, assessment, report_state, asking)
    current = digest(payload)
    if report_state == OPEN and current == tracker.get_slot(FILED_SLOT):
        return None
    delays = EARLY_RETRY_DELAYS if report_state == OPEN else FINAL_RETRY_DELAYS
    receipt = await _submit(RoutingClient(settings.current()), payload, delays)
    return Filed(receipt["reference"], receipt["pin"], bool(receipt.get("routed")), current)


async def _submit(client: RoutingClient, payload: dict[str, Any], delays: tuple[float, ...]) -> dict[str, Any]:
    """Submit, trying again while the service is unreachable or answers 5xx; a refusal (4xx) is final."""
    for delay in (*delays, None):
        try:
            return await client.submit_tip(payload)
        except RoutingError as e:
            if delay is None or (e.status is not None and e.status < 500):
                raise
            log.warning("filing the report failed, trying again in %s s: %s", delay, e)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def channel(tracker: Tracker) -> str:
    name = (tracker.get_latest_input_channel() or "rest").lower()
    if "twilio" in name or "sms" in name:
        return "sms"
    if "socket" in name or "webchat" in name:
        return "webchat"
    return "rest"
