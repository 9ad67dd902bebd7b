"""Use cases: each runs in one unit of work."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from routing.crypto import Vault
from routing.domain import Receipt, Submission, new_pin, new_reference
from routing.policy import route
from routing.store.uow import UnitOfWork


async def accept_tip(new_uow: Callable[[], UnitOfWork], vault: Vault, submission: Submission) -> Receipt:
    """Store a tip once per conversation and return its receipt (the same one on a repeat)."""
    for _ in range(3):
        async with new_uow() as uow:
            existing = await uow.tip_by_conversation(submission.conversation_id)
            if existing is not None:
                return Receipt(
                    reference=existing["reference"],
                    pin=vault.decrypt(existing["pin_encrypted"]),
                    status=existing["status"],
                    destinations=tuple(existing["destinations"]),
                    created=False,
                )
        routed = route(submission.triage)
        reference, pin = new_reference(), new_pin()
        try:
            async with new_uow() as uow:
                await uow.add_tip(
                    {
                        "reference": reference,
                        "conversation_id": submission.conversation_id,
                        "pin_encrypted": vault.encrypt(pin),
                        "status": "received",
                        "channel": submission.channel,
                        "language": submission.language,
                        "category": submission.triage.category,
                        "urgency": submission.triage.urgency,
                        "destinations": list(routed.destinations),
                        "triage": asdict(submission.triage) | {"routing_rules": list(routed.rules)},
                        "text": submission.text,
                        "answers": submission.answers,
                        "transcript": list(submission.transcript),
                        "anonymous": submission.anonymous,
                        "contact_encrypted": (
                            vault.encrypt(json.dumps(submission.contact)) if submission.contact else None
                        ),
                        "reported_at": submission.reported_at,
                        "created_at": datetime.now(UTC),
                    }
                )
        except IntegrityError:
            continue  # the same conversation won a race, or a reference collided: look again
        return Receipt(reference, pin, "received", routed.destinations, created=True)
    raise RuntimeError("could not store the tip after 3 attempts")
