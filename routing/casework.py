"""Use cases of the dispatch console: the queue, a tip's file, and everything staff do to a tip.

Each is one unit of work that also writes the audit log, so every view of a tip and every action
can be traced to a person. Permissions are checked by the console before it calls these; what a
role may *see* of the reporter (redaction) is decided here, where the file is put together.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing import service
from routing.accounts import Staff, sees_identity
from routing.destinations.fbi import packet_text, with_reporter
from routing.domain import AWAITING_FILING, DEAD, DESTINATIONS, DISPOSITIONS, PENDING, TIP_STATUSES
from routing.service import Context
from routing.store.casework import UNACKNOWLEDGED
from routing.store.repository import Row
from routing.store.uow import UnitOfWork
from routing.summary import full_summary
from telemetry.contact_details import replace_contact_details

PAGE_SIZE = 50
FOLLOW_UP_KINDS = ("follow_up", "wellness_check")
# What "open" means in the queue: everything not closed out.
OPEN_STATUSES = tuple(s for s in TIP_STATUSES if s != "closed")


class CaseError(Exception):
    """The action cannot be done as asked; the message is meant for the staff member."""


class TipNotFound(CaseError):
    pass


def redact(text: str) -> str:
    """Phone numbers and e-mail addresses in what the reporter wrote, for roles that may not see identity."""
    return replace_contact_details(text, "[phone removed]", "[e-mail removed]")


# --- the queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    category: str | None = None
    status: str = "open"  # "open", "all" or one of TIP_STATUSES
    destination: str | None = None
    page: int = 1
    urgency: str | None = None
    search: str = ""  # part of a reference; a search looks at closed tips too unless a status is chosen

    def statuses(self) -> tuple[str, ...] | None:
        if self.status == "all" or (self.search and self.status == "open"):
            return None
        return OPEN_STATUSES if self.status == "open" else (self.status,)


@dataclass(frozen=True)
class UrgencyCount:
    urgency: str
    total: int
    unacknowledged: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[Row]
    total: int
    page: int
    pages: int
    alarms: list[str]
    counts: list[UrgencyCount] = field(default_factory=list)


def escalation_minutes(ctx: Context) -> dict[str, float]:
    """Minutes an unacknowledged tip may wait before the jurisdiction's first escalation step."""
    chains = {"emergency": ctx.jurisdiction.escalation.emergency, "urgent": ctx.jurisdiction.escalation.urgent}
    return {urgency: chain[0].after_minutes for urgency, chain in chains.items() if chain}


