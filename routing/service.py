"""Use cases of the routing service, each one unit of work.

Handlers (api.py, the console, the worker) call these; these call the store through the unit of
work and the pure core (policy, outbox, related). They never see HTTP or SQL.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from routing import metrics
from routing.crypto import Vault
from routing.domain import (
    AWAITING_FILING,
    FILED,
    Contact,
    Receipt,
    RelatedTip,
    Reply,
    RoutedTip,
    Submission,
    TipStatus,
    Triage,
    new_pin,
    new_reference,
    should_route,
    urgency_rank,
)
from routing.jurisdiction import Jurisdiction
from routing.outbox import plan_deliveries, plan_updates
from routing.policy import Route, route
from routing.related import match_keys
from routing.store.repository import Row
from routing.store.uow import UnitOfWork
from telemetry.contact_details import hide_contact

NewUow = Callable[[], UnitOfWork]
# How long a resident whose conversation was lost can pick up an unfinished report by repeating it.
CONTINUATION_WINDOW = timedelta(days=1)
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """What the use cases need besides the request: built once by create_app."""

    new_uow: NewUow
    vault: Vault
    jurisdiction: Jurisdiction
    link_key: bytes
    clock: Clock = utcnow


@dataclass(frozen=True)
class Accepted:
    receipt: Receipt
    urgency: str
    delivery_ids: tuple[int, ...]


def crisis_centre_needed(submission: Submission) -> bool:
    """988 is a warm hand-off: the resident is given 988 at once; the crisis centre is sent the
    report when it is about someone else, or when the reporter asked to be contacted."""
    return submission.about_reporter is not True or (not submission.anonymous and submission.contact is not None)


async def accept_tip(ctx: Context, submission: Submission) -> Accepted:
    """File a report, or grow the one this conversation already filed: one tip per conversation.

    The first filing stores the tip; each later one (a new answer, a correction, a triage that
    changed) updates it. An emergency is delivered at once, any other report once it is complete
    or abandoned (`should_route`); once delivered, what the resident adds goes to the same targets
    as an update, and destinations that a rising urgency adds get the whole tip then. Two racing
    first filings meet the unique constraint, and the loser updates the winner's tip.
    """
    submission = without_contact_details(submission)
    for _ in range(3):
        try:
            async with ctx.new_uow() as uow:
                # One filing of a sender at a time: a message sent again while the first is still
                # being filed (an engine that died mid-turn) must find the first one's tip.
                await uow.repo.lock_sender(sender_of(submission.conversation_id))
                existing = await uow.repo.tip_by_conversation(submission.conversation_id, for_update=True)
                if existing is None:
                    existing = await _report_continued_by(ctx, uow, submission)
                if existing is not None:
                    return await _update_tip(ctx, uow, existing, submission)
                return await _store_new_tip(ctx, uow, submission)
        except IntegrityError:
            continue  # the same conversation won a race, or a reference collided: look again
    raise RuntimeError("could not store the tip after 3 attempts")


def without_contact_details(submission: Submission) -> Submission:
    """The reporter's phone number and e-mail address are kept only encrypted (`contact`): wherever
    the report repeats them, in any spelling, a placeholder stands instead."""
    contact = submission.contact
    if contact is None or not (contact.phone or contact.email):
        return submission

    def hide(value: Any) -> Any:
        return hide_contact(value, contact.phone, contact.email) if isinstance(value, str) else value

    return replace(
        submission,
        text=hide(submission.text),
        transcript=tuple(line | {"text": hide(line.get("text"))} for line in submission.transcript),
        answers={key: hide(value) for key, value in submission.answers.items()},
    )


def sender_of(conversation_id: str) -> str:
    """The resident's part of a conversation id (`<sender>:<session>`, or the id alone)."""
    sender, _, session = conversation_id.rpartition(":")
    return sender if sender and session else conversation_id


async def _report_continued_by(ctx: Context, uow: UnitOfWork, submission: Submission) -> Row | None:
    """The unfinished report that a new session of the same sender continues, if any.

    An engine that dies in the middle of a resident's first turn keeps no tracker: the message the
    resident sends again starts a new session (`<sender>:<session>` changes) and would file the same
    report twice. A new session whose first message repeats the first message of the sender's
    report that is still open, or was filed as incomplete within a day, continues that report; it
    takes the new session's id from then on.
    """
    sender = sender_of(submission.conversation_id)
    if sender == submission.conversation_id:
        return None
    first = submission.text.split("\n", 1)[0]
    since = ctx.clock() - CONTINUATION_WINDOW
    for tip in await uow.repo.unfinished_reports_of(sender + ":", since):
        if tip["text"].split("\n", 1)[0] == first:
            await uow.repo.update_tip(tip["id"], conversation_id=submission.conversation_id)
            return await uow.repo.tip(tip["id"])
    return None


