"""The outbox's pure parts: which deliveries a tip needs, when to retry, when to stop trying.

No I/O here: the store claims and records, worker.py runs the loop, destinations/ send.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from routing.domain import DESTINATIONS, PENDING
from routing.jurisdiction import EmailTarget, FbiPacketTarget, Jurisdiction, SmsTarget, Target, WebhookTarget

PRIORITY = {"emergency": 0, "urgent": 1, "routine": 2, "none": 3}


@dataclass(frozen=True)
class PlannedDelivery:
    destination: str
    target: str
    via: str
    address: str
    urgency: str
    priority: int
    idempotency_key: str
    status: str = PENDING
    message_id: int | None = None  # set on an update: the reporter's later message it forwards


def idempotency_key(*parts: str) -> str:
    """Stable for the same tip, target and address, so a re-plan can never double a delivery."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def addresses(target: Target) -> tuple[str, ...]:
    """One delivery per SMS number (each retried on its own); one per webhook or e-mail."""
    if isinstance(target, SmsTarget):
        return target.to
    if isinstance(target, EmailTarget):
        return (", ".join(target.to),)
    if isinstance(target, FbiPacketTarget):
        return (", ".join(target.notify),)
    assert isinstance(target, WebhookTarget)
    return (target.url,)


def plan_deliveries(
    reference: str,
    urgency: str,
    destinations: tuple[str, ...],
    jurisdiction: Jurisdiction,
    *,
    crisis_centre_needed: bool,
) -> list[PlannedDelivery]:
    """Every target of every destination the tip is routed to."""
    planned = []
    for destination in destinations:
        if destination == "988" and not crisis_centre_needed:
            continue
        for target in jurisdiction.destinations[destination].targets:  # type: ignore[index]
            for address in addresses(target):
                planned.append(
                    PlannedDelivery(
                        destination=destination,
                        target=target.id,
                        via=target.via,
                        address=address,
                        urgency=urgency,
                        priority=PRIORITY[urgency],
                        idempotency_key=idempotency_key(reference, target.id, address),
                    )
                )
    return planned


def plan_notices(
    kind: str, reference: str, step: str, notify: tuple[EmailTarget | SmsTarget, ...]
) -> list[PlannedDelivery]:
    """Escalation and alarm notices go through the outbox too, first in line."""
    return [
        PlannedDelivery(
            destination=kind,
            target=target.id,
            via=target.via,
            address=address,
            urgency="emergency",
            priority=0,
            idempotency_key=idempotency_key(reference, kind, step, target.id, address),
        )
        for target in notify
        for address in addresses(target)
    ]


def plan_updates(
    reference: str, message_id: int, originals: Sequence[Mapping[str, Any]]
) -> list[tuple[int, PlannedDelivery]]:
    """What the reporter adds later goes to every target that received (or will receive) the tip,
    each paired with the delivery it follows up (its acknowledgement is that delivery's).

    An FBI packet is filed by hand: its update goes to the liaison's e-mail where there is one.
    """
    planned = []
    for d in originals:
        if d["escalates_id"] is not None or d["destination"] not in DESTINATIONS:
            continue
        via = d["via"]
        if via == "fbi_packet":
            if not d["address"]:
                continue
            via = "email"
        update = PlannedDelivery(
            destination=d["destination"],
            target=d["target"],
            via=via,
            address=d["address"],
            urgency=d["urgency"],
            priority=d["priority"],
            idempotency_key=idempotency_key(reference, d["target"], d["address"], "update", str(message_id)),
            message_id=message_id,
        )
        planned.append((int(d["id"]), update))
    return planned


def retry_delay(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter (AWS's "Exponential Backoff And Jitter").

    Full jitter spreads the retries of many deliveries that failed together (a receiver that
    went down) so they do not return as one wave.
    """
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return (rng or random).uniform(base / 2, max(base / 2, ceiling))


def next_attempt(now: datetime, attempts: int, base: float, cap: float, rng: random.Random | None = None) -> datetime:
    return now + timedelta(seconds=retry_delay(attempts, base, cap, rng))


class CircuitBreaker:
    """Per target: after `failures` failures in a row, stop trying it for `cooldown` seconds.

    While open, the worker leaves that target's deliveries in the outbox (they are not failed
    again), so a receiver that is down is not hammered; after the cooldown one delivery is let
    through, and its result closes or reopens the circuit.
    """

    def __init__(self, failures: int, cooldown: float) -> None:
        self._failures = failures
        self._cooldown = cooldown
        self._count: dict[str, int] = {}
        self._open_until: dict[str, float] = {}

    def open_targets(self, now: float) -> set[str]:
        return {t for t, until in self._open_until.items() if until > now}

    def record(self, target: str, ok: bool, now: float) -> None:
        if ok:
            self._count.pop(target, None)
            self._open_until.pop(target, None)
            return
        self._count[target] = self._count.get(target, 0) + 1
        if self._count[target] >= self._failures:
            self._open_until[target] = now + self._cooldown
