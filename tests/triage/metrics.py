"""Metrics of a triage run on the labelled set, the floors of issue 4, and the printed report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from routing.domain import CATEGORIES, URGENCIES
from tests.triage.cases import Case

RANK = {u: i for i, u in enumerate(URGENCIES)}

# triage.md's default routing table, written out again here so the evaluation checks the
# routing service against the contract rather than against itself.
TABLE: dict[str, dict[str, frozenset[str]]] = {
    "threat_to_others": {
        "routine": frozenset({"state_tipline"}),
        "urgent": frozenset({"state_tipline", "fbi"}),
        "emergency": frozenset({"911", "state_tipline", "fbi"}),
    },
    "self_harm": {"routine": frozenset({"988"}), "urgent": frozenset({"988"}), "emergency": frozenset({"911", "988"})},
    "gun_diversion": {u: frozenset({"state_tipline", "fbi"}) for u in ("routine", "urgent")}
    | {"emergency": frozenset({"911", "state_tipline", "fbi"})},
    "site_surveillance": {u: frozenset({"state_tipline", "fbi"}) for u in ("routine", "urgent")}
    | {"emergency": frozenset({"911", "state_tipline", "fbi"})},
    "wellness_concern": {u: frozenset({"state_tipline"}) for u in ("routine", "urgent")}
    | {"emergency": frozenset({"911", "state_tipline"})},
    "other_suspicious": {
        "routine": frozenset({"state_tipline"}),
        "urgent": frozenset({"state_tipline", "fbi"}),
        "emergency": frozenset({"911", "state_tipline", "fbi"}),
    },
    "not_a_tip": {"none": frozenset()},
}
# The table's "(+X if ...)" cells: (category, urgencies, indicators, destination added).
CONDITIONAL = (
    ("threat_to_others", ("routine",), frozenset({"mass_casualty", "ideological_motive"}), "fbi"),
    ("wellness_concern", ("routine", "urgent"), frozenset({"mental_health_crisis"}), "988"),
    ("other_suspicious", ("routine",), frozenset({"terrorism_nexus", "explosives"}), "fbi"),
)


def table_destinations(category: str, urgency: str, indicators: Sequence[str]) -> frozenset[str]:
    cell = set(TABLE[category].get(urgency, frozenset()))
    for conditional_category, urgencies, when_any, destination in CONDITIONAL:
        if category == conditional_category and urgency in urgencies and when_any & set(indicators):
            cell.add(destination)
    return frozenset(cell)


@dataclass(frozen=True)
class Floor:
    name: str
    value: float
    limit: float
    at_least: bool  # the value must be >= limit (else <=)

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit


@dataclass
class Report:
    n: int
    category_matrix: dict[str, Counter[str]]
    urgency_matrix: dict[str, Counter[str]]
    floors: list[Floor]
    per_category: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    per_tag: dict[str, tuple[int, int]]  # tag -> (right, total), right = category and urgency
    category_accuracy: float
    urgency_accuracy: float
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(f.met for f in self.floors)


def evaluate(cases: Sequence[Case], results: Mapping[str, Mapping[str, Any]]) -> Report:
    category_matrix: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    urgency_matrix: dict[str, Counter[str]] = {u: Counter() for u in URGENCIES}
    emergencies = emergency_hits = under = over = non_emergencies = 0
    self_harm_911 = 0
    routed = routed_right = exact = exact_right = 0
    per_tag: dict[str, list[int]] = {}
    failures = []
    for case in cases:
        if case.category not in CATEGORIES or case.urgency not in URGENCIES:
            raise ValueError(f"{case.id}: unknown label {case.category}/{case.urgency}")
        result = results[case.id]
        category, urgency = result["category"], result["urgency"]
        destinations = frozenset(result["destinations"])
        expected = case.destinations
        if expected is None:
            expected = table_destinations(case.category, case.urgency, result.get("indicators", []))
        category_matrix[case.category][category] += 1
        urgency_matrix[case.urgency][urgency] += 1
        if case.urgency == "emergency":
            emergencies += 1
            emergency_hits += urgency == "emergency" and "911" in destinations
        else:
            non_emergencies += 1
            over += urgency == "emergency"
        under += RANK[urgency] < RANK[case.urgency]
        if "911" in destinations and (
            (category == "self_harm" and urgency != "emergency")
            or (case.category == "self_harm" and case.urgency != "emergency")
        ):
            self_harm_911 += 1
        if category == case.category:
            routed += 1
            routed_right += destinations == table_destinations(category, urgency, result.get("indicators", []))
            if urgency == case.urgency:
                exact += 1
                exact_right += destinations == expected
        right = category == case.category and urgency == case.urgency
        for tag in case.tags:
            per_tag.setdefault(tag, [0, 0])
            per_tag[tag][0] += right
            per_tag[tag][1] += 1
        if not right or destinations != expected:
            failures.append(
                f"{case.id}: expected {case.category}/{case.urgency} {sorted(expected)}, "
                f"got {category}/{urgency} {sorted(destinations)}  {case.text[:90]!r}"
            )

    per_category = {}
    for c in CATEGORIES:
        tp = category_matrix[c][c]
        predicted = sum(category_matrix[g][c] for g in CATEGORIES)
        support = sum(category_matrix[c].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_category[c] = (precision, recall, f1, support)
    macro_f1 = sum(v[2] for v in per_category.values()) / len(CATEGORIES)
    n = len(cases)
    floors = [
        Floor("emergency recall (emergency and 911)", emergency_hits / emergencies if emergencies else 1.0, 1.0, True),
        Floor("under-triage rate", under / n, 0.03, False),
        Floor("non-emergencies raised to emergency", over / non_emergencies if non_emergencies else 0.0, 0.05, False),
        Floor("category macro-F1", macro_f1, 0.90, True),
        Floor("self_harm sent to 911 without emergency (count)", self_harm_911, 0, False),
        Floor("correctly categorised tips routed by the table", routed_right / routed if routed else 1.0, 1.0, True),
        Floor("right category and urgency: destinations as labelled", exact_right / exact if exact else 1.0, 1.0, True),
    ]
    return Report(
        n=n,
        category_matrix=category_matrix,
        urgency_matrix=urgency_matrix,
        floors=floors,
        per_category=per_category,
        per_tag={t: (v[0], v[1]) for t, v in sorted(per_tag.items())},
        category_accuracy=sum(category_matrix[c][c] for c in CATEGORIES) / n,
        urgency_accuracy=sum(urgency_matrix[u][u] for u in URGENCIES) / n,
        failures=failures,
    )


def format_report(report: Report, *, show_failures: bool = True) -> str:
    lines = [f"Triage evaluation: {report.n} labelled tips", ""]
    lines += _matrix("Category (rows: labelled, columns: triage)", CATEGORIES, report.category_matrix, _SHORT)
    lines.append("")
    lines += _matrix("Urgency (rows: labelled, columns: triage)", URGENCIES, report.urgency_matrix, {})
    lines += ["", f"{'category':<20}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}"]
    for c, (p, r, f1, n) in report.per_category.items():
        lines.append(f"{c:<20}{p:>10.2f}{r:>8.2f}{f1:>7.2f}{n:>5}")
    lines += [
        "",
        f"category accuracy {report.category_accuracy:.3f}, urgency accuracy {report.urgency_accuracy:.3f}",
        "",
        "| metric | floor | value | |",
        "| --- | --- | --- | --- |",
    ]
    for f in report.floors:
        sign = ">=" if f.at_least else "<="
        value = f"{f.value:.0f}" if f.limit in (0,) and not f.at_least else f"{f.value:.3f}"
        lines.append(f"| {f.name} | {sign} {f.limit:g} | {value} | {'met' if f.met else 'MISSED'} |")
    lines += ["", "Hard cases (category and urgency both right):"]
    lines += [f"  {tag:<20}{right:>4}/{total}" for tag, (right, total) in report.per_tag.items()]
    if show_failures and report.failures:
        lines += ["", f"Tips triaged differently from their label ({len(report.failures)}):"]
        lines += [f"  {f}" for f in report.failures]
    lines += ["", "All floors met." if report.passed else "FLOORS MISSED."]
    return "\n".join(lines)


_SHORT = {
    "threat_to_others": "threat",
    "self_harm": "self",
    "gun_diversion": "gun",
    "site_surveillance": "surveil",
    "wellness_concern": "wellness",
    "other_suspicious": "other",
    "not_a_tip": "not_tip",
}


def _matrix(
    title: str, labels: Sequence[str], matrix: Mapping[str, Counter[str]], short: Mapping[str, str]
) -> list[str]:
    names = [short.get(label, label) for label in labels]
    width = max(10, *(len(n) + 1 for n in names))
    lines = [title, " " * 18 + "".join(f"{n:>{width}}" for n in names)]
    for label in labels:
        lines.append(f"{label:<18}" + "".join(f"{matrix[label][c]:>{width}}" for c in labels))
    return lines