def waiting(row: Row, now: datetime, limits: dict[str, float]) -> None:
    """Pure: mark a queue row with how long it has waited for an acknowledgement, and whether that is
    longer than the jurisdiction lets it wait before escalating."""
    unacknowledged = row["status"] in UNACKNOWLEDGED
    row["alarm"] = row["urgency"] == "emergency" and unacknowledged
    row["unacknowledged"] = unacknowledged
    if unacknowledged:
        row["waiting_minutes"] = max(0, int((now - row["created_at"]).total_seconds() // 60))
    elif row.get("acknowledged_at") is not None:
        row["waiting_minutes"] = max(0, int((row["acknowledged_at"] - row["created_at"]).total_seconds() // 60))
    else:
        row["waiting_minutes"] = None
    limit = limits.get(row["urgency"])
    row["overdue"] = unacknowledged and limit is not None and row["waiting_minutes"] >= limit


async def queue(ctx: Context, wanted: QueueFilter) -> QueuePage:
    page = max(1, wanted.page)
    async with ctx.new_uow() as uow:
        rows, total = await uow.cases.queue(
            category=wanted.category,
            statuses=wanted.statuses(),
            destination=wanted.destination,
            urgency=wanted.urgency,
            search=wanted.search,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        alarms = await uow.cases.unacknowledged_emergencies()
        counts = await uow.cases.urgency_counts(OPEN_STATUSES)
    now = ctx.clock()
    limits = escalation_minutes(ctx)
    for row in rows:
        waiting(row, now, limits)
    return QueuePage(
        rows,
        total,
        page,
        max(1, -(-total // PAGE_SIZE)),
        alarms,
        [UrgencyCount(u, *counts.get(u, (0, 0))) for u in ("emergency", "urgent", "routine", "none")],
    )


@dataclass(frozen=True)
class Pulse:
    """What a console's live update needs: has anything changed, and which emergencies wait."""

    cursor: int
    alarms: list[str]


async def pulse(ctx: Context) -> Pulse:
    async with ctx.new_uow() as uow:
        return Pulse(await uow.cases.last_change(), await uow.cases.unacknowledged_emergencies())


# --- a tip's file -------------------------------------------------------------------------------


@dataclass
class TipFile:
    tip: Row
    triage: dict[str, Any]
    summary: str
    text: str
    transcript: list[dict[str, Any]]
    answers: dict[str, Any]
    contact: dict[str, str] | None
    identity_hidden: bool
    deliveries: list[Row]
    notices: list[Row]
    related: list[Row]
    notes: list[Row]
    follow_ups: list[Row]
    messages: list[Row]
    dispositions: list[Row]
    timeline: list[Row]
    assigned_name: str | None
    assignable: list[Row]
    unacknowledged_destinations: list[str] = field(default_factory=list)
    awaiting_filing: list[Row] = field(default_factory=list)
    views: list[Row] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)  # an audit actor -> who a reader sees
    packets: dict[int, str] = field(default_factory=dict)  # delivery id -> the FBI packet as this reader sees it

    def who(self, actor: str | None) -> str:
        if not actor:
            return ""
        if actor.startswith("worker:"):
            return "the routing service"
        return self.people.get(actor, actor)


async def tip_file(ctx: Context, reference: str, staff: Staff) -> TipFile:
    """Everything about one tip as this person may see it; the viewing itself is audited."""
    shows_identity = sees_identity(staff.role, ctx.jurisdiction)
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        # No destination: the summary carries no identity; the file shows it below, by role.
        routed = await service.routed_tip(ctx, uow, tip, "console")
        # The summary a person reads here gives its times in the jurisdiction's zone, with the offset.
        routed = replace(routed, reported_at=routed.reported_at.astimezone(ZoneInfo(ctx.jurisdiction.timezone)))
        all_deliveries = await uow.repo.deliveries_of(tip["id"])
        messages = await uow.cases.all_messages(tip["id"])
        names = await uow.cases.staff_names([tip["assigned_to"]] if tip["assigned_to"] else [])
        entries = await uow.repo.audit_entries(tip["id"])  # views are counted apart: they flooded the timeline
        file = TipFile(
            tip=tip,
            triage=dict(tip["triage"]),
            summary=full_summary(routed),
            text=tip["text"],
            transcript=[dict(t) for t in tip["transcript"]],
            answers=dict(tip["answers"]),
            contact=None,
            identity_hidden=not shows_identity and not tip["anonymous"],
            deliveries=[d for d in all_deliveries if d["destination"] in DESTINATIONS],
            notices=[d for d in all_deliveries if d["destination"] not in DESTINATIONS],
            related=await uow.repo.related_tips(tip["id"]),
            notes=await uow.cases.notes(tip["id"]),
            follow_ups=await uow.cases.follow_ups(tip["id"]),
            messages=messages,
            dispositions=await uow.cases.dispositions(tip["id"]),
            timeline=[e for e in entries if e["action"] != "tip_viewed"],
            views=[e for e in entries if e["action"] == "tip_viewed"],
            assigned_name=names.get(tip["assigned_to"]) if tip["assigned_to"] else None,
            assignable=await uow.cases.assignable_staff(),
        )
        actors = {
            str(a)
            for a in [
                *(e["actor"] for e in entries),
                *(n["actor"] for n in file.notes),
                *(d["actor"] for d in file.dispositions),
                *(m["actor"] for m in messages),
                *(d["acknowledged_by"] for d in all_deliveries),
            ]
            if a and str(a).startswith("staff:")
        }
        usernames = await uow.cases.names_by_username(sorted(a.removeprefix("staff:") for a in actors))
        file.people = {f"staff:{u}": name for u, name in usernames.items()}
        await uow.repo.audit(
            ctx.clock(),
            staff.actor,
            "tip_viewed",
            tip_id=tip["id"],
            identity_shown=bool(tip["contact_encrypted"]) and shows_identity and not tip["anonymous"],
        )
    if shows_identity and not tip["anonymous"] and tip["contact_encrypted"]:
        file.contact = json.loads(ctx.vault.decrypt(tip["contact_encrypted"]))
    if not shows_identity:
        file.text = redact(file.text)
        file.summary = redact(file.summary)
        file.transcript = [t | {"text": redact(str(t.get("text", "")))} for t in file.transcript]
        file.answers = {k: redact(v) if isinstance(v, str) else v for k, v in file.answers.items()}
        file.messages = [m | {"text": redact(m["text"])} if m["direction"] == "from_reporter" else m for m in messages]
    if staff.can("file_fbi_packet"):  # only those who file a packet see it, redacted like the rest
        for d in file.deliveries:
            if d["packet"]:
                text = packet_text(with_reporter(d["packet"], file.contact))
                file.packets[d["id"]] = text if shows_identity else redact(text)
    file.unacknowledged_destinations = unacknowledged_destinations(tip, file.deliveries)
    file.awaiting_filing = [d for d in file.deliveries if d["status"] == AWAITING_FILING]
    return file


def unacknowledged_destinations(tip: Row, deliveries: list[Row]) -> list[str]:
    """Destinations still to acknowledge: none once the tip is closed (closing ends the paging)."""
    if tip["status"] == "closed":
        return []
    waiting = {
        d["destination"] for d in deliveries if d["acknowledged_at"] is None and d["destination"] in DESTINATIONS
    }
    return sorted(waiting, key=DESTINATIONS.index)


# --- actions on a tip ---------------------------------------------------------------------------


async def acknowledge(ctx: Context, reference: str, destination: str, staff: Staff) -> None:
    """Acknowledge the tip for one destination; the routing service stops escalating it."""
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        ids = [d["id"] for d in await uow.repo.deliveries_of(tip["id"]) if d["destination"] == destination]
    if not ids:
        raise CaseError(f"this tip was not routed to {destination}")
    if tip["status"] == "closed":
        raise CaseError("this tip is closed: nobody is paged for it any more")
    await service.acknowledge(ctx, ids[0], staff.actor)


async def assign(ctx: Context, reference: str, user_id: int | None, staff: Staff) -> None:
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        assignee = None
        if user_id is not None:
            user = await uow.staff.user(user_id)
            if user is None or not user["active"]:
                raise CaseError("no active staff member with that id")
            assignee = user["username"]
        await uow.repo.update_tip(tip["id"], assigned_to=user_id, updated_at=now, status=_worked(tip))
        await uow.repo.audit(now, staff.actor, "assigned", tip_id=tip["id"], assignee=assignee)


async def add_note(ctx: Context, reference: str, text: str, staff: Staff) -> None:
    text = _required(text, "note", 10_000)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        await uow.cases.add_note({"tip_id": tip["id"], "text": text, "actor": staff.actor, "created_at": now})
        await uow.repo.update_tip(tip["id"], updated_at=now, status=_worked(tip))
        await uow.repo.audit(now, staff.actor, "note_added", tip_id=tip["id"], characters=len(text))


async def add_follow_up(
    ctx: Context, reference: str, kind: str, action: str, owner: str, due_at: datetime | None, staff: Staff
) -> None:
    """Who does what by when; a wellness check is a follow-up whose findings come back to the file."""
    if kind not in FOLLOW_UP_KINDS:
        raise CaseError(f"the kind must be one of {', '.join(FOLLOW_UP_KINDS)}")
    action = _required(action, "action", 2_000)
    owner = _required(owner, "owner", 64)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        follow_up_id = await uow.cases.add_follow_up(
            {
                "tip_id": tip["id"],
                "kind": kind,
                "action": action,
                "owner": owner,
                "due_at": due_at,
                "actor": staff.actor,
                "created_at": now,
            }
        )
        await uow.repo.update_tip(tip["id"], updated_at=now, status=_worked(tip))
        await uow.repo.audit(
            now,
            staff.actor,
            "wellness_check_requested" if kind == "wellness_check" else "follow_up_set",
            tip_id=tip["id"],
            follow_up_id=follow_up_id,
            owner=owner,
            due_at=due_at.isoformat() if due_at else None,
        )


async def complete_follow_up(ctx: Context, reference: str, follow_up_id: int, findings: str, staff: Staff) -> None:
    """Mark a follow-up done. A wellness check's findings become part of the assessment: they are
    kept on the tip's triage record, so the file and every later reader see them beside it."""
    findings = findings.strip()
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        item = await uow.cases.follow_up(follow_up_id)
        if item is None or item["tip_id"] != tip["id"]:
            raise CaseError("no such follow-up on this tip")
        if item["done_at"] is not None:
            raise CaseError("this follow-up is already done")
        if item["kind"] == "wellness_check" and not findings:
            raise CaseError("record what the wellness check found")
        await uow.cases.update_follow_up(follow_up_id, done_at=now, findings=findings or None)
        if item["kind"] == "wellness_check":
            triage = dict(tip["triage"])
            triage["wellness_findings"] = [
                *triage.get("wellness_findings", []),
                {"at": now.isoformat(), "by": staff.actor, "findings": findings},
            ]
            await uow.repo.update_tip(tip["id"], triage=triage, updated_at=now, status=_worked(tip))
        else:
            await uow.repo.update_tip(tip["id"], updated_at=now, status=_worked(tip))
        await uow.repo.audit(
            now,
            staff.actor,
            "wellness_check_findings" if item["kind"] == "wellness_check" else "follow_up_done",
            tip_id=tip["id"],
            follow_up_id=follow_up_id,
        )


class UnfiledPacket(CaseError):
    """Closing would leave an FBI packet unfiled; the person must confirm it."""


async def record_disposition(
    ctx: Context,
    reference: str,
    disposition: str,
    outcome: str,
    destination: str | None,
    staff: Staff,
    close_unfiled: bool = False,
) -> None:
    """A recipient closes out the tip: what it was, and what came of it. Closing stops every
    escalation of the tip: the worker escalates no closed tip, and notices not yet sent are
    cancelled here. An FBI packet still awaiting filing is closed over only when confirmed."""
    if disposition not in DISPOSITIONS:
        raise CaseError(f"the disposition must be one of {', '.join(DISPOSITIONS)}")
    if destination is not None and destination not in DESTINATIONS:
        raise CaseError(f"the destination must be one of {', '.join(DESTINATIONS)}")
    outcome = _required(outcome, "outcome", 5_000)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        unfiled = [d for d in await uow.repo.deliveries_of(tip["id"]) if d["status"] == AWAITING_FILING]
        if unfiled and not close_unfiled:
            raise UnfiledPacket(
                "The FBI packet of this tip is still awaiting filing. Confirm that you close the tip "
                "without it (the liaison can still record the filing)."
            )
        await uow.cases.add_disposition(
            {
                "tip_id": tip["id"],
                "destination": destination,
                "disposition": disposition,
                "outcome": outcome,
                "actor": staff.actor,
                "created_at": now,
            }
        )
        await uow.repo.update_tip(tip["id"], status="closed", updated_at=now)
        cancelled = await uow.repo.cancel_escalations(tip["id"], now)
        await uow.repo.audit(
            now,
            staff.actor,
            "disposition_recorded",
            tip_id=tip["id"],
            disposition=disposition,
            destination=destination,
            escalations_cancelled=cancelled or None,
            fbi_packet_unfiled=bool(unfiled) or None,
        )


async def reply_to_reporter(ctx: Context, reference: str, text: str, staff: Staff) -> None:
    """A message the reporter reads when they check the tip with its reference and PIN."""
    text = _required(text, "reply", 1_000)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        await uow.repo.add_message(
            {"tip_id": tip["id"], "direction": "to_reporter", "text": text, "actor": staff.actor, "created_at": now}
        )
        await uow.repo.update_tip(tip["id"], updated_at=now, status=_worked(tip))
        await uow.repo.audit(now, staff.actor, "reporter_replied", tip_id=tip["id"], characters=len(text))


async def record_fbi_filing(ctx: Context, reference: str, delivery_id: int, confirmation: str, staff: Staff) -> None:
    confirmation = _required(confirmation, "confirmation number", 128)
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        delivery = await uow.repo.delivery(delivery_id)
    if delivery is None or delivery["tip_id"] != tip["id"]:
        raise CaseError("no such FBI packet on this tip")
    if not await service.record_fbi_filing(ctx, delivery_id, confirmation, staff.actor):
        raise CaseError("this delivery is not an FBI packet waiting to be filed")


async def reopen(ctx: Context, reference: str, reason: str, staff: Staff) -> None:
    reason = _required(reason, "reason", 2_000)
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        tip = await _tip(uow, reference)
        if tip["status"] != "closed":
            raise CaseError("only a closed tip can be reopened")
        await uow.repo.update_tip(tip["id"], status="in_progress", updated_at=now)
        await uow.repo.audit(now, staff.actor, "reopened", tip_id=tip["id"], reason=reason)


# --- dead letters -------------------------------------------------------------------------------


async def dead_letters(ctx: Context) -> list[Row]:
    async with ctx.new_uow() as uow:
        return await uow.cases.dead_letters()


async def retry_delivery(ctx: Context, delivery_id: int, staff: Staff) -> None:
    """Put a dead delivery back in the outbox with a fresh set of attempts (its history stays)."""
    now = ctx.clock()
    async with ctx.new_uow() as uow:
        delivery = await uow.repo.delivery(delivery_id)
        if delivery is None or delivery["status"] != DEAD:
            raise CaseError("this delivery is not in the dead-letter queue")
        await uow.repo.update_delivery(delivery_id, status=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        await uow.repo.audit(
            now,
            staff.actor,
            "delivery_retried",
            tip_id=delivery["tip_id"],
            delivery_id=delivery_id,
            destination=delivery["destination"],
            target=delivery["target"],
            previous_attempts=delivery["attempts"],
        )


# --- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    days: int
    since: date
    total: int
    by_category: dict[str, int]
    by_urgency: dict[str, int]
    by_day: dict[str, int]
    minutes_to_acknowledge: dict[str, dict[str, float | int | None]]
    dispositions: dict[str, int]
    false_report_rate: float | None
    # Open tips nobody has acknowledged yet, whenever they came in: the medians count only the
    # acknowledged, so without these a shift of unanswered emergencies would look fast.
    unacknowledged: dict[str, dict[str, float | int | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "total": self.total,
            "by_category": self.by_category,
            "by_urgency": self.by_urgency,
            "by_day": self.by_day,
            "minutes_to_acknowledge": self.minutes_to_acknowledge,
            "dispositions": self.dispositions,
            "false_report_rate": self.false_report_rate,
            "unacknowledged": self.unacknowledged,
        }

    def as_rows(self) -> list[tuple[str, str, str]]:
        """The same figures as (section, key, value) rows, for CSV."""
        rows: list[tuple[str, str, str]] = [("total", "tips", str(self.total))]
        for section in ("by_category", "by_urgency", "by_day", "dispositions"):
            rows += [(section, k, str(v)) for k, v in getattr(self, section).items()]
        for urgency, figures in self.minutes_to_acknowledge.items():
            rows += [
                ("minutes_to_acknowledge", f"{urgency}.{k}", "" if v is None else str(v)) for k, v in figures.items()
            ]
        for urgency, figures in self.unacknowledged.items():
            rows += [("unacknowledged", f"{urgency}.{k}", "" if v is None else str(v)) for k, v in figures.items()]
        rate = self.false_report_rate
        rows.append(("false_report_rate", "rate", "" if rate is None else str(rate)))
        return rows


def summarize(
    rows: list[Row],
    since: datetime,
    days: int,
    timezone: str,
    waiting: list[tuple[str, datetime]] | None = None,
    now: datetime | None = None,
) -> Statistics:
    """Pure: the figures of the statistics page from one row per tip, and (urgency, created_at) of
    each open tip nobody acknowledged yet."""
    from routing.domain import CATEGORIES, URGENCIES

    zone = ZoneInfo(timezone)
    first_day = since.astimezone(zone).date()
    by_day = {(first_day + timedelta(days=i)).isoformat(): 0 for i in range(days + 1)}
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_urgency = dict.fromkeys(reversed(URGENCIES), 0)
    waits: dict[str, list[float]] = {u: [] for u in ("emergency", "urgent", "routine")}
    disposition_counts = dict.fromkeys(DISPOSITIONS, 0)
    for row in rows:
        by_category[row["category"]] = by_category.get(row["category"], 0) + 1
        by_urgency[row["urgency"]] = by_urgency.get(row["urgency"], 0) + 1
        day = row["created_at"].astimezone(zone).date().isoformat()
        by_day[day] = by_day.get(day, 0) + 1
        if row["acknowledged_at"] is not None and row["urgency"] in waits:
            waits[row["urgency"]].append((row["acknowledged_at"] - row["created_at"]).total_seconds() / 60)
        if row["disposition"] in disposition_counts:
            disposition_counts[row["disposition"]] += 1
    closed = sum(disposition_counts.values())
    false_reports = disposition_counts["false"] + disposition_counts["misuse"]
    return Statistics(
        days=days,
        since=first_day,
        total=len(rows),
        by_category=by_category,
        by_urgency=by_urgency,
        by_day=dict(sorted(by_day.items())),
        minutes_to_acknowledge={u: _spread(w) for u, w in waits.items()},
        dispositions=disposition_counts,
        false_report_rate=round(false_reports / closed, 4) if closed else None,
        unacknowledged=unacknowledged_ages(waiting or [], now or since),
    )


def unacknowledged_ages(waiting: list[tuple[str, datetime]], now: datetime) -> dict[str, dict[str, float | int | None]]:
    """Per urgency: how many open tips nobody acknowledged, and the oldest one's wait in minutes."""
    figures: dict[str, dict[str, float | int | None]] = {}
    for urgency in ("emergency", "urgent", "routine"):
        ages = [(now - at).total_seconds() / 60 for u, at in waiting if u == urgency]
        figures[urgency] = {"count": len(ages), "oldest_minutes": round(max(ages), 1) if ages else None}
    return figures


def _spread(minutes: list[float]) -> dict[str, float | int | None]:
    if not minutes:
        return {"count": 0, "median": None, "p90": None}
    ordered = sorted(minutes)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {"count": len(ordered), "median": round(statistics.median(ordered), 1), "p90": round(p90, 1)}


async def tip_statistics(ctx: Context, days: int, staff: Staff, exported: str | None = None) -> Statistics:
    now = ctx.clock()
    zone = ZoneInfo(ctx.jurisdiction.timezone)
    since = datetime.combine(now.astimezone(zone).date() - timedelta(days=days), datetime.min.time(), zone)
    async with ctx.new_uow() as uow:
        rows = await uow.cases.tips_since(since.astimezone(UTC))
        waiting = await uow.repo.unacknowledged_tips()
        if exported:
            await uow.repo.audit(now, staff.actor, "statistics_exported", format=exported, days=days)
    return summarize(rows, since, days, ctx.jurisdiction.timezone, waiting, now)


# --- helpers ------------------------------------------------------------------------------------


async def _tip(uow: UnitOfWork, reference: str) -> Row:
    tip = await uow.repo.tip_by_reference(reference.strip().upper())
    if tip is None:
        raise TipNotFound(f"no tip {reference}")
    return tip


def _worked(tip: Row) -> str:
    """Working on an acknowledged tip puts it in progress; nothing but an acknowledgement may take
    an unacknowledged one out of the alarm."""
    return "in_progress" if tip["status"] == "acknowledged" else str(tip["status"])


def _required(text: str, name: str, max_len: int) -> str:
    text = text.strip()
    if not text:
        raise CaseError(f"the {name} is required")
    if len(text) > max_len:
        raise CaseError(f"the {name} must be at most {max_len} characters")
    return text
