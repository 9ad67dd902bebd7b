"""route(triage, jurisdiction) -> destinations: an interpreter over triage.md's default table and
the jurisdiction's own rules.

The tables are data; the function only reads them. Safety holds by construction, whatever the
rules say: urgency only ever goes up, every `emergency` reaches 911, and `self_harm` reaches 911
only as an `emergency`. The ids of the rules that fired are returned for the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.domain import Triage, urgency_rank
from routing.jurisdiction import Jurisdiction

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

# The table's "(+X if ...)" cells: (category, urgencies, indicators any of which adds, destination).
CONDITIONAL_ADDITIONS: tuple[tuple[str, frozenset[str], frozenset[str], str], ...] = (
    ("threat_to_others", frozenset({"routine"}), frozenset({"mass_casualty", "ideological_motive"}), "fbi"),
    ("wellness_concern", frozenset({"routine", "urgent"}), frozenset({"mental_health_crisis"}), "988"),
    ("other_suspicious", frozenset({"routine"}), frozenset({"terrorism_nexus", "explosives"}), "fbi"),
)

ORDER = ("911", "988", "state_tipline", "fbi")


@dataclass(frozen=True)
class Route:
    urgency: str
    destinations: tuple[str, ...]
    rules: tuple[str, ...]


def route(triage: Triage, jurisdiction: Jurisdiction | None = None) -> Route:
    category, urgency = triage.category, triage.urgency
    indicators = frozenset(triage.indicators)
    rules: list[str] = []
    custom = jurisdiction.rules if jurisdiction is not None and category != "not_a_tip" else ()

    for rule in custom:
        raises = rule.raise_urgency is not None and urgency_rank(rule.raise_urgency) > urgency_rank(urgency)
        if raises and rule.when.holds(category, urgency, indicators):
            assert rule.raise_urgency is not None
            urgency = rule.raise_urgency
            rules.append(f"rule:{rule.id}")

    cell = DEFAULT_TABLE[category].get(urgency, ())
    chosen = set(cell)
    if cell:
        rules.append(f"default:{category}:{urgency}")
    for cat, urgencies, when_any, destination in CONDITIONAL_ADDITIONS:
        if category == cat and urgency in urgencies and indicators & when_any and destination not in chosen:
            chosen.add(destination)
            rules.append(f"default:{category}:+{destination}")

    for rule in custom:
        if not (rule.add_destination or rule.remove_destination) or not rule.when.holds(category, urgency, indicators):
            continue
        if rule.add_destination:
            chosen.add(rule.add_destination)
        if rule.remove_destination:
            chosen.discard(rule.remove_destination)
        rules.append(f"rule:{rule.id}")

    if urgency == "emergency" and "911" not in chosen:
        chosen.add("911")
        rules.append("safety:emergency_reaches_911")
    if category == "self_harm" and urgency != "emergency" and "911" in chosen:
        chosen.discard("911")
        rules.append("safety:self_harm_911_only_in_emergency")
    return Route(urgency, tuple(d for d in ORDER if d in chosen), tuple(rules))