def _tip_values(ctx: Context, submission: Submission, routed: Route, now: datetime) -> dict[str, Any]:
    """The columns a filing sets, on the first one and on every later one alike."""
    triage = replace(submission.triage, urgency=routed.urgency)
    return {
        "channel": submission.channel,
        "language": submission.language,
        "category": triage.category,
        "urgency": routed.urgency,
        "triage": asdict(triage) | {"routing_rules": list(routed.rules)},
        "text": submission.text,
        "answers": submission.answers,
        "transcript": list(submission.transcript),
        "anonymous": submission.anonymous,
        "contact_encrypted": (
            ctx.vault.encrypt(json.dumps(submission.contact.as_dict())) if submission.contact else None
        ),
        "needs_review": triage.needs_review,
        "about_reporter": submission.about_reporter,
        "media_urls": list(submission.media_urls),
        "report_state": submission.report_state,
        "unanswered": list(submission.unanswered),
        "revision": submission.revision,
        "reporter_active_at": now,
        "updated_at": now,
    }


def _triage_row(tip_id: int, triage: Triage, routed: Route, now: datetime) -> dict[str, Any]:
    return {
        "tip_id": tip_id,
        "category": triage.category,
        "secondary_categories": list(triage.secondary_categories),
        "urgency": routed.urgency,
        "indicators": list(triage.indicators),
        "needs_review": triage.needs_review,
        "explanation": triage.explanation,
        "triage_rules": list(triage.rules),
        "destinations": list(routed.destinations),
        "routing_rules": list(routed.rules),
        "actor": "triage",
        "created_at": now,
    }


async def _store_new_tip(ctx: Context, uow: UnitOfWork, submission: Submission) -> Accepted:
    triage = submission.triage
    routed = route(triage, ctx.jurisdiction)
    reference, pin = new_reference(), new_pin()
    now = ctx.clock()
    keys = match_keys(ctx.link_key, submission.text, submission.answers)
    routing_now = should_route(submission.report_state, routed.urgency)
    planned = (
        plan_deliveries(
            reference,
            routed.urgency,
            routed.destinations,
            ctx.jurisdiction,
            crisis_centre_needed=crisis_centre_needed(submission),
        )
        if routing_now
        else []
    )
    tip_id = await uow.repo.add_tip(
        _tip_values(ctx, submission, routed, now)
        | {
            "reference": reference,
            "conversation_id": submission.conversation_id,
            "pin_encrypted": ctx.vault.encrypt(pin),
            "status": "received",
            "destinations": list(routed.destinations),
            "reported_at": submission.reported_at,
            "created_at": now,
            "jurisdiction": ctx.jurisdiction.id,
            "routed_at": now if routing_now else None,
        }
    )
    await uow.repo.add_triage_result(_triage_row(tip_id, triage, routed, now))
    delivery_ids = await uow.repo.add_deliveries(tip_id, planned, now)
    related = await uow.repo.tips_sharing_keys(tip_id, keys)
    await uow.repo.add_match_keys(tip_id, keys)
    await uow.repo.add_links(tip_id, related, now)
    await uow.repo.audit(
        now,
        "reporter",
        "tip_received",
        tip_id=tip_id,
        channel=submission.channel,
        urgency=routed.urgency,
        destinations=list(routed.destinations),
        routing_rules=list(routed.rules),
        deliveries=len(delivery_ids),
        related=sorted({other for other, _ in related}),
        report_state=submission.report_state,
    )
    receipt = Receipt(
        reference, pin, "received", routed.destinations, True, submission.report_state, routed=routing_now
    )
    return Accepted(receipt, routed.urgency, tuple(delivery_ids))


