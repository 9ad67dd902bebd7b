"""Regression test: the labelled set still meets every floor of issue 4.

It runs the triage code in-process without the NLU (the text alone must carry triage) and
routes with the routing service's own policy; `make eval` runs the same set through the live
stack with the trained model.
"""

from __future__ import annotations

from collections import Counter

from tests.triage.cases import load_cases
from tests.triage.evaluate import triage_offline
from tests.triage.metrics import CATEGORIES, URGENCIES, evaluate, format_report, table_destinations

HARD_CASES = {
    "negation",
    "figurative",
    "gaming",
    "lyrics",
    "past",
    "appearance",
    "indirect_suicide",
    "implicit_emergency",
    "spanish",
}


def test_the_labelled_set_is_large_and_covers_every_category_urgency_and_hard_case() -> None:
    cases = load_cases()
    assert len(cases) >= 300
    assert len({c.id for c in cases}) == len(cases), "case ids must be unique"
    pairs = Counter((c.category, c.urgency) for c in cases)
    for category in CATEGORIES:
        urgencies = ("none",) if category == "not_a_tip" else URGENCIES[1:]
        for urgency in urgencies:
            assert pairs[(category, urgency)] >= 3, f"too few {category}/{urgency} tips"
    tags = Counter(t for c in cases for t in c.tags)
    for tag in HARD_CASES:
        assert tags[tag] >= 4, f"too few {tag} tips"


def test_every_label_routes_as_the_default_table_says() -> None:
    for case in load_cases():
        plain = table_destinations(case.category, case.urgency, [])
        extended = table_destinations(
            case.category, case.urgency, ["mass_casualty", "mental_health_crisis", "terrorism_nexus"]
        )
        assert case.destinations is not None, f"{case.id}: the labelled set labels destinations"
        assert plain <= case.destinations <= extended, case.id


def test_the_triage_meets_every_floor_of_issue_4_on_the_labelled_set() -> None:
    cases = load_cases()
    report = evaluate(cases, triage_offline(cases))
    assert report.passed, format_report(report)
