"""The engine's Prometheus metrics: messages in, refused and answered, per channel (served by bot/operations.py)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter("tipline_messages_received", "Residents' messages taken for a turn", ["channel"])
REFUSED = Counter(
    "tipline_messages_refused",
    "Requests or messages not taken: bad signature, too large, malformed, flood control, full line, sessions",
    ["channel", "reason"],
)
REPLIES = Counter(
    "tipline_replies", "Replies to residents by outcome (sent, refused by the provider)", ["channel", "outcome"]
)
TURN_SECONDS = Histogram(
    "tipline_turn_seconds",
    "Time from a message's arrival to the end of its turn (NLU, dialogue, actions, replies)",
    ["channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)