async def _update_tip(ctx: Context, uow: UnitOfWork, tip: Row, submission: Submission) -> Accepted:
    """Grow a filed report with what the conversation holds now (inside the caller's transaction)."""
    pin = ctx.vault.decrypt(tip["pin_encrypted"])
    stale = submission.revision is not None and tip["revision"] is not None and submission.revision < tip["revision"]
    if stale or _unchanged(tip, submission):
        receipt = Receipt(
            tip["reference"],
            pin,
            tip["status"],
            tuple(tip["destinations"]),
            False,
            tip["report_state"],
            routed=tip["routed_at"] is not None,
        )
        return Accepted(receipt, tip["urgency"], ())
    now = ctx.clock()
    # Escalate, never de-escalate: a later filing may raise the urgency, never lower it.
    urgency = max(tip["urgency"], submission.triage.urgency, key=urgency_rank)
    routed = route(replace(submission.triage, urgency=urgency), ctx.jurisdiction)
    already = tuple(tip["destinations"]) if tip["routed_at"] is not None else ()
    destinations = already + tuple(d for d in routed.destinations if d not in already)
    routed = replace(routed, destinations=destinations)
    values = _tip_values(ctx, submission, routed, now) | {"destinations": list(destinations)}
    delivery_ids: list[int] = []
    if tip["routed_at"] is not None:
        added = tuple(d for d in destinations if d not in already)
        delivery_ids += await _deliver_to(ctx, uow, tip, submission, routed.urgency, added, now)
        news = _what_is_new(tip, submission)
        if news:
            delivery_ids += await _forward_update(ctx, uow, tip, news, submission.conversation_id, now)
    elif should_route(submission.report_state, routed.urgency):
        values["routed_at"] = now
        delivery_ids += await _deliver_to(ctx, uow, tip, submission, routed.urgency, destinations, now)
    await uow.repo.update_tip(tip["id"], **values)
    if _triage_changed(tip, submission.triage, routed):
        await uow.repo.add_triage_result(_triage_row(tip["id"], submission.triage, routed, now))
    await uow.repo.audit(
        now,
        "reporter",
        "report_updated",
        tip_id=tip["id"],
        urgency=routed.urgency,
        destinations=list(destinations),
        deliveries=len(delivery_ids),
        report_state=submission.report_state,
    )
    receipt = Receipt(
        tip["reference"],
        pin,
        tip["status"],
        destinations,
        False,
        submission.report_state,
        routed=tip["routed_at"] is not None or "routed_at" in values,
    )
    return Accepted(receipt, routed.urgency, tuple(delivery_ids))


def _unchanged(tip: Row, submission: Submission) -> bool:
    """A repeat of what is stored (a retried call): nothing to update, nothing to send."""
    return (
        tip["text"] == submission.text
        and tip["answers"] == submission.answers
        and tip["report_state"] == submission.report_state
        and tip["category"] == submission.triage.category
        and urgency_rank(tip["urgency"]) >= urgency_rank(submission.triage.urgency)
        and list(tip["unanswered"] or []) == list(submission.unanswered)
        and tip["anonymous"] == submission.anonymous
        and list(tip["media_urls"] or []) == list(submission.media_urls)
    )


def _triage_changed(tip: Row, triage: Triage, routed: Route) -> bool:
    stored = tip["triage"]
    return (
        stored.get("category") != triage.category
        or tip["urgency"] != routed.urgency
        or list(stored.get("indicators", ())) != list(triage.indicators)
    )


def _what_is_new(tip: Row, submission: Submission) -> str:
    """What the resident said or answered since the last filing, as staff read it in an update."""
    said = {(line.get("text"), line.get("at")) for line in tip["transcript"] or []}
    lines = [
        str(line.get("text"))
        for line in submission.transcript
        if line.get("role") == "resident" and (line.get("text"), line.get("at")) not in said
    ]
    old = tip["answers"] or {}
    answers = [
        f"{key}: {value}"
        for key, value in submission.answers.items()
        if value not in (None, "") and old.get(key) != value and not (key == "what" and value in lines)
    ]
    attached = [url for url in submission.media_urls if url not in (tip["media_urls"] or [])]
    parts = []
    if lines:
        parts.append("\n".join(lines))
    if answers:
        parts.append("Answers: " + "; ".join(answers))
    if attached:
        parts.append("Attached: " + " ".join(attached))
    return "\n".join(parts)


async def _deliver_to(
    ctx: Context,
    uow: UnitOfWork,
    tip: Row,
    submission: Submission,
    urgency: str,
    destinations: tuple[str, ...],
    now: datetime,
) -> list[int]:
    planned = plan_deliveries(
        tip["reference"], urgency, destinations, ctx.jurisdiction, crisis_centre_needed=crisis_centre_needed(submission)
    )
    return await uow.repo.add_deliveries(tip["id"], planned, now)


