"""Fail when the model's intent F1 on the held-out set (tests/nlu/) is below the floors.

Reads the intent report that `rasa test nlu` writes (`intent_report.json`); Rasa itself never
gates. `--markdown` prints the per-intent table for the README.

    python scripts/nlu_gate.py var/results/nlu/intent_report.json [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MACRO_F1_FLOOR = 0.90
REPORT_INTENT_FLOOR = 0.85
SUMMARY_ROWS = ("accuracy", "macro avg", "weighted avg", "micro avg")


def per_intent(report: dict[str, object]) -> dict[str, dict[str, float]]:
    return {name: scores for name, scores in report.items() if name not in SUMMARY_ROWS and isinstance(scores, dict)}


def failures(report: dict[str, object]) -> list[str]:
    problems = []
    macro = report.get("macro avg")
    if not isinstance(macro, dict):
        return ["the report has no 'macro avg' row: is this Rasa's intent_report.json?"]
    if macro["f1-score"] < MACRO_F1_FLOOR:
        problems.append(f"intent macro-F1 {macro['f1-score']:.3f} is below {MACRO_F1_FLOOR}")
    for name, scores in sorted(per_intent(report).items()):
        if name.startswith("report_") and scores["f1-score"] < REPORT_INTENT_FLOOR:
            confused_with: dict[str, int] = scores.get("confused_with", {})  # type: ignore[assignment]
            confused = ", ".join(f"{other} x{n}" for other, n in confused_with.items())
            problems.append(
                f"{name}: F1 {scores['f1-score']:.3f} is below {REPORT_INTENT_FLOOR}"
                + (f" (confused with {confused})" if confused else "")
            )
    return problems


def markdown(report: dict[str, object]) -> str:
    lines = ["| intent | precision | recall | F1 | examples |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, s in sorted(per_intent(report).items(), key=lambda item: (not item[0].startswith("report_"), item[0])):
        lines.append(
            f"| `{name}` | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1-score']:.2f} | {int(s['support'])} |"
        )
    macro = report["macro avg"]
    assert isinstance(macro, dict)
    lines.append(
        f"| **macro average** | {macro['precision']:.2f} | {macro['recall']:.2f} | **{macro['f1-score']:.2f}** | "
        f"{int(macro['support'])} |"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args()
    if not args.report.exists():
        print(f"error: {args.report} does not exist; run 'make test-nlu' (rasa test nlu) first", file=sys.stderr)
        return 2
    report = json.loads(args.report.read_text())
    if args.markdown:
        print(markdown(report))
    problems = failures(report)
    for problem in problems:
        print(f"NLU gate: {problem}", file=sys.stderr)
    if not problems:
        macro = report["macro avg"]
        assert isinstance(macro, dict)
        print(
            f"NLU gate passed: intent macro-F1 {macro['f1-score']:.3f} (floor {MACRO_F1_FLOOR}), "
            f"every report intent at or above {REPORT_INTENT_FLOOR}"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
