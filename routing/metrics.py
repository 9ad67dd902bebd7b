"""The routing service's Prometheus metrics (GET /metrics, see api.py).

Counters and histograms are kept by the process that does the work (each `serve` or `worker`
process has its own, as Prometheus expects); queue depths are read from the database when
/metrics is asked, so every process reports the same, whole outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from routing.store.uow import UnitOfWork

TIPS = Counter(
    "tipline_tips_received", "Tips stored, by channel and triage outcome", ["channel", "category", "urgency"]
)
DELIVERY_ATTEMPTS = Counter(
    "tipline_delivery_attempts",
    "Delivery attempts by destination, means and outcome (delivered, retry, dead)",
    ["destination", "via", "outcome"],
)
TIP_TO_DESTINATION = Histogram(
    "tipline_tip_to_destination_seconds",
    "From storing a tip to its delivery at a destination",
    ["destination", "urgency"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
TIME_TO_ACKNOWLEDGE = Histogram(
    "tipline_time_to_acknowledge_seconds",
    "From storing a tip to a destination's acknowledgement",
    ["destination", "urgency"],
    buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400),
)
OUTBOX = Gauge(
    "tipline_outbox_deliveries", "Deliveries in the outbox by status (pending and delivering are the queue)", ["status"]
)
UNACKNOWLEDGED = Gauge(
    "tipline_unacknowledged_tips", "Open tips that nobody has acknowledged yet, by urgency", ["urgency"]
)
OLDEST_UNACKNOWLEDGED = Gauge(
    "tipline_oldest_unacknowledged_tip_seconds", "Age of the oldest unacknowledged tip, by urgency", ["urgency"]
)
URGENCIES = ("emergency", "urgent", "routine")


async def exposition(uow: UnitOfWork, now: datetime) -> bytes:
    """The text Prometheus scrapes, with the queue gauges read from the database first."""
    for status, count in (await uow.repo.outbox_counts()).items():
        OUTBOX.labels(status).set(count)
    waiting = await uow.repo.unacknowledged_tips()
    for urgency in URGENCIES:
        created = [at for u, at in waiting if u == urgency]
        UNACKNOWLEDGED.labels(urgency).set(len(created))
        OLDEST_UNACKNOWLEDGED.labels(urgency).set((now - min(created)).total_seconds() if created else 0)
    return generate_latest(REGISTRY)