async def _forward_update(
    ctx: Context, uow: UnitOfWork, tip: Row, text: str, conversation_id: str | None, now: datetime
) -> list[int]:
    """Keep `text` with the tip and forward it to every target the tip went to, in one transaction."""
    message_id = await uow.repo.add_message(
        {
            "tip_id": tip["id"],
            "direction": "from_reporter",
            "text": text,
            "conversation_id": conversation_id,
            "actor": "reporter",
            "created_at": now,
        }
    )
    ids = []
    for original_id, update in plan_updates(tip["reference"], message_id, await uow.repo.deliveries_of(tip["id"])):
        ids += await uow.repo.add_deliveries(tip["id"], [update], now, escalates_id=original_id)
    return ids


async def file_idle_reports(ctx: Context, idle_seconds: float, limit: int = 100) -> list[int]:
    """File as incomplete every report whose resident stopped answering `idle_seconds` ago, and
    route it like any tip. Safe beside other workers: each tip is taken under a conditional update.
    Returns the ids of the deliveries queued."""
    now = ctx.clock()
    cutoff = now - timedelta(seconds=idle_seconds)
    async with ctx.new_uow() as uow:
        idle = await uow.repo.idle_reports(cutoff, limit)
    queued: list[int] = []
    for tip_id in idle:
        async with ctx.new_uow() as uow:
            if not await uow.repo.mark_incomplete(tip_id, cutoff, now):
                continue  # the resident wrote again, or another worker filed it
            tip = await uow.repo.tip(tip_id)
            assert tip is not None
            ids: list[int] = []
            if tip["routed_at"] is None:
                planned = plan_deliveries(
                    tip["reference"],
                    tip["urgency"],
                    tuple(tip["destinations"]),
                    ctx.jurisdiction,
                    crisis_centre_needed=tip["about_reporter"] is not True or tip["contact_encrypted"] is not None,
                )
                ids = await uow.repo.add_deliveries(tip_id, planned, now)
                await uow.repo.update_tip(tip_id, routed_at=now)
            await uow.repo.audit(
                now,
                "system",
                "report_filed_incomplete",
                tip_id=tip_id,
                idle_seconds=idle_seconds,
                unanswered=list(tip["unanswered"] or []),
                deliveries=len(ids),
            )
            queued += ids
    return queued


async def discard_report(ctx: Context, conversation_id: str) -> bool | None:
    """The resident asked to discard a report that was not sent yet: it is deleted, and the audit
    log says so (discarded on request, not lost). False when it was already sent (it stays), None
    when this conversation filed nothing."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await uow.repo.tip_by_conversation(conversation_id, for_update=True)
        if tip is None:
            return None
        if tip["routed_at"] is not None:
            return False
        await uow.repo.audit(
            now, "reporter", "report_discarded", tip_id=tip["id"], reference=tip["reference"], category=tip["category"]
        )
        await uow.repo.delete_tip(tip["id"])
    return True


async def tip_status(ctx: Context, reference: str, pin: str) -> TipStatus | None:
    """The reporter's view of a tip, or None for a wrong reference or PIN (the caller cannot tell which)."""
    async with ctx.new_uow() as uow:
        tip = await _tip_with_pin(ctx, uow, reference, pin)
        if tip is None:
            return None
        replies = await uow.repo.messages(tip["id"], "to_reporter")
        await uow.repo.audit(ctx.clock(), "reporter", "status_viewed", tip_id=tip["id"])
    return TipStatus(
        reference=tip["reference"],
        status=tip["status"],
        updated_at=tip["updated_at"] or tip["created_at"],
        replies=tuple(Reply(r["created_at"], r["text"]) for r in replies),
    )


