"""route(triage) -> destinations: the default routing table of triage.md.

The table is data; the function only reads it. Safety holds by construction: every
`emergency` reaches 911, and `self_harm` reaches 911 only as an `emergency`.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.domain import Triage

# category -> urgency -> destinations, exactly as triage.md's default routing table.
DEFAULT_TABLE: dict[str, dict[str, tuple[str, ...]]] = {
    "threat_to_others": {
        "routine": ("state_tipline",),
        "urgent": ("state_tipline", "fbi"),
        "emergency": ("911", "state_tipline", "fbi"),
    },
    "self_harm": {"routine": ("988",), "urgent": ("988",), "emergency": ("911", "988")},
    "gun_diversion": {
        "routine": ("state_tipline", "fbi"),
        "urgent": ("state_tipline", "fbi"),
        "emergency": ("911", "state_tipline", "fbi"),
    },
    "site_surveillance": {
        "routine": ("state_tipline", "fbi"),
        "urgent": ("state_tipline", "fbi"),
        "emergency": ("911", "state_tipline", "fbi"),
    },
    "wellness_concern": {
        "routine": ("state_tipline",),
        "urgent": ("state_tipline",),
        "emergency": ("911", "state_tipline"),
    },
    "other_suspicious": {
        "routine": ("state_tipline",),
        "urgent": ("state_tipline", "fbi"),
        "emergency": ("911", "state_tipline", "fbi"),
    },
    "not_a_tip": {},
}

# The table's "(+X if ...)" cells: indicator names that add a destination to a category.
CONDITIONAL_ADDITIONS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("threat_to_others", frozenset({"mass_casualty", "ideological_motive"}), "fbi"),
    ("wellness_concern", frozenset({"mental_health_crisis"}), "988"),
    ("other_suspicious", frozenset({"terrorism_nexus", "explosives"}), "fbi"),
)

_ORDER = ("911", "988", "state_tipline", "fbi")


@dataclass(frozen=True)
class Route:
    destinations: tuple[str, ...]
    rules: tuple[str, ...]


def route(triage: Triage) -> Route:
    cell = DEFAULT_TABLE[triage.category].get(triage.urgency, ())
    chosen = set(cell)
    rules = [f"default:{triage.category}:{triage.urgency}"] if cell else []
    indicators = set(triage.indicators)
    for category, when_any, destination in CONDITIONAL_ADDITIONS:
        if triage.category == category and triage.urgency != "none" and indicators & when_any:
            if destination == "988" and triage.urgency == "emergency":
                continue  # the emergency cell already names who acts first
            chosen.add(destination)
            rules.append(f"default:{category}:+{destination}")
    return Route(tuple(d for d in _ORDER if d in chosen), tuple(rules))
