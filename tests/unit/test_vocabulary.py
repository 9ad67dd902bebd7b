"""Routing's copy of the triage indicator vocabulary must match the triage code's."""

from __future__ import annotations

import importlib

import pytest

from routing.vocabulary import INDICATORS, ROUTING_INDICATORS


def test_the_default_tables_indicators_are_in_the_vocabulary() -> None:
    assert set(ROUTING_INDICATORS) <= INDICATORS
    assert ROUTING_INDICATORS == (
        "mass_casualty",
        "ideological_motive",
        "mental_health_crisis",
        "explosives",
        "terrorism_nexus",
    )


def test_routing_knows_exactly_the_indicators_triage_can_produce() -> None:
    model = importlib.import_module("actions.triage.model")
    triage_vocabulary = getattr(model, "INDICATORS", None) or getattr(model, "Indicator", None)
    if triage_vocabulary is None:
        pytest.skip("actions/triage does not export its indicator vocabulary yet (INDICATORS or Indicator)")
    names = {str(getattr(i, "value", i)) for i in triage_vocabulary}
    assert names == INDICATORS
