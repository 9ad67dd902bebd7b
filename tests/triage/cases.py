"""The labelled evaluation set (tests/triage/tips/*.yml) as typed cases."""

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
    destinations: frozenset[str]
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
    cases = []
    for path in sorted(directory.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(
                Case(
                    id=raw["id"],
                    text=raw["text"],
                    category=raw["category"],
                    urgency=raw["urgency"],
                    destinations=frozenset(str(d) for d in raw["destinations"]),
                    tags=tuple(raw.get("tags") or ()),
                    answers=raw.get("answers") or {},
                    reported_at=raw.get("reported_at"),
                )
            )
    return cases
