from __future__ import annotations

import pytest

from routing.domain import CATEGORIES, Triage
from routing.policy import DEFAULT_TABLE, route


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "not_a_tip"])
def test_every_emergency_reaches_911(category: str) -> None:
    assert "911" in route(Triage(category, "emergency")).destinations


@pytest.mark.parametrize("urgency", ["routine", "urgent"])
def test_self_harm_goes_to_988_unless_emergency(urgency: str) -> None:
    assert route(Triage("self_harm", urgency)).destinations == ("988",)


def test_not_a_tip_goes_nowhere() -> None:
    assert route(Triage("not_a_tip", "none")).destinations == ()


@pytest.mark.parametrize(
    ("category", "urgency", "indicators", "expected"),
    [
        ("threat_to_others", "routine", ("mass_casualty",), ("state_tipline", "fbi")),
        ("threat_to_others", "routine", (), ("state_tipline",)),
        ("wellness_concern", "routine", ("mental_health_crisis",), ("988", "state_tipline")),
        ("other_suspicious", "routine", ("explosives",), ("state_tipline", "fbi")),
    ],
)
def test_conditional_cells_add_their_destination(
    category: str, urgency: str, indicators: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert route(Triage(category, urgency, indicators=indicators)).destinations == expected


def test_the_table_covers_every_reportable_category_and_urgency() -> None:
    for category in CATEGORIES:
        if category != "not_a_tip":
            assert set(DEFAULT_TABLE[category]) == {"routine", "urgent", "emergency"}
