"""Jurisdiction rules on top of the default table, and the safety that holds whatever they say."""

from __future__ import annotations

import itertools

import pytest

from routing.domain import CATEGORIES, URGENCIES, Triage
from routing.policy import route
from routing.vocabulary import ROUTING_INDICATORS
from tests.support.routing import example_jurisdiction

J = example_jurisdiction()


def test_a_school_threat_also_goes_to_the_fbi_by_the_county_rule() -> None:
    routed = route(Triage("threat_to_others", "routine", indicators=("target_school",)), J)
    assert routed.destinations == ("state_tipline", "fbi")
    assert "rule:school-threats-to-fbi" in routed.rules


def test_a_rule_raises_urgency_and_the_table_follows() -> None:
    routed = route(Triage("threat_to_others", "routine", indicators=("target_school", "weapon_access")), J)
    assert routed.urgency == "urgent"
    assert routed.rules[0] == "rule:weapon-at-school-is-urgent"


def test_a_rule_never_lowers_urgency() -> None:
    routed = route(Triage("threat_to_others", "emergency", indicators=("target_school", "weapon_access")), J)
    assert routed.urgency == "emergency" and "911" in routed.destinations


@pytest.mark.parametrize(
    ("category", "urgency", "indicators"),
    [
        (c, u, ind)
        for c, u in itertools.product(CATEGORIES, URGENCIES)
        for ind in ((), ("target_school", "weapon_access"), ROUTING_INDICATORS)
    ],
)
def test_safety_holds_for_every_category_urgency_and_indicator_mix(
    category: str, urgency: str, indicators: tuple[str, ...]
) -> None:
    routed = route(Triage(category, urgency, indicators=indicators), J)
    if routed.urgency == "emergency":
        assert "911" in routed.destinations
    if category == "self_harm" and routed.urgency != "emergency":
        assert "911" not in routed.destinations
    assert URGENCIES.index(routed.urgency) >= URGENCIES.index(urgency)
