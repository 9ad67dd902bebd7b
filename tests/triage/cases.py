"""Labelled tips as typed cases: the evaluation set (tests/triage/tips/*.yml) or any file like it.

A file is a YAML list of {id, text, category, urgency}, optionally with destinations, tags,
answers and reported_at. Without destinations the expected ones are the default table's cell
for the labelled category and urgency (tests/triage/metrics.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).parent / "tips"


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    category: str
    urgency: str
    destinations: frozenset[str] | None  # None: not labelled, the table's cell is expected
    tags: tuple[str, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    reported_at: str | None = None

    def request(self) -> dict[str, Any]:
        """The JSON line `tipline triage` reads for this case."""
        line: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.answers:
            line["answers"] = dict(self.answers)
        if self.reported_at:
            line["reported_at"] = self.reported_at
        return line

    @property
    def reported_at_datetime(self) -> datetime | None:
        return datetime.fromisoformat(self.reported_at) if self.reported_at else None


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    return [case for path in sorted(directory.glob("*.yml")) for case in load_file(path)]


def load_file(path: Path) -> list[Case]:
    """The cases of one labelled file; a clear error names the file and the entry that is wrong."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ValueError(f"{path}: cannot be read: {e}") from None
    if not isinstance(doc, list):
        raise ValueError(f"{path}: expected a list of labelled tips")
    cases = []
    for number, raw in enumerate(doc, start=1):
        missing = [k for k in ("id", "text", "category", "urgency") if not isinstance(raw, dict) or k not in raw]
        if missing:
            raise ValueError(f"{path}: entry {number} lacks {', '.join(missing)}")
        destinations = raw.get("destinations")
        cases.append(
            Case(
                id=str(raw["id"]),
                text=str(raw["text"]),
                category=str(raw["category"]),
                urgency=str(raw["urgency"]),
                destinations=None if destinations is None else frozenset(str(d) for d in destinations),
                tags=tuple(raw.get("tags") or ()),
                answers=raw.get("answers") or {},
                reported_at=raw.get("reported_at"),
            )
        )
    return cases
