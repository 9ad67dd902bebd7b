"""Use cases of the routing service, each one unit of work.

Handlers (api.py, the console, the worker) call these; these call the store through the unit of
work and the pure core (policy, outbox, related). They never see HTTP or SQL.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

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
    new_pin,
    new_reference,
)
from routing.jurisdiction import Jurisdiction
from routing.outbox import plan_deliveries, plan_updates
from routing.policy import route
from routing.related import match_keys
from routing.store.repository import Row
from routing.store.uow import UnitOfWork

NewUow = Callable[[], UnitOfWork]
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
    """Store a tip and its deliveries in one transaction, once per conversation.

    A repeat of the same conversation returns the first receipt; two racing submissions of it
    meet the unique constraint, and the loser reads the winner's tip.
    """
    for _ in range(3):
        async with ctx.new_uow() as uow:
            existing = await uow.repo.tip_by_conversation(submission.conversation_id)
        if existing is not None:
            receipt = Receipt(
                reference=existing["reference"],
                pin=ctx.vault.decrypt(existing["pin_encrypted"]),
                status=existing["status"],
                destinations=tuple(existing["destinations"]),
                created=False,
            )
            return Accepted(receipt, existing["urgency"], ())
        try:
            return await _store_new_tip(ctx, submission)
        except IntegrityError:
            continue  # the same conversation won a race, or a reference collided: look again
    raise RuntimeError("could not store the tip after 3 attempts")


async def _store_new_tip(ctx: Context, submission: Submission) -> Accepted:
    triage = submission.triage
    routed = route(triage, ctx.jurisdiction)
    reference, pin = new_reference(), new_pin()
    now = ctx.clock()
    keys = match_keys(ctx.link_key, submission.text, submission.answers)
    planned = plan_deliveries(
        reference,
        routed.urgency,
        routed.destinations,
        ctx.jurisdiction,
        crisis_centre_needed=crisis_centre_needed(submission),
    )
    async with ctx.new_uow() as uow:
        tip_id = await uow.repo.add_tip(
            {
                "reference": reference,
                "conversation_id": submission.conversation_id,
                "pin_encrypted": ctx.vault.encrypt(pin),
                "status": "received",
                "channel": submission.channel,
                "language": submission.language,
                "category": triage.category,
                "urgency": routed.urgency,
                "destinations": list(routed.destinations),
                "triage": asdict(triage) | {"routing_rules": list(routed.rules)},
                "text": submission.text,
                "answers": submission.answers,
                "transcript": list(submission.transcript),
                "anonymous": submission.anonymous,
                "contact_encrypted": (
                    ctx.vault.encrypt(json.dumps(submission.contact.as_dict())) if submission.contact else None
                ),
                "reported_at": submission.reported_at,
                "created_at": now,
                "updated_at": now,
                "jurisdiction": ctx.jurisdiction.id,
                "needs_review": triage.needs_review,
                "about_reporter": submission.about_reporter,
                "media_urls": list(submission.media_urls),
            }
        )
        await uow.repo.add_triage_result(
            {
                "tip_id": tip_id,
                "category": triage.category,
                "secondary_categories": list(triage.secondary_categories),
                "urgency": triage.urgency,
                "indicators": list(triage.indicators),
                "needs_review": triage.needs_review,
                "explanation": triage.explanation,
                "triage_rules": list(triage.rules),
                "destinations": list(routed.destinations),
                "routing_rules": list(routed.rules),
                "actor": "triage",
                "created_at": now,
            }
        )
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
        )
    receipt = Receipt(reference, pin, "received", routed.destinations, created=True)
    return Accepted(receipt, routed.urgency, tuple(delivery_ids))


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


async def add_information(
    ctx: Context, reference: str, pin: str, text: str, conversation_id: str | None
) -> TipStatus | None:
    """Keep what the reporter adds to an earlier tip, for the staff who work it, and forward it to
    every destination the tip went to."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip_with_pin(ctx, uow, reference, pin)
        if tip is None:
            return None
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
        # Committed with the message, like a new tip's deliveries: the update cannot be lost.
        updates = plan_updates(tip["reference"], message_id, await uow.repo.deliveries_of(tip["id"]))
        for original_id, update in updates:
            await uow.repo.add_deliveries(tip["id"], [update], now, escalates_id=original_id)
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
