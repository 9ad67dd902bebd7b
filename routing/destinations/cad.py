"""What a 911 dispatch CAD system gets: the tip payload plus a call-for-service block. Pure."""

from __future__ import annotations

from typing import Any

from routing.domain import RoutedTip
from routing.summary import category_label, full_summary

# CAD priority 1 is "respond now"; tips reach 911 only as emergencies, others rank below.
_PRIORITY = {"emergency": 1, "urgent": 2, "routine": 3}


def cad_block(tip: RoutedTip) -> dict[str, Any]:
    return {
        "incident_type": f"TIPLINE-{tip.category.upper()}",
        "incident_label": category_label(tip.category),
        "priority": _PRIORITY.get(tip.urgency, 3),
        "in_progress": tip.answers.get("happening_now") is True,
        "location": tip.answers.get("where"),
        "narrative": full_summary(tip),
        "callback": (tip.contact.phone if tip.contact else None),
    }
