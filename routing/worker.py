"""The outbox worker: claim due deliveries, send them, record the outcome; escalate what nobody
acknowledged. Several can run side by side (inside `serve` and as `python -m routing worker`).

At least once: a delivery is claimed under a lease and marked done only after the receiver
accepted it, so a worker that dies mid-delivery leaves it to another once the lease runs out.
Receivers de-duplicate by the idempotency key, which is the same on every attempt.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from routing import metrics
from routing.bell import Bell
from routing.destinations.base import DeliveryError, Senders, Sent
from routing.destinations.cad import cad_block
from routing.destinations.crisis import handoff_block
from routing.destinations.fbi import packet, packet_text, with_reporter
from routing.destinations.payload import tip_payload
from routing.domain import AWAITING_FILING, CANCELLED, DEAD, DELIVERED, PENDING, RoutedTip
from routing.jurisdiction import WebhookTarget
from routing.outbox import CircuitBreaker, next_attempt, plan_notices
from routing.service import Context, file_idle_reports, routed_tip
from routing.settings import OutboxSettings
from routing.signing import ack_url
from routing.store.repository import Row
from routing.summary import category_label, full_summary, sms_summary

log = logging.getLogger(__name__)

BATCH = 20
NOTICES = ("escalation", "alarm")
CLOSED = "closed"  # the tip status a disposition sets


class TipClosed(Exception):
    """An escalation notice whose tip was closed before it went out."""


@dataclass(frozen=True)
class Links:
    public_url: str
    signing_secret: str

    def ack(self, delivery_id: int) -> str:
        return ack_url(self.public_url, self.signing_secret, delivery_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()) % 10_000}"


class Worker:
    def __init__(
        self, ctx: Context, senders: Senders, settings: OutboxSettings, links: Links, bell: Bell | None = None
    ) -> None:
        self.ctx = ctx
        self.senders = senders
        self.settings = settings
        self.links = links
        self.bell = bell or Bell()
        self.name = worker_name()
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_seconds)
        self._stopping = False

    def stop(self) -> None:
        """Finish the round in hand, then return from run(): no delivery is cut off midway."""
        self._stopping = True
        self.bell.ring()

    async def run(self) -> None:
        """Until stopped: deliver what is due, escalate, file abandoned reports, then wait for the
        bell or the poll."""
        log.info("outbox worker %s started", self.name)
        while not self._stopping:
            try:
                delivered = await self.deliver_due()
                await self.escalate()
                await self.file_idle_reports()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox worker %s: a round failed; trying again", self.name)
                delivered = 0
            if delivered < BATCH and not self._stopping:
                await self.bell.wait(self.settings.poll_seconds)
        log.info("outbox worker %s stopped", self.name)

    async def deliver_due(self) -> int:
        """One round: claim a batch and send it concurrently. Returns how many were claimed."""
        now = self.ctx.clock()
        lease = timedelta(seconds=self.settings.lease_seconds)
        async with self.ctx.new_uow() as uow:
            claimed = await uow.repo.claim(self.name, BATCH, now, lease, self.breaker.open_targets(time.monotonic()))
        if claimed:
            await asyncio.gather(*(self._deliver(d) for d in claimed))
        return len(claimed)

    async def _deliver(self, delivery: Row) -> None:
        started = self.ctx.clock()
        try:
            # Finish well inside the lease, so no other worker takes it while this one still tries.
            async with asyncio.timeout(self.settings.lease_seconds * 0.8):
                sent, status, extra = await self._send(delivery)
        except TipClosed:
            await self._cancelled(delivery)
        except TimeoutError:
            await self._failed(delivery, started, "attempt timed out", False)
        except DeliveryError as e:
            await self._failed(delivery, started, str(e), e.permanent)
        except Exception as e:  # a bug must not lose the tip: it is retried and, in the end, alarmed
            log.exception("delivery %s: unexpected error", delivery["id"])
            await self._failed(delivery, started, f"internal error: {type(e).__name__}", False)
        else:
            await self._succeeded(delivery, started, sent, status, extra)

    async def _send(self, d: Row) -> tuple[Sent, str, dict[str, Any]]:
        async with self.ctx.new_uow() as uow:
            tip_row = await uow.repo.tip(d["tip_id"])
            assert tip_row is not None
            parent = await uow.repo.delivery(d["escalates_id"]) if d["escalates_id"] else None
            tip = await routed_tip(self.ctx, uow, tip_row, d["destination"])
            message = await uow.repo.message(d["message_id"]) if d["message_id"] else None
        if d["destination"] == "escalation" and tip_row["status"] == CLOSED:
            raise TipClosed  # closed after the notice was queued: nobody is paged for it
        ack = self.links.ack(d["escalates_id"] or d["id"])
        if d["destination"] in NOTICES:
            return await self._send_notice(d, tip, parent, ack), DELIVERED, {}
        if message is not None:
            return await self._send_update(d, tip, message, ack), DELIVERED, {}
        if d["via"] in ("webhook", "cad_webhook"):
            target = self.ctx.jurisdiction.target(d["target"])
            assert isinstance(target, WebhookTarget)
            body = tip_payload(tip, d["destination"], d["idempotency_key"], ack)
            if d["via"] == "cad_webhook":
                body["cad"] = cad_block(tip)
            if d["destination"] == "988":
                body["handoff"] = handoff_block(tip, self.ctx.jurisdiction)
            sent = await self.senders.webhook.post(
                d["address"], target.secret, body, d["idempotency_key"], target.timeout_seconds
            )
            return sent, DELIVERED, {}
        if d["via"] == "email":
            subject = f"[Tipline {tip.urgency.upper()}] {category_label(tip.category)} {tip.reference}"
            text = f"{full_summary(tip)}\n\nAcknowledge: {ack}\n"
            return await self.senders.email.send(_emails(d), subject, text, d["idempotency_key"]), DELIVERED, {}
        if d["via"] == "sms":
            return await self.senders.sms.send(d["address"], sms_summary(tip)), DELIVERED, {}
        if d["via"] == "fbi_packet":
            built = packet(tip)
            sent = Sent("packet queued for the liaison")
            if d["address"]:
                subject = f"[Tipline] FBI packet to file: {tip.reference} ({tip.urgency})"
                # The liaison's e-mail carries the details where the FBI may receive them; the stored packet never.
                filed = with_reporter(built, tip.contact.as_dict() if tip.contact else None)
                text = f"{packet_text(filed)}\n\nRecord the FBI confirmation in the console.\n"
                sent = await self.senders.email.send(_emails(d), subject, text, d["idempotency_key"])
            return sent, AWAITING_FILING, {"packet": built}
        raise DeliveryError(f"unknown way to deliver {d['via']!r}", permanent=True)

    async def _send_update(self, d: Row, tip: RoutedTip, message: Row, ack: str) -> Sent:
        """The reporter's later message, to a target that got (or is getting) the tip itself."""
        added_at = message["created_at"]
        if d["via"] in ("webhook", "cad_webhook"):
            target = self.ctx.jurisdiction.target(d["target"])
            assert isinstance(target, WebhookTarget)
            body = tip_payload(tip, d["destination"], d["idempotency_key"], ack)
            body["event"] = "update"
            body["update"] = {"text": message["text"], "added_at": added_at.isoformat()}
            return await self.senders.webhook.post(
                d["address"], target.secret, body, d["idempotency_key"], target.timeout_seconds
            )
        headline = f"UPDATE to {tip.urgency.upper()} tip {tip.reference} ({category_label(tip.category)})"
        if d["via"] == "sms":
            return await self.senders.sms.send(d["address"], f"{headline}: {message['text']}"[:320])
        if d["via"] == "email":
            text = f"The reporter added at {added_at:%Y-%m-%d %H:%M} UTC:\n\n{message['text']}\n\nAcknowledge: {ack}\n"
            return await self.senders.email.send(_emails(d), f"[Tipline] {headline}", text, d["idempotency_key"])
        raise DeliveryError(f"unknown way to deliver {d['via']!r}", permanent=True)

    async def _send_notice(self, d: Row, tip: RoutedTip, parent: Row | None, ack: str) -> Sent:
        if d["destination"] == "escalation":
            assert parent is not None
            age = int((self.ctx.clock() - parent["created_at"]).total_seconds() // 60)
            headline = (
                f"ESCALATION: {tip.urgency.upper()} tip {tip.reference} ({category_label(tip.category)}) "
                f"to {parent['destination']} not acknowledged after {age} min."
            )
        else:
            headline = (
                f"ALARM: tip {tip.reference} ({tip.urgency.upper()}, {category_label(tip.category)}) could not be "
                f"delivered to {parent['destination'] if parent else 'a destination'}; deliver it by hand."
            )
        if d["via"] == "sms":
            return await self.senders.sms.send(d["address"], f"{headline} Ack: {ack}"[:320])
        text = f"{headline}\n\nAcknowledge: {ack}\n\n{full_summary(tip)}\n"
        return await self.senders.email.send(_emails(d), headline[:150], text, d["idempotency_key"])

    async def _succeeded(self, d: Row, started: Any, sent: Sent, status: str, extra: dict[str, Any]) -> None:
        now = self.ctx.clock()
        self.breaker.record(d["target"], True, time.monotonic())
        async with self.ctx.new_uow() as uow:
            mine = await uow.repo.finish(
                d["id"],
                self.name,
                status=status,
                delivered_at=now,
                updated_at=now,
                last_error=None,
                external_reference=sent.external_reference,
                **extra,
            )
            await uow.repo.add_attempt(self._attempt(d, started, True, sent.detail))
            if not mine:
                return  # the lease ran out and another worker took it: it records the outcome
            tip = await uow.repo.tip(d["tip_id"])
            if tip is not None and tip["status"] == "received" and d["destination"] not in NOTICES:
                await uow.repo.update_tip(d["tip_id"], status="delivered", updated_at=now)
            await uow.repo.audit(
                now,
                f"worker:{self.name}",
                "delivered",
                tip_id=d["tip_id"],
                delivery_id=d["id"],
                destination=d["destination"],
                target=d["target"],
                attempt=d["attempts"],
                detail=sent.detail,
            )
        log.info("delivery %s (%s %s) delivered: %s", d["id"], d["destination"], d["target"], sent.detail)
        metrics.DELIVERY_ATTEMPTS.labels(d["destination"], d["via"], "delivered").inc()
        metrics.TIP_TO_DESTINATION.labels(d["destination"], d["urgency"]).observe(
            (now - d["created_at"]).total_seconds()
        )

    async def _cancelled(self, d: Row) -> None:
        now = self.ctx.clock()
        async with self.ctx.new_uow() as uow:
            mine = await uow.repo.finish(
                d["id"], self.name, status=CANCELLED, updated_at=now, last_error="the tip was closed"
            )
            if mine:
                await uow.repo.audit(
                    now,
                    f"worker:{self.name}",
                    "escalation_cancelled",
                    tip_id=d["tip_id"],
                    delivery_id=d["id"],
                    target=d["target"],
                )
        log.info("delivery %s (%s): not sent, the tip was closed", d["id"], d["target"])

    async def _failed(self, d: Row, started: Any, error: str, permanent: bool) -> None:
        now = self.ctx.clock()
        self.breaker.record(d["target"], False, time.monotonic())
        give_up = permanent or d["attempts"] >= self.settings.max_attempts
        async with self.ctx.new_uow() as uow:
            values: dict[str, Any] = {"last_error": error, "updated_at": now}
            if give_up:
                values["status"] = DEAD
            else:
                values["status"] = PENDING
                values["next_attempt_at"] = next_attempt(
                    now, d["attempts"], self.settings.retry_base_seconds, self.settings.retry_cap_seconds
                )
            mine = await uow.repo.finish(d["id"], self.name, **values)
            await uow.repo.add_attempt(self._attempt(d, started, False, error))
            metrics.DELIVERY_ATTEMPTS.labels(d["destination"], d["via"], "dead" if give_up else "retry").inc()
            if not mine or not give_up:
                log.warning("delivery %s (%s) attempt %s failed: %s", d["id"], d["target"], d["attempts"], error)
                return
            await uow.repo.audit(
                now,
                f"worker:{self.name}",
                "dead_letter",
                tip_id=d["tip_id"],
                delivery_id=d["id"],
                destination=d["destination"],
                target=d["target"],
                attempts=d["attempts"],
                error=error,
            )
            if d["destination"] != "alarm":  # an alarm that cannot be sent is only logged
                tip = await uow.repo.tip(d["tip_id"])
                assert tip is not None
                alarms = plan_notices("alarm", tip["reference"], str(d["id"]), self.ctx.jurisdiction.alarms)
                await uow.repo.add_deliveries(d["tip_id"], alarms, now, escalates_id=d["id"])
        log.error(
            "ALARM: delivery %s of tip %s to %s (%s) gave up after %s attempts: %s",
            d["id"],
            d["tip_id"],
            d["destination"],
            d["target"],
            d["attempts"],
            error,
        )
        self.bell.ring()

    def _attempt(self, d: Row, started: Any, ok: bool, detail: str) -> Row:
        return {
            "delivery_id": d["id"],
            "number": d["attempts"],
            "worker": self.name,
            "started_at": started,
            "finished_at": self.ctx.clock(),
            "ok": ok,
            "detail": detail[:500],
        }

    async def file_idle_reports(self) -> None:
        """Reports the resident stopped answering are filed as incomplete and routed."""
        idle = self.ctx.jurisdiction.report_idle_seconds or self.settings.report_idle_seconds
        if await file_idle_reports(self.ctx, idle):
            self.bell.ring()

    async def escalate(self) -> None:
        """Send the next step of the chain for deliveries nobody acknowledged in time."""
        chains = {
            "emergency": self.ctx.jurisdiction.escalation.emergency,
            "urgent": self.ctx.jurisdiction.escalation.urgent,
        }
        now = self.ctx.clock()
        for urgency, chain in chains.items():
            if not chain:
                continue
            first_due = now - timedelta(minutes=chain[0].after_minutes)
            try:
                async with self.ctx.new_uow() as uow:
                    waiting = await uow.repo.unacknowledged([urgency], first_due)
                    groups: dict[tuple[int, str], list[Row]] = {}
                    for d in waiting:
                        groups.setdefault((d["tip_id"], d["destination"]), []).append(d)
                    for (tip_id, destination), rows in groups.items():
                        age_minutes = (now - rows[0]["created_at"]).total_seconds() / 60
                        due_step = sum(1 for step in chain if step.after_minutes <= age_minutes)
                        done_step = max(r["escalation_step"] for r in rows)
                        if due_step <= done_step:
                            continue
                        tip = await uow.repo.tip(tip_id)
                        assert tip is not None
                        for step in range(done_step + 1, due_step + 1):
                            notices = plan_notices(
                                "escalation", tip["reference"], f"{destination}:{step}", chain[step - 1].notify
                            )
                            await uow.repo.add_deliveries(tip_id, notices, now, escalates_id=rows[0]["id"])
                        await uow.repo.set_escalation_step([r["id"] for r in rows], due_step, now)
                        await uow.repo.audit(
                            now,
                            f"worker:{self.name}",
                            "escalated",
                            tip_id=tip_id,
                            delivery_id=rows[0]["id"],
                            destination=destination,
                            step=due_step,
                        )
                        log.warning(
                            "tip %s: %s not acknowledged; escalation step %s", tip["reference"], destination, due_step
                        )
            except IntegrityError:
                continue  # another worker escalated the same step first


def _emails(d: Row) -> list[str]:
    return [a.strip() for a in str(d["address"]).split(",") if a.strip()]