async def add_information(ctx: Context, reference: str, pin: str, text: str, conversation_id: str) -> TipStatus | None:
    """Keep what the reporter adds to an earlier tip, for the staff who work it, and forward it to
    every destination the tip went to."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip_with_pin(ctx, uow, reference, pin)
        if tip is None:
            return None
        # Committed with the message, like a new tip's deliveries: the update cannot be lost.
        updates = await _forward_update(ctx, uow, tip, text, conversation_id, now)
        await uow.repo.update_tip(tip["id"], updated_at=now)
        await uow.repo.audit(
            now, "reporter", "information_added", tip_id=tip["id"], characters=len(text), deliveries=len(updates)
        )
    return TipStatus(tip["reference"], tip["status"], now, ())


async def _tip_with_pin(ctx: Context, uow: UnitOfWork, reference: str, pin: str) -> Row | None:
    tip = await uow.repo.tip_by_reference(reference.strip().upper())
    if tip is None:
        return None
    if not hmac.compare_digest(ctx.vault.decrypt(str(tip["pin_encrypted"])).encode(), pin.strip().encode()):
        return None
    return tip


async def routed_tip(ctx: Context, uow: UnitOfWork, tip: Row, destination: str) -> RoutedTip:
    """The tip as `destination` may see it: the reporter's identity only where they agreed to be
    contacted (not anonymous) and the jurisdiction lets that destination receive it."""
    triage = tip["triage"]
    settings = ctx.jurisdiction.destinations.get(destination)  # type: ignore[call-overload]
    identity = settings is not None and settings.receives_identity and not tip["anonymous"]
    contact = None
    if identity and tip["contact_encrypted"]:
        contact = Contact(**json.loads(ctx.vault.decrypt(tip["contact_encrypted"])))
    related = await uow.repo.related_tips(tip["id"])
    return RoutedTip(
        reference=tip["reference"],
        category=tip["category"],
        secondary_categories=tuple(triage.get("secondary_categories", ())),
        urgency=tip["urgency"],
        destinations=tuple(tip["destinations"]),
        indicators=tuple(triage.get("indicators", ())),
        explanation=triage.get("explanation", ""),
        needs_review=bool(tip["needs_review"]),
        text=tip["text"],
        answers=dict(tip["answers"]),
        language=tip["language"],
        channel=tip["channel"],
        reported_at=tip["reported_at"],
        anonymous=tip["anonymous"],
        about_reporter=tip["about_reporter"],
        contact=contact,
        media_urls=tuple(tip["media_urls"] or ()),
        report_state=tip["report_state"],
        unanswered=tuple(tip["unanswered"] or ()),
        related=tuple(
            RelatedTip(r["reference"], r["category"], r["urgency"], r["created_at"], tuple(r["reasons"]))
            for r in related
        ),
    )


async def acknowledge(ctx: Context, delivery_id: int, actor: str) -> str | None:
    """Acknowledge a delivery, and with it every delivery of that tip to the same destination
    (the CAD and the supervisors' SMS are one acknowledgement). Returns the tip reference."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        delivery = await uow.repo.delivery(delivery_id)
        if delivery is None:
            return None
        if delivery["escalates_id"] is not None:  # an escalation notice acknowledges what it escalated
            parent = await uow.repo.delivery(delivery["escalates_id"])
            assert parent is not None
            delivery = parent
        tip = await uow.repo.tip(delivery["tip_id"])
        assert tip is not None
        newly = await uow.repo.acknowledge(tip["id"], delivery["destination"], actor, now)
        if newly:
            waited = (now - tip["created_at"]).total_seconds()
            metrics.TIME_TO_ACKNOWLEDGE.labels(delivery["destination"], tip["urgency"]).observe(waited)
            if tip["status"] in ("received", "delivered"):
                await uow.repo.update_tip(tip["id"], status="acknowledged", updated_at=now)
            await uow.repo.audit(
                now,
                actor,
                "acknowledged",
                tip_id=tip["id"],
                delivery_id=delivery["id"],
                destination=delivery["destination"],
                deliveries=newly,
            )
        return str(tip["reference"])


async def record_fbi_filing(ctx: Context, delivery_id: int, confirmation: str, actor: str) -> bool:
    """The liaison filed the packet at tips.fbi.gov and got a confirmation number."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        delivery = await uow.repo.delivery(delivery_id)
        if delivery is None or delivery["status"] not in (AWAITING_FILING, FILED):
            return False
        await uow.repo.update_delivery(
            delivery_id,
            status=FILED,
            external_reference=confirmation,
            acknowledged_at=now,
            acknowledged_by=actor,
            updated_at=now,
        )
        await uow.repo.audit(
            now,
            actor,
            "fbi_packet_filed",
            tip_id=delivery["tip_id"],
            delivery_id=delivery_id,
            confirmation=confirmation,
        )
    return True
