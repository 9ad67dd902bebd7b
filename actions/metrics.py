"""The action server's Prometheus metrics, read off the action calls as they pass through the server.

Observed from outside the actions (a middleware of the server), so the actions stay free of it:
each call's action name, status and time, and whether `action_submit_tip` got the tip stored.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from prometheus_client import Counter, Histogram

ACTION_CALLS = Counter(
    "tipline_action_calls", "Action calls from the engine, by action and HTTP status", ["action", "status"]
)
ACTION_SECONDS = Histogram(
    "tipline_action_seconds",
    "Time to run an action call",
    ["action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SUBMISSIONS = Counter(
    "tipline_tip_submissions", "Reports the action server sent to the routing service, by outcome", ["outcome"]
)
SUBMIT_ACTION = "action_submit_tip"
SUBMITTED_SLOT = "tip_submitted"


def action_name(request_body: bytes, known: Collection[str]) -> str:
    """The action called, as a label: only names the server knows, so callers cannot add labels at will."""
    try:
        call = json.loads(request_body)
    except ValueError:
        return "unreadable"
    name = call.get("next_action") if isinstance(call, dict) else None
    return name if isinstance(name, str) and name in known else "unknown"


def observe(action: str, status: int, seconds: float, response_body: bytes) -> None:
    ACTION_CALLS.labels(action, str(status)).inc()
    ACTION_SECONDS.labels(action).observe(seconds)
    if action == SUBMIT_ACTION:
        SUBMISSIONS.labels(_submission_outcome(status, response_body)).inc()


def _submission_outcome(status: int, response_body: bytes) -> str:
    if status != 200:
        return "error"
    try:
        events: list[dict[str, Any]] = json.loads(response_body).get("events") or []
    except (ValueError, AttributeError):
        return "error"
    submitted = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == SUBMITTED_SLOT]
    return "stored" if submitted and submitted[-1] is True else "failed"
